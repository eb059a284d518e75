// Psc\Event\Loop: Revolt-style static API over runtime/loop/EventLoop.
// Converts PHP callables and streams; all scheduling lives in runtime/.
#include "ext/ripple_ext.hpp"

#include "ipc/worker_link.hpp"
#include "loop/event_loop.hpp"
#include "supervisor/supervisor.hpp"

extern "C" {
#include "zend_fibers.h"
#include "zend_interfaces.h"
}

#include <poll.h>
#include <sys/stat.h>
#include <signal.h>
#include <unistd.h>

#include <cmath>
#include <memory>
#include <thread>

#include "ext/event_arginfo.h"

namespace ripple::ext {
namespace {

using loop::EventLoop;

// A PHP callable (and an optional extra argument) kept alive by the watcher.
struct PhpCallback {
    zval callable;
    zval extra;
    PhpCallback(zval* c, zval* e) {
        ZVAL_COPY(&callable, c);
        if (e) ZVAL_COPY(&extra, e);
        else ZVAL_UNDEF(&extra);
    }
    ~PhpCallback() {
        zval_ptr_dtor(&callable);
        zval_ptr_dtor(&extra);
    }
};

EventLoop::Callback bind(zval* callable, zval* extra) {
    auto cb = std::make_shared<PhpCallback>(callable, extra);
    return [cb](const std::string& id) {
        zval args[2], rv;
        ZVAL_STRINGL(&args[0], id.data(), id.size());
        uint32_t argc = 1;
        if (!Z_ISUNDEF(cb->extra)) {
            ZVAL_COPY(&args[1], &cb->extra);
            argc = 2;
        }
        ZVAL_UNDEF(&rv);
        call_user_function(nullptr, nullptr, &cb->callable, &rv, argc, args);
        zval_ptr_dtor(&rv);
        for (uint32_t i = 0; i < argc; ++i) zval_ptr_dtor(&args[i]);
        if (process().supervisor) process().supervisor->reassert_signal_handlers();
        if (!report_callback_exception("an event loop callback")) {
            // exit() inside a callback: leave the loop (and, in the main process, the services).
            if (process().supervisor) process().supervisor->abort();
            EventLoop::current().stop();
        }
    };
}

int stream_fd(zval* zstream, const char* method) {
    php_stream* stream = nullptr;
    if (Z_TYPE_P(zstream) == IS_RESOURCE) {
        stream = static_cast<php_stream*>(
            zend_fetch_resource2_ex(zstream, "stream", php_file_le_stream(), php_file_le_pstream()));
    }
    if (stream == nullptr) {
        if (!EG(exception)) zend_type_error("Loop::%s(): Argument #1 ($stream) must be a stream resource", method);
        return -1;
    }
    int fd = -1;
    if (php_stream_cast(stream, PHP_STREAM_AS_FD_FOR_SELECT | PHP_STREAM_CAST_INTERNAL, reinterpret_cast<void**>(&fd),
                        1) != SUCCESS ||
        fd < 0) {
        zend_value_error("Loop::%s(): the stream has no file descriptor to watch", method);
        return -1;
    }
    struct stat st {};
    if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) {
        // epoll cannot watch regular files (they are always ready): say so instead of never firing.
        zend_value_error("Loop::%s(): regular files cannot be watched; read them directly", method);
        return -1;
    }
    return fd;
}

void throw_invalid_id(const char* method, zend_string* id) {
    zend_throw_error(nullptr, "Loop::%s(): no watcher with id '%s' (cancelled, or a one-shot that already ran)",
                     method, ZSTR_VAL(id));
}

}  // namespace

void register_loop_class() { loop_ce = register_class_Psc_Event_Loop(); }

void loop_request_shutdown() {
    // However a worker ends (exit(), fatal error, end of loop), commands it sent still go out.
    if (process().link) process().link->flush();
    EventLoop::current().clear();
}

}  // namespace ripple::ext

using namespace ripple::ext;
using ripple::loop::EventLoop;

#define RETURN_ID(expr)                          \
    do {                                         \
        std::string id_ = (expr);                \
        RETURN_STRINGL(id_.data(), id_.size());  \
    } while (0)

ZEND_METHOD(Psc_Event_Loop, defer) {
    zval* cb;
    ZEND_PARSE_PARAMETERS_START(1, 1)
        Z_PARAM_ZVAL(cb)
    ZEND_PARSE_PARAMETERS_END();
    RETURN_ID(EventLoop::current().defer(bind(cb, nullptr)));
}

