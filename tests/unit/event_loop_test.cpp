// The per-process event loop behind Psc\Event\Loop: Revolt semantics for
// defer/delay/repeat/cancel/enable/disable/reference/unreference, and run()
// returning once nothing referenced and enabled is left.
#include "loop/event_loop.hpp"

#include <gtest/gtest.h>

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

using ripple::loop::EventLoop;
using Clock = std::chrono::steady_clock;

namespace {

double seconds_since(Clock::time_point t0) {
    return std::chrono::duration<double>(Clock::now() - t0).count();
}

// A watchdog: a referenced-free safety net so a broken loop fails the test
// instead of hanging it. It is unreferenced, so it never keeps run() going.
struct Watchdog {
    EventLoop& loop;
    std::string id;
    bool fired = false;
    Watchdog(EventLoop& l, double seconds) : loop(l) {
        id = loop.delay(seconds, [this](const std::string&) {
            fired = true;
            loop.stop();
        });
        loop.unreference(id);
    }
    ~Watchdog() { loop.cancel(id); }
};

}  // namespace

TEST(EventLoop, RunWithNothingReturnsAtOnce) {
    EventLoop loop;
    const auto t0 = Clock::now();
    loop.run();
    EXPECT_LT(seconds_since(t0), 0.5);
    EXPECT_FALSE(loop.running());
    EXPECT_FALSE(loop.has_work());
}

TEST(EventLoop, DeferRunsOnceWithItsId) {
    EventLoop loop;
    int calls = 0;
    std::string seen;
    const std::string id = loop.defer([&](const std::string& got) {
        ++calls;
        seen = got;
        EXPECT_TRUE(loop.running());
    });
    EXPECT_FALSE(id.empty());
    EXPECT_TRUE(loop.exists(id));
    EXPECT_EQ(calls, 0);  // not run before run()
    loop.run();
    EXPECT_EQ(calls, 1);
    EXPECT_EQ(seen, id);
    EXPECT_FALSE(loop.exists(id));  // a one-shot watcher is gone after it ran
    EXPECT_FALSE(loop.cancel(id));
}

TEST(EventLoop, WatcherIdsAreUnique) {
    EventLoop loop;
    std::vector<std::string> ids;
    for (int i = 0; i < 100; ++i) ids.push_back(loop.defer([](const std::string&) {}));
    for (int i = 0; i < 100; ++i) ids.push_back(loop.delay(0.001, [](const std::string&) {}));
    std::sort(ids.begin(), ids.end());
    EXPECT_EQ(std::adjacent_find(ids.begin(), ids.end()), ids.end());
    loop.run();
}

TEST(EventLoop, DefersRunInFifoOrder) {
    // Revolt runs deferred callbacks in the order they were deferred.
    EventLoop loop;
    std::vector<int> order;
    constexpr int kCount = 2000;
    for (int i = 0; i < kCount; ++i) loop.defer([&order, i](const std::string&) { order.push_back(i); });
    loop.run();
    ASSERT_EQ(order.size(), static_cast<std::size_t>(kCount));
    for (int i = 0; i < kCount; ++i) ASSERT_EQ(order[i], i) << "defer " << i << " ran out of order";
}

TEST(EventLoop, DeferFromDeferRunsAfterTheAlreadyQueuedOnes) {
    EventLoop loop;
    std::vector<std::string> order;
    loop.defer([&](const std::string&) {
        order.push_back("a");
        loop.defer([&](const std::string&) { order.push_back("c"); });
    });
    loop.defer([&](const std::string&) { order.push_back("b"); });
    loop.run();
    EXPECT_EQ(order, (std::vector<std::string>{"a", "b", "c"}));
}

TEST(EventLoop, DelaysFireByDeadlineNotByInsertion) {
    EventLoop loop;
    std::vector<int> order;
    const auto t0 = Clock::now();
    loop.delay(0.15, [&](const std::string&) { order.push_back(150); });
    loop.delay(0.05, [&](const std::string&) { order.push_back(50); });
    loop.delay(0.10, [&](const std::string&) { order.push_back(100); });
    loop.run();
    const double took = seconds_since(t0);
    EXPECT_EQ(order, (std::vector<int>{50, 100, 150}));
    EXPECT_GE(took, 0.14);
    EXPECT_LT(took, 2.0);
}

