// One end of a manager <-> worker socketpair: frames in, frames out, over a
// libevent bufferevent (which does the buffering and the non-blocking writes).
// Output queues without bound: backpressure never truncates a command.
#pragma once

#include "ipc/frame.hpp"

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

struct event_base;
struct bufferevent;

namespace ripple::ipc {

class Channel {
public:
    using FrameHandler = std::function<void(Frame&)>;
    // reason is empty for an orderly EOF
    using CloseHandler = std::function<void(const std::string& reason)>;

    Channel(event_base* base, int fd, std::size_t max_payload = kDefaultMaxPayload);
    ~Channel();
    Channel(const Channel&) = delete;
    Channel& operator=(const Channel&) = delete;

    void on_frame(FrameHandler h) { on_frame_ = std::move(h); }
    void on_close(CloseHandler h) { on_close_ = std::move(h); }

    // Queues one frame. Returns false once the channel is closed.
    bool send(FrameType type, std::string_view target, std::string_view payload, std::uint8_t flags = 0);
    // Queues pre-encoded frame bytes (used to fan one frame out to many channels).
    bool send_raw(std::string_view encoded);

    std::size_t pending_output() const;
    // Reads and dispatches whatever the (dead) peer left in the socket; used before
    // the manager forgets a process, so its last commands are still routed.
    void drain_input();
    // Writes queued bytes, blocking, until at most `keep` remain; used by a worker
    // right before it exits (keep = 0) and as backpressure on a fast sender.
    void flush_blocking(std::size_t keep = 0);
    bool closed() const { return closed_; }
    int fd() const { return fd_; }

    std::uint64_t frames_in() const { return frames_in_; }
    std::uint64_t frames_out() const { return frames_out_; }

private:
    static void read_cb(bufferevent* bev, void* arg);
    void dispatch();
    static void event_cb(bufferevent* bev, short what, void* arg);
    void close_with(const std::string& reason);

    bufferevent* bev_;
    int fd_;
    FrameDecoder decoder_;
    FrameHandler on_frame_;
    CloseHandler on_close_;
    bool closed_ = false;  // EOF, error or protocol error: nothing more is sent
    bool broken_ = false;  // protocol error: nothing more is read either
    std::uint64_t frames_in_ = 0;
    std::uint64_t frames_out_ = 0;
    // Lets a callback destroy the Channel while read_cb is still on the stack.
    std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace ripple::ipc
