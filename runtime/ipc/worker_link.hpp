// A worker process's side of its channel to the manager: announce READY,
// send commands (to one service or to all), receive deliveries and the
// manager's reload/stop notices.
#pragma once

#include "ipc/channel.hpp"

#include <functional>
#include <memory>
#include <string>

struct event_base;

namespace ripple::ipc {

class WorkerLink {
public:
    struct Handlers {
        std::function<void(const std::string& payload, const std::string& sender)> on_command;
        std::function<void()> on_reload;
        std::function<void()> on_stop;
        std::function<void(const std::string& reason)> on_lost;  // the manager is gone
    };

    WorkerLink(event_base* base, int fd, std::size_t max_payload, Handlers handlers);

    void send_ready();
    bool send_to_service(std::string_view service, std::string_view payload);
    bool send_to_all(std::string_view payload);
    void flush() { channel_.flush_blocking(); }
    std::size_t max_payload() const { return max_payload_; }
    bool connected() const { return !channel_.closed(); }

    static constexpr std::size_t kHighWater = 64u * 1024u * 1024u;  // queued bytes that make a sender wait
    static constexpr std::size_t kLowWater = 16u * 1024u * 1024u;

private:
    void apply_backpressure();

    Channel channel_;
    std::size_t max_payload_;
    Handlers handlers_;
};

}  // namespace ripple::ipc
