#include "ext/sapi_host.hpp"

#include "ext/ripple_ext.hpp"

extern "C" {
#include "SAPI.h"
#include "php_main.h"
#include "php_variables.h"
#include "sapi/embed/php_embed.h"
#include "zend_ini.h"
#include "zend_stream.h"
}

#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>

namespace ripple::ext {
namespace {

std::string g_extra_ini;  // "-d" entries, appended after the embed SAPI's own
std::string g_script;

// Built-in defaults: lowest precedence, php.ini and -d override them.
void ini_defaults(HashTable* configuration_hash) {
    auto set = [configuration_hash](const char* key, const char* value) {
        zval v;
        ZVAL_NEW_STR(&v, zend_string_init(value, std::strlen(value), 1));
        zend_hash_str_update(configuration_hash, key, std::strlen(key), &v);
    };
    set("opcache.enable_cli", "1");
    set("display_errors", "0");
    set("log_errors", "1");
}

// Output goes straight to fd 1; a closed or broken stdout never kills a service.
size_t ub_write(const char* str, size_t length) {
    const char* p = str;
    size_t left = length;
    while (left > 0) {
        ssize_t n = ::write(STDOUT_FILENO, p, left);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        p += n;
        left -= static_cast<size_t>(n);
    }
    return length;
}

void flush(void*) {}

void log_message(const char* message, int) {
    std::string line(message);
    line += '\n';
    ssize_t ignored = ::write(STDERR_FILENO, line.data(), line.size());
    (void)ignored;
}

void register_variables(zval* track_vars_array) {
    php_import_environment_variables(track_vars_array);
    const char* s = g_script.c_str();
    const size_t len = g_script.size();
    php_register_variable_safe("PHP_SELF", s, len, track_vars_array);
    php_register_variable_safe("SCRIPT_NAME", s, len, track_vars_array);
    php_register_variable_safe("SCRIPT_FILENAME", s, len, track_vars_array);
    php_register_variable_safe("PATH_TRANSLATED", s, len, track_vars_array);
    php_register_variable_safe("DOCUMENT_ROOT", "", 0, track_vars_array);
}

int startup(sapi_module_struct* sapi) {
    // PHP_BINARY: this binary (php_embed_init() set argv[0], the script), so child
    // processes that PHP code starts with PHP_BINARY (PHPUnit isolation, composer) run ripple.
    char self[PATH_MAX];
    const ssize_t self_len = ::readlink("/proc/self/exe", self, sizeof(self) - 1);
    if (self_len > 0) {
        self[self_len] = '\0';
        sapi->executable_location = strdup(self);
    }
    // php_embed_init() has just installed its own ini_entries; add ours after them.
    if (!g_extra_ini.empty()) {
        const size_t old_len = sapi->ini_entries ? std::strlen(sapi->ini_entries) : 0;
        char* entries = static_cast<char*>(std::malloc(old_len + g_extra_ini.size() + 1));
        if (old_len) std::memcpy(entries, sapi->ini_entries, old_len);
        std::memcpy(entries + old_len, g_extra_ini.c_str(), g_extra_ini.size() + 1);
        std::free(sapi->ini_entries);
        sapi->ini_entries = entries;
    }
    return php_module_startup(sapi, &module_entry);
}

void register_std_handle(const char* name, const char* path, const char* mode) {
    php_stream* stream = php_stream_open_wrapper_ex(path, mode, 0, nullptr, nullptr);
    if (stream == nullptr) return;
    stream->flags |= PHP_STREAM_FLAG_NO_CLOSE;
    zend_constant c;
    php_stream_to_zval(stream, &c.value);
    ZEND_CONSTANT_SET_FLAGS(&c, CONST_CS, 0);
    c.name = zend_string_init_interned(name, std::strlen(name), 0);
    zend_register_constant(&c);
}

}  // namespace

int run_script(const HostOptions& options) {
    if (::access(options.script.c_str(), R_OK) != 0) {
        std::fprintf(stderr, "ripple: could not open input file: %s (%s)\n", options.script.c_str(),
                     std::strerror(errno));
        return 1;
    }
    g_script = options.script;
    for (const auto& [key, value] : options.defines) {
        // Quote the value so ini syntax in it is taken literally, as php -d does.
        g_extra_ini += key + "=\"" + value + "\"\n";
    }

    php_embed_module.name = const_cast<char*>("cli");  // opcache and CLI-aware libraries key on this
    php_embed_module.pretty_name = const_cast<char*>("ripple (embedded PHP)");
    php_embed_module.startup = startup;
    php_embed_module.ini_defaults = ini_defaults;
    php_embed_module.ub_write = ub_write;
    php_embed_module.flush = flush;
    php_embed_module.log_message = log_message;
    php_embed_module.register_server_variables = register_variables;
    php_embed_module.phpinfo_as_text = 1;
    php_embed_module.php_ini_ignore = options.no_ini ? 1 : 0;
    if (options.ini_file) php_embed_module.php_ini_path_override = strdup(options.ini_file->c_str());

    // $argv as php gives it: the script, then its arguments. Copies, so the
    // process title may reuse the original argv area later.
    std::vector<char*> argv;
    argv.push_back(strdup(options.script.c_str()));
    for (const auto& a : options.script_args) argv.push_back(strdup(a.c_str()));
    argv.push_back(nullptr);
    const int argc = static_cast<int>(argv.size()) - 1;

    if (php_embed_init(argc, argv.data()) == FAILURE) {
        std::fprintf(stderr, "ripple: could not start the PHP interpreter\n");
        return 1;
    }
    int status = 0;
    zend_first_try {
        register_std_handle("STDIN", "php://stdin", "rb");
        register_std_handle("STDOUT", "php://stdout", "wb");
        register_std_handle("STDERR", "php://stderr", "wb");
        CG(skip_shebang) = 1;
        zend_file_handle file;
        zend_stream_init_filename(&file, options.script.c_str());
        file.primary_script = 1;
        php_execute_script(&file);
        zend_destroy_file_handle(&file);
    }
    zend_end_try();
    status = EG(exit_status);
    php_embed_shutdown();
    return status;
}

}  // namespace ripple::ext
