// Opt-in Prometheus endpoint (--metrics HOST:PORT): GET /metrics answers the
// text exposition format, built from the same snapshot as `ripple status`.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <functional>
#include <string>

struct event_base;
struct evhttp;

namespace ripple::supervisor {
class Supervisor;
}

namespace ripple::control {

std::string prometheus_text(const nlohmann::json& status);

class MetricsServer {
public:
    // Binds `address` (HOST:PORT); throws std::runtime_error with a user-facing message.
    MetricsServer(event_base* base, const std::string& address, supervisor::Supervisor& sup,
                  std::function<std::int64_t()> sync_id);
    ~MetricsServer();
    int fd() const { return fd_; }

private:
    evhttp* http_ = nullptr;
    int fd_ = -1;
    supervisor::Supervisor& sup_;
    std::function<std::int64_t()> sync_id_;
};

}  // namespace ripple::control
