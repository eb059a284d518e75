// HTTP/1.1 on libevent's evhttp for one worker process: accepts on an
// inherited listening socket, hands each request to a handler as an Exchange
// (the request and its response), enforces the limits, keeps the process's
// loop alive while a request is in flight, and drains on close(): stop
// accepting, finish what is in flight, close idle keep-alive connections.
//
// What evhttp (2.1) does and what this file adds:
//   - parsing, keep-alive, pipelining (answered in order), HTTP/1.0, chunked
//     responses, 100-continue: evhttp.
//   - request line / headers over max_header_size: evhttp answers 400 (it
//     reports the overflow as a malformed header; there is no hook to say 431).
//   - body over max_body_size: evhttp answers 413, after reading and
//     discarding the announced body (EVHTTP_SERVER_LINGERING_CLOSE) so the
//     client is not reset before it reads the answer. An over-long chunked
//     body gets 413 and an immediate close.
//   - header_timeout (first byte of a request to the end of its headers):
//     evhttp only has an inactivity timeout, which closes without a reply and
//     restarts on every byte (a client sending a byte a second never times
//     out). This file arms its own deadline and answers 408 itself, writing
//     the status line straight to the socket: evhttp 2.1 has no API to reach
//     the request it is still reading. A connection that sent nothing (idle
//     keep-alive) is closed silently after idle_timeout.
//   - max_connections: evhttp 2.1 has no cap; this file stops accepting at
//     the cap, so further connections wait in the shared backlog where
//     another worker can take them.
//   - connection tracking (for holds, the cap and draining): evhttp 2.1 has no
//     new-connection or new-request hook. The server supplies each
//     connection's bufferevent (evhttp_set_bevcb), keeps a reference to it,
//     finds the evhttp_connection through the bufferevent's callback argument
//     on the next loop turn, and watches the bufferevent's input buffer for
//     the first byte of each request.
//   - methods evhttp does not know (PROPFIND, ...) get 501 from evhttp.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "http/exchange.hpp"

struct evhttp;
struct evhttp_request;
struct evhttp_bound_socket;
struct evhttp_connection;
struct evconnlistener;
struct evbuffer;
struct evbuffer_cb_entry;
struct evbuffer_cb_info;
struct bufferevent;
struct event;
struct event_base;

namespace ripple::loop {
class EventLoop;
}

namespace ripple::http {

struct ServerOptions {
    std::size_t max_header_size = 16 * 1024;      // request line + header lines, bytes
    std::size_t max_body_size = 8 * 1024 * 1024;  // bytes
    double header_timeout = 10.0;                  // first byte of a request → end of its headers, seconds
    double idle_timeout = 60.0;    // no read/write progress on a connection (idle keep-alive included)
    double drain_timeout = 1.0;    // on close(): how long an idle keep-alive connection may still bring a request
    std::size_t max_connections = 10000;  // open connections per process; 0: no cap
    std::string log_tag = "http";         // who speaks in log lines
};

struct Connection;

class HttpServer {
public:
    using Handler = std::function<void(const std::shared_ptr<Exchange>&)>;

    // `listen_fd` stays the caller's: the server accepts on a duplicate of it.
    HttpServer(loop::EventLoop& loop, int listen_fd, ServerOptions options, Handler handler);
    ~HttpServer();  // closes every connection at once (close() first for a graceful end)
    HttpServer(const HttpServer&) = delete;
    HttpServer& operator=(const HttpServer&) = delete;

    // Starts accepting on the loop and holds it (run() goes on while the server
    // listens); from now on the loop's wind_down() calls close().
    void listen();
    // Stops accepting and lets go of the listening hold; in-flight requests
    // finish (their responses say "Connection: close"); idle keep-alive
    // connections get drain_timeout to bring one more request, then are
    // closed. The loop is held until the last connection is gone. Idempotent.
    void close();
    // Called from the loop once close() has nothing left to wait for.
    void on_drained(std::function<void()> callback) { on_drained_ = std::move(callback); }

    bool listening() const { return listening_ && !closing_; }
    bool closing() const { return closing_; }
    std::size_t connection_count() const { return conns_.size(); }
    std::size_t requests_in_flight() const { return in_flight_; }
    const ServerOptions& options() const { return options_; }

private:
    friend class Exchange;
    friend struct Connection;

    static bufferevent* make_bufferevent(event_base* base, void* arg);
    static void on_request(evhttp_request* req, void* arg);
    static void on_complete(evhttp_request* req, void* arg);
    static void on_close(evhttp_connection* evcon, void* arg);
    static void on_input(evbuffer* buf, const evbuffer_cb_info* info, void* arg);
    static void on_timer(int fd, short what, void* arg);
    static void on_accept_error(evconnlistener* listener, void* arg);
    static void on_resume_accept(int fd, short what, void* arg);
    static void on_drained_event(int fd, short what, void* arg);

    bool attach(Connection* c);
    void begin_request(Connection* c);
    void scan(Connection* c, std::size_t offset, std::size_t length);
    void request_timed_out(Connection* c);
    void hold(Connection* c);
    void unhold(Connection* c);
    void destroy(Connection* c);
    void arm(Connection* c, int role, double seconds);
    void pause_accepting();
    void maybe_resume_accepting();
    void check_drained();

    loop::EventLoop& loop_;
    event_base* base_;
    int listen_fd_;
    ServerOptions options_;
    Handler handler_;
    evhttp* http_ = nullptr;
    evhttp_bound_socket* bound_ = nullptr;
    evbuffer* scratch_ = nullptr;
    event* resume_accept_ev_ = nullptr;
    event* drained_ev_ = nullptr;
    std::unordered_map<bufferevent*, Connection*> conns_;
    std::function<void()> on_drained_;
    unsigned long long wind_down_hook_ = 0;
    std::size_t in_flight_ = 0;
    bool listening_ = false;
    bool closing_ = false;
    bool accept_paused_ = false;
    bool drain_hold_ = false;
    bool destroying_ = false;
};

}  // namespace ripple::http
