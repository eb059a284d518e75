// Private to runtime/http: what the Exchange (exchange.cpp) and the HttpServer
// (http_server.cpp) both need: the per-connection state and small helpers for
// header names/values, evhttp methods and timeouts. Not for users of the server.
#pragma once

#include "http/exchange.hpp"

#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <event2/util.h>

#include <cmath>
#include <cstddef>
#include <cstring>
#include <string_view>

struct bufferevent;
struct evbuffer_cb_entry;
struct event;
struct evhttp_connection;

namespace ripple::http {

class HttpServer;

namespace detail {

enum TimerRole { kNoTimer = 0, kAttach, kHeaderDeadline, kDrainIdle };

inline timeval to_timeval(double seconds) {
    if (!(seconds > 0)) seconds = 0;
    timeval tv{};
    tv.tv_sec = static_cast<time_t>(seconds);
    tv.tv_usec = static_cast<suseconds_t>(std::llround((seconds - static_cast<double>(tv.tv_sec)) * 1e6));
    if (tv.tv_usec >= 1000000) {
        tv.tv_sec += 1;
        tv.tv_usec -= 1000000;
    }
    return tv;
}

inline const char* method_name(evhttp_cmd_type type) {
    switch (type) {
        case EVHTTP_REQ_GET: return "GET";
        case EVHTTP_REQ_POST: return "POST";
        case EVHTTP_REQ_HEAD: return "HEAD";
        case EVHTTP_REQ_PUT: return "PUT";
        case EVHTTP_REQ_DELETE: return "DELETE";
        case EVHTTP_REQ_OPTIONS: return "OPTIONS";
        case EVHTTP_REQ_TRACE: return "TRACE";
        case EVHTTP_REQ_CONNECT: return "CONNECT";
        case EVHTTP_REQ_PATCH: return "PATCH";
    }
    return "GET";
}

inline bool ascii_iequals(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        unsigned char x = static_cast<unsigned char>(a[i]), y = static_cast<unsigned char>(b[i]);
        if (x >= 'A' && x <= 'Z') x = static_cast<unsigned char>(x + 32);
        if (y >= 'A' && y <= 'Z') y = static_cast<unsigned char>(y + 32);
        if (x != y) return false;
    }
    return true;
}

// RFC 9110 token: the characters a header field name may use.
inline bool is_token(std::string_view s) {
    if (s.empty()) return false;
    for (unsigned char c : s) {
        if (c >= '0' && c <= '9') continue;
        if ((c | 0x20) >= 'a' && (c | 0x20) <= 'z') continue;
        if (std::strchr("!#$%&'*+-.^_`|~", c) == nullptr || c == 0) return false;
    }
    return true;
}

inline bool is_field_value(std::string_view s) {
    return s.find_first_of(std::string_view("\r\n\0", 3)) == std::string_view::npos;
}

inline void remove_all(evkeyvalq* headers, const char* name) {
    while (evhttp_remove_header(headers, name) == 0) {
    }
}

}  // namespace detail

// One accepted connection, from evhttp's bufferevent callback to its close callback.
struct Connection {
    enum class Phase { Idle, Reading, Handling };

    HttpServer* server;
    bufferevent* bev;
    evhttp_connection* evcon = nullptr;  // known once attached
    event* timer = nullptr;
    int timer_role = detail::kNoTimer;
    evbuffer_cb_entry* input_cb = nullptr;
    Phase phase = Phase::Idle;
    bool holding = false;    // a request is in flight: the loop is held
    bool head_done = false;  // the current request's headers are complete
    Exchange* exchange = nullptr;

    // Finds the empty line that ends a request head in bytes fed piece by
    // piece ("\n" or "\r\n" line ends, as evhttp accepts).
    bool line_has_content = false;
    bool seen_line = false;
    void reset_scanner() {
        line_has_content = false;
        seen_line = false;
    }
    bool feed(const char* p, std::size_t n) {
        for (std::size_t i = 0; i < n; ++i) {
            const char ch = p[i];
            if (ch == '\n') {
                if (!line_has_content && seen_line) return true;
                if (line_has_content) seen_line = true;
                line_has_content = false;
            } else if (ch != '\r') {
                line_has_content = true;
            }
        }
        return false;
    }
};

}  // namespace ripple::http
