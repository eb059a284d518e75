// Shared declarations of the ripple PHP extension (the only code that sees
// both Zend and runtime/). Debian's PHP is NTS, so plain globals are enough.
#pragma once

extern "C" {
#include "php.h"
#include "zend_exceptions.h"
}

#include <string>
#include <string_view>

namespace ripple::ipc {
class WorkerLink;
}
namespace ripple::supervisor {
class Supervisor;
class SharedCounter;
}

namespace ripple::ext {

extern zend_module_entry module_entry;

extern zend_class_entry* command_ce;
extern zend_class_entry* worker_ce;
extern zend_class_entry* manager_ce;
extern zend_class_entry* worker_exception_ce;
extern zend_class_entry* loop_ce;

// Which process we are, and what it holds.
struct ProcessState {
    bool in_worker = false;  // true in a forked worker process
    bool run_called = false;
    supervisor::Supervisor* supervisor = nullptr;  // main process, during run()
    supervisor::SharedCounter* counter = nullptr;  // created by run(), before the first fork
    // worker process only
    zend_object* worker = nullptr;
    std::string service;
    long index = 0;
    ipc::WorkerLink* link = nullptr;
    bool stop_after_boot = false;  // Loop::stop() called in boot()
};
ProcessState& process();

// Class registration (one per file).
void register_worker_classes();
void register_loop_class();
void register_http_classes();

// Command helpers (command.cpp).
zend_object* command_create(zend_string* name, zval* arguments);
// Serializes a Command for sending; throws WorkerException and returns false on failure.
bool command_serialize(zend_object* command, std::string& out, const char* call);
zend_object* command_unserialize(const char* data, size_t len);  // nullptr + exception on failure

// Throws Psc\Worker\WorkerException.
void throw_worker_exception(const char* format, ...);

// After a user callback: reports (as a warning) and clears a pending exception,
// unless it is exit()'s unwind, which is left to propagate. Returns false if
// the caller must stop and return to PHP (exit() in progress).
bool report_callback_exception(const char* context);

// Worker process entry (worker_process.cpp): boot, serve, return to unwind.
void worker_process_main(zend_object* worker, const std::string& service, long index, int channel_fd);

// Request shutdown: drop the loop's watchers and the Manager's definitions.
void loop_request_shutdown();
void manager_request_shutdown();

// True if a service of that name was added; otherwise `known` lists the names.
bool manager_knows_service(std::string_view name, std::string& known);

size_t max_command_size();
size_t max_queue_size();  // bytes the manager queues for one process before dropping
double boot_timeout();  // seconds a reload replacement has to become READY

}  // namespace ripple::ext
