// Shared by the Psc\Http glue (http_server.cpp, http_request.cpp,
// http_response.cpp): the object layouts and the conversions between
// runtime/http's C++ exceptions and PHP's.
#pragma once

#include "ext/ripple_ext.hpp"
#include "http/http_server.hpp"

#include <memory>

namespace ripple::ext {

extern zend_class_entry* http_exception_ce;
extern zend_class_entry* http_server_ce;
extern zend_class_entry* http_request_ce;
extern zend_class_entry* http_response_ce;

// Psc\Http\Request and Psc\Http\Response: views of one Exchange.
struct HttpRequestObject {
    std::shared_ptr<http::Exchange> exchange;
    zend_string* body = nullptr;  // getBody(), built once
    zend_object std;
};

struct HttpResponseObject {
    std::shared_ptr<http::Exchange> exchange;
    zend_object std;
};

inline HttpRequestObject* http_request_from(zend_object* obj) {
    return reinterpret_cast<HttpRequestObject*>(reinterpret_cast<char*>(obj) - XtOffsetOf(HttpRequestObject, std));
}
inline HttpResponseObject* http_response_from(zend_object* obj) {
    return reinterpret_cast<HttpResponseObject*>(reinterpret_cast<char*>(obj) - XtOffsetOf(HttpResponseObject, std));
}

// Handlers of the two classes (set up by register_http_classes()).
void init_http_request_class(zend_class_entry* ce);
void init_http_response_class(zend_class_entry* ce);

// New PHP objects around an exchange (refcount 1).
zend_object* http_request_wrap(const std::shared_ptr<http::Exchange>& exchange);
zend_object* http_response_wrap(const std::shared_ptr<http::Exchange>& exchange);

// Throws Psc\Http\HttpException.
void throw_http_exception(const char* format, ...);

}  // namespace ripple::ext
