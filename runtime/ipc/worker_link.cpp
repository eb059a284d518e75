#include "ipc/worker_link.hpp"

namespace ripple::ipc {

WorkerLink::WorkerLink(event_base* base, int fd, std::size_t max_payload, Handlers handlers)
    : channel_(base, fd, max_payload), max_payload_(max_payload), handlers_(std::move(handlers)) {
    channel_.on_frame([this](Frame& f) {
        switch (f.type) {
            case FrameType::Deliver: handlers_.on_command(f.payload, f.target); break;
            case FrameType::Reload: handlers_.on_reload(); break;
            case FrameType::Stop: handlers_.on_stop(); break;
            default: break;  // frames meant for the manager: ignore
        }
    });
    channel_.on_close([this](const std::string& reason) { handlers_.on_lost(reason); });
}

void WorkerLink::send_ready() { channel_.send(FrameType::Ready, {}, {}); }

bool WorkerLink::send_to_service(std::string_view service, std::string_view payload) {
    const bool ok = channel_.send(FrameType::CommandToService, service, payload);
    apply_backpressure();
    return ok;
}

bool WorkerLink::send_to_all(std::string_view payload) {
    const bool ok = channel_.send(FrameType::CommandToAll, {}, payload);
    apply_backpressure();
    return ok;
}

void WorkerLink::apply_backpressure() {
    // A sender faster than the manager blocks here (the caller's PHP code waits)
    // instead of queueing without bound. The manager always reads, so this ends.
    if (channel_.pending_output() > kHighWater) channel_.flush_blocking(kLowWater);
}

}  // namespace ripple::ipc
