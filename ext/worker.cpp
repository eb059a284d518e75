// Psc\Worker\Worker: the abstract service class. Its static methods are the
// worker process's side of the API (commands, syncId) and refuse to run in
// the main process.
#include "ext/ripple_ext.hpp"

#include "ipc/worker_link.hpp"
#include "supervisor/shared_counter.hpp"

extern "C" {
#include "ext/spl/spl_exceptions.h"
#include "zend_interfaces.h"
}

#include "ext/exception_arginfo.h"
#include "ext/worker_arginfo.h"

namespace ripple::ext {

void register_command_class();
void register_manager_class();

namespace {
// Worker-only API: a clear message instead of a silent no-op in the main process.
bool require_worker(const char* method) {
    if (process().in_worker) return true;
    throw_worker_exception(
        "Worker::%s() may only be called in a worker process (from boot(), onCommand() or a Loop callback "
        "there); in the main process use the Manager API",
        method);
    return false;
}

bool send_command(zval* command, const zend_string* target, const char* call) {
    std::string payload;
    if (!command_serialize(Z_OBJ_P(command), payload, call)) return false;
    ipc::WorkerLink* link = process().link;
    const bool sent = target ? link->send_to_service(std::string_view(ZSTR_VAL(target), ZSTR_LEN(target)), payload)
                             : link->send_to_all(payload);
    if (!sent) {
        throw_worker_exception("%s: the channel to the manager is closed (the manager is gone); nothing was sent", call);
        return false;
    }
    return true;
}
}  // namespace

void register_worker_classes() {
    worker_exception_ce = register_class_Psc_Worker_WorkerException(spl_ce_RuntimeException);
    register_command_class();
    worker_ce = register_class_Psc_Worker_Worker();
    register_manager_class();
}

}  // namespace ripple::ext

using namespace ripple::ext;

ZEND_METHOD(Psc_Worker_Worker, onStop) {
    ZEND_PARSE_PARAMETERS_NONE();
    zend_call_method_with_0_params(Z_OBJ_P(ZEND_THIS), Z_OBJCE_P(ZEND_THIS), nullptr, "onreload", nullptr);
}

ZEND_METHOD(Psc_Worker_Worker, getGracePeriod) {
    ZEND_PARSE_PARAMETERS_NONE();
    RETURN_DOUBLE(10.0);
}

ZEND_METHOD(Psc_Worker_Worker, commandToAll) {
    zval* command;
    ZEND_PARSE_PARAMETERS_START(1, 1)
        Z_PARAM_OBJECT_OF_CLASS(command, command_ce)
    ZEND_PARSE_PARAMETERS_END();
    if (!require_worker("commandToAll")) RETURN_THROWS();
    if (!send_command(command, nullptr, "Worker::commandToAll()")) RETURN_THROWS();
}

ZEND_METHOD(Psc_Worker_Worker, commandToWorker) {
    zval* command;
    zend_string* name;
    ZEND_PARSE_PARAMETERS_START(2, 2)
        Z_PARAM_OBJECT_OF_CLASS(command, command_ce)
        Z_PARAM_STR(name)
    ZEND_PARSE_PARAMETERS_END();
    if (!require_worker("commandToWorker")) RETURN_THROWS();
    if (ZSTR_LEN(name) == 0 || ZSTR_LEN(name) > 255) {
        throw_worker_exception("Worker::commandToWorker(): '%s' is not a valid service name", ZSTR_VAL(name));
        RETURN_THROWS();
    }
    std::string known;
    if (!manager_knows_service(std::string_view(ZSTR_VAL(name), ZSTR_LEN(name)), known)) {
        throw_worker_exception("Worker::commandToWorker(): no service named '%s' (services: %s)", ZSTR_VAL(name),
                               known.c_str());
        RETURN_THROWS();
    }
    if (!send_command(command, name, "Worker::commandToWorker()")) RETURN_THROWS();
}

ZEND_METHOD(Psc_Worker_Worker, syncId) {
    ZEND_PARSE_PARAMETERS_NONE();
    if (!require_worker("syncId")) RETURN_THROWS();
    RETURN_LONG(process().counter->next());
}

ZEND_METHOD(Psc_Worker_Worker, getIndex) {
    ZEND_PARSE_PARAMETERS_NONE();
    if (!require_worker("getIndex")) RETURN_THROWS();
    RETURN_LONG(process().index);
}

ZEND_METHOD(Psc_Worker_Worker, getServiceName) {
    ZEND_PARSE_PARAMETERS_NONE();
    if (!require_worker("getServiceName")) RETURN_THROWS();
    RETURN_STRINGL(process().service.data(), process().service.size());
}
