#include "control/control_server.hpp"

#include "control/status.hpp"
#include "log/log.hpp"
#include "supervisor/supervisor.hpp"

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/listener.h>
#include <nlohmann/json.hpp>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace ripple::control {

struct ControlServer::Connection {
    ControlServer* server;
    bufferevent* bev;
    bool replied = false;
};

namespace {
bool someone_listening(const sockaddr_un& addr) {
    int probe = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (probe < 0) return false;
    const bool alive = connect(probe, reinterpret_cast<const sockaddr*>(&addr), sizeof(addr)) == 0;
    ::close(probe);
    return alive;
}

std::string error_reply(const std::string& message) {
    return nlohmann::json{{"ok", false}, {"error", message}}.dump();
}
}  // namespace

ControlServer::ControlServer(event_base* base, std::string path, supervisor::Supervisor& sup,
                             std::function<std::int64_t()> sync_id)
    : path_(std::move(path)), sup_(sup), sync_id_(std::move(sync_id)) {
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    if (path_.size() >= sizeof(addr.sun_path)) {
        throw std::runtime_error("control socket path too long: " + path_ + " (use --control with a shorter path)");
    }
    std::memcpy(addr.sun_path, path_.c_str(), path_.size() + 1);
    if (someone_listening(addr)) {
        throw std::runtime_error("another ripple manager is already running with control socket " + path_ +
                                 "; stop it (ripple stop) or pass --control PATH");
    }
    ::unlink(path_.c_str());  // a stale socket from a manager that died
    fd_ = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd_ < 0) throw std::runtime_error(std::string("control socket: ") + std::strerror(errno));
    const mode_t old_mask = umask(0077);  // created 0600: only this user (and root) may connect
    const int rc = bind(fd_, reinterpret_cast<const sockaddr*>(&addr), sizeof(addr));
    umask(old_mask);
    if (rc != 0 || listen(fd_, 16) != 0) {
        const std::string why = std::strerror(errno);
        ::close(fd_);
        throw std::runtime_error("cannot listen on control socket " + path_ + ": " + why);
    }
    chmod(path_.c_str(), 0600);
    listener_ = evconnlistener_new(base, &ControlServer::on_accept, this, LEV_OPT_CLOSE_ON_FREE, -1, fd_);
    if (listener_ == nullptr) throw std::runtime_error("evconnlistener_new() failed");
}

ControlServer::~ControlServer() {
    for (Connection* c : connections_) {
        // A reply may still be queued (a "stop" that finished at once): deliver it before closing.
        evbuffer* out = bufferevent_get_output(c->bev);
        const int fd = bufferevent_getfd(c->bev);
        for (int tries = 0; evbuffer_get_length(out) > 0 && tries < 100; ++tries) {
            if (evbuffer_write(out, fd) < 0 && errno != EAGAIN && errno != EINTR) break;
        }
        bufferevent_free(c->bev);
        delete c;
    }
    evconnlistener_free(listener_);
    ::unlink(path_.c_str());
}

void ControlServer::on_accept(evconnlistener*, int fd, ::sockaddr*, int, void* arg) {
    auto* self = static_cast<ControlServer*>(arg);
    ucred cred{};
    socklen_t len = sizeof(cred);
    if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0 || (cred.uid != getuid() && cred.uid != 0)) {
        log::warn("manager", "control request from uid {} refused (only uid {} and root may control this manager)",
                  cred.uid, getuid());
        const std::string reply = error_reply("permission denied: this manager belongs to another user") + "\n";
        ssize_t ignored = ::write(fd, reply.data(), reply.size());
        (void)ignored;
        ::close(fd);
        return;
    }
    auto* c = new Connection{self, bufferevent_socket_new(evconnlistener_get_base(self->listener_), fd,
                                                          BEV_OPT_CLOSE_ON_FREE)};
    self->connections_.insert(c);
    timeval timeout{5, 0};
    bufferevent_set_timeouts(c->bev, &timeout, &timeout);
    bufferevent_setcb(c->bev, &ControlServer::on_read, nullptr, &ControlServer::on_event, c);
    bufferevent_enable(c->bev, EV_READ | EV_WRITE);
}

void ControlServer::on_read(bufferevent* bev, void* arg) {
    auto* c = static_cast<Connection*>(arg);
    if (c->replied) return;
    evbuffer* in = bufferevent_get_input(bev);
    size_t len = 0;
    char* line = evbuffer_readln(in, &len, EVBUFFER_EOL_LF);
    if (line == nullptr) {
        if (evbuffer_get_length(in) > kMaxRequest) {
            c->server->reply_and_close(c, error_reply("request larger than 64 KiB"));
        }
        return;
    }
    std::string request(line, len);
    free(line);
    c->server->reply_and_close(c, c->server->handle(request));
}

void ControlServer::on_event(bufferevent*, short, void* arg) {
    auto* c = static_cast<Connection*>(arg);
    c->server->close(c);
}

void ControlServer::on_written(bufferevent*, void* arg) {
    auto* c = static_cast<Connection*>(arg);
    c->server->close(c);
}

void ControlServer::reply_and_close(Connection* c, const std::string& line) {
    c->replied = true;
    bufferevent_setcb(c->bev, nullptr, &ControlServer::on_written, &ControlServer::on_event, c);
    const std::string out = line + "\n";
    bufferevent_write(c->bev, out.data(), out.size());
}

void ControlServer::close(Connection* c) {
    connections_.erase(c);
    bufferevent_free(c->bev);
    delete c;
}

std::string ControlServer::handle(const std::string& request) {
    nlohmann::json req = nlohmann::json::parse(request, nullptr, false);
    if (req.is_discarded() || !req.is_object() || !req.contains("cmd") || !req["cmd"].is_string()) {
        return error_reply("malformed request: expected a JSON object like {\"cmd\":\"status\"}");
    }
    const std::string cmd = req["cmd"];
    std::vector<std::string> names;
    if (req.contains("services")) {
        if (!req["services"].is_array()) return error_reply("'services' must be an array of service names");
        for (const auto& n : req["services"]) {
            if (!n.is_string()) return error_reply("'services' must be an array of service names");
            if (!sup_.has_service(n.get<std::string>())) return error_reply("no service named '" + n.get<std::string>() + "'");
            names.push_back(n.get<std::string>());
        }
    }
    if (cmd == "status") {
        nlohmann::json status = status_json(sup_, sync_id_());
        status["ok"] = true;
        return status.dump();
    }
    if (cmd == "reload") {
        for (const auto& n : names) {
            if (!sup_.service_running(n)) return error_reply("service '" + n + "' is stopped; it cannot be reloaded");
        }
        log::info("manager", "reload requested on the control socket");
        if (names.empty()) sup_.reload(std::nullopt);
        for (const auto& n : names) sup_.reload(n);
        return nlohmann::json{{"ok", true}}.dump();
    }
    if (cmd == "stop") {
        log::info("manager", "stop requested on the control socket");
        if (names.empty()) sup_.stop(false);
        for (const auto& n : names) sup_.stop_service(n);
        return nlohmann::json{{"ok", true}}.dump();
    }
    return error_reply("unknown command '" + cmd + "' (status, reload, stop)");
}

}  // namespace ripple::control
