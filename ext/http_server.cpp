// Psc\Http\Server: the listening socket (opened where it is constructed, in
// the main process), the PHP handler, and runtime/http's HttpServer on the
// worker's loop. Also registers the Psc\Http classes.
#include "ext/http_objects.hpp"

#include "http/listen_socket.hpp"
#include "log/log.hpp"
#include "loop/event_loop.hpp"

extern "C" {
#include "ext/spl/spl_exceptions.h"
#include "zend_ini.h"
#include "zend_interfaces.h"
}

#include <sys/resource.h>
#include <unistd.h>

#include <cmath>
#include <cstdarg>
#include <cstring>
#include <string>

#include "ext/http_arginfo.h"

namespace ripple::ext {

zend_class_entry* http_exception_ce = nullptr;
zend_class_entry* http_server_ce = nullptr;
zend_class_entry* http_request_ce = nullptr;
zend_class_entry* http_response_ce = nullptr;

namespace {

struct HttpServerObject {
    std::unique_ptr<http::ListenSocket> socket;
    http::ServerOptions options;
    std::unique_ptr<http::HttpServer> server;  // once listening
    pid_t server_pid = 0;                      // the process that runs `server`
    zval handler;                              // UNDEF until onRequest()
    bool kept = false;                         // a self-reference while serving
    pid_t closed_pid = 0;                      // close() was called in this process
    zend_object std;
};

zend_object_handlers g_handlers;

HttpServerObject* from(zend_object* obj) {
    return reinterpret_cast<HttpServerObject*>(reinterpret_cast<char*>(obj) - XtOffsetOf(HttpServerObject, std));
}

zend_object* create(zend_class_entry* ce) {
    auto* obj = static_cast<HttpServerObject*>(zend_object_alloc(sizeof(HttpServerObject), ce));
    new (&obj->socket) std::unique_ptr<http::ListenSocket>();
    new (&obj->options) http::ServerOptions();
    new (&obj->server) std::unique_ptr<http::HttpServer>();
    ZVAL_UNDEF(&obj->handler);
    obj->server_pid = 0;
    obj->kept = false;
    obj->closed_pid = 0;
    zend_object_std_init(&obj->std, ce);
    object_properties_init(&obj->std, ce);
    obj->std.handlers = &g_handlers;
    return &obj->std;
}

// A server inherited through fork() (listen() in the main process, then
// Manager::run()) belongs to the parent's event base, whose epoll set the
// child shares: tearing it down here would unregister the parent's events.
// Leave it alone, like EventLoop::install_fresh_after_fork() does.
void forget_inherited_server(HttpServerObject* obj) {
    if (obj->server && obj->server_pid != getpid()) {
        (void)obj->server.release();
        obj->kept = false;  // the self-reference was the parent's to drop
    }
}

void free_obj(zend_object* object) {
    HttpServerObject* obj = from(object);
    forget_inherited_server(obj);
    obj->server.reset();  // closes its connections; the handler below is no longer called
    obj->server.~unique_ptr();
    obj->socket.~unique_ptr();  // this process's copy of the listening socket
    obj->options.~ServerOptions();
    zval_ptr_dtor(&obj->handler);
    zend_object_std_dtor(object);
}

HashTable* get_gc(zend_object* object, zval** table, int* n) {
    HttpServerObject* obj = from(object);
    *table = &obj->handler;
    *n = Z_ISUNDEF(obj->handler) ? 0 : 1;
    return zend_std_get_properties(object);
}

void release_self(HttpServerObject* obj) {
    if (!obj->kept) return;
    obj->kept = false;
    OBJ_RELEASE(&obj->std);  // may free obj
}

std::string log_tag() {
    const ProcessState& st = process();
    if (!st.in_worker) return "http";
    return st.service + "#" + std::to_string(st.index) + " " + std::to_string(getpid());
}

// --- options

constexpr const char* kKnownOptions =
    "max_header_size, max_body_size, header_timeout, idle_timeout, drain_timeout, max_connections, backlog";

bool size_option(zval* value, const char* name, std::size_t& out, zend_long min) {
    zend_long n = 0;
    if (Z_TYPE_P(value) == IS_LONG) {
        n = Z_LVAL_P(value);
    } else if (Z_TYPE_P(value) == IS_STRING) {
        zend_string* err = nullptr;
        n = zend_ini_parse_quantity(Z_STR_P(value), &err);
        if (err != nullptr) {
            zend_argument_value_error(2, "option \"%s\": %s", name, ZSTR_VAL(err));
            zend_string_release(err);
            return false;
        }
    } else {
        zend_argument_type_error(2, "option \"%s\" must be an int or a size string like \"8M\", %s given", name,
                                 zend_zval_type_name(value));
        return false;
    }
    if (n < min) {
        zend_argument_value_error(2, "option \"%s\" must be at least " ZEND_LONG_FMT, name, min);
        return false;
    }
    out = static_cast<std::size_t>(n);
    return true;
}

bool seconds_option(zval* value, const char* name, double& out, bool allow_zero) {
    double s = 0;
    if (Z_TYPE_P(value) == IS_LONG) s = static_cast<double>(Z_LVAL_P(value));
    else if (Z_TYPE_P(value) == IS_DOUBLE) s = Z_DVAL_P(value);
    else {
        zend_argument_type_error(2, "option \"%s\" must be a number of seconds, %s given", name,
                                 zend_zval_type_name(value));
        return false;
    }
    if (!std::isfinite(s) || s < 0 || (!allow_zero && s == 0) || s > 86400.0 * 365) {
        zend_argument_value_error(2, "option \"%s\" must be a number of seconds %s", name,
                                  allow_zero ? ">= 0" : "> 0");
        return false;
    }
    out = s;
    return true;
}

bool parse_options(HashTable* table, http::ServerOptions& out, int& backlog) {
    // Default cap: below the fd limit, so accept() does not fail with EMFILE.
    rlimit nofile{};
    if (getrlimit(RLIMIT_NOFILE, &nofile) == 0 && nofile.rlim_cur != RLIM_INFINITY && nofile.rlim_cur > 128) {
        out.max_connections = std::min<std::size_t>(out.max_connections, nofile.rlim_cur - 64);
    }
    zend_string* key;
    zval* value;
    ZEND_HASH_FOREACH_STR_KEY_VAL(table, key, value) {
        ZVAL_DEREF(value);
        if (key == nullptr) {
            zend_argument_value_error(2, "must be an array of options by name (%s)", kKnownOptions);
            return false;
        }
        const std::string_view name(ZSTR_VAL(key), ZSTR_LEN(key));
        bool ok = true;
        if (name == "max_header_size") ok = size_option(value, ZSTR_VAL(key), out.max_header_size, 64);
        else if (name == "max_body_size") ok = size_option(value, ZSTR_VAL(key), out.max_body_size, 0);
        else if (name == "max_connections") ok = size_option(value, ZSTR_VAL(key), out.max_connections, 0);
        else if (name == "header_timeout") ok = seconds_option(value, ZSTR_VAL(key), out.header_timeout, false);
        else if (name == "idle_timeout") ok = seconds_option(value, ZSTR_VAL(key), out.idle_timeout, false);
        else if (name == "drain_timeout") ok = seconds_option(value, ZSTR_VAL(key), out.drain_timeout, true);
        else if (name == "backlog") {
            std::size_t n = 0;
            ok = size_option(value, ZSTR_VAL(key), n, 1);
            backlog = static_cast<int>(std::min<std::size_t>(n, 65535));
        } else {
            zend_argument_value_error(2, "has an unknown option \"%s\" (known: %s)", ZSTR_VAL(key), kKnownOptions);
            return false;
        }
        if (!ok) return false;
    }
    ZEND_HASH_FOREACH_END();
    return true;
}

// --- requests

// Logs a handler's uncaught exception the way PHP prints one, and clears it.
void log_handler_exception(const std::string& tag, http::Exchange& ex, const char* outcome) {
    zend_object* exception = EG(exception);
    GC_ADDREF(exception);
    zend_clear_exception();
    zval text;
    ZVAL_UNDEF(&text);
    zend_call_method_with_0_params(exception, exception->ce, nullptr, "__tostring", &text);
    if (EG(exception)) zend_clear_exception();
    const std::string_view what = Z_TYPE(text) == IS_STRING ? std::string_view(Z_STRVAL(text), Z_STRLEN(text))
                                                             : std::string_view(ZSTR_VAL(exception->ce->name));
    // One log line per line of PHP's rendering (message, then the stack trace).
    std::size_t start = 0;
    for (bool first = true; start <= what.size(); first = false) {
        std::size_t end = what.find('\n', start);
        if (end == std::string_view::npos) end = what.size();
        const std::string_view line = what.substr(start, end - start);
        if (first) {
            log::error(tag, "request handler threw on {} {} ({}): {}", ex.method(), ex.target(), outcome, line);
        } else if (!line.empty()) {
            log::error(tag, "  {}", line);
        }
        start = end + 1;
    }
    zval_ptr_dtor(&text);
    OBJ_RELEASE(exception);
}

void dispatch(HttpServerObject* obj, const std::shared_ptr<http::Exchange>& ex) {
    zval args[2], rv;
    ZVAL_OBJ(&args[0], http_request_wrap(ex));
    ZVAL_OBJ(&args[1], http_response_wrap(ex));
    ZVAL_UNDEF(&rv);
    zval handler;
    ZVAL_COPY(&handler, &obj->handler);  // the handler may replace itself (onRequest() inside)
    call_user_function(nullptr, nullptr, &handler, &rv, 2, args);
    zval_ptr_dtor(&handler);
    zval_ptr_dtor(&rv);
    zval_ptr_dtor(&args[0]);
    zval_ptr_dtor(&args[1]);
    if (EG(exception)) {
        if (zend_is_unwind_exit(EG(exception)) || zend_is_graceful_exit(EG(exception))) {
            // exit() in a handler ends the process like any exit(): the loop stops and
            // the unwind goes on from there.
            ex->end();
            loop::EventLoop::current().stop();
            return;
        }
        const char* outcome = !ex->headers_sent() && !ex->ended() ? "answered 500"
                              : !ex->ended()                       ? "response cut short"
                                                                   : "after the response";
        log_handler_exception(obj->options.log_tag, *ex, outcome);
        try {
            if (!ex->headers_sent() && !ex->ended()) {
                ex->clear_headers();
                ex->set_status(500);
                ex->set_header("Content-Type", "text/plain; charset=UTF-8");
                ex->end("Internal Server Error\n");
            } else if (!ex->ended()) {
                ex->abort();  // the head went out with another status: cut the body short
            }
        } catch (const std::exception&) {
        }
        return;
    }
    if (!ex->ended()) {
        try {
            ex->end();
        } catch (const std::exception&) {
        }
    }
}

HttpServerObject* this_server(zval* self, const char* method) {
    HttpServerObject* obj = from(Z_OBJ_P(self));
    if (!obj->socket) {
        zend_throw_error(nullptr, "Psc\\Http\\Server::%s(): the server was not constructed", method);
        return nullptr;
    }
    return obj;
}

}  // namespace

void throw_http_exception(const char* format, ...) {
    va_list args;
    va_start(args, format);
    zend_string* message = zend_vstrpprintf(0, format, args);
    va_end(args);
    zend_throw_exception(http_exception_ce, ZSTR_VAL(message), 0);
    zend_string_release(message);
}

void register_http_classes() {
    http_exception_ce = register_class_Psc_Http_HttpException(spl_ce_RuntimeException);

    http_server_ce = register_class_Psc_Http_Server();
    http_server_ce->create_object = create;
    std::memcpy(&g_handlers, zend_get_std_object_handlers(), sizeof(zend_object_handlers));
    g_handlers.offset = XtOffsetOf(HttpServerObject, std);
    g_handlers.free_obj = free_obj;
    g_handlers.get_gc = get_gc;
    g_handlers.clone_obj = nullptr;

    http_request_ce = register_class_Psc_Http_Request();
    init_http_request_class(http_request_ce);
    http_response_ce = register_class_Psc_Http_Response();
    init_http_response_class(http_response_ce);
}

}  // namespace ripple::ext