TEST(EventLoop, DelayWaitsAtLeastItsTime) {
    EventLoop loop;
    double fired_after = -1;
    const auto t0 = Clock::now();
    loop.delay(0.08, [&](const std::string&) { fired_after = seconds_since(t0); });
    loop.run();
    EXPECT_GE(fired_after, 0.075);
    EXPECT_LT(fired_after, 1.0);
}

TEST(EventLoop, RepeatRunsUntilCancelledFromItsOwnCallback) {
    EventLoop loop;
    int ticks = 0;
    std::string repeat_id;
    const auto t0 = Clock::now();
    repeat_id = loop.repeat(0.01, [&](const std::string& id) {
        EXPECT_EQ(id, repeat_id);
        if (++ticks == 5) {
            EXPECT_TRUE(loop.cancel(id));
        }
    });
    Watchdog dog(loop, 5.0);
    loop.run();
    EXPECT_FALSE(dog.fired);
    EXPECT_EQ(ticks, 5);
    EXPECT_GE(seconds_since(t0), 0.045);
    EXPECT_FALSE(loop.exists(repeat_id));
}

TEST(EventLoop, CancelBeforeRunPreventsTheCallback) {
    EventLoop loop;
    bool ran = false;
    const std::string a = loop.defer([&](const std::string&) { ran = true; });
    const std::string b = loop.delay(0.01, [&](const std::string&) { ran = true; });
    const std::string c = loop.repeat(0.01, [&](const std::string&) { ran = true; });
    EXPECT_TRUE(loop.cancel(a));
    EXPECT_TRUE(loop.cancel(b));
    EXPECT_TRUE(loop.cancel(c));
    EXPECT_FALSE(loop.cancel(a));  // twice: unknown now
    EXPECT_FALSE(loop.has_work());
    loop.run();
    EXPECT_FALSE(ran);
}

TEST(EventLoop, CancelFromAnotherCallbackInTheSameTick) {
    EventLoop loop;
    bool second_ran = false;
    std::string second;
    loop.defer([&](const std::string&) { EXPECT_TRUE(loop.cancel(second)); });
    second = loop.defer([&](const std::string&) { second_ran = true; });
    loop.run();
    EXPECT_FALSE(second_ran);
}

TEST(EventLoop, UnknownIdsAreRejected) {
    EventLoop loop;
    EXPECT_FALSE(loop.cancel("nope"));
    EXPECT_FALSE(loop.enable("nope"));
    EXPECT_FALSE(loop.disable("nope"));
    EXPECT_FALSE(loop.reference("nope"));
    EXPECT_FALSE(loop.unreference("nope"));
    EXPECT_FALSE(loop.exists("nope"));
    EXPECT_FALSE(loop.is_enabled("nope"));
    EXPECT_FALSE(loop.is_referenced("nope"));
}

TEST(EventLoop, DisabledWatcherDoesNotFireNorKeepRunGoing) {
    EventLoop loop;
    bool ran = false;
    const std::string id = loop.delay(0.01, [&](const std::string&) { ran = true; });
    EXPECT_TRUE(loop.is_enabled(id));
    EXPECT_TRUE(loop.disable(id));
    EXPECT_FALSE(loop.is_enabled(id));
    EXPECT_TRUE(loop.exists(id));
    EXPECT_FALSE(loop.has_work());
    const auto t0 = Clock::now();
    loop.run();
    EXPECT_LT(seconds_since(t0), 0.5);
    EXPECT_FALSE(ran);
    EXPECT_TRUE(loop.exists(id));  // disabled is not cancelled
    // Enabled again, it fires.
    EXPECT_TRUE(loop.enable(id));
    EXPECT_TRUE(loop.has_work());
    loop.run();
    EXPECT_TRUE(ran);
}

TEST(EventLoop, DisableAndEnableAreIdempotent) {
    EventLoop loop;
    int ticks = 0;
    const std::string id = loop.repeat(0.005, [&](const std::string& self) {
        if (++ticks == 3) loop.cancel(self);
    });
    EXPECT_TRUE(loop.disable(id));
    EXPECT_TRUE(loop.disable(id));
    EXPECT_FALSE(loop.has_work());
    EXPECT_TRUE(loop.enable(id));
    EXPECT_TRUE(loop.enable(id));
    EXPECT_TRUE(loop.has_work());
    Watchdog dog(loop, 5.0);
    loop.run();
    EXPECT_EQ(ticks, 3);
    EXPECT_FALSE(dog.fired);
    EXPECT_FALSE(loop.has_work());
}

