// Captures a worker's stdout or stderr through a pipe and re-emits it line by
// line in the manager's log, tagged "[name#index pid]". Reading goes on after
// the process died until EOF, so the last words of a crashing worker are kept.
#pragma once

#include <functional>
#include <string>

struct event_base;
struct bufferevent;

namespace ripple::supervisor {

class OutputCapture {
public:
    static constexpr std::size_t kMaxLine = 16 * 1024;  // longer lines are split

    // fd: the read end of the pipe (owned). to_stderr: which stream to write to.
    OutputCapture(event_base* base, int fd, std::string tag, bool to_stderr, std::function<void(OutputCapture*)> on_eof);
    ~OutputCapture();
    OutputCapture(const OutputCapture&) = delete;
    OutputCapture& operator=(const OutputCapture&) = delete;

    int fd() const { return fd_; }

private:
    static void read_cb(bufferevent* bev, void* arg);
    static void event_cb(bufferevent* bev, short what, void* arg);
    void emit(std::string_view line);
    void drain(bool eof);

    bufferevent* bev_;
    int fd_;
    std::string tag_;
    bool to_stderr_;
    std::function<void(OutputCapture*)> on_eof_;
};

}  // namespace ripple::supervisor
