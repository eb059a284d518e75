// Supervision of real processes: counts and titles, replacement of a killed
// worker, orderly stop on SIGTERM/SIGINT, no orphans when the manager dies.
#include "harness.hpp"

#include <gtest/gtest.h>

#include <signal.h>

#include <algorithm>
#include <set>

using e2e::Ripple;
using e2e::Seconds;
using e2e::Stream;

namespace {

const Seconds kStart{20};

e2e::Options services(const std::string& spec) {
    e2e::Options o;
    o.args = {"tests-php/fixtures/services.php"};
    o.env["SERVICES"] = spec;
    return o;
}

std::multiset<std::string> titles(const std::vector<pid_t>& pids) {
    std::multiset<std::string> t;
    for (pid_t p : pids) t.insert(e2e::cmdline(p));
    return t;
}

}  // namespace

TEST(Supervision, StartsEveryProcessWithItsTitle) {
    Ripple r(services("alpha:3,beta:2"));
    ASSERT_TRUE(r.wait_ready(5, kStart)) << r.err();
    auto kids = r.wait_children(5, Seconds(5));
    ASSERT_TRUE(kids) << "children: " << r.children().size() << "\n" << r.err();
    EXPECT_EQ(titles(*kids), (std::multiset<std::string>{"ripple: alpha#0", "ripple: alpha#1", "ripple: alpha#2",
                                                          "ripple: beta#0", "ripple: beta#1"}));
    // Every process ran boot() once, and register() ran once per service in the manager.
    ASSERT_TRUE(r.wait_count(Stream::Out, "FIXTURE boot ", 5, Seconds(5))) << r.out();
    EXPECT_EQ(r.count(Stream::Out, "FIXTURE register alpha pid " + std::to_string(r.pid())), 1u) << r.out();
    EXPECT_EQ(r.count(Stream::Out, "FIXTURE register beta pid " + std::to_string(r.pid())), 1u) << r.out();
    // The pids in the manager's ready lines are the children.
    std::vector<pid_t> ready;
    for (const auto& l : r.lines(Stream::Err)) {
        if (l.find("[manager]") != std::string::npos && l.find(" ready after ") != std::string::npos) {
            ready.push_back(e2e::pid_in(l));
        }
    }
    std::sort(ready.begin(), ready.end());
    EXPECT_EQ(ready, *kids);
}

TEST(Supervision, KilledWorkerIsReplaced) {
    Ripple r(services("alpha:3"));
    ASSERT_TRUE(r.wait_ready(3, kStart)) << r.err();
    auto kids = r.wait_children(3, Seconds(5));
    ASSERT_TRUE(kids);
    pid_t victim = 0;
    for (pid_t p : *kids) {
        if (e2e::cmdline(p) == "ripple: alpha#1") victim = p;
    }
    ASSERT_NE(victim, 0) << "no process titled ripple: alpha#1";
    const std::size_t mark = r.lines(Stream::Err).size();
    ASSERT_EQ(::kill(victim, SIGKILL), 0);
    // The exit is logged with its signal, and a new alpha#1 becomes ready.
    auto exit_line = r.wait_for(Stream::Err, "pid " + std::to_string(victim) + " exited with signal SIGKILL",
                                Seconds(10), mark);
    EXPECT_TRUE(exit_line) << r.err();
    auto ready = r.wait_line(
        Stream::Err,
        [](const std::string& l) { return l.find("[manager] alpha#1 pid ") != std::string::npos &&
                                          l.find(" ready after ") != std::string::npos; },
        Seconds(10), mark);
    ASSERT_TRUE(ready) << r.err();
    const pid_t replacement = e2e::pid_in(r.lines(Stream::Err)[*ready]);
    EXPECT_NE(replacement, victim);
    EXPECT_TRUE(e2e::alive(replacement));
    EXPECT_EQ(e2e::parent_of(replacement), r.pid());
    EXPECT_EQ(e2e::cmdline(replacement), "ripple: alpha#1");
    auto after = r.wait_children(3, Seconds(5));
    ASSERT_TRUE(after);
    EXPECT_EQ(titles(*after), (std::multiset<std::string>{"ripple: alpha#0", "ripple: alpha#1", "ripple: alpha#2"}));
    // The other two were not touched.
    for (pid_t p : *kids) {
        if (p != victim) {
            EXPECT_TRUE(std::count(after->begin(), after->end(), p)) << p;
        }
    }
}

