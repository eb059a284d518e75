// Exponential backoff for restarting a process that keeps dying young.
// The first restart after a failure is immediate; each further consecutive
// fast failure doubles the wait, up to a cap; a process that stayed up for
// `stable_after` seconds resets the count.
#pragma once

namespace ripple::supervisor {

struct RestartPolicyConfig {
    double stable_after = 5.0;  // seconds of uptime that count as a healthy run
    double base_delay = 0.5;    // wait before the second consecutive restart
    double max_delay = 30.0;    // cap
};

class RestartPolicy {
public:
    explicit RestartPolicy(RestartPolicyConfig config = {}) : config_(config) {}

    // Records an exit after `uptime` seconds; returns the seconds to wait before restarting.
    double on_exit(double uptime);

    int consecutive_failures() const { return failures_; }
    void reset() { failures_ = 0; }

private:
    RestartPolicyConfig config_;
    int failures_ = 0;
};

}  // namespace ripple::supervisor
