// Psc\Worker\Manager: collects Worker definitions, then hands them to the
// native supervisor (runtime/supervisor). In a forked child, run() turns into
// the worker process and never returns into the main script.
#include "ext/ripple_ext.hpp"

#include "control/control_server.hpp"
#include "control/metrics_server.hpp"
#include "control/settings.hpp"
#include "loop/event_loop.hpp"
#include "supervisor/shared_counter.hpp"
#include "supervisor/supervisor.hpp"

extern "C" {
#include "zend_interfaces.h"
}

#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "ext/manager_arginfo.h"

namespace ripple::ext {
namespace {

struct Definition {
    std::string name;
    zend_object* worker;
    long count;
    double grace;
};
std::vector<Definition>* g_defs = new std::vector<Definition>();

Definition* find_def(std::string_view name) {
    for (auto& d : *g_defs) {
        if (d.name == name) return &d;
    }
    return nullptr;
}

bool require_main(const char* method) {
    if (!process().in_worker) return true;
    throw_worker_exception(
        "Manager::%s() may only be called in the main process (before or during Manager::run()); in a worker "
        "process use Worker::commandToWorker()/commandToAll()",
        method);
    return false;
}

bool require_running(const char* method) {
    if (process().supervisor != nullptr && process().supervisor->running()) return true;
    throw_worker_exception(
        "Manager::%s() needs the services running: call it while Manager::run() runs (from a Psc\\Event\\Loop "
        "timer or signal callback)",
        method);
    return false;
}

// Calls a no-argument method of a user Worker; false with the exception pending on failure.
bool call_method(zend_object* obj, const char* lc_name, zval* rv) {
    zend_call_method(obj, obj->ce, nullptr, lc_name, std::strlen(lc_name), rv, 0, nullptr, nullptr);
    return !EG(exception);
}

// Reads and checks a Worker's definition (name, count, grace period).
bool describe(zend_object* worker, Definition& def) {
    const char* cls = ZSTR_VAL(worker->ce->name);
    zval rv;
    if (!call_method(worker, "getname", &rv)) return false;
    if (Z_TYPE(rv) != IS_STRING) {
        zval_ptr_dtor(&rv);
        throw_worker_exception("Manager::addWorker(): %s::getName() must return a string", cls);
        return false;
    }
    def.name.assign(Z_STRVAL(rv), Z_STRLEN(rv));
    zval_ptr_dtor(&rv);
    bool printable = !def.name.empty() && def.name.size() <= 255;
    for (unsigned char c : def.name) printable = printable && c > 0x20 && c < 0x7f;
    if (!printable) {
        throw_worker_exception("Manager::addWorker(): %s::getName() returned an invalid service name; use 1 to 255 "
                               "printable ASCII characters without spaces (e.g. 'http-api')",
                               cls);
        return false;
    }
    if (!call_method(worker, "getcount", &rv)) return false;
    def.count = Z_TYPE(rv) == IS_LONG ? Z_LVAL(rv) : 0;
    zval_ptr_dtor(&rv);
    if (def.count < 1 || def.count > 4096) {
        throw_worker_exception("Manager::addWorker(): worker '%s' (%s::getCount()) asks for %ld processes; it must "
                               "be between 1 and 4096",
                               def.name.c_str(), cls, def.count);
        return false;
    }
    if (!call_method(worker, "getgraceperiod", &rv)) return false;
    def.grace = zval_get_double(&rv);
    zval_ptr_dtor(&rv);
    if (!(def.grace >= 0)) def.grace = 0;
    def.worker = worker;
    return true;
}

bool call_register(zend_object* worker, const std::string& name) {
    zval manager;
    object_init_ex(&manager, manager_ce);
    zend_call_method(worker, worker->ce, nullptr, "register", sizeof("register") - 1, nullptr, 1, &manager, nullptr);
    zval_ptr_dtor(&manager);
    (void)name;
    return !EG(exception);
}

// What Manager::run() owns in the main process while the services run.
struct Running {
    std::unique_ptr<supervisor::Supervisor> sup;
    std::unique_ptr<control::ControlServer> control;  // ripple status|reload|stop
    std::unique_ptr<control::MetricsServer> metrics;  // --metrics
    // In a forked worker nothing of the parent's may be freed: its events live in
    // the parent's epoll set, which the child shares.
    void abandon() {
        (void)metrics.release();
        (void)control.release();
        (void)sup.release();
    }
};

// Opens the control socket and the metrics endpoint the command line asked for;
// throws WorkerException (and returns false) when one cannot be opened.
bool start_endpoints(Running& r) {
    const auto& settings = control::manager_settings();
    auto sync_id = [] { return process().counter->current(); };
    event_base* base = loop::EventLoop::current().base();
    try {
        if (!settings.control_path.empty()) {
            r.control = std::make_unique<control::ControlServer>(base, settings.control_path, *r.sup, sync_id);
            r.sup->close_in_child(r.control->fd());
        }
        if (!settings.metrics.empty()) {
            r.metrics = std::make_unique<control::MetricsServer>(base, settings.metrics, *r.sup, sync_id);
            r.sup->close_in_child(r.metrics->fd());
        }
    } catch (const std::exception& e) {
        throw_worker_exception("Manager::run(): %s", e.what());
        return false;
    }
    return true;
}

supervisor::ServiceSpec spec_of(const Definition& d) {
    supervisor::ServiceSpec spec;
    spec.name = d.name;
    spec.count = static_cast<int>(d.count);
    spec.grace_period = d.grace;
    return spec;
}

}  // namespace

bool manager_knows_service(std::string_view name, std::string& known) {
    for (const auto& d : *g_defs) {
        if (d.name == name) return true;
        known += known.empty() ? d.name : ", " + d.name;
    }
    return false;
}

void manager_request_shutdown() {
    for (auto& d : *g_defs) OBJ_RELEASE(d.worker);
    g_defs->clear();
}

void register_manager_class() { manager_ce = register_class_Psc_Worker_Manager(); }

}  // namespace ripple::ext