TEST(EventLoop, DisableARepeatFromAnotherCallbackStopsIt) {
    EventLoop loop;
    int ticks = 0;
    const std::string rep = loop.repeat(0.005, [&](const std::string&) { ++ticks; });
    loop.delay(0.05, [&](const std::string&) { loop.disable(rep); });
    Watchdog dog(loop, 5.0);
    loop.run();  // must return: the only referenced watcher left is disabled
    EXPECT_FALSE(dog.fired);
    const int at_disable = ticks;
    EXPECT_GT(at_disable, 0);
    // Nothing fires for a disabled watcher even if the loop runs again for a while.
    loop.delay(0.05, [](const std::string&) {});
    loop.run();
    EXPECT_EQ(ticks, at_disable);
}

TEST(EventLoop, UnreferencedWatcherAloneDoesNotKeepRunGoing) {
    EventLoop loop;
    bool ran = false;
    const std::string id = loop.delay(0.2, [&](const std::string&) { ran = true; });
    EXPECT_TRUE(loop.is_referenced(id));
    EXPECT_TRUE(loop.unreference(id));
    EXPECT_FALSE(loop.is_referenced(id));
    EXPECT_TRUE(loop.is_enabled(id));
    const auto t0 = Clock::now();
    loop.run();
    EXPECT_LT(seconds_since(t0), 0.15);
    EXPECT_FALSE(ran);
    // Referenced again, it keeps the loop going until it fires.
    EXPECT_TRUE(loop.reference(id));
    loop.run();
    EXPECT_TRUE(ran);
}

TEST(EventLoop, UnreferencedWatcherStillFiresWhileSomethingElseKeepsTheLoop) {
    EventLoop loop;
    int ticks = 0;
    const std::string rep = loop.repeat(0.005, [&](const std::string&) { ++ticks; });
    loop.unreference(rep);
    loop.delay(0.1, [](const std::string&) {});
    loop.run();
    EXPECT_GE(ticks, 3);  // ran while the delay kept the loop alive
    EXPECT_TRUE(loop.exists(rep));
    loop.cancel(rep);
}

TEST(EventLoop, RunReturnsWhenTheLastReferencedWatcherIsCancelled) {
    EventLoop loop;
    const std::string far = loop.delay(30, [](const std::string&) {});
    loop.delay(0.02, [&](const std::string&) { loop.cancel(far); });
    Watchdog dog(loop, 5.0);
    const auto t0 = Clock::now();
    loop.run();
    EXPECT_FALSE(dog.fired);
    EXPECT_LT(seconds_since(t0), 2.0);
}

TEST(EventLoop, RunReturnsWhenTheLastReferencedWatcherIsUnreferenced) {
    EventLoop loop;
    const std::string far = loop.repeat(30, [](const std::string&) {});
    loop.delay(0.02, [&](const std::string&) { loop.unreference(far); });
    Watchdog dog(loop, 5.0);
    loop.run();
    EXPECT_FALSE(dog.fired);
    EXPECT_TRUE(loop.exists(far));
    loop.cancel(far);
}

TEST(EventLoop, StopEndsRunEvenWithReferencedWatchers) {
    EventLoop loop;
    int ticks = 0;
    const std::string rep = loop.repeat(0.005, [&](const std::string&) {
        if (++ticks >= 2) loop.stop();
    });
    Watchdog dog(loop, 5.0);
    loop.run();
    EXPECT_FALSE(dog.fired);
    EXPECT_EQ(ticks, 2);
    EXPECT_FALSE(loop.running());
    // The watcher survives a stop; run() resumes it.
    EXPECT_TRUE(loop.exists(rep));
    loop.run();
    EXPECT_EQ(ticks, 3);  // stopped again from the third tick
    loop.cancel(rep);
}

TEST(EventLoop, StopOutsideRunIsANoOp) {
    EventLoop loop;
    loop.stop();
    bool ran = false;
    loop.defer([&](const std::string&) { ran = true; });
    loop.run();
    EXPECT_TRUE(ran);
}

TEST(EventLoop, NestedRunIsRefused) {
    EventLoop loop;
    bool threw = false;
    loop.defer([&](const std::string&) {
        try {
            loop.run();
        } catch (const std::logic_error&) {
            threw = true;
        }
    });
    loop.run();
    EXPECT_TRUE(threw);
}

