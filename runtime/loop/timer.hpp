// A one-shot libevent timer owned by the runtime (not a user watcher: it
// never keeps Loop::run() alive on its own).
#pragma once

#include <functional>

struct event_base;
struct event;

namespace ripple::loop {

class Timer {
public:
    Timer(event_base* base, std::function<void()> cb);
    ~Timer();
    Timer(const Timer&) = delete;
    Timer& operator=(const Timer&) = delete;

    void start(double seconds);  // restarts if pending
    void cancel();
    bool pending() const;

private:
    static void fire(int, short, void* arg);
    event* ev_;
    std::function<void()> cb_;
};

}  // namespace ripple::loop
