// HttpServer: listening, connection tracking, limits, timers and draining on
// top of evhttp (see http_server.hpp for what evhttp does and what this adds).
// The request/response itself is the Exchange, in exchange.cpp.
#include "http/http_server.hpp"

#include "http/http_internal.hpp"
#include "http/listen_socket.hpp"
#include "log/log.hpp"
#include "loop/event_loop.hpp"

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/http_struct.h>  // major/minor: evhttp 2.1 has no accessor
#include <event2/keyvalq_struct.h>
#include <event2/listener.h>
#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstring>

namespace ripple::http {

using namespace detail;

namespace {

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

namespace {
// 0, or the status a request must get because of how it is framed.
int framing_error(evhttp_request* req) {
    if (req->major != 1 || (req->minor != 0 && req->minor != 1)) return 505;
    int hosts = 0;
    int lengths = 0;
    evkeyvalq* in = evhttp_request_get_input_headers(req);
    for (evkeyval* h = in->tqh_first; h != nullptr; h = h->next.tqe_next) {
        const std::string_view name(h->key);
        if (!is_token(name)) return 400;  // "X-A : b", ": b", "X A: b"
        if (ascii_iequals(name, "Host")) ++hosts;
        if (ascii_iequals(name, "Content-Length")) ++lengths;
        for (const char* v = h->value; *v; ++v) {
            const auto ch = static_cast<unsigned char>(*v);
            if ((ch < 0x20 && ch != '\t') || ch == 0x7f) return 400;
        }
    }
    if (lengths > 1) return 400;
    if (req->minor == 1 && hosts != 1) return 400;
    if (hosts > 1) return 400;
    for (const char* p = evhttp_request_get_uri(req); p && *p; ++p) {
        const auto ch = static_cast<unsigned char>(*p);
        if (ch <= 0x20 || ch == 0x7f) return 400;
    }
    return 0;
}
}  // namespace

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
    if (const int code = framing_error(req)) {
        // What evhttp's parser lets through but RFC 9112 rejects (request smuggling
        // behind a proxy starts with such requests): answer it and close.
        ex->set_header("Connection", "close");
        ex->set_status(code);
        ex->end(code == 505 ? "HTTP Version Not Supported\n" : "Bad Request\n");
        return;
    }
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
