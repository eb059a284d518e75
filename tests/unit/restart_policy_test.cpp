// Backoff for processes that keep dying young: immediate first restart,
// doubling waits, a cap, and a reset once a process has stayed up.
#include "supervisor/restart_policy.hpp"

#include <gtest/gtest.h>

#include <cmath>

using ripple::supervisor::RestartPolicy;
using ripple::supervisor::RestartPolicyConfig;

TEST(RestartPolicy, DefaultsAreSane) {
    RestartPolicyConfig c;
    EXPECT_GT(c.stable_after, 0);
    EXPECT_GT(c.base_delay, 0);
    EXPECT_GE(c.max_delay, c.base_delay);
}

TEST(RestartPolicy, FirstRestartIsImmediate) {
    RestartPolicy p;
    EXPECT_EQ(p.on_exit(0.01), 0.0);
    EXPECT_EQ(p.consecutive_failures(), 1);
}

TEST(RestartPolicy, DoublesOnConsecutiveFastFailures) {
    RestartPolicy p(RestartPolicyConfig{5.0, 0.5, 30.0});
    EXPECT_DOUBLE_EQ(p.on_exit(0.1), 0.0);
    EXPECT_DOUBLE_EQ(p.on_exit(0.1), 0.5);
    EXPECT_DOUBLE_EQ(p.on_exit(0.1), 1.0);
    EXPECT_DOUBLE_EQ(p.on_exit(0.1), 2.0);
    EXPECT_DOUBLE_EQ(p.on_exit(0.1), 4.0);
    EXPECT_DOUBLE_EQ(p.on_exit(4.9), 8.0);  // just under stable_after still counts as a fast failure
    EXPECT_EQ(p.consecutive_failures(), 6);
}

TEST(RestartPolicy, WaitIsNonDecreasingAndCapped) {
    RestartPolicy p(RestartPolicyConfig{5.0, 0.5, 30.0});
    double last = 0;
    for (int i = 0; i < 10000; ++i) {
        const double d = p.on_exit(0.0);
        ASSERT_TRUE(std::isfinite(d)) << "failure " << i;
        ASSERT_GE(d, last) << "failure " << i;
        ASSERT_LE(d, 30.0) << "failure " << i;
        last = d;
    }
    EXPECT_DOUBLE_EQ(last, 30.0);
}

TEST(RestartPolicy, CapAppliesExactly) {
    RestartPolicy p(RestartPolicyConfig{5.0, 1.0, 3.0});
    EXPECT_DOUBLE_EQ(p.on_exit(0), 0.0);
    EXPECT_DOUBLE_EQ(p.on_exit(0), 1.0);
    EXPECT_DOUBLE_EQ(p.on_exit(0), 2.0);
    EXPECT_DOUBLE_EQ(p.on_exit(0), 3.0);  // 4 capped to 3
    EXPECT_DOUBLE_EQ(p.on_exit(0), 3.0);
}

TEST(RestartPolicy, StableUptimeResetsTheBackoff) {
    RestartPolicy p(RestartPolicyConfig{5.0, 0.5, 30.0});
    for (int i = 0; i < 8; ++i) p.on_exit(0.1);
    EXPECT_GT(p.on_exit(0.1), 1.0);
    // A process that stayed up: restarted at once, count cleared.
    EXPECT_DOUBLE_EQ(p.on_exit(5.0), 0.0);
    EXPECT_EQ(p.consecutive_failures(), 0);
    // The next streak of fast failures starts from the beginning again.
    EXPECT_DOUBLE_EQ(p.on_exit(0.1), 0.0);
    EXPECT_DOUBLE_EQ(p.on_exit(0.1), 0.5);
    EXPECT_DOUBLE_EQ(p.on_exit(3600), 0.0);
    EXPECT_DOUBLE_EQ(p.on_exit(0.1), 0.0);
}

TEST(RestartPolicy, ExplicitReset) {
    RestartPolicy p;
    p.on_exit(0);
    p.on_exit(0);
    p.on_exit(0);
    p.reset();
    EXPECT_EQ(p.consecutive_failures(), 0);
    EXPECT_DOUBLE_EQ(p.on_exit(0), 0.0);
}
