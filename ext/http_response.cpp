// Psc\Http\Response: writes one runtime/http Exchange's response.
#include "ext/http_objects.hpp"

#include <cstring>
#include <stdexcept>
#include <string_view>

namespace ripple::ext {
namespace {

zend_object_handlers g_handlers;

zend_object* create(zend_class_entry* ce) {
    auto* obj = static_cast<HttpResponseObject*>(zend_object_alloc(sizeof(HttpResponseObject), ce));
    new (&obj->exchange) std::shared_ptr<http::Exchange>();
    zend_object_std_init(&obj->std, ce);
    object_properties_init(&obj->std, ce);
    obj->std.handlers = &g_handlers;
    return &obj->std;
}

void free_obj(zend_object* object) {
    // Dropping the last reference to an unfinished response ends it (runtime/http).
    http_response_from(object)->exchange.~shared_ptr();
    zend_object_std_dtor(object);
}

http::Exchange* this_exchange(zval* self) {
    http::Exchange* ex = http_response_from(Z_OBJ_P(self))->exchange.get();
    if (ex == nullptr) zend_throw_error(nullptr, "This Psc\\Http\\Response was not made by a Psc\\Http\\Server");
    return ex;
}

std::string_view view(zend_string* s) { return {ZSTR_VAL(s), ZSTR_LEN(s)}; }

// Runs a response operation; runtime/http's exceptions become PHP's.
template <typename F>
bool guarded(F&& f) {
    try {
        f();
        return true;
    } catch (const std::invalid_argument& e) {
        zend_value_error("%s", e.what());
    } catch (const std::exception& e) {
        throw_http_exception("%s", e.what());
    }
    return false;
}

}  // namespace

void init_http_response_class(zend_class_entry* ce) {
    ce->create_object = create;
    std::memcpy(&g_handlers, zend_get_std_object_handlers(), sizeof(zend_object_handlers));
    g_handlers.offset = XtOffsetOf(HttpResponseObject, std);
    g_handlers.free_obj = free_obj;
    g_handlers.clone_obj = nullptr;
}

zend_object* http_response_wrap(const std::shared_ptr<http::Exchange>& exchange) {
    zend_object* object = create(http_response_ce);
    http_response_from(object)->exchange = exchange;
    return object;
}

}  // namespace ripple::ext

using namespace ripple::ext;

ZEND_METHOD(Psc_Http_Response, __construct) { ZEND_PARSE_PARAMETERS_NONE(); }

ZEND_METHOD(Psc_Http_Response, setStatus) {
    zend_long code;
    zend_string* reason = nullptr;
    ZEND_PARSE_PARAMETERS_START(1, 2)
        Z_PARAM_LONG(code)
        Z_PARAM_OPTIONAL
        Z_PARAM_STR_OR_NULL(reason)
    ZEND_PARSE_PARAMETERS_END();
    auto* ex = this_exchange(ZEND_THIS);
    if (!ex) RETURN_THROWS();
    if (code < 200 || code > 999) {
        zend_argument_value_error(1, "must be between 200 and 999");
        RETURN_THROWS();
    }
    if (!guarded([&] { ex->set_status(static_cast<int>(code), reason ? view(reason) : std::string_view()); })) {
        RETURN_THROWS();
    }
}

ZEND_METHOD(Psc_Http_Response, getStatus) {
    ZEND_PARSE_PARAMETERS_NONE();
    auto* ex = this_exchange(ZEND_THIS);
    if (!ex) RETURN_THROWS();
    RETURN_LONG(ex->status());
}

ZEND_METHOD(Psc_Http_Response, setHeader) {
    zend_string *name, *value;
    ZEND_PARSE_PARAMETERS_START(2, 2)
        Z_PARAM_STR(name)
        Z_PARAM_STR(value)
    ZEND_PARSE_PARAMETERS_END();
    auto* ex = this_exchange(ZEND_THIS);
    if (!ex) RETURN_THROWS();
    if (!guarded([&] { ex->set_header(view(name), view(value)); })) RETURN_THROWS();
}

ZEND_METHOD(Psc_Http_Response, addHeader) {
    zend_string *name, *value;
    ZEND_PARSE_PARAMETERS_START(2, 2)
        Z_PARAM_STR(name)
        Z_PARAM_STR(value)
    ZEND_PARSE_PARAMETERS_END();
    auto* ex = this_exchange(ZEND_THIS);
    if (!ex) RETURN_THROWS();
    if (!guarded([&] { ex->add_header(view(name), view(value)); })) RETURN_THROWS();
}

ZEND_METHOD(Psc_Http_Response, removeHeader) {
    zend_string* name;
    ZEND_PARSE_PARAMETERS_START(1, 1)
        Z_PARAM_STR(name)
    ZEND_PARSE_PARAMETERS_END();
    auto* ex = this_exchange(ZEND_THIS);
    if (!ex) RETURN_THROWS();
    if (!guarded([&] { ex->remove_header(view(name)); })) RETURN_THROWS();
}

ZEND_METHOD(Psc_Http_Response, write) {
    zend_string* chunk;
    ZEND_PARSE_PARAMETERS_START(1, 1)
        Z_PARAM_STR(chunk)
    ZEND_PARSE_PARAMETERS_END();
    auto* ex = this_exchange(ZEND_THIS);
    if (!ex) RETURN_THROWS();
    bool sent = false;
    if (!guarded([&] { sent = ex->write(view(chunk)); })) RETURN_THROWS();
    RETURN_BOOL(sent);
}

ZEND_METHOD(Psc_Http_Response, end) {
    zend_string* body = nullptr;
    ZEND_PARSE_PARAMETERS_START(0, 1)
        Z_PARAM_OPTIONAL
        Z_PARAM_STR(body)
    ZEND_PARSE_PARAMETERS_END();
    auto* ex = this_exchange(ZEND_THIS);
    if (!ex) RETURN_THROWS();
    if (!guarded([&] { ex->end(body ? view(body) : std::string_view()); })) RETURN_THROWS();
}

ZEND_METHOD(Psc_Http_Response, isHeadersSent) {
    ZEND_PARSE_PARAMETERS_NONE();
    auto* ex = this_exchange(ZEND_THIS);
    if (!ex) RETURN_THROWS();
    RETURN_BOOL(ex->headers_sent());
}

ZEND_METHOD(Psc_Http_Response, isEnded) {
    ZEND_PARSE_PARAMETERS_NONE();
    auto* ex = this_exchange(ZEND_THIS);
    if (!ex) RETURN_THROWS();
    RETURN_BOOL(ex->ended());
}
