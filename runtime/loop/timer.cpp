#include "loop/timer.hpp"

#include <event2/event.h>

#include <cmath>
#include <stdexcept>

namespace ripple::loop {

Timer::Timer(event_base* base, std::function<void()> cb) : ev_(evtimer_new(base, &Timer::fire, this)), cb_(std::move(cb)) {
    if (ev_ == nullptr) throw std::runtime_error("evtimer_new() failed");
}

Timer::~Timer() { event_free(ev_); }

void Timer::start(double seconds) {
    if (!(seconds > 0)) seconds = 0;
    timeval tv{};
    tv.tv_sec = static_cast<time_t>(seconds);
    tv.tv_usec = static_cast<suseconds_t>((seconds - static_cast<double>(tv.tv_sec)) * 1e6);
    evtimer_add(ev_, &tv);
}

void Timer::cancel() { evtimer_del(ev_); }

bool Timer::pending() const { return evtimer_pending(ev_, nullptr) != 0; }

void Timer::fire(int, short, void* arg) {
    auto* self = static_cast<Timer*>(arg);
    self->cb_();  // may destroy *self; nothing touches it afterwards
}

}  // namespace ripple::loop
