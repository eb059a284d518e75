// Exchange: one request and its response on top of an evhttp request; copies
// the request out of evhttp (snapshot) when it outlives evhttp's request, and
// adds "Connection: close" while the server drains.
#include "http/exchange.hpp"

#include "http/http_internal.hpp"
#include "http/http_server.hpp"

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/http.h>
#include <event2/http_struct.h>  // major/minor of a request: evhttp 2.1 has no accessor
#include <event2/keyvalq_struct.h>

#include <algorithm>
#include <cstring>
#include <stdexcept>
#include <string>

namespace ripple::http {

using namespace detail;

struct Exchange::Snapshot {
    std::string target;
    std::string path;
    std::string query;
    std::vector<std::pair<std::string, std::string>> headers;
    std::string body;
};

Exchange::Exchange(HttpServer* server, Connection* conn, evhttp_request* req)
    : server_(server), conn_(conn), req_(req), method_(method_name(evhttp_request_get_command(req))) {
    major_ = req->major;
    minor_ = req->minor;
    if (evhttp_connection* evcon = evhttp_request_get_connection(req)) {
        char* address = nullptr;
        ev_uint16_t port = 0;
        evhttp_connection_get_peer(evcon, &address, &port);
        if (address != nullptr) client_address_ = address;
        client_port_ = port;
    }
}

Exchange::~Exchange() {
    if (!ended_ && !lost_ && req_ != nullptr) {
        try {
            end();
        } catch (...) {
        }
    }
    if (conn_ != nullptr && conn_->exchange == this) conn_->exchange = nullptr;
}

std::string_view Exchange::target() const {
    if (snap_) return snap_->target;
    if (req_ == nullptr) return {};
    const char* uri = evhttp_request_get_uri(req_);
    return uri ? std::string_view(uri) : std::string_view();
}

std::string_view Exchange::path() const {
    if (snap_) return snap_->path;
    if (req_ == nullptr) return {};
    const evhttp_uri* uri = evhttp_request_get_evhttp_uri(req_);
    const char* path = uri ? evhttp_uri_get_path(uri) : nullptr;
    return path ? std::string_view(path) : std::string_view();
}

std::string_view Exchange::query() const {
    if (snap_) return snap_->query;
    if (req_ == nullptr) return {};
    const evhttp_uri* uri = evhttp_request_get_evhttp_uri(req_);
    const char* query = uri ? evhttp_uri_get_query(uri) : nullptr;
    return query ? std::string_view(query) : std::string_view();
}

std::vector<std::pair<std::string_view, std::string_view>> Exchange::headers() const {
    std::vector<std::pair<std::string_view, std::string_view>> out;
    if (snap_) {
        out.reserve(snap_->headers.size());
        for (const auto& [k, v] : snap_->headers) out.emplace_back(k, v);
    } else if (req_ != nullptr) {
        for (evkeyval* h = evhttp_request_get_input_headers(req_)->tqh_first; h != nullptr; h = h->next.tqe_next) {
            out.emplace_back(h->key, h->value);
        }
    }
    return out;
}

std::optional<std::string> Exchange::header(std::string_view name) const {
    std::optional<std::string> out;
    auto take = [&](std::string_view key, std::string_view value) {
        if (!ascii_iequals(key, name)) return;
        if (out) {
            out->append(", ");
            out->append(value);
        } else {
            out.emplace(value);
        }
    };
    if (snap_) {
        for (const auto& [k, v] : snap_->headers) take(k, v);
    } else if (req_ != nullptr) {
        for (evkeyval* h = evhttp_request_get_input_headers(req_)->tqh_first; h != nullptr; h = h->next.tqe_next) {
            take(h->key, h->value);
        }
    }
    return out;
}

std::size_t Exchange::body_size() const {
    if (snap_) return snap_->body.size();
    return req_ ? evbuffer_get_length(evhttp_request_get_input_buffer(req_)) : 0;
}

std::size_t Exchange::copy_body(char* out, std::size_t capacity) const {
    if (snap_) {
        const std::size_t n = std::min(capacity, snap_->body.size());
        std::memcpy(out, snap_->body.data(), n);
        return n;
    }
    if (req_ == nullptr) return 0;
    const ev_ssize_t n = evbuffer_copyout(evhttp_request_get_input_buffer(req_), out, capacity);
    return n > 0 ? static_cast<std::size_t>(n) : 0;
}

std::string Exchange::body() const {
    std::string out(body_size(), '\0');
    out.resize(copy_body(out.data(), out.size()));
    return out;
}

void Exchange::require_open(const char* what) const {
    if (ended_) throw HttpError(std::string(what) + ": the response has already ended");
    if (state_ != State::Open) throw HttpError(std::string(what) + ": the headers have already been sent");
}

void Exchange::set_status(int code, std::string_view reason) {
    if (code < 200 || code > 999) {
        throw std::invalid_argument("the status code must be between 200 and 999, " + std::to_string(code) +
                                    " given");
    }
    if (!is_field_value(reason)) throw std::invalid_argument("the reason phrase must not contain CR, LF or NUL");
    if (lost_) return;
    require_open("setStatus()");
    status_ = code;
    reason_.assign(reason);
}

void Exchange::set_header(std::string_view name, std::string_view value) {
    remove_header(name);
    add_header(name, value);
}

void Exchange::add_header(std::string_view name, std::string_view value) {
    if (!is_token(name)) throw std::invalid_argument("\"" + std::string(name) + "\" is not a valid header name");
    if (!is_field_value(value)) {
        throw std::invalid_argument("the value of header \"" + std::string(name) + "\" must not contain CR, LF or NUL");
    }
    if (ascii_iequals(name, "Transfer-Encoding")) {
        throw std::invalid_argument("Transfer-Encoding is set by the server (write() streams chunked)");
    }
    if (lost_ || req_ == nullptr) return;
    require_open("addHeader()");
    evhttp_add_header(evhttp_request_get_output_headers(req_), std::string(name).c_str(),
                      std::string(value).c_str());
}

void Exchange::remove_header(std::string_view name) {
    if (!is_token(name)) throw std::invalid_argument("\"" + std::string(name) + "\" is not a valid header name");
    if (lost_ || req_ == nullptr) return;
    require_open("setHeader()");
    remove_all(evhttp_request_get_output_headers(req_), std::string(name).c_str());
}

void Exchange::clear_headers() {
    if (lost_ || req_ == nullptr) return;
    require_open("clear_headers()");
    evhttp_clear_headers(evhttp_request_get_output_headers(req_));
}

bool Exchange::needs_body() const {
    return std::string_view(method_) != "HEAD" && status_ != 204 && status_ != 304;
}

// Response head details that depend on the connection: "Connection: close"
// while the server drains.
void Exchange::prepare_head() {
    if (!server_->closing_) return;
    evkeyvalq* out = evhttp_request_get_output_headers(req_);
    remove_all(out, "Connection");
    evhttp_add_header(out, "Connection", "close");
    evkeyvalq* in = evhttp_request_get_input_headers(req_);
    if (minor_ == 0 && evhttp_find_header(in, "Connection") != nullptr) {
        // evhttp answers an HTTP/1.0 "Connection: keep-alive" with its own keep-alive
        // header; without the request's header it closes. Keep what the handler sees.
        snapshot();
        remove_all(in, "Connection");
    }
}

void Exchange::start_stream() {
    prepare_head();
    evkeyvalq* out = evhttp_request_get_output_headers(req_);
    evkeyvalq* in = evhttp_request_get_input_headers(req_);
    if (minor_ == 0 && evhttp_find_header(out, "Content-Length") == nullptr &&
        evhttp_find_header(in, "Connection") != nullptr) {
        // HTTP/1.0 has no chunked encoding: the body ends with the connection.
        snapshot();
        remove_all(in, "Connection");
    }
    state_ = State::Streaming;
    evhttp_send_reply_start(req_, status_, reason_.empty() ? nullptr : reason_.c_str());
}

bool Exchange::write(std::string_view chunk) {
    if (lost_) return false;  // the client is gone (or was cut off as too slow)
    if (ended_) throw HttpError("write(): the response has already ended");
    if (req_ == nullptr) return false;
    if (state_ == State::Open) start_stream();
    if (chunk.empty() || !needs_body()) return true;
    evbuffer* scratch = server_->scratch_;
    evbuffer_add(scratch, chunk.data(), chunk.size());
    evhttp_send_reply_chunk(req_, scratch);
    evbuffer_drain(scratch, evbuffer_get_length(scratch));
    // A client that does not read must not pin the worker's memory: past the cap the
    // connection is cut and write() says the client is gone.
    if (evhttp_connection* evcon = evhttp_request_get_connection(req_)) {
        const std::size_t queued = evbuffer_get_length(bufferevent_get_output(evhttp_connection_get_bufferevent(evcon)));
        if (queued > kMaxQueuedOutput) {
            abort();
            return false;
        }
    }
    return true;
}

void Exchange::end(std::string_view body) {
    if (ended_) return;
    ended_ = true;
    if (lost_ || req_ == nullptr) return;
    if (state_ == State::Open) {
        prepare_head();
        evkeyvalq* out = evhttp_request_get_output_headers(req_);
        const std::string length = std::to_string(body.size());
        if (needs_body()) {
            remove_all(out, "Content-Length");
            evhttp_add_header(out, "Content-Length", length.c_str());
            evbuffer_add(evhttp_request_get_output_buffer(req_), body.data(), body.size());
        } else if (std::string_view(method_) == "HEAD" && !body.empty() && status_ != 204 && status_ != 304 &&
                   evhttp_find_header(out, "Content-Length") == nullptr) {
            // HEAD: the length a GET would have had, without the body.
            evhttp_add_header(out, "Content-Length", length.c_str());
        }
        state_ = State::Ended;
        evhttp_send_reply(req_, status_, reason_.empty() ? nullptr : reason_.c_str(), nullptr);
        return;
    }
    if (!body.empty() && needs_body()) {
        evbuffer* scratch = server_->scratch_;
        evbuffer_add(scratch, body.data(), body.size());
        evhttp_send_reply_chunk(req_, scratch);
        evbuffer_drain(scratch, evbuffer_get_length(scratch));
    }
    state_ = State::Ended;
    evhttp_send_reply_end(req_);  // may complete at once: finish() has then run, req_ is gone
}

void Exchange::abort() {
    ended_ = true;
    if (lost_ || req_ == nullptr) return;
    if (evhttp_connection* evcon = evhttp_request_get_connection(req_)) {
        // What was written so far goes out (best effort, without blocking), then the
        // close tells the client the response is incomplete.
        bufferevent* bev = evhttp_connection_get_bufferevent(evcon);
        const int fd = bufferevent_getfd(bev);
        if (fd >= 0) {
            evbuffer* out = bufferevent_get_output(bev);
            evbuffer_unfreeze(out, 1);  // a socket bufferevent keeps its output's front frozen between writes
            [[maybe_unused]] const int n = evbuffer_write(out, fd);
            evbuffer_freeze(out, 1);
        }
        evhttp_connection_free(evcon);  // on_close → lose()
    }
}

void Exchange::snapshot() {
    if (snap_ || req_ == nullptr) return;
    auto s = std::make_unique<Snapshot>();
    s->target = std::string(target());
    s->path = std::string(path());
    s->query = std::string(query());
    for (const auto& [k, v] : headers()) s->headers.emplace_back(k, v);
    s->body = body();
    snap_ = std::move(s);
}

void Exchange::finish() {
    if (!weak_from_this().expired()) snapshot();  // someone still holds the request
    req_ = nullptr;
    conn_ = nullptr;
    state_ = State::Done;
}

void Exchange::lose() {
    if (req_ != nullptr) {
        if (!weak_from_this().expired()) snapshot();
        // evhttp detaches (and leaves to us) a request whose client left while
        // the response was unfinished; otherwise it frees the request itself.
        if (evhttp_request_get_connection(req_) == nullptr) evhttp_request_free(req_);
        req_ = nullptr;
    }
    conn_ = nullptr;
    lost_ = true;
}

}  // namespace ripple::http
