// Psc\Http\Request: reads one runtime/http Exchange's request.
#include "ext/http_objects.hpp"

extern "C" {
#include "SAPI.h"
#include "php_variables.h"
}

#include <cctype>
#include <cstring>
#include <string>

namespace ripple::ext {
namespace {

zend_object_handlers g_handlers;

zend_object* create(zend_class_entry* ce) {
    auto* obj = static_cast<HttpRequestObject*>(zend_object_alloc(sizeof(HttpRequestObject), ce));
    new (&obj->exchange) std::shared_ptr<http::Exchange>();
    obj->body = nullptr;
    zend_object_std_init(&obj->std, ce);
    object_properties_init(&obj->std, ce);
    obj->std.handlers = &g_handlers;
    return &obj->std;
}

void free_obj(zend_object* object) {
    HttpRequestObject* obj = http_request_from(object);
    obj->exchange.~shared_ptr();
    if (obj->body) zend_string_release(obj->body);
    zend_object_std_dtor(&obj->std);
}

// The exchange behind $this, or nullptr with an Error thrown.
http::Exchange* this_exchange(zval* self) {
    http::Exchange* ex = http_request_from(Z_OBJ_P(self))->exchange.get();
    if (ex == nullptr) zend_throw_error(nullptr, "This Psc\\Http\\Request was not made by a Psc\\Http\\Server");
    return ex;
}

zend_string* to_zend(std::string_view s) { return zend_string_init(s.data(), s.size(), 0); }

}  // namespace

void init_http_request_class(zend_class_entry* ce) {
    ce->create_object = create;
    std::memcpy(&g_handlers, zend_get_std_object_handlers(), sizeof(zend_object_handlers));
    g_handlers.offset = XtOffsetOf(HttpRequestObject, std);
    g_handlers.free_obj = free_obj;
    g_handlers.clone_obj = nullptr;
}

zend_object* http_request_wrap(const std::shared_ptr<http::Exchange>& exchange) {
    zend_object* object = create(http_request_ce);
    http_request_from(object)->exchange = exchange;
    return object;
}

}  // namespace ripple::ext

using namespace ripple::ext;

ZEND_METHOD(Psc_Http_Request, __construct) { ZEND_PARSE_PARAMETERS_NONE(); }

ZEND_METHOD(Psc_Http_Request, getMethod) {
    ZEND_PARSE_PARAMETERS_NONE();
    auto* ex = this_exchange(ZEND_THIS);
    if (!ex) RETURN_THROWS();
    RETURN_STRINGL(ex->method().data(), ex->method().size());
}

ZEND_METHOD(Psc_Http_Request, getTarget) {
    ZEND_PARSE_PARAMETERS_NONE();
    auto* ex = this_exchange(ZEND_THIS);
    if (!ex) RETURN_THROWS();
    RETURN_STR(to_zend(ex->target()));
}

ZEND_METHOD(Psc_Http_Request, getPath) {
    ZEND_PARSE_PARAMETERS_NONE();
    auto* ex = this_exchange(ZEND_THIS);
    if (!ex) RETURN_THROWS();
    RETURN_STR(to_zend(ex->path()));
}

ZEND_METHOD(Psc_Http_Request, getQuery) {
    ZEND_PARSE_PARAMETERS_NONE();
    auto* ex = this_exchange(ZEND_THIS);
    if (!ex) RETURN_THROWS();
    array_init(return_value);
    const std::string_view query = ex->query();
    if (query.empty()) return;
    // parse_str()'s own parser: "a[]=1&a[]=2&b[x]=3", max_input_vars, arg_separator.input.
    char* copy = estrndup(query.data(), query.size());  // treat_data frees it
    sapi_module.treat_data(PARSE_STRING, copy, return_value);
}

ZEND_METHOD(Psc_Http_Request, getHeader) {
    zend_string* name;
    ZEND_PARSE_PARAMETERS_START(1, 1)
        Z_PARAM_STR(name)
    ZEND_PARSE_PARAMETERS_END();
    auto* ex = this_exchange(ZEND_THIS);
    if (!ex) RETURN_THROWS();
    auto value = ex->header(std::string_view(ZSTR_VAL(name), ZSTR_LEN(name)));
    if (!value) RETURN_NULL();
    RETURN_STRINGL(value->data(), value->size());
}

ZEND_METHOD(Psc_Http_Request, getHeaders) {
    ZEND_PARSE_PARAMETERS_NONE();
    auto* ex = this_exchange(ZEND_THIS);
    if (!ex) RETURN_THROWS();
    array_init(return_value);
    // Repeated names (in any case) share the list under the first spelling.
    HashTable seen;
    zend_hash_init(&seen, 8, nullptr, nullptr, 0);
    for (const auto& [name, value] : ex->headers()) {
        std::string lower(name);
        for (char& ch : lower) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
        zval* list = static_cast<zval*>(zend_hash_str_find_ptr(&seen, lower.data(), lower.size()));
        if (list == nullptr) {
            zval empty;
            array_init(&empty);
            list = zend_symtable_str_update(Z_ARRVAL_P(return_value), name.data(), name.size(), &empty);
            zend_hash_str_add_ptr(&seen, lower.data(), lower.size(), list);
        }
        add_next_index_stringl(list, value.data(), value.size());
    }
    zend_hash_destroy(&seen);
}

ZEND_METHOD(Psc_Http_Request, getBody) {
    ZEND_PARSE_PARAMETERS_NONE();
    HttpRequestObject* obj = http_request_from(Z_OBJ_P(ZEND_THIS));
    auto* ex = this_exchange(ZEND_THIS);
    if (!ex) RETURN_THROWS();
    if (obj->body == nullptr) {
        const std::size_t size = ex->body_size();
        if (size == 0) {
            obj->body = ZSTR_EMPTY_ALLOC();
        } else {
            obj->body = zend_string_alloc(size, 0);
            const std::size_t n = ex->copy_body(ZSTR_VAL(obj->body), size);
            ZSTR_VAL(obj->body)[n] = '\0';
            ZSTR_LEN(obj->body) = n;
        }
    }
    RETURN_STR_COPY(obj->body);
}

ZEND_METHOD(Psc_Http_Request, getClientAddress) {
    ZEND_PARSE_PARAMETERS_NONE();
    auto* ex = this_exchange(ZEND_THIS);
    if (!ex) RETURN_THROWS();
    RETURN_STRINGL(ex->client_address().data(), ex->client_address().size());
}

ZEND_METHOD(Psc_Http_Request, getClientPort) {
    ZEND_PARSE_PARAMETERS_NONE();
    auto* ex = this_exchange(ZEND_THIS);
    if (!ex) RETURN_THROWS();
    RETURN_LONG(ex->client_port());
}

ZEND_METHOD(Psc_Http_Request, getProtocolVersion) {
    ZEND_PARSE_PARAMETERS_NONE();
    auto* ex = this_exchange(ZEND_THIS);
    if (!ex) RETURN_THROWS();
    RETURN_STR(zend_strpprintf(0, "%d.%d", ex->version_major(), ex->version_minor()));
}
