#include "http/http_server.hpp"

#include "http/listen_socket.hpp"
#include "log/log.hpp"
#include "loop/event_loop.hpp"

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/http_struct.h>  // major/minor of a request: evhttp 2.1 has no accessor
#include <event2/keyvalq_struct.h>
#include <event2/listener.h>
#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cmath>
#include <cstring>

namespace ripple::http {

namespace {

enum TimerRole { kNoTimer = 0, kAttach, kHeaderDeadline, kDrainIdle };

timeval to_timeval(double seconds) {
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

const char* method_name(evhttp_cmd_type type) {
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

bool ascii_iequals(std::string_view a, std::string_view b) {
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
bool is_token(std::string_view s) {
    if (s.empty()) return false;
    for (unsigned char c : s) {
        if (c >= '0' && c <= '9') continue;
        if ((c | 0x20) >= 'a' && (c | 0x20) <= 'z') continue;
        if (std::strchr("!#$%&'*+-.^_`|~", c) == nullptr || c == 0) return false;
    }
    return true;
}

bool is_field_value(std::string_view s) {
    return s.find_first_of(std::string_view("\r\n\0", 3)) == std::string_view::npos;
}

void remove_all(evkeyvalq* headers, const char* name) {
    while (evhttp_remove_header(headers, name) == 0) {
    }
}

// What a header deadline answers. Written straight to the socket: see the top of http_server.hpp.
constexpr char kRequestTimeout[] =
    "HTTP/1.1 408 Request Timeout\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: "
    "16\r\n\r\nRequest Timeout\n";

// Marks a bufferevent evhttp has not adopted yet (evhttp replaces the callbacks when it does).
void not_adopted(bufferevent*, short, void*) {}

std::vector<HttpServer*>& registry() {
    static auto* servers = new std::vector<HttpServer*>();  // never destroyed: outlives static teardown
    return *servers;
}

}  // namespace

// One accepted connection, from evhttp's bufferevent callback to its close callback.
struct Connection {
    enum class Phase { Idle, Reading, Handling };

    HttpServer* server;
    bufferevent* bev;
    evhttp_connection* evcon = nullptr;  // known once attached
    event* timer = nullptr;
    int timer_role = kNoTimer;
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

// ----------------------------------------------------------------------------
// Exchange

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
    if (ended_) throw HttpError("write(): the response has already ended");
    if (lost_ || req_ == nullptr) return false;
    if (state_ == State::Open) start_stream();
    if (chunk.empty() || !needs_body()) return true;
    evbuffer* scratch = server_->scratch_;
    evbuffer_add(scratch, chunk.data(), chunk.size());
    evhttp_send_reply_chunk(req_, scratch);
    evbuffer_drain(scratch, evbuffer_get_length(scratch));
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

// ----------------------------------------------------------------------------
// HttpServer

HttpServer::HttpServer(loop::EventLoop& loop, int listen_fd, ServerOptions options, Handler handler)
    : loop_(loop),
      base_(loop.base()),
      listen_fd_(listen_fd),
      options_(std::move(options)),
      handler_(std::move(handler)),
      scratch_(evbuffer_new()),
      resume_accept_ev_(evtimer_new(base_, &HttpServer::on_resume_accept, this)),
      drained_ev_(evtimer_new(base_, &HttpServer::on_drained_event, this)) {
    if (scratch_ == nullptr || resume_accept_ev_ == nullptr || drained_ev_ == nullptr) {
        throw std::runtime_error("HttpServer: out of memory");
    }
}

HttpServer::~HttpServer() {
    destroying_ = true;
    if (wind_down_hook_ != 0) loop_.cancel_wind_down(wind_down_hook_);
    auto& servers = registry();
    servers.erase(std::remove(servers.begin(), servers.end(), this), servers.end());
    if (http_ != nullptr) evhttp_free(http_);  // every attached connection: on_close → destroy
    while (!conns_.empty()) {
        Connection* c = conns_.begin()->second;
        if (attach(c)) destroy(c);  // not attached yet: attach() finds evhttp's side gone
    }
    if (drain_hold_) loop_.release();
    if (listening_ && !closing_) loop_.release();
    event_free(resume_accept_ev_);
    event_free(drained_ev_);
    evbuffer_free(scratch_);
}

void HttpServer::listen() {
    if (closing_) throw HttpError("listen(): the server has been closed");
    if (listening_) throw HttpError("listen(): the server is already listening");
    const int fd = ::fcntl(listen_fd_, F_DUPFD_CLOEXEC, 0);
    if (fd < 0) throw ListenError(std::string("listen(): cannot use the listening socket: ") + std::strerror(errno));
    http_ = evhttp_new(base_);
    if (http_ == nullptr) {
        ::close(fd);
        throw std::runtime_error("evhttp_new() failed");
    }
    evhttp_set_bevcb(http_, &HttpServer::make_bufferevent, this);
    evhttp_set_gencb(http_, &HttpServer::on_request, this);
    constexpr std::size_t kMax = static_cast<std::size_t>(SSIZE_MAX);
    evhttp_set_max_headers_size(http_, static_cast<ev_ssize_t>(std::min(options_.max_header_size, kMax)));
    evhttp_set_max_body_size(http_, static_cast<ev_ssize_t>(std::min(options_.max_body_size, kMax)));
    const timeval idle = to_timeval(options_.idle_timeout);
    evhttp_set_timeout_tv(http_, &idle);
    evhttp_set_allowed_methods(http_, EVHTTP_REQ_GET | EVHTTP_REQ_POST | EVHTTP_REQ_HEAD | EVHTTP_REQ_PUT |
                                          EVHTTP_REQ_DELETE | EVHTTP_REQ_OPTIONS | EVHTTP_REQ_TRACE |
                                          EVHTTP_REQ_PATCH);
    evhttp_set_flags(http_, EVHTTP_SERVER_LINGERING_CLOSE);
    evhttp_set_default_content_type(http_, "text/html; charset=UTF-8");
    bound_ = evhttp_accept_socket_with_handle(http_, fd);  // owns fd from here on
    if (bound_ == nullptr) {
        const int err = errno;
        ::close(fd);
        evhttp_free(http_);
        http_ = nullptr;
        throw ListenError(std::string("listen(): cannot accept on the listening socket: ") + std::strerror(err));
    }
    evconnlistener_set_error_cb(evhttp_bound_socket_get_listener(bound_), &HttpServer::on_accept_error);
    registry().push_back(this);
    wind_down_hook_ = loop_.on_wind_down([this] { close(); });
    listening_ = true;
    loop_.hold();  // like a referenced watcher: a listening server keeps run() going until close()
}

void HttpServer::close() {
    if (closing_) return;
    closing_ = true;
    if (wind_down_hook_ != 0) {
        loop_.cancel_wind_down(wind_down_hook_);
        wind_down_hook_ = 0;
    }
    if (bound_ != nullptr) {
        evhttp_del_accept_socket(http_, bound_);  // closes this process's duplicate only
        bound_ = nullptr;
    }
    if (listening_) loop_.release();
    evtimer_del(resume_accept_ev_);
    for (auto& [bev, c] : conns_) {
        if (c->evcon != nullptr && c->phase == Connection::Phase::Idle) arm(c, kDrainIdle, options_.drain_timeout);
    }
    if (!conns_.empty()) {
        loop_.hold();
        drain_hold_ = true;
    }
    check_drained();
}

void HttpServer::arm(Connection* c, int role, double seconds) {
    c->timer_role = role;
    const timeval tv = to_timeval(seconds);
    evtimer_add(c->timer, &tv);
}

void HttpServer::hold(Connection* c) {
    if (c->holding) return;
    c->holding = true;
    ++in_flight_;
    loop_.hold();
}

void HttpServer::unhold(Connection* c) {
    if (!c->holding) return;
    c->holding = false;
    --in_flight_;
    loop_.release();
}

bufferevent* HttpServer::make_bufferevent(event_base* base, void* arg) {
    auto* self = static_cast<HttpServer*>(arg);
    // Like evhttp's own: no BEV_OPT_CLOSE_ON_FREE, evhttp closes the fd itself.
    bufferevent* bev = bufferevent_socket_new(base, -1, 0);
    if (bev == nullptr) return nullptr;
    auto* c = new Connection{self, bev};
    c->timer = evtimer_new(base, &HttpServer::on_timer, c);
    if (c->timer == nullptr) {
        delete c;
        bufferevent_free(bev);
        return nullptr;
    }
    bufferevent_incref(bev);  // ours until on_close: evhttp may free it first
    bufferevent_setcb(bev, nullptr, nullptr, &not_adopted, nullptr);
    c->input_cb = evbuffer_add_cb(bufferevent_get_input(bev), &HttpServer::on_input, c);
    // evhttp moves a Content-Length body out of the input buffer only once it is
    // complete: a cap above head + body bounds what a client can make us buffer
    // (pipelined requests sent while a response is being written included).
    const std::size_t head_and_body = self->options_.max_header_size + self->options_.max_body_size;
    if (head_and_body < (std::size_t{1} << 40)) bufferevent_setwatermark(bev, EV_READ, 0, head_and_body + 65536);
    self->conns_.emplace(bev, c);
    self->arm(c, kAttach, 0);  // evhttp sets up its side when this returns
    if (self->options_.max_connections != 0 && self->conns_.size() >= self->options_.max_connections) {
        self->pause_accepting();
    }
    return bev;
}

bool HttpServer::attach(Connection* c) {
    if (c->evcon != nullptr) return true;
    bufferevent_data_cb read_cb = nullptr, write_cb = nullptr;
    bufferevent_event_cb event_cb = nullptr;
    void* arg = nullptr;
    bufferevent_getcb(c->bev, &read_cb, &write_cb, &event_cb, &arg);
    if (event_cb == nullptr || arg == nullptr) {
        // evhttp gave the connection up (out of memory, epoll refused the fd) or
        // never adopted the bufferevent: drop our side.
        if (event_cb == &not_adopted) bufferevent_free(c->bev);
        destroy(c);
        return false;
    }
    c->evcon = static_cast<evhttp_connection*>(arg);
    evhttp_connection_set_closecb(c->evcon, &HttpServer::on_close, c);
    if (closing_ && c->phase == Connection::Phase::Idle) arm(c, kDrainIdle, options_.drain_timeout);
    return true;
}

void HttpServer::begin_request(Connection* c) {
    c->phase = Connection::Phase::Reading;
    c->head_done = false;
    c->reset_scanner();
    hold(c);
    arm(c, kHeaderDeadline, options_.header_timeout);
}

void HttpServer::scan(Connection* c, std::size_t offset, std::size_t length) {
    evbuffer* buf = bufferevent_get_input(c->bev);
    evbuffer_ptr pos;
    if (evbuffer_ptr_set(buf, &pos, offset, EVBUFFER_PTR_SET) != 0) return;
    while (length > 0) {
        evbuffer_iovec vec[8];
        const int n = evbuffer_peek(buf, static_cast<ev_ssize_t>(length), &pos, vec, 8);
        if (n <= 0) return;
        for (int i = 0; i < std::min(n, 8) && length > 0; ++i) {
            const std::size_t take = std::min(vec[i].iov_len, length);
            if (c->feed(static_cast<const char*>(vec[i].iov_base), take)) {
                c->head_done = true;
                if (c->timer_role == kHeaderDeadline) {
                    evtimer_del(c->timer);
                    c->timer_role = kNoTimer;
                }
                return;
            }
            length -= take;
            if (evbuffer_ptr_set(buf, &pos, take, EVBUFFER_PTR_ADD) != 0) return;
        }
    }
}

void HttpServer::on_input(evbuffer* buf, const evbuffer_cb_info* info, void* arg) {
    if (info->n_added == 0) return;
    auto* c = static_cast<Connection*>(arg);
    HttpServer* self = c->server;
    // Data is arriving: evhttp is reading into this bufferevent, so it has adopted it.
    if (c->evcon == nullptr && !self->attach(c)) return;
    if (c->phase == Connection::Phase::Idle) self->begin_request(c);
    if (c->phase == Connection::Phase::Reading && !c->head_done) {
        const std::size_t length = evbuffer_get_length(buf);
        const std::size_t added = std::min(info->n_added, length);
        self->scan(c, length - added, added);
    }
}

void HttpServer::request_timed_out(Connection* c) {
    log::debug(options_.log_tag, "a request from a client was not complete within {}s: 408", options_.header_timeout);
    const int fd = bufferevent_getfd(c->bev);
    if (fd >= 0) {
        [[maybe_unused]] const ssize_t n =
            ::send(fd, kRequestTimeout, sizeof(kRequestTimeout) - 1, MSG_NOSIGNAL | MSG_DONTWAIT);
    }
    evhttp_connection_free(c->evcon);  // on_close → destroy(c)
}

void HttpServer::on_timer(int, short, void* arg) {
    auto* c = static_cast<Connection*>(arg);
    HttpServer* self = c->server;
    const int role = c->timer_role;
    c->timer_role = kNoTimer;
    switch (role) {
        case kAttach:
            self->attach(c);
            break;
        case kHeaderDeadline:
            if (c->phase == Connection::Phase::Reading && !c->head_done && c->evcon != nullptr) {
                self->request_timed_out(c);
            }
            break;
        case kDrainIdle:
            if (c->phase == Connection::Phase::Idle && c->evcon != nullptr) evhttp_connection_free(c->evcon);
            break;
        default:
            break;
    }
}

void HttpServer::on_request(evhttp_request* req, void* arg) {
    auto* self = static_cast<HttpServer*>(arg);
    Connection* c = nullptr;
    if (evhttp_connection* evcon = evhttp_request_get_connection(req)) {
        auto it = self->conns_.find(evhttp_connection_get_bufferevent(evcon));
        if (it != self->conns_.end()) c = it->second;
    }
    if (c != nullptr) {
        c->phase = Connection::Phase::Handling;
        c->head_done = true;
        if (c->timer_role == kHeaderDeadline) {
            evtimer_del(c->timer);
            c->timer_role = kNoTimer;
        }
        self->hold(c);
        evhttp_request_set_on_complete_cb(req, &HttpServer::on_complete, c);
    }
    std::shared_ptr<Exchange> ex(new Exchange(self, c, req));
    if (c != nullptr) c->exchange = ex.get();
    try {
        self->handler_(ex);
    } catch (const std::exception& e) {
        log::error(self->options_.log_tag, "the request handler failed: {}", e.what());
        if (!ex->headers_sent() && !ex->ended()) {
            ex->set_status(500);
            ex->end("Internal Server Error\n");
        } else {
            ex->abort();
        }
    }
    // An unfinished response nobody kept is ended by ~Exchange here.
}

void HttpServer::on_complete(evhttp_request*, void* arg) {
    auto* c = static_cast<Connection*>(arg);
    HttpServer* self = c->server;
    if (Exchange* ex = c->exchange) {
        c->exchange = nullptr;
        ex->finish();
    }
    c->phase = Connection::Phase::Idle;
    self->unhold(c);
    // evhttp closes the connection next (Connection: close) or reads the next
    // request, starting with what is already buffered (pipelining).
    const std::size_t pending = evbuffer_get_length(bufferevent_get_input(c->bev));
    if (pending > 0) {
        self->begin_request(c);
        self->scan(c, 0, pending);
    } else if (self->closing_) {
        self->arm(c, kDrainIdle, self->options_.drain_timeout);
    }
}

void HttpServer::on_close(evhttp_connection*, void* arg) {
    auto* c = static_cast<Connection*>(arg);
    if (Exchange* ex = c->exchange) {
        c->exchange = nullptr;
        ex->lose();
    }
    c->evcon = nullptr;
    c->server->destroy(c);
}

void HttpServer::destroy(Connection* c) {
    if (c->exchange != nullptr) {
        Exchange* ex = c->exchange;
        c->exchange = nullptr;
        ex->lose();
    }
    event_free(c->timer);
    evbuffer_remove_cb_entry(bufferevent_get_input(c->bev), c->input_cb);
    unhold(c);
    conns_.erase(c->bev);
    bufferevent_decref(c->bev);
    delete c;
    maybe_resume_accepting();
    check_drained();
}

void HttpServer::pause_accepting() {
    if (bound_ == nullptr || accept_paused_) return;
    evconnlistener_disable(evhttp_bound_socket_get_listener(bound_));
    accept_paused_ = true;
}

void HttpServer::maybe_resume_accepting() {
    if (!accept_paused_ || bound_ == nullptr || closing_ || destroying_) return;
    if (options_.max_connections != 0 && conns_.size() >= options_.max_connections) return;
    if (evtimer_pending(resume_accept_ev_, nullptr)) return;  // backing off after an accept() error
    evconnlistener_enable(evhttp_bound_socket_get_listener(bound_));
    accept_paused_ = false;
}

void HttpServer::on_accept_error(evconnlistener* listener, void*) {
    const int err = EVUTIL_SOCKET_ERROR();
    for (HttpServer* self : registry()) {
        if (self->bound_ == nullptr || evhttp_bound_socket_get_listener(self->bound_) != listener) continue;
        log::warn(self->options_.log_tag, "accept() failed: {}; not accepting for 100 ms", std::strerror(err));
        self->pause_accepting();
        const timeval tv = to_timeval(0.1);
        evtimer_add(self->resume_accept_ev_, &tv);
        return;
    }
}

void HttpServer::on_resume_accept(int, short, void* arg) { static_cast<HttpServer*>(arg)->maybe_resume_accepting(); }

void HttpServer::check_drained() {
    if (!closing_ || destroying_ || !conns_.empty()) return;
    if (evtimer_pending(drained_ev_, nullptr)) return;
    const timeval now{0, 0};
    evtimer_add(drained_ev_, &now);  // from the loop: not from inside evhttp's callbacks
}

void HttpServer::on_drained_event(int, short, void* arg) {
    auto* self = static_cast<HttpServer*>(arg);
    if (self->drain_hold_) {
        self->drain_hold_ = false;
        self->loop_.release();
    }
    auto callback = self->on_drained_;  // may destroy *self
    if (callback) callback();
}

}  // namespace ripple::http