ZEND_METHOD(Psc_Event_Loop, delay) {
    double seconds;
    zval* cb;
    ZEND_PARSE_PARAMETERS_START(2, 2)
        Z_PARAM_DOUBLE(seconds)
        Z_PARAM_ZVAL(cb)
    ZEND_PARSE_PARAMETERS_END();
    if (!(seconds >= 0) || !std::isfinite(seconds)) {
        zend_argument_value_error(1, "must be a finite number of seconds >= 0");
        RETURN_THROWS();
    }
    RETURN_ID(EventLoop::current().delay(seconds, bind(cb, nullptr)));
}

ZEND_METHOD(Psc_Event_Loop, repeat) {
    double seconds;
    zval* cb;
    ZEND_PARSE_PARAMETERS_START(2, 2)
        Z_PARAM_DOUBLE(seconds)
        Z_PARAM_ZVAL(cb)
    ZEND_PARSE_PARAMETERS_END();
    if (!(seconds >= 0) || !std::isfinite(seconds)) {
        zend_argument_value_error(1, "must be a finite number of seconds >= 0");
        RETURN_THROWS();
    }
    RETURN_ID(EventLoop::current().repeat(seconds, bind(cb, nullptr)));
}

ZEND_METHOD(Psc_Event_Loop, onReadable) {
    zval *stream, *cb;
    ZEND_PARSE_PARAMETERS_START(2, 2)
        Z_PARAM_ZVAL(stream)
        Z_PARAM_ZVAL(cb)
    ZEND_PARSE_PARAMETERS_END();
    const int fd = stream_fd(stream, "onReadable");
    if (fd < 0) RETURN_THROWS();
    RETURN_ID(EventLoop::current().on_readable(fd, bind(cb, stream)));
}

ZEND_METHOD(Psc_Event_Loop, onWritable) {
    zval *stream, *cb;
    ZEND_PARSE_PARAMETERS_START(2, 2)
        Z_PARAM_ZVAL(stream)
        Z_PARAM_ZVAL(cb)
    ZEND_PARSE_PARAMETERS_END();
    const int fd = stream_fd(stream, "onWritable");
    if (fd < 0) RETURN_THROWS();
    RETURN_ID(EventLoop::current().on_writable(fd, bind(cb, stream)));
}

ZEND_METHOD(Psc_Event_Loop, onSignal) {
    zend_long signo;
    zval* cb;
    ZEND_PARSE_PARAMETERS_START(2, 2)
        Z_PARAM_LONG(signo)
        Z_PARAM_ZVAL(cb)
    ZEND_PARSE_PARAMETERS_END();
    if (signo < 1 || signo >= NSIG || signo == SIGKILL || signo == SIGSTOP) {
        zend_argument_value_error(1, "must be a catchable signal number");
        RETURN_THROWS();
    }
    zval sig;
    ZVAL_LONG(&sig, signo);
    RETURN_ID(EventLoop::current().on_signal(static_cast<int>(signo), bind(cb, &sig)));
}

