#include "ipc/channel.hpp"

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <algorithm>
#include <cstring>
#include <stdexcept>

namespace ripple::ipc {

Channel::Channel(event_base* base, int fd, std::size_t max_payload)
    : bev_(bufferevent_socket_new(base, fd, BEV_OPT_CLOSE_ON_FREE)), fd_(fd), decoder_(max_payload) {
    if (bev_ == nullptr) throw std::runtime_error("bufferevent_socket_new() failed");
    evutil_make_socket_nonblocking(fd);
    bufferevent_setcb(bev_, &Channel::read_cb, nullptr, &Channel::event_cb, this);
    bufferevent_enable(bev_, EV_READ | EV_WRITE);
}

Channel::~Channel() {
    *alive_ = false;
    bufferevent_free(bev_);
}

bool Channel::send(FrameType type, std::string_view target, std::string_view payload, std::uint8_t flags) {
    if (closed_) return false;
    std::string out;
    out.reserve(kHeaderSize + target.size() + payload.size());
    encode_frame(out, type, flags, target, payload);
    return send_raw(out);
}

bool Channel::send_raw(std::string_view encoded) {
    if (closed_) return false;
    // Nothing queued: write now instead of waiting for the next loop turn (latency);
    // whatever the socket does not take is queued behind, in order.
    if (evbuffer_get_length(bufferevent_get_output(bev_)) == 0) {
        ssize_t n;
        do {
            n = ::send(fd_, encoded.data(), encoded.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
        } while (n < 0 && errno == EINTR);
        if (n > 0) encoded.remove_prefix(static_cast<std::size_t>(n));
        else if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK) {
            close_with(std::strerror(errno));
            return false;
        }
    }
    if (!encoded.empty() && bufferevent_write(bev_, encoded.data(), encoded.size()) != 0) return false;
    ++frames_out_;
    return true;
}

std::size_t Channel::pending_output() const { return evbuffer_get_length(bufferevent_get_output(bev_)); }

void Channel::flush_blocking(std::size_t keep) {
    evbuffer* out = bufferevent_get_output(bev_);
    // bufferevent keeps the start of its output buffer frozen outside its own write callback.
    evbuffer_unfreeze(out, 1);
    while (!closed_ && evbuffer_get_length(out) > keep) {
        int n = evbuffer_write(out, fd_);
        if (n > 0) continue;
        if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
            pollfd p{fd_, POLLOUT, 0};
            ::poll(&p, 1, 1000);
            continue;
        }
        break;  // peer gone: nothing more can be delivered
    }
    evbuffer_freeze(out, 1);
}

void Channel::read_cb(bufferevent* bev, void* arg) {
    auto* self = static_cast<Channel*>(arg);
    evbuffer* in = bufferevent_get_input(bev);
    // Move whatever arrived into the decoder, chunk by chunk.
    evbuffer_iovec vec[16];
    while (evbuffer_get_length(in) > 0) {
        const int n = std::min(evbuffer_peek(in, -1, nullptr, vec, 16), 16);
        if (n <= 0) break;
        std::size_t round = 0;
        for (int i = 0; i < n; ++i) {
            self->decoder_.feed(static_cast<const char*>(vec[i].iov_base), vec[i].iov_len);
            round += vec[i].iov_len;
        }
        evbuffer_drain(in, round);
    }
    self->dispatch();
}

void Channel::dispatch() {
    std::shared_ptr<bool> alive = alive_;
    Frame frame;
    for (;;) {
        auto status = decoder_.next(frame);
        if (status == FrameDecoder::Status::NeedMore) return;
        if (status == FrameDecoder::Status::Error) {
            broken_ = true;
            close_with("malformed frame: " + decoder_.error());
            return;
        }
        ++frames_in_;
        if (on_frame_) on_frame_(frame);
        if (!*alive || broken_) return;  // after EOF, frames already received still count
    }
}

void Channel::drain_input() {
    // What libevent already read, then what is still in the socket.
    evbuffer* in = bufferevent_get_input(bev_);
    if (evbuffer_get_length(in) > 0) read_cb(bev_, this);
    std::shared_ptr<bool> alive = alive_;
    char buf[65536];
    for (;;) {
        const ssize_t n = ::recv(fd_, buf, sizeof(buf), MSG_DONTWAIT);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        decoder_.feed(buf, static_cast<std::size_t>(n));
        dispatch();
        if (!*alive || broken_) break;
    }
}

void Channel::event_cb(bufferevent*, short what, void* arg) {
    auto* self = static_cast<Channel*>(arg);
    if (what & BEV_EVENT_EOF) self->close_with("");
    else if (what & BEV_EVENT_ERROR) self->close_with(std::strerror(EVUTIL_SOCKET_ERROR()));
}

void Channel::close_with(const std::string& reason) {
    if (closed_) return;
    closed_ = true;
    bufferevent_disable(bev_, EV_READ | EV_WRITE);
    if (on_close_) on_close_(reason);
}

}  // namespace ripple::ipc
