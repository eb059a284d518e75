#include "supervisor/output_capture.hpp"

#include "log/log.hpp"

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>

#include <stdexcept>

namespace ripple::supervisor {

OutputCapture::OutputCapture(event_base* base, int fd, std::string tag, bool to_stderr,
                             std::function<void(OutputCapture*)> on_eof)
    : bev_(bufferevent_socket_new(base, fd, BEV_OPT_CLOSE_ON_FREE)),
      fd_(fd),
      tag_(std::move(tag)),
      to_stderr_(to_stderr),
      on_eof_(std::move(on_eof)) {
    if (bev_ == nullptr) throw std::runtime_error("bufferevent_socket_new() failed");
    evutil_make_socket_nonblocking(fd);
    bufferevent_setcb(bev_, &OutputCapture::read_cb, nullptr, &OutputCapture::event_cb, this);
    bufferevent_enable(bev_, EV_READ);
}

OutputCapture::~OutputCapture() { bufferevent_free(bev_); }

void OutputCapture::emit(std::string_view line) {
    // The worker's own log lines (log::forward_to_manager) keep their level.
    if (to_stderr_ && line.size() >= 2 && line[0] == log::kForwardMark && line[1] >= '0' && line[1] <= '3') {
        log::write(static_cast<log::Level>(line[1] - '0'), tag_, line.substr(2));
        return;
    }
    log::write_output(to_stderr_, tag_, line);
}

void OutputCapture::drain(bool eof) {
    evbuffer* in = bufferevent_get_input(bev_);
    for (;;) {
        size_t len = 0;
        char* line = evbuffer_readln(in, &len, EVBUFFER_EOL_LF);
        if (line != nullptr) {
            emit(std::string_view(line, len));
            free(line);
            continue;
        }
        const size_t left = evbuffer_get_length(in);
        if (left == 0) return;
        if (left >= kMaxLine || eof) {
            // A line too long to hold, or a last line without newline: emit what there is.
            std::string chunk(std::min(left, kMaxLine), '\0');
            evbuffer_remove(in, chunk.data(), chunk.size());
            emit(chunk);
            continue;
        }
        return;
    }
}

void OutputCapture::read_cb(bufferevent*, void* arg) { static_cast<OutputCapture*>(arg)->drain(false); }

void OutputCapture::event_cb(bufferevent*, short what, void* arg) {
    auto* self = static_cast<OutputCapture*>(arg);
    if (what & (BEV_EVENT_EOF | BEV_EVENT_ERROR)) {
        self->drain(true);
        self->on_eof_(self);  // destroys *self
    }
}

}  // namespace ripple::supervisor