#define WATCHER_OP(method, call, returns_id)                         \
    ZEND_METHOD(Psc_Event_Loop, method) {                            \
        zend_string* id;                                             \
        ZEND_PARSE_PARAMETERS_START(1, 1)                            \
            Z_PARAM_STR(id)                                          \
        ZEND_PARSE_PARAMETERS_END();                                 \
        const std::string key(ZSTR_VAL(id), ZSTR_LEN(id));           \
        if (!EventLoop::current().call(key)) {                       \
            if (returns_id) {                                        \
                throw_invalid_id(#method, id);                       \
                RETURN_THROWS();                                     \
            }                                                        \
        }                                                            \
        if (returns_id) RETURN_STR_COPY(id);                         \
    }

WATCHER_OP(cancel, cancel, false)
WATCHER_OP(enable, enable, true)
WATCHER_OP(disable, disable, true)
WATCHER_OP(reference, reference, true)
WATCHER_OP(unreference, unreference, true)

ZEND_METHOD(Psc_Event_Loop, isEnabled) {
    zend_string* id;
    ZEND_PARSE_PARAMETERS_START(1, 1)
        Z_PARAM_STR(id)
    ZEND_PARSE_PARAMETERS_END();
    RETURN_BOOL(EventLoop::current().is_enabled(std::string(ZSTR_VAL(id), ZSTR_LEN(id))));
}

ZEND_METHOD(Psc_Event_Loop, run) {
    ZEND_PARSE_PARAMETERS_NONE();
    EventLoop& loop = EventLoop::current();
    // In a worker, or under Manager::run(), the runtime already drives the loop.
    if (loop.running() || process().in_worker) return;
    loop.run();
}

ZEND_METHOD(Psc_Event_Loop, stop) {
    ZEND_PARSE_PARAMETERS_NONE();
    EventLoop& loop = EventLoop::current();
    // In a worker's boot() the loop is not running yet: remember, so the process ends after boot().
    if (!loop.running() && process().in_worker) process().stop_after_boot = true;
    loop.stop();
}

namespace {
// Suspends the current fiber until a watcher made by `watch` resumes it with a value.
// Outside a fiber, runs nothing else: the caller gets the blocking fallback.
bool in_fiber() { return EG(active_fiber) != nullptr; }

void suspend_current_fiber(zval* result) {
    zend_call_method_with_0_params(nullptr, zend_ce_fiber, nullptr, "suspend", result);
}

EventLoop::Callback resumer(zend_object* fiber, bool value, std::shared_ptr<std::string> other) {
    GC_ADDREF(fiber);
    auto holder = std::shared_ptr<zend_object>(fiber, [](zend_object* f) { OBJ_RELEASE(f); });
    return [holder, value, other](const std::string& id) {
        EventLoop::current().cancel(id);
        if (other && !other->empty()) EventLoop::current().cancel(*other);
        zval arg;
        ZVAL_BOOL(&arg, value);
        zend_call_method_with_1_params(holder.get(), zend_ce_fiber, nullptr, "resume", nullptr, &arg);
        report_callback_exception("a fiber resumed by the event loop");
    };
}

void await_stream(INTERNAL_FUNCTION_PARAMETERS, bool writable) {
    zval* stream;
    double timeout = -1;
    ZEND_PARSE_PARAMETERS_START(1, 2)
        Z_PARAM_ZVAL(stream)
        Z_PARAM_OPTIONAL
        Z_PARAM_DOUBLE(timeout)
    ZEND_PARSE_PARAMETERS_END();
    const char* method = writable ? "awaitWritable" : "awaitReadable";
    const int fd = stream_fd(stream, method);
    if (fd < 0) RETURN_THROWS();
    if (!in_fiber()) {
        // Outside a fiber: a plain blocking wait.
        pollfd p{fd, static_cast<short>(writable ? POLLOUT : POLLIN), 0};
        const int ms = timeout < 0 ? -1 : static_cast<int>(timeout * 1000);
        RETURN_BOOL(::poll(&p, 1, ms) > 0);
    }
    EventLoop& loop = EventLoop::current();
    zend_object* fiber = &EG(active_fiber)->std;
    auto timer_id = std::make_shared<std::string>();
    auto io_id = std::make_shared<std::string>();
    *io_id = writable ? loop.on_writable(fd, resumer(fiber, true, timer_id))
                      : loop.on_readable(fd, resumer(fiber, true, timer_id));
    if (timeout >= 0) *timer_id = loop.delay(timeout, resumer(fiber, false, io_id));
    suspend_current_fiber(return_value);
}
}  // namespace

ZEND_METHOD(Psc_Event_Loop, sleep) {
    double seconds;
    ZEND_PARSE_PARAMETERS_START(1, 1)
        Z_PARAM_DOUBLE(seconds)
    ZEND_PARSE_PARAMETERS_END();
    if (!(seconds >= 0) || !std::isfinite(seconds)) {
        zend_argument_value_error(1, "must be a finite number of seconds >= 0");
        RETURN_THROWS();
    }
    if (!in_fiber()) {
        std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
        return;
    }
    EventLoop::current().delay(seconds, resumer(&EG(active_fiber)->std, true, nullptr));
    zval ignored;
    suspend_current_fiber(&ignored);
    zval_ptr_dtor(&ignored);
}

ZEND_METHOD(Psc_Event_Loop, awaitReadable) { await_stream(INTERNAL_FUNCTION_PARAM_PASSTHRU, false); }

ZEND_METHOD(Psc_Event_Loop, awaitWritable) { await_stream(INTERNAL_FUNCTION_PARAM_PASSTHRU, true); }
