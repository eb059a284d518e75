// The chat example: a line from a client served by one worker process
// reaches a client served by the other, prefixed with a syncId.
#include "harness.hpp"

#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <regex>
#include <thread>

using e2e::LineClient;
using e2e::Ripple;
using e2e::Seconds;
using e2e::Stream;

TEST(Chat, RelaysALineBetweenClientsOnDifferentProcesses) {
    const int port = e2e::free_port();
    ASSERT_GT(port, 0);
    e2e::Options o;
    o.args = {"examples/chat.php"};
    o.env["CHAT_LISTEN"] = "127.0.0.1:" + std::to_string(port);
    Ripple r(o);
    ASSERT_TRUE(r.wait_ready(2, Seconds(20))) << r.err();

    // Connect until two clients are served by different processes. Both
    // processes accept on the shared listening socket; whichever wins serves
    // the client. Clients connect in bursts, so both processes are woken while
    // connections are pending. Greeting: "welcome: chat#I pid P".
    const std::regex welcome(R"(welcome: chat#(\d+) pid (\d+))");
    std::vector<std::unique_ptr<LineClient>> clients;
    std::map<long, LineClient*> by_pid;
    // Under CPU contention one process can win many bursts in a row, so the
    // bursts are spread over up to ~3 s.
    for (int burst = 0; burst < 30 && by_pid.size() < 2; ++burst) {
        if (burst > 0) std::this_thread::sleep_for(std::chrono::milliseconds(100));
        const std::size_t first = clients.size();
        for (int i = 0; i < 4; ++i) {
            clients.push_back(std::make_unique<LineClient>("127.0.0.1", port, Seconds(5)));
            ASSERT_TRUE(clients.back()->connected());
        }
        for (std::size_t i = first; i < clients.size(); ++i) {
            auto line = clients[i]->read_until("welcome", Seconds(5));
            ASSERT_TRUE(line) << "no greeting\n" << r.err();
            std::smatch m;
            ASSERT_TRUE(std::regex_search(*line, m, welcome)) << *line;
            const long pid = std::stol(m[2]);
            if (by_pid.count(pid) == 0u) by_pid[pid] = clients[i].get();
        }
    }
    ASSERT_EQ(by_pid.size(), 2u) << "120 connections over 3 s all landed on one process";
    const auto kids = r.children();
    for (auto& [pid, client] : by_pid) {
        EXPECT_TRUE(std::count(kids.begin(), kids.end(), static_cast<pid_t>(pid))) << "greeting pid " << pid
                                                                                   << " is not a worker";
    }
    LineClient* a = by_pid.begin()->second;
    LineClient* b = std::next(by_pid.begin())->second;
    ASSERT_TRUE(a->send_line("hello from a"));
    const std::regex relayed(R"(^\[(\d+)\] hello from a$)");
    auto got_b = b->read_until("hello from a", Seconds(10));
    ASSERT_TRUE(got_b) << r.err();
    EXPECT_TRUE(std::regex_match(*got_b, relayed)) << *got_b;
    auto got_a = a->read_until("hello from a", Seconds(10));  // the sender sees its own line too
    ASSERT_TRUE(got_a);
    EXPECT_EQ(*got_a, *got_b);
    // Every other client, whatever process serves it, gets it as well.
    for (auto& c : clients) {
        if (c.get() == a || c.get() == b) continue;
        auto got = c->read_until("hello from a", Seconds(10));
        ASSERT_TRUE(got);
        EXPECT_EQ(*got, *got_b);
    }
    // A second line gets a larger id.
    ASSERT_TRUE(b->send_line("second line"));
    auto second = a->read_until("second line", Seconds(10));
    ASSERT_TRUE(second);
    std::smatch m1, m2;
    ASSERT_TRUE(std::regex_search(*got_b, m1, std::regex(R"(^\[(\d+)\])")));
    ASSERT_TRUE(std::regex_search(*second, m2, std::regex(R"(^\[(\d+)\])")));
    EXPECT_GT(std::stol(m2[1]), std::stol(m1[1]));
}