using namespace ripple::ext;
using namespace ripple;

ZEND_METHOD(Psc_Http_Server, __construct) {
    zend_string* address;
    HashTable* options = nullptr;
    ZEND_PARSE_PARAMETERS_START(1, 2)
        Z_PARAM_STR(address)
        Z_PARAM_OPTIONAL
        Z_PARAM_ARRAY_HT(options)
    ZEND_PARSE_PARAMETERS_END();
    HttpServerObject* obj = from(Z_OBJ_P(ZEND_THIS));
    if (obj->socket) {
        zend_throw_error(nullptr, "Psc\\Http\\Server::__construct(): the server is already constructed");
        RETURN_THROWS();
    }
    http::ServerOptions parsed;
    int backlog = 1024;
    if (options && !parse_options(options, parsed, backlog)) RETURN_THROWS();
    http::Address where;
    try {
        where = http::parse_address(std::string_view(ZSTR_VAL(address), ZSTR_LEN(address)));
    } catch (const http::AddressError& e) {
        zend_argument_value_error(1, "%s", e.what());
        RETURN_THROWS();
    }
    try {
        obj->socket = std::make_unique<http::ListenSocket>(http::ListenSocket::open(where, backlog));
    } catch (const std::exception& e) {
        throw_http_exception("%s", e.what());
        RETURN_THROWS();
    }
    obj->options = std::move(parsed);
}

