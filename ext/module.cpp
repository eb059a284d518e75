// The ripple extension's module entry: class registration, ini entries,
// request shutdown. Compiled into the binary, so it is always loaded.
#include "ext/ripple_ext.hpp"

#include "ipc/frame.hpp"

extern "C" {
#include "ext/standard/info.h"
#include "zend_ini.h"
}

#include <cstdarg>

#ifndef RIPPLE_VERSION
#define RIPPLE_VERSION "0.1.0"
#endif

extern "C" const char* ripple_php_version() { return PHP_VERSION; }

namespace ripple::ext {

zend_class_entry* command_ce = nullptr;
zend_class_entry* worker_ce = nullptr;
zend_class_entry* manager_ce = nullptr;
zend_class_entry* worker_exception_ce = nullptr;
zend_class_entry* loop_ce = nullptr;

namespace {
zend_long g_max_command_size = static_cast<zend_long>(ipc::kDefaultMaxPayload);

ZEND_INI_MH(on_update_max_command_size) {
    zend_long v = zend_ini_parse_quantity_warn(new_value, entry->name);
    if (v < 1024 || v > 1024L * 1024 * 1024) {
        zend_error(E_WARNING, "ripple.max_command_size must be between 1K and 1G");
        return FAILURE;
    }
    g_max_command_size = v;
    return SUCCESS;
}

double g_boot_timeout = 60.0;
zend_long g_max_queue_size = 256L * 1024 * 1024;

ZEND_INI_MH(on_update_max_queue_size) {
    zend_long v = zend_ini_parse_quantity_warn(new_value, entry->name);
    if (v < 1024L * 1024) {
        zend_error(E_WARNING, "ripple.max_queue_size must be at least 1M");
        return FAILURE;
    }
    g_max_queue_size = v;
    return SUCCESS;
}

ZEND_INI_MH(on_update_boot_timeout) {
    const double v = zend_strtod(ZSTR_VAL(new_value), nullptr);
    if (!(v > 0)) {
        zend_error(E_WARNING, "ripple.boot_timeout must be a number of seconds > 0");
        return FAILURE;
    }
    g_boot_timeout = v;
    return SUCCESS;
}

PHP_INI_BEGIN()
PHP_INI_ENTRY("ripple.max_command_size", "16M", PHP_INI_SYSTEM, on_update_max_command_size)
PHP_INI_ENTRY("ripple.boot_timeout", "60", PHP_INI_SYSTEM, on_update_boot_timeout)
PHP_INI_ENTRY("ripple.max_queue_size", "256M", PHP_INI_SYSTEM, on_update_max_queue_size)
PHP_INI_END()

PHP_MINIT_FUNCTION(ripple) {
    REGISTER_INI_ENTRIES();
    register_worker_classes();
    register_loop_class();
    register_http_classes();
    return SUCCESS;
}

PHP_MSHUTDOWN_FUNCTION(ripple) {
    UNREGISTER_INI_ENTRIES();
    return SUCCESS;
}

PHP_RSHUTDOWN_FUNCTION(ripple) {
    loop_request_shutdown();
    manager_request_shutdown();
    return SUCCESS;
}

PHP_MINFO_FUNCTION(ripple) {
    php_info_print_table_start();
    php_info_print_table_header(2, "ripple support", "enabled");
    php_info_print_table_row(2, "Version", RIPPLE_VERSION);
    php_info_print_table_end();
    DISPLAY_INI_ENTRIES();
}
}  // namespace

size_t max_command_size() { return static_cast<size_t>(g_max_command_size); }
double boot_timeout() { return g_boot_timeout; }
size_t max_queue_size() { return static_cast<size_t>(g_max_queue_size); }

ProcessState& process() {
    static ProcessState* state = new ProcessState();  // never destroyed: see EventLoop::install_fresh_after_fork
    return *state;
}

void throw_worker_exception(const char* format, ...) {
    va_list args;
    va_start(args, format);
    zend_string* message = zend_vstrpprintf(0, format, args);
    va_end(args);
    zend_throw_exception(worker_exception_ce, ZSTR_VAL(message), 0);
    zend_string_release(message);
}

bool report_callback_exception(const char* context) {
    if (!EG(exception)) return true;
    if (zend_is_unwind_exit(EG(exception)) || zend_is_graceful_exit(EG(exception))) return false;
    zend_error(E_WARNING, "ripple: exception in %s", context);
    zend_exception_error(EG(exception), E_WARNING);
    if (EG(exception)) zend_clear_exception();
    return true;
}

zend_module_entry module_entry = {
    STANDARD_MODULE_HEADER,
    "ripple",
    nullptr,
    PHP_MINIT(ripple),
    PHP_MSHUTDOWN(ripple),
    nullptr,
    PHP_RSHUTDOWN(ripple),
    PHP_MINFO(ripple),
    RIPPLE_VERSION,
    STANDARD_MODULE_PROPERTIES,
};

}  // namespace ripple::ext
