#include "control/control_client.hpp"

#include "control/control_path.hpp"
#include "control/status.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

namespace ripple::control {
namespace {

int fail(const std::string& message) {
    std::fprintf(stderr, "ripple: %s\n", message.c_str());
    return 1;
}

// Sends one line and reads one line back, with a timeout.
bool exchange(const std::string& path, const std::string& request, std::string& reply, std::string& error) {
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    if (path.size() >= sizeof(addr.sun_path)) {
        error = "control socket path too long: " + path;
        return false;
    }
    std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0 || connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
        error = fmt::format("no ripple manager is running at {} ({}){}", path, std::strerror(errno),
                            errno == ENOENT ? "; a manager started by another user or with --control has its "
                                              "socket elsewhere: pass --control PATH"
                                            : "");
        if (fd >= 0) ::close(fd);
        return false;
    }
    const std::string line = request + "\n";
    if (::write(fd, line.data(), line.size()) != static_cast<ssize_t>(line.size())) {
        error = std::string("cannot send the request: ") + std::strerror(errno);
        ::close(fd);
        return false;
    }
    char buf[65536];
    for (;;) {
        pollfd p{fd, POLLIN, 0};
        if (::poll(&p, 1, 10000) <= 0) {
            error = "the manager did not answer within 10s";
            break;
        }
        const ssize_t n = ::read(fd, buf, sizeof(buf));
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        reply.append(buf, static_cast<std::size_t>(n));
        if (reply.find('\n') != std::string::npos) break;
    }
    ::close(fd);
    if (reply.empty() && error.empty()) error = "the manager closed the connection without an answer";
    return error.empty();
}

}  // namespace

int run_client(const cli::Options& o) {
    std::string path = o.control_path;
    if (path.empty()) {
        if (o.script.empty()) return fail("which manager? give the script (ripple status app.php) or --control PATH");
        std::string error;
        path = default_control_path(o.script, error);
        if (path.empty()) return fail(error);
    }
    nlohmann::json req;
    switch (o.mode) {
        case cli::Mode::Status: req["cmd"] = "status"; break;
        case cli::Mode::Reload: req["cmd"] = "reload"; break;
        case cli::Mode::Stop: req["cmd"] = "stop"; break;
        default: return fail("not a control command");
    }
    if (!o.names.empty()) req["services"] = o.names;

    std::string raw, error;
    if (!exchange(path, req.dump(), raw, error)) return fail(error);
    nlohmann::json reply = nlohmann::json::parse(raw, nullptr, false);
    if (reply.is_discarded() || !reply.is_object()) return fail("the manager sent an unreadable reply");
    if (!reply.value("ok", false)) return fail(reply.value("error", std::string("request failed")));
    if (o.mode == cli::Mode::Status) {
        reply.erase("ok");
        if (o.json) std::printf("%s\n", reply.dump(2).c_str());
        else std::fputs(status_table(reply).c_str(), stdout);
        // Exit 2 while a running service has no ready process: usable as a readiness probe.
        for (const auto& svc : reply["services"]) {
            const std::string state = svc.value("state", "");
            if (state != "running" && state != "reloading") continue;
            bool ready = false;
            for (const auto& p : svc["processes"]) ready = ready || p.value("state", "") == "ready";
            if (!ready) {
                std::fprintf(stderr, "ripple: service %s has no ready process\n", svc.value("name", "?").c_str());
                return 2;
            }
        }
    } else {
        std::printf("ok: %s requested\n", o.mode == cli::Mode::Reload ? "reload" : "stop");
    }
    return 0;
}

}  // namespace ripple::control