using namespace ripple::ext;
using ripple::supervisor::Supervisor;

ZEND_METHOD(Psc_Worker_Manager, addWorker) {
    zval* worker;
    ZEND_PARSE_PARAMETERS_START(1, 1)
        Z_PARAM_OBJECT_OF_CLASS(worker, worker_ce)
    ZEND_PARSE_PARAMETERS_END();
    if (!require_main("addWorker")) RETURN_THROWS();
    Definition def;
    if (!describe(Z_OBJ_P(worker), def)) RETURN_THROWS();
    if (find_def(def.name) != nullptr) {
        throw_worker_exception("Manager::addWorker(): a worker named '%s' is already added (%s); service names must "
                               "be unique",
                               def.name.c_str(), ZSTR_VAL(Z_OBJCE_P(worker)->name));
        RETURN_THROWS();
    }
    Supervisor* sup = process().supervisor;
    if (sup != nullptr && sup->running()) {
        // Added while running: register now, then start its processes.
        if (!call_register(def.worker, def.name)) RETURN_THROWS();
        if (sup->has_service(def.name)) {
            throw_worker_exception("Manager::addWorker(): '%s' is still stopping; add it again once it has stopped",
                                   def.name.c_str());
            RETURN_THROWS();
        }
        GC_ADDREF(def.worker);
        g_defs->push_back(def);
        sup->add_service(spec_of(def));
        return;
    }
    GC_ADDREF(def.worker);
    g_defs->push_back(def);
}

ZEND_METHOD(Psc_Worker_Manager, removeWorker) {
    zend_string* name;
    ZEND_PARSE_PARAMETERS_START(1, 1)
        Z_PARAM_STR(name)
    ZEND_PARSE_PARAMETERS_END();
    if (!require_main("removeWorker")) RETURN_THROWS();
    const std::string n(ZSTR_VAL(name), ZSTR_LEN(name));
    for (auto it = g_defs->begin(); it != g_defs->end(); ++it) {
        if (it->name != n) continue;
        if (process().supervisor) process().supervisor->remove_service(n);
        OBJ_RELEASE(it->worker);
        g_defs->erase(it);
        return;
    }
    throw_worker_exception("Manager::removeWorker(): no worker named '%s' was added", n.c_str());
}

ZEND_METHOD(Psc_Worker_Manager, reload) {
    zend_string* name = nullptr;
    ZEND_PARSE_PARAMETERS_START(0, 1)
        Z_PARAM_OPTIONAL
        Z_PARAM_STR_OR_NULL(name)
    ZEND_PARSE_PARAMETERS_END();
    if (!require_main("reload") || !require_running("reload")) RETURN_THROWS();
    std::optional<std::string> target;
    if (name) {
        target.emplace(ZSTR_VAL(name), ZSTR_LEN(name));
        if (!process().supervisor->service_running(*target)) {
            throw_worker_exception("Manager::reload(): no running service named '%s'", target->c_str());
            RETURN_THROWS();
        }
    }
    process().supervisor->reload(target);
}

