// The per-process event loop behind Psc\Event\Loop: libevent watchers named
// by string ids, with Revolt's semantics (enable/disable, reference/unreference;
// run() returns when no enabled, referenced watcher and no hold is left).
#pragma once

#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

struct event_base;
struct event;

namespace ripple::loop {

enum class WatcherKind { Defer, Delay, Repeat, Readable, Writable, Signal };

class EventLoop {
public:
    using Callback = std::function<void(const std::string& id)>;

    EventLoop();
    ~EventLoop();
    EventLoop(const EventLoop&) = delete;
    EventLoop& operator=(const EventLoop&) = delete;

    event_base* base() const { return base_; }

    std::string defer(Callback cb);
    std::string delay(double seconds, Callback cb);
    std::string repeat(double seconds, Callback cb);
    std::string on_readable(int fd, Callback cb);
    std::string on_writable(int fd, Callback cb);
    std::string on_signal(int signo, Callback cb);

    // Each returns false for an unknown (or cancelled) id.
    bool cancel(const std::string& id);
    bool enable(const std::string& id);
    bool disable(const std::string& id);
    bool reference(const std::string& id);
    bool unreference(const std::string& id);
    bool exists(const std::string& id) const { return watchers_.count(id) != 0; }
    bool is_enabled(const std::string& id) const;
    bool is_referenced(const std::string& id) const;

    // A hold keeps run() going without a watcher (e.g. a worker's IPC channel
    // until the manager tells it to wind down).
    void hold() { ++holds_; }
    void release() { if (holds_ > 0) --holds_; }

    // Wind-down: the process has been asked to finish (a worker's reload or
    // stop notice). Servers register a hook that stops accepting and drains;
    // wind_down() runs every hook once, in registration order. A hook may
    // cancel itself or another hook while it runs.
    using Hook = std::function<void()>;
    unsigned long long on_wind_down(Hook hook);
    void cancel_wind_down(unsigned long long id);
    void wind_down();
    bool winding_down() const { return winding_down_; }

    void run();
    void stop();
    bool running() const { return running_; }
    // True while something would keep run() going.
    bool has_work() const { return referenced_ > 0 || holds_ > 0; }

    // Cancels every watcher (their callbacks are dropped, not run).
    void clear();

    // The loop of this process. After fork() a child installs a fresh loop
    // and abandons the parent's without touching it: the parent's epoll set
    // is shared with the child, so freeing its events would unregister them
    // in the parent too.
    static EventLoop& current();
    static void install_fresh_after_fork();

private:
    struct Watcher;
    static void on_event(int fd, short what, void* arg);
    static void on_defer_tick(int fd, short what, void* arg);
    std::string add(WatcherKind kind, int fd, double seconds, Callback cb);
    void arm(Watcher& w);
    void disarm(Watcher& w);
    void set_counted(Watcher& w, bool enabled, bool referenced);

    event_base* base_;
    // Defers run in FIFO order on the next loop turn (a min-heap of 0s timers has no stable order).
    event* defer_tick_;
    std::deque<std::string> defer_queue_;
    std::unordered_map<std::string, std::shared_ptr<Watcher>> watchers_;
    unsigned long long next_id_ = 0;
    int referenced_ = 0;  // enabled and referenced watchers
    int holds_ = 0;
    std::vector<std::pair<unsigned long long, Hook>> wind_down_hooks_;
    unsigned long long next_hook_id_ = 0;
    bool winding_down_ = false;
    bool running_ = false;
    bool stopping_ = false;
};

}  // namespace ripple::loop
