#include "loop/event_loop.hpp"

#include <event2/event.h>

#include <cmath>
#include <stdexcept>

namespace ripple::loop {

struct EventLoop::Watcher {
    EventLoop* loop;
    std::string id;
    WatcherKind kind;
    int fd = -1;  // fd or signal number
    double seconds = 0;
    Callback cb;
    event* ev = nullptr;
    bool enabled = true;
    bool referenced = true;
    bool counted = false;  // contributes to referenced_
};

namespace {
EventLoop* g_current = nullptr;

timeval to_timeval(double seconds) {
    if (!(seconds > 0)) seconds = 0;
    timeval tv{};
    tv.tv_sec = static_cast<time_t>(seconds);
    tv.tv_usec = static_cast<suseconds_t>(std::llround((seconds - static_cast<double>(tv.tv_sec)) * 1e6));
    if (tv.tv_usec >= 1000000) {
        tv.tv_sec += 1;
        tv.tv_usec -= 1000000;
    }
    return tv;
}
}  // namespace

namespace {
// One process, one thread: no locks. The epoll changelist folds the add/del
// pairs evhttp and bufferevents make within one loop turn into at most one
// epoll_ctl per fd (measured: fewer syscalls per HTTP request).
event_base* new_base() {
    event_config* cfg = event_config_new();
    event_config_set_flag(cfg, EVENT_BASE_FLAG_NOLOCK);
    event_config_set_flag(cfg, EVENT_BASE_FLAG_EPOLL_USE_CHANGELIST);
    event_base* base = event_base_new_with_config(cfg);
    event_config_free(cfg);
    return base;
}
}  // namespace

EventLoop::EventLoop() : base_(new_base()) {
    if (base_ == nullptr) throw std::runtime_error("event_base_new() failed");
    defer_tick_ = evtimer_new(base_, &EventLoop::on_defer_tick, this);
}

EventLoop::~EventLoop() {
    clear();
    event_free(defer_tick_);
    event_base_free(base_);
}

EventLoop& EventLoop::current() {
    if (g_current == nullptr) g_current = new EventLoop();
    return *g_current;
}

void EventLoop::install_fresh_after_fork() {
    g_current = new EventLoop();  // the parent's loop is leaked on purpose
}

std::string EventLoop::add(WatcherKind kind, int fd, double seconds, Callback cb) {
    auto w = std::make_shared<Watcher>();
    w->loop = this;
    w->id = std::to_string(++next_id_);
    w->kind = kind;
    w->fd = fd;
    w->seconds = seconds;
    w->cb = std::move(cb);
    short what = 0;
    switch (kind) {
        case WatcherKind::Defer:
        case WatcherKind::Delay: what = 0; break;
        case WatcherKind::Repeat: what = EV_PERSIST; break;
        case WatcherKind::Readable: what = EV_READ | EV_PERSIST; break;
        case WatcherKind::Writable: what = EV_WRITE | EV_PERSIST; break;
        case WatcherKind::Signal: what = EV_SIGNAL | EV_PERSIST; break;
    }
    const bool uses_fd = kind == WatcherKind::Readable || kind == WatcherKind::Writable || kind == WatcherKind::Signal;
    if (kind != WatcherKind::Defer) {
        w->ev = event_new(base_, uses_fd ? fd : -1, what, &EventLoop::on_event, w.get());
        if (w->ev == nullptr) throw std::runtime_error("event_new() failed");
    }
    watchers_.emplace(w->id, w);
    arm(*w);
    set_counted(*w, true, true);
    return w->id;
}

void EventLoop::arm(Watcher& w) {
    if (w.kind == WatcherKind::Defer) {
        defer_queue_.push_back(w.id);
        if (!evtimer_pending(defer_tick_, nullptr)) {
            timeval now{0, 0};
            evtimer_add(defer_tick_, &now);
        }
    } else if (w.kind == WatcherKind::Delay || w.kind == WatcherKind::Repeat) {
        timeval tv = to_timeval(w.seconds);
        event_add(w.ev, &tv);
    } else {
        event_add(w.ev, nullptr);
    }
}

void EventLoop::disarm(Watcher& w) {
    if (w.ev) event_del(w.ev);  // a disabled defer stays queued and is skipped
}

void EventLoop::set_counted(Watcher& w, bool enabled, bool referenced) {
    w.enabled = enabled;
    w.referenced = referenced;
    const bool count = enabled && referenced;
    if (count != w.counted) {
        referenced_ += count ? 1 : -1;
        w.counted = count;
    }
}

void EventLoop::on_event(int, short, void* arg) {
    auto* raw = static_cast<Watcher*>(arg);
    EventLoop* self = raw->loop;
    auto it = self->watchers_.find(raw->id);
    if (it == self->watchers_.end()) return;
    std::shared_ptr<Watcher> w = it->second;  // survives a cancel() inside the callback
    if (w->kind == WatcherKind::Delay) self->cancel(w->id);
    w->cb(w->id);
}

void EventLoop::on_defer_tick(int, short, void* arg) {
    auto* self = static_cast<EventLoop*>(arg);
    // Only what was queued before this turn: defers added now run on the next turn, after I/O.
    std::deque<std::string> batch;
    batch.swap(self->defer_queue_);
    for (const std::string& id : batch) {
        auto it = self->watchers_.find(id);
        if (it == self->watchers_.end() || !it->second->enabled) continue;
        std::shared_ptr<Watcher> w = it->second;
        self->cancel(id);
        w->cb(id);
    }
}

std::string EventLoop::defer(Callback cb) { return add(WatcherKind::Defer, -1, 0, std::move(cb)); }
std::string EventLoop::delay(double s, Callback cb) { return add(WatcherKind::Delay, -1, s, std::move(cb)); }
std::string EventLoop::repeat(double s, Callback cb) { return add(WatcherKind::Repeat, -1, s, std::move(cb)); }
std::string EventLoop::on_readable(int fd, Callback cb) { return add(WatcherKind::Readable, fd, 0, std::move(cb)); }
std::string EventLoop::on_writable(int fd, Callback cb) { return add(WatcherKind::Writable, fd, 0, std::move(cb)); }
std::string EventLoop::on_signal(int signo, Callback cb) { return add(WatcherKind::Signal, signo, 0, std::move(cb)); }

bool EventLoop::cancel(const std::string& id) {
    auto it = watchers_.find(id);
    if (it == watchers_.end()) return false;
    std::shared_ptr<Watcher> w = it->second;
    watchers_.erase(it);
    set_counted(*w, false, w->referenced);
    if (w->ev) event_free(w->ev);
    w->ev = nullptr;
    return true;
}

bool EventLoop::enable(const std::string& id) {
    auto it = watchers_.find(id);
    if (it == watchers_.end()) return false;
    Watcher& w = *it->second;
    if (!w.enabled) {
        arm(w);
        set_counted(w, true, w.referenced);
    }
    return true;
}

bool EventLoop::disable(const std::string& id) {
    auto it = watchers_.find(id);
    if (it == watchers_.end()) return false;
    Watcher& w = *it->second;
    if (w.enabled) {
        disarm(w);
        set_counted(w, false, w.referenced);
    }
    return true;
}

bool EventLoop::reference(const std::string& id) {
    auto it = watchers_.find(id);
    if (it == watchers_.end()) return false;
    set_counted(*it->second, it->second->enabled, true);
    return true;
}

bool EventLoop::unreference(const std::string& id) {
    auto it = watchers_.find(id);
    if (it == watchers_.end()) return false;
    set_counted(*it->second, it->second->enabled, false);
    return true;
}

bool EventLoop::is_enabled(const std::string& id) const {
    auto it = watchers_.find(id);
    return it != watchers_.end() && it->second->enabled;
}

bool EventLoop::is_referenced(const std::string& id) const {
    auto it = watchers_.find(id);
    return it != watchers_.end() && it->second->referenced;
}

unsigned long long EventLoop::on_wind_down(Hook hook) {
    wind_down_hooks_.emplace_back(++next_hook_id_, std::move(hook));
    return next_hook_id_;
}

void EventLoop::cancel_wind_down(unsigned long long id) {
    for (auto& entry : wind_down_hooks_) {
        if (entry.first == id) entry.second = nullptr;  // erased below or after the running wind_down()
    }
    if (!winding_down_) std::erase_if(wind_down_hooks_, [](const auto& e) { return !e.second; });
}

void EventLoop::wind_down() {
    if (winding_down_) return;
    winding_down_ = true;
    // Hooks added while running are kept for a later wind_down(); index loop: the vector may grow.
    const std::size_t n = wind_down_hooks_.size();
    for (std::size_t i = 0; i < n && i < wind_down_hooks_.size(); ++i) {
        Hook hook = std::move(wind_down_hooks_[i].second);
        wind_down_hooks_[i].second = nullptr;
        if (hook) hook();
    }
    std::erase_if(wind_down_hooks_, [](const auto& e) { return !e.second; });
    winding_down_ = false;
}

void EventLoop::run() {
    if (running_) throw std::logic_error("the event loop is already running");
    running_ = true;
    stopping_ = false;
    while (!stopping_ && has_work()) {
        // EVLOOP_ONCE: wait for at least one event, run what is active, return.
        if (event_base_loop(base_, EVLOOP_ONCE) != 0) break;  // nothing registered at all
    }
    running_ = false;
    stopping_ = false;
}

void EventLoop::stop() {
    if (!running_) return;
    stopping_ = true;
    event_base_loopbreak(base_);
}

void EventLoop::clear() {
    while (!watchers_.empty()) cancel(watchers_.begin()->first);
}

}  // namespace ripple::loop