ZEND_METHOD(Psc_Worker_Manager, stop) {
    ZEND_PARSE_PARAMETERS_NONE();
    if (!require_main("stop") || !require_running("stop")) RETURN_THROWS();
    process().supervisor->stop(false);
}

ZEND_METHOD(Psc_Worker_Manager, stopWorker) {
    zend_string* name;
    ZEND_PARSE_PARAMETERS_START(1, 1)
        Z_PARAM_STR(name)
    ZEND_PARSE_PARAMETERS_END();
    if (!require_main("stopWorker") || !require_running("stopWorker")) RETURN_THROWS();
    const std::string n(ZSTR_VAL(name), ZSTR_LEN(name));
    if (!process().supervisor->has_service(n)) {
        throw_worker_exception("Manager::stopWorker(): no running service named '%s'", n.c_str());
        RETURN_THROWS();
    }
    process().supervisor->stop_service(n);
}

ZEND_METHOD(Psc_Worker_Manager, commandToWorker) {
    zval* command;
    zend_string* name;
    ZEND_PARSE_PARAMETERS_START(2, 2)
        Z_PARAM_OBJECT_OF_CLASS(command, command_ce)
        Z_PARAM_STR(name)
    ZEND_PARSE_PARAMETERS_END();
    if (!require_main("commandToWorker") || !require_running("commandToWorker")) RETURN_THROWS();
    const std::string n(ZSTR_VAL(name), ZSTR_LEN(name));
    if (!process().supervisor->has_service(n)) {
        throw_worker_exception("Manager::commandToWorker(): no running service named '%s'", n.c_str());
        RETURN_THROWS();
    }
    std::string payload;
    if (!command_serialize(Z_OBJ_P(command), payload, "Manager::commandToWorker()")) RETURN_THROWS();
    process().supervisor->send_to_service(n, payload);
}

ZEND_METHOD(Psc_Worker_Manager, commandToAll) {
    zval* command;
    ZEND_PARSE_PARAMETERS_START(1, 1)
        Z_PARAM_OBJECT_OF_CLASS(command, command_ce)
    ZEND_PARSE_PARAMETERS_END();
    if (!require_main("commandToAll") || !require_running("commandToAll")) RETURN_THROWS();
    std::string payload;
    if (!command_serialize(Z_OBJ_P(command), payload, "Manager::commandToAll()")) RETURN_THROWS();
    process().supervisor->send_to_all(payload);
}

ZEND_METHOD(Psc_Worker_Manager, run) {
    ZEND_PARSE_PARAMETERS_NONE();
    ProcessState& st = process();
    if (!require_main("run")) RETURN_THROWS();
    if (st.run_called) {
        throw_worker_exception("Manager::run() was already called; a script starts its services once");
        RETURN_THROWS();
    }
    if (g_defs->empty()) {
        throw_worker_exception("Manager::run(): no workers were added; call Manager::addWorker() first");
        RETURN_THROWS();
    }
    st.run_called = true;
    st.counter = new ripple::supervisor::SharedCounter();  // before the first fork: shared by all

    Running running;
    ripple::supervisor::SupervisorOptions options;
    options.max_payload = max_command_size();
    options.boot_timeout = boot_timeout();
    options.max_queue = max_queue_size();
    running.sup = std::make_unique<Supervisor>(ripple::loop::EventLoop::current(), options);
    running.sup->before_fork = [] { fflush(stdout); };
    for (const auto& d : *g_defs) running.sup->add_service(spec_of(d));
    if (!start_endpoints(running)) RETURN_THROWS();

    // register() runs in the main process, in order: sockets opened here are inherited.
    // (After the control socket: a second manager of the same script stops before it.)
    const std::vector<Definition> defs = *g_defs;
    for (const auto& d : defs) {
        if (!call_register(d.worker, d.name)) RETURN_THROWS();
    }

    st.supervisor = running.sup.get();
    const ripple::supervisor::ChildRole role = running.sup->run();
    st.supervisor = nullptr;
    if (role.is_child) {
        running.abandon();
        Definition* def = find_def(role.service);
        worker_process_main(def->worker, role.service, role.index, role.channel_fd);
        if (!EG(exception)) zend_throw_unwind_exit();  // end like exit(): never back into the main script
    }
}
