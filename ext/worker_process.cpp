// The life of a forked worker process: fresh loop, process title, reseeded
// RNGs, boot(), READY, then commands and the user's watchers until the
// manager's reload/stop notice lets the loop run dry.
#include "ext/ripple_ext.hpp"

#include "ipc/worker_link.hpp"
#include "log/log.hpp"
#include "loop/event_loop.hpp"
#include "os/proc_title.hpp"

extern "C" {
#include "ext/random/php_random.h"
#include "php_output.h"
#include "zend_interfaces.h"
}

#include <signal.h>
#include <sys/random.h>
#include <unistd.h>

#include <memory>

namespace ripple::ext {
namespace {

std::string g_tag;

// Calls $worker->method($arg?) and applies the worker's exception policy:
// exit() ends the process, anything else is reported and the process goes on.
void call_hook(const char* lc_name, zval* arg, const char* context) {
    zend_object* worker = process().worker;
    zend_call_method(worker, worker->ce, nullptr, lc_name, std::strlen(lc_name), nullptr, arg ? 1 : 0, arg, nullptr);
    if (!EG(exception)) return;
    if (zend_is_unwind_exit(EG(exception)) || zend_is_graceful_exit(EG(exception))) {
        loop::EventLoop::current().stop();  // exit(): end the process like any exit
        return;
    }
    log::warn(g_tag, "{}::{}() threw; the process keeps serving", ZSTR_VAL(worker->ce->name), context);
    report_callback_exception(context);
}

void reseed_random() {
    uint32_t seed = 0;
    if (getrandom(&seed, sizeof(seed), 0) != sizeof(seed)) seed = static_cast<uint32_t>(getpid()) * 2654435761u;
    php_mt_srand(seed);                       // mt_rand(), rand(), shuffle(), ...
    RANDOM_G(combined_lcg_seeded) = false;    // lcg_value(), uniqid(more_entropy): reseed on next use
}

void on_command(const std::string& payload, const std::string& sender) {
    zend_object* command = command_unserialize(payload.data(), payload.size());
    if (command == nullptr) {
        log::error(g_tag, "a command from {} could not be decoded; dropped", sender);
        report_callback_exception("Command::fromString()");
        return;
    }
    zval arg;
    ZVAL_OBJ(&arg, command);
    call_hook("oncommand", &arg, "onCommand");
    zval_ptr_dtor(&arg);
}

}  // namespace

void worker_process_main(zend_object* worker, const std::string& service, long index, int channel_fd) {
    ProcessState& st = process();
    st.in_worker = true;
    st.worker = worker;
    st.service = service;
    st.index = index;
    g_tag = service + "#" + std::to_string(index) + " " + std::to_string(getpid());

    // Output the main script buffered (ob_start) before run() belongs to the main process.
    if (php_output_get_level() > 0) php_output_discard_all();
    loop::EventLoop::install_fresh_after_fork();
    loop::EventLoop& loop = loop::EventLoop::current();
    os::set_proc_title("ripple: " + service + "#" + std::to_string(index));
    reseed_random();

    ipc::WorkerLink::Handlers handlers;
    handlers.on_command = on_command;
    handlers.on_reload = [&loop] {
        call_hook("onreload", nullptr, "onReload");
        loop.wind_down();  // servers (Psc\Http\Server) stop accepting and drain
        loop.release();  // the channel no longer keeps this process alive
    };
    auto stop_once = std::make_shared<bool>(false);
    auto on_stop = [&loop, stop_once] {
        if (*stop_once) return;
        *stop_once = true;
        call_hook("onstop", nullptr, "onStop");
        loop.wind_down();
        loop.release();
    };
    handlers.on_stop = on_stop;
    handlers.on_lost = [&loop](const std::string& reason) {
        log::warn(g_tag, "lost the manager{}{}; exiting", reason.empty() ? "" : ": ", reason);
        loop.release();
        loop.stop();
    };
    st.link = new ipc::WorkerLink(loop.base(), channel_fd, max_command_size(), std::move(handlers));
    loop.hold();
    // SIGTERM sent to a worker directly (systemd's control-group kill, `kill -TERM -PGID`)
    // is an orderly stop of this process, as if the manager had asked; it is then replaced.
    const std::string sigterm = loop.on_signal(SIGTERM, [on_stop](const std::string&) {
        log::info(g_tag, "SIGTERM received: stopping this process");
        on_stop();
    });
    loop.unreference(sigterm);
    sigset_t term;
    sigemptyset(&term);
    sigaddset(&term, SIGTERM);
    sigprocmask(SIG_UNBLOCK, &term, nullptr);  // blocked since the fork (see spawn.cpp)

    zend_call_method(worker, worker->ce, nullptr, "boot", sizeof("boot") - 1, nullptr, 0, nullptr, nullptr);
    if (EG(exception)) {
        if (zend_is_unwind_exit(EG(exception))) return;  // exit() in boot(): end like any exit
        // An uncaught exception in boot() is fatal for this process: report it the way PHP does.
        zend_exception_error(EG(exception), E_ERROR);
        return;
    }
    st.link->send_ready();
    if (!st.stop_after_boot) loop.run();
    st.link->flush();  // commands sent just before the end still reach the manager
}

}  // namespace ripple::ext