TEST(EventLoop, HoldKeepsRunGoingUntilReleased) {
    EventLoop loop;
    loop.hold();
    EXPECT_TRUE(loop.has_work());
    int ticks = 0;
    const std::string rep = loop.repeat(0.005, [&](const std::string&) {
        if (++ticks == 5) loop.release();
    });
    loop.unreference(rep);  // only the hold keeps the loop
    Watchdog dog(loop, 5.0);
    loop.run();
    EXPECT_FALSE(dog.fired);
    EXPECT_EQ(ticks, 5);
    EXPECT_FALSE(loop.has_work());
    loop.release();  // extra release does not underflow
    EXPECT_FALSE(loop.has_work());
    loop.cancel(rep);
}

TEST(EventLoop, ReadableWatcherGetsPipeData) {
    EventLoop loop;
    int fds[2];
    ASSERT_EQ(pipe2(fds, O_NONBLOCK), 0);
    std::string got;
    loop.on_readable(fds[0], [&](const std::string& id) {
        char buf[64];
        const ssize_t n = ::read(fds[0], buf, sizeof buf);
        if (n > 0) got.append(buf, static_cast<std::size_t>(n));
        if (got == "hello") loop.cancel(id);
    });
    loop.delay(0.02, [&](const std::string&) { ASSERT_EQ(::write(fds[1], "hello", 5), 5); });
    Watchdog dog(loop, 5.0);
    loop.run();
    EXPECT_FALSE(dog.fired);
    EXPECT_EQ(got, "hello");
    ::close(fds[0]);
    ::close(fds[1]);
}

TEST(EventLoop, WritableWatcherFiresForAWritablePipe) {
    EventLoop loop;
    int fds[2];
    ASSERT_EQ(pipe2(fds, O_NONBLOCK), 0);
    int calls = 0;
    loop.on_writable(fds[1], [&](const std::string& id) {
        ++calls;
        loop.cancel(id);
    });
    Watchdog dog(loop, 5.0);
    loop.run();
    EXPECT_FALSE(dog.fired);
    EXPECT_EQ(calls, 1);
    ::close(fds[0]);
    ::close(fds[1]);
}

TEST(EventLoop, UnreferencedReadableWatcherDoesNotKeepTheLoop) {
    EventLoop loop;
    int fds[2];
    ASSERT_EQ(pipe2(fds, O_NONBLOCK), 0);
    const std::string id = loop.on_readable(fds[0], [](const std::string&) {});
    loop.unreference(id);
    const auto t0 = Clock::now();
    loop.run();
    EXPECT_LT(seconds_since(t0), 0.5);
    loop.cancel(id);
    ::close(fds[0]);
    ::close(fds[1]);
}

TEST(EventLoop, SignalWatcher) {
    EventLoop loop;
    int got = 0;
    const std::string id = loop.on_signal(SIGUSR2, [&](const std::string& self) {
        ++got;
        loop.cancel(self);
    });
    EXPECT_FALSE(id.empty());
    loop.defer([](const std::string&) { ::kill(::getpid(), SIGUSR2); });
    Watchdog dog(loop, 5.0);
    loop.run();
    EXPECT_FALSE(dog.fired);
    EXPECT_EQ(got, 1);
}

TEST(EventLoop, ClearDropsEveryWatcherWithoutRunningIt) {
    EventLoop loop;
    bool ran = false;
    const std::string a = loop.defer([&](const std::string&) { ran = true; });
    const std::string b = loop.repeat(0.01, [&](const std::string&) { ran = true; });
    loop.clear();
    EXPECT_FALSE(loop.exists(a));
    EXPECT_FALSE(loop.exists(b));
    EXPECT_FALSE(loop.has_work());
    loop.run();
    EXPECT_FALSE(ran);
}

TEST(EventLoop, CallbackCanAddWatchersThatKeepTheLoopGoing) {
    EventLoop loop;
    int chain = 0;
    std::function<void(const std::string&)> step = [&](const std::string&) {
        if (++chain < 20) loop.delay(0.001, step);
    };
    loop.defer(step);
    Watchdog dog(loop, 5.0);
    loop.run();
    EXPECT_FALSE(dog.fired);
    EXPECT_EQ(chain, 20);
}
