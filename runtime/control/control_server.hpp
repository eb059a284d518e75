// The manager's control socket: a Unix socket (mode 0600) answering one JSON
// request per connection with one JSON reply line. Peers of another uid (not
// root) are refused (SO_PEERCRED). Malformed or oversized requests get an
// error reply; nothing a client sends can disturb the manager.
//
// Requests:  {"cmd":"status"}  {"cmd":"reload","services":[...]}  {"cmd":"stop","services":[...]}
// Replies:   {"ok":true,...}   {"ok":false,"error":"..."}
#pragma once

#include <sys/socket.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <set>
#include <string>

struct event_base;
struct evconnlistener;
struct bufferevent;

namespace ripple::supervisor {
class Supervisor;
}

namespace ripple::control {

class ControlServer {
public:
    static constexpr std::size_t kMaxRequest = 64 * 1024;

    // Binds `path`; throws std::runtime_error with a user-facing message.
    ControlServer(event_base* base, std::string path, supervisor::Supervisor& sup,
                  std::function<std::int64_t()> sync_id);
    ~ControlServer();  // closes and unlinks the socket

    int fd() const { return fd_; }
    const std::string& path() const { return path_; }

    // Handles one request line; public for tests.
    std::string handle(const std::string& request);

private:
    struct Connection;
    static void on_accept(evconnlistener*, int fd, ::sockaddr*, int, void* arg);
    static void on_read(bufferevent* bev, void* arg);
    static void on_event(bufferevent* bev, short what, void* arg);
    static void on_written(bufferevent* bev, void* arg);
    void reply_and_close(Connection* c, const std::string& line);
    void close(Connection* c);

    std::string path_;
    supervisor::Supervisor& sup_;
    std::function<std::int64_t()> sync_id_;
    int fd_ = -1;
    evconnlistener* listener_ = nullptr;
    std::set<Connection*> connections_;
};

}  // namespace ripple::control