ZEND_METHOD(Psc_Http_Server, onRequest) {
    zend_fcall_info fci;
    zend_fcall_info_cache fcc;
    ZEND_PARSE_PARAMETERS_START(1, 1)
        Z_PARAM_FUNC(fci, fcc)
    ZEND_PARSE_PARAMETERS_END();
    HttpServerObject* obj = this_server(ZEND_THIS, "onRequest");
    if (!obj) RETURN_THROWS();
    zval_ptr_dtor(&obj->handler);
    ZVAL_COPY(&obj->handler, &fci.function_name);
}

ZEND_METHOD(Psc_Http_Server, listen) {
    ZEND_PARSE_PARAMETERS_NONE();
    HttpServerObject* obj = this_server(ZEND_THIS, "listen");
    if (!obj) RETURN_THROWS();
    forget_inherited_server(obj);
    if (obj->closed_pid == getpid()) {
        throw_http_exception("Psc\\Http\\Server::listen(): the server has been closed");
        RETURN_THROWS();
    }
    if (obj->server) {
        throw_http_exception("Psc\\Http\\Server::listen(): already listening on %s", obj->socket->url().c_str());
        RETURN_THROWS();
    }
    if (Z_ISUNDEF(obj->handler)) {
        throw_http_exception("Psc\\Http\\Server::listen(): set a handler with onRequest() first");
        RETURN_THROWS();
    }
    if (!process().in_worker && process().supervisor != nullptr) {
        throw_http_exception(
            "Psc\\Http\\Server::listen() may only be called in a worker process (in boot()); create the server in "
            "register() and listen in boot()");
        RETURN_THROWS();
    }
    obj->options.log_tag = log_tag();
    try {
        obj->server = std::make_unique<http::HttpServer>(loop::EventLoop::current(), obj->socket->fd(), obj->options,
                                                         [obj](const std::shared_ptr<http::Exchange>& ex) {
                                                             dispatch(obj, ex);
                                                         });
        obj->server->on_drained([obj] { release_self(obj); });
        obj->server->listen();
        obj->server_pid = getpid();
    } catch (const std::exception& e) {
        obj->server.reset();
        throw_http_exception("Psc\\Http\\Server::listen(): %s", e.what());
        RETURN_THROWS();
    }
    // Serving keeps the object alive, like a watcher: `(new Server(...))->listen()` works.
    GC_ADDREF(&obj->std);
    obj->kept = true;
}

ZEND_METHOD(Psc_Http_Server, close) {
    ZEND_PARSE_PARAMETERS_NONE();
    HttpServerObject* obj = this_server(ZEND_THIS, "close");
    if (!obj) RETURN_THROWS();
    forget_inherited_server(obj);
    obj->closed_pid = getpid();
    if (obj->server) obj->server->close();  // the self-reference goes once drained
}

ZEND_METHOD(Psc_Http_Server, getAddress) {
    ZEND_PARSE_PARAMETERS_NONE();
    HttpServerObject* obj = this_server(ZEND_THIS, "getAddress");
    if (!obj) RETURN_THROWS();
    const std::string url = obj->socket->url();
    RETURN_STRINGL(url.data(), url.size());
}

ZEND_METHOD(Psc_Http_Server, getPort) {
    ZEND_PARSE_PARAMETERS_NONE();
    HttpServerObject* obj = this_server(ZEND_THIS, "getPort");
    if (!obj) RETURN_THROWS();
    RETURN_LONG(obj->socket->port());
}