TEST(Supervision, WorkerKilledRepeatedlyIsAlwaysReplacedWithBackoff) {
    Ripple r(services("alpha:1"));
    ASSERT_TRUE(r.wait_ready(1, kStart)) << r.err();
    std::set<pid_t> seen;
    for (int round = 0; round < 3; ++round) {
        pid_t p = 0;
        ASSERT_TRUE(e2e::eventually([&] {
            auto k = r.children();
            if (k.size() != 1 || seen.count(k.front()) != 0) return false;
            p = k.front();
            return true;
        }, Seconds(15))) << "round " << round << "\n" << r.err();
        seen.insert(p);
        const std::size_t mark = r.lines(Stream::Err).size();
        ASSERT_EQ(::kill(p, SIGKILL), 0);
        ASSERT_TRUE(r.wait_ready(1, Seconds(15), mark)) << "round " << round << "\n" << r.err();
    }
    EXPECT_EQ(seen.size(), 3u);
    // Three fast failures in a row: the later restarts were delayed, and the log says so.
    EXPECT_GE(r.count(Stream::Err, "times in a row; restarting in"), 1u) << r.err();
}

TEST(Supervision, SigtermStopsEverythingAndExitsZero) {
    Ripple r(services("alpha:2,beta:2"));
    ASSERT_TRUE(r.wait_ready(4, kStart)) << r.err();
    auto kids = r.wait_children(4, Seconds(5));
    ASSERT_TRUE(kids);
    r.signal(SIGTERM);
    EXPECT_EQ(r.exit_code(Seconds(20)), 0) << r.err();
    for (pid_t p : *kids) EXPECT_FALSE(e2e::alive(p)) << "worker " << p << " outlived the manager";
    // Each process got its stop notice, and run() returned into the script.
    EXPECT_EQ(r.count(Stream::Out, "FIXTURE stop "), 4u) << r.out();
    EXPECT_EQ(r.count(Stream::Out, "FIXTURE run returned"), 1u) << r.out();
    EXPECT_EQ(r.count(Stream::Err, "(unexpected)"), 0u) << r.err();
}

TEST(Supervision, SigintStopsEverythingAndExitsZero) {
    Ripple r(services("alpha:2"));
    ASSERT_TRUE(r.wait_ready(2, kStart)) << r.err();
    auto kids = r.wait_children(2, Seconds(5));
    ASSERT_TRUE(kids);
    r.signal(SIGINT);
    EXPECT_EQ(r.exit_code(Seconds(20)), 0) << r.err();
    for (pid_t p : *kids) EXPECT_FALSE(e2e::alive(p));
    EXPECT_EQ(r.count(Stream::Out, "FIXTURE run returned"), 1u) << r.out();
}

TEST(Supervision, ManagerDeathLeavesNoOrphans) {
    Ripple r(services("alpha:3"));
    ASSERT_TRUE(r.wait_ready(3, kStart)) << r.err();
    auto kids = r.wait_children(3, Seconds(5));
    ASSERT_TRUE(kids);
    r.signal(SIGKILL);
    EXPECT_EQ(r.exit_code(Seconds(5)), 128 + SIGKILL);
    EXPECT_TRUE(e2e::eventually([&] {
        return std::none_of(kids->begin(), kids->end(), [](pid_t p) { return e2e::alive(p); });
    }, Seconds(2.5))) << "workers still alive 2.5 s after the manager died";
}
