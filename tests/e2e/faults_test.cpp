// Fault-injection end-to-end tests: each starts the real ripple binary on a
// fixture from tests-php/fixtures/fault_*.php and tries to break supervision
// (reload under load, broken deploys, crash loops, a killed manager, stray
// grandchildren, exit() in odd places, signals to the whole group, ...).
#include "harness.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <arpa/inet.h>
#include <dirent.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <mutex>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <thread>

namespace {

using e2e::Ripple;
using e2e::fixture;
using e2e::TempDir;
using e2e::Seconds;
using e2e::Stream;
using Clock = std::chrono::steady_clock;

e2e::Options script_options(const TempDir& dir, const std::string& name, std::map<std::string, std::string> env = {},
                            std::vector<std::string> extra = {}) {
    return e2e::fixture_run(dir, name, "FAULT_DIR", std::move(env), std::move(extra));
}
e2e::Finished client(std::vector<std::string> args, Seconds timeout = Seconds(15)) {
    return e2e::run_to_end(std::move(args), timeout);
}


// A private scratch directory per test, removed afterwards.
// Kills a pid we learned about (a grandchild) when the test ends, whatever happened.
struct KillOnExit {
    pid_t pid = 0;
    ~KillOnExit() {
        if (pid > 0) ::kill(pid, SIGKILL);
    }
};

// The value after "KEY " or "KEY=" in a line, up to the next space.
std::string field(const std::string& line, const std::string& key) {
    const auto p = line.find(key);
    if (p == std::string::npos) return {};
    const auto start = p + key.size();
    const auto end = line.find(' ', start);
    return line.substr(start, end == std::string::npos ? std::string::npos : end - start);
}

// The integer after `token` ("BOOTED 1234" -> 1234 for token "BOOTED ").
long number_after(const std::string& line, const std::string& token) {
    const auto p = line.find(token);
    if (p == std::string::npos) return 0;
    return std::strtol(line.c_str() + p + token.size(), nullptr, 10);
}

// Lines (from `from`) that contain every needle.
std::vector<std::string> grep(const Ripple& r, Stream s, std::initializer_list<std::string> needles,
                              std::size_t from = 0) {
    std::vector<std::string> out;
    const auto& ls = r.lines(s);
    for (std::size_t i = from; i < ls.size(); ++i) {
        bool all = true;
        for (const auto& n : needles) all = all && ls[i].find(n) != std::string::npos;
        if (all) out.push_back(ls[i]);
    }
    return out;
}

// Pids of the manager's "ready" lines for service NAME (from line `from`).
std::vector<pid_t> ready_pids(const Ripple& r, const std::string& name, std::size_t from = 0) {
    std::vector<pid_t> pids;
    for (const auto& l : grep(r, Stream::Err, {"[manager] " + name + "#", " ready after "}, from)) {
        pids.push_back(e2e::pid_in(l));
    }
    return pids;
}

// Pumps the manager's output while waiting for a condition (keeps its pipes drained).
bool pump_until(Ripple& r, const std::function<bool()>& cond, Seconds timeout) {
    const auto deadline = Clock::now() + std::chrono::duration_cast<Clock::duration>(timeout);
    for (;;) {
        if (cond()) return true;
        if (Clock::now() >= deadline) return false;
        r.pump(Seconds(0.02));
    }
}

std::string all_output(const Ripple& r) { return "--- stdout ---\n" + r.out() + "--- stderr ---\n" + r.err(); }

// One request on a fresh connection to the fixture line server: "PID LINE" back, then EOF.
std::optional<std::string> one_request(int port, const std::string& line, std::string& error) {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
        error = std::string("connect: ") + std::strerror(errno);
        ::close(fd);
        return std::nullopt;
    }
    const std::string req = line + "\n";
    if (::send(fd, req.data(), req.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(req.size())) {
        error = std::string("send: ") + std::strerror(errno);
        ::close(fd);
        return std::nullopt;
    }
    std::string reply;
    const auto deadline = Clock::now() + std::chrono::seconds(3);
    for (;;) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
        if (left <= 0) {
            error = "timeout; got '" + reply + "'";
            ::close(fd);
            return std::nullopt;
        }
        pollfd p{fd, POLLIN, 0};
        if (::poll(&p, 1, static_cast<int>(left)) <= 0) continue;
        char buf[512];
        const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
            error = std::string("recv: ") + std::strerror(errno) + "; got '" + reply + "'";
            ::close(fd);
            return std::nullopt;
        }
        if (n == 0) break;
        reply.append(buf, static_cast<std::size_t>(n));
    }
    ::close(fd);
    if (reply.empty() || reply.back() != '\n') {
        error = "short reply '" + reply + "'";
        return std::nullopt;
    }
    reply.pop_back();
    return reply;
}

int listen_port(Ripple& r) {
    auto l = r.wait_for(Stream::Err, "LISTEN ", Seconds(10));
    return l ? static_cast<int>(number_after(*l, "LISTEN ")) : 0;
}

// Every pid in /proc whose cmdline starts with "ripple: NAME#".
std::vector<pid_t> processes_titled(const std::string& name) {
    std::vector<pid_t> out;
    DIR* d = opendir("/proc");
    if (d == nullptr) return out;
    while (dirent* e = readdir(d)) {
        if (e->d_name[0] < '0' || e->d_name[0] > '9') continue;
        const pid_t pid = static_cast<pid_t>(std::atoi(e->d_name));
        if (e2e::cmdline(pid).rfind("ripple: " + name + "#", 0) == 0 && e2e::alive(pid)) out.push_back(pid);
    }
    closedir(d);
    return out;
}

// Zombie children of `parent`.
std::vector<pid_t> zombie_children(pid_t parent) {
    std::vector<pid_t> out;
    DIR* d = opendir("/proc");
    if (d == nullptr) return out;
    while (dirent* e = readdir(d)) {
        if (e->d_name[0] < '0' || e->d_name[0] > '9') continue;
        const pid_t pid = static_cast<pid_t>(std::atoi(e->d_name));
        if (e2e::parent_of(pid) == parent && e2e::proc_state(pid) == 'Z') out.push_back(pid);
    }
    closedir(d);
    return out;
}

// fd number -> link target, for a process.
std::map<int, std::string> fd_table(pid_t pid) {
    std::map<int, std::string> out;
    const std::string dir = "/proc/" + std::to_string(pid) + "/fd";
    DIR* d = opendir(dir.c_str());
    if (d == nullptr) return out;
    while (dirent* e = readdir(d)) {
        if (e->d_name[0] == '.') continue;
        char target[512];
        const ssize_t n = readlink((dir + "/" + e->d_name).c_str(), target, sizeof target - 1);
        if (n <= 0) continue;
        out[std::atoi(e->d_name)] = std::string(target, static_cast<std::size_t>(n));
    }
    closedir(d);
    return out;
}

// ---------------------------------------------------------------------------------------------

// Rolling reload is capacity-preserving: a client hammering the service with
// one connection per request sees no failed connection and no failed request
// across two reloads, and the answers move from the old pids to the new ones.
TEST(Faults, ReloadUnderTcpLoadFailsNoRequest) {
    TempDir dir;
    Ripple r(script_options(dir, "fault_echo.php"));
    const int port = listen_port(r);
    ASSERT_GT(port, 0) << all_output(r);
    ASSERT_TRUE(r.wait_ready(2, Seconds(10))) << all_output(r);
    const auto first = ready_pids(r, "echo");

    std::atomic<bool> done{false};
    std::atomic<long> ok{0};
    std::mutex mu;
    std::vector<std::string> failures;
    std::set<std::string> pids_seen;
    auto loop = [&](int id) {
        for (long n = 0; !done.load(); ++n) {
            const std::string line = "req-" + std::to_string(id) + "-" + std::to_string(n);
            std::string error;
            auto reply = one_request(port, line, error);
            std::lock_guard<std::mutex> lock(mu);
            if (!reply) {
                failures.push_back(line + ": " + error);
            } else if (reply->size() <= line.size() || reply->substr(reply->size() - line.size()) != line) {
                failures.push_back(line + ": wrong reply '" + *reply + "'");
            } else {
                ++ok;
                pids_seen.insert(reply->substr(0, reply->find(' ')));
            }
        }
    };
    std::thread c1(loop, 1), c2(loop, 2);
    struct Join {
        std::atomic<bool>& done;
        std::thread& a;
        std::thread& b;
        ~Join() {
            done = true;
            if (a.joinable()) a.join();
            if (b.joinable()) b.join();
        }
    } join{done, c1, c2};

    // Let traffic flow, then reload twice (signal, then signal again once complete).
    EXPECT_TRUE(pump_until(r, [&] { return ok.load() > 50; }, Seconds(10))) << all_output(r);
    for (int round = 1; round <= 2; ++round) {
        const long before = ok.load();
        r.signal(SIGHUP);
        EXPECT_TRUE(pump_until(r, [&] { return r.count(Stream::Err, "reload of echo complete") >= std::size_t(round); },
                               Seconds(10)))
            << all_output(r);
        EXPECT_TRUE(pump_until(r, [&] { return ok.load() > before + 50; }, Seconds(10))) << all_output(r);
    }
    // The retired processes finish and exit cleanly.
    EXPECT_TRUE(pump_until(r, [&] { return r.count(Stream::Err, "exited with exit status 0") >= 4; }, Seconds(10)))
        << all_output(r);
    done = true;
    c1.join();
    c2.join();

    std::lock_guard<std::mutex> lock(mu);
    EXPECT_TRUE(failures.empty()) << failures.size() << " failed requests of " << ok.load() + failures.size()
                                  << ", first: " << failures.front() << "\n"
                                  << all_output(r);
    EXPECT_GT(ok.load(), 150);
    const auto all = ready_pids(r, "echo");
    ASSERT_EQ(all.size(), 6u) << all_output(r);  // 2 first + 2 per reload
    for (pid_t p : {all[4], all[5]}) EXPECT_TRUE(pids_seen.count(std::to_string(p))) << "new pid " << p << " never answered";
    for (pid_t p : first) EXPECT_TRUE(pids_seen.count(std::to_string(p))) << "old pid " << p << " never answered";
    EXPECT_EQ(r.count(Stream::Err, "(unexpected)"), 0u) << all_output(r);
}

// A deploy whose boot() throws: the reload is aborted, the error is logged, and
// the old processes keep serving; once fixed, the next reload goes through.
TEST(Faults, ReloadWithBrokenBootKeepsOldProcessesServing) {
    TempDir dir;
    const std::string flag = dir.file("broken");
    Ripple r(script_options(dir, "fault_echo.php", {{"FAULT_FLAG", flag}}));
    const int port = listen_port(r);
    ASSERT_GT(port, 0) << all_output(r);
    ASSERT_TRUE(r.wait_ready(2, Seconds(10))) << all_output(r);
    const auto old = ready_pids(r, "echo");
    ASSERT_EQ(old.size(), 2u);

    std::ofstream(flag) << "x";
    const std::size_t mark = r.lines(Stream::Err).size();
    r.signal(SIGHUP);
    auto aborted = r.wait_for(Stream::Err, "reload of echo aborted", Seconds(10), mark);
    ASSERT_TRUE(aborted) << all_output(r);
    EXPECT_NE(aborted->find("old processes keep serving"), std::string::npos) << *aborted;
    // The user's exception is in the log, tagged with the replacement.
    EXPECT_TRUE(r.wait_for(Stream::Err, "boot refused, flag file present", Seconds(5), mark)) << all_output(r);
    EXPECT_EQ(r.count(Stream::Err, "reload of echo complete"), 0u);

    // Old processes alive, still titled and still the ones answering.
    for (pid_t p : old) {
        EXPECT_TRUE(e2e::alive(p)) << p;
        EXPECT_EQ(e2e::cmdline(p).rfind("ripple: echo#", 0), 0u) << e2e::cmdline(p);
    }
    std::set<pid_t> answered;
    for (int i = 0; i < 20; ++i) {
        std::string error;
        auto reply = one_request(port, "after-abort-" + std::to_string(i), error);
        ASSERT_TRUE(reply) << error << "\n" << all_output(r);
        answered.insert(static_cast<pid_t>(std::atol(reply->c_str())));
    }
    for (pid_t p : answered) EXPECT_TRUE(p == old[0] || p == old[1]) << "answered by unexpected pid " << p;
    // Not a crash loop: the failed replacement is not retried on its own.
    r.pump(Seconds(1.2));
    EXPECT_EQ(r.count(Stream::Out, "BOOT-REFUSED"), 1u) << all_output(r);
    EXPECT_EQ(r.children().size(), 2u);

    // Fixed: the next reload completes and replaces both.
    std::filesystem::remove(flag);
    r.signal(SIGHUP);
    ASSERT_TRUE(r.wait_for(Stream::Err, "reload of echo complete", Seconds(10), mark)) << all_output(r);
    EXPECT_TRUE(e2e::eventually([&] { return !e2e::alive(old[0]) && !e2e::alive(old[1]); }, Seconds(5)));
}

// A boot() that always throws is restarted with backoff, not in a fork storm.
TEST(Faults, AlwaysFailingBootIsBackedOff) {
    TempDir dir;
    Ripple r(script_options(dir, "fault_boot_throws.php"));
    r.pump(Seconds(0.1));
    const auto start = Clock::now();
    while (Clock::now() - start < std::chrono::seconds(10)) r.pump(Seconds(0.1));
    const std::size_t exits = r.count(Stream::Err, "bootfail#0 pid");
    const std::size_t exited = grep(r, Stream::Err, {"[manager] bootfail#0 pid", "exited with exit status 255"}).size();
    EXPECT_GE(exited, 3u) << all_output(r);  // it is being restarted
    EXPECT_LE(exited, 8u) << "fork storm: " << exited << " exits in 10s\n" << all_output(r);
    EXPECT_GE(r.count(Stream::Err, "times in a row; restarting in"), 2u) << all_output(r);
    EXPECT_GT(exits, 0u);
    EXPECT_TRUE(r.wait_for(Stream::Err, "boot() always fails", Seconds(0.1))) << "the exception is not logged";
    EXPECT_FALSE(r.exited());
}

// SIGKILL to the manager: every worker is gone within 3 seconds.
TEST(Faults, ManagerSigkillLeavesNoWorker) {
    TempDir dir;
    const std::string name = "orphan" + std::to_string(getpid());
    Ripple r(script_options(dir, "fault_idle.php", {{"FAULT_NAME", name}, {"FAULT_COUNT", "3"}}));
    ASSERT_TRUE(r.wait_ready(3, Seconds(10))) << all_output(r);
    const auto workers = processes_titled(name);
    ASSERT_EQ(workers.size(), 3u);
    r.signal(SIGKILL);
    ASSERT_TRUE(r.wait_exit(Seconds(5)));
    EXPECT_TRUE(e2e::eventually([&] { return processes_titled(name).empty(); }, Seconds(3)))
        << processes_titled(name).size() << " worker(s) survived the manager";
}

// A worker that proc_open()s a short-lived child and exits: the orphaned
// grandchild is adopted by the manager (subreaper) and reaped: no zombie.
TEST(Faults, OrphanedGrandchildIsReaped) {
    TempDir dir;
    Ripple r(script_options(dir, "fault_grandchild.php", {{"FAULT_SLEEP", "1"}}));
    auto line = r.wait_for(Stream::Out, "GRANDCHILD ", Seconds(10));
    ASSERT_TRUE(line) << all_output(r);
    KillOnExit gc{static_cast<pid_t>(number_after(*line, "GRANDCHILD "))};
    ASSERT_GT(gc.pid, 0);
    // The worker exits; the grandchild's parent becomes the manager.
    ASSERT_TRUE(r.wait_for(Stream::Err, "parent#0 pid", Seconds(5))) << all_output(r);
    ASSERT_TRUE(r.wait_for(Stream::Err, "exited with exit status 0", Seconds(5))) << all_output(r);
    if (e2e::alive(gc.pid)) {
        EXPECT_EQ(e2e::parent_of(gc.pid), r.pid()) << "the manager is not the subreaper";
    }
    // sleep 1 ends: reaped, not left as a zombie of the manager.
    EXPECT_TRUE(e2e::eventually([&] { return e2e::proc_state(gc.pid) == 0; }, Seconds(4)))
        << "grandchild state " << e2e::proc_state(gc.pid) << " parent " << e2e::parent_of(gc.pid);
    EXPECT_TRUE(zombie_children(r.pid()).empty());
    // The worker was restarted and is up.
    EXPECT_TRUE(r.wait_ready(2, Seconds(5))) << all_output(r);
}

// A long-lived grandchild left behind by a worker does not outlive a stopped
// manager ("no orphans"): stopping the services ends what the manager adopted.
TEST(Faults, AdoptedGrandchildDoesNotOutliveTheManager) {
    TempDir dir;
    Ripple r(script_options(dir, "fault_grandchild.php", {{"FAULT_SLEEP", "30"}}));
    auto line = r.wait_for(Stream::Out, "GRANDCHILD ", Seconds(10));
    ASSERT_TRUE(line) << all_output(r);
    KillOnExit gc{static_cast<pid_t>(number_after(*line, "GRANDCHILD "))};
    ASSERT_TRUE(r.wait_ready(2, Seconds(5))) << all_output(r);  // the restarted worker
    ASSERT_TRUE(e2e::eventually([&] { return e2e::parent_of(gc.pid) == r.pid(); }, Seconds(3)));
    r.signal(SIGTERM);
    EXPECT_EQ(r.exit_code(Seconds(15)), 0) << all_output(r);
    EXPECT_TRUE(e2e::eventually([&] { return !e2e::alive(gc.pid); }, Seconds(3)))
        << "grandchild " << gc.pid << " (sleep 30) is still running after the manager exited; parent now "
        << e2e::parent_of(gc.pid);
}

// Each worker reseeds its generators after the fork: no two processes share
// an mt_rand()/rand()/shuffle() sequence, an lcg_value() or a uniqid('', true).
TEST(Faults, WorkersDoNotShareRandomSequences) {
    TempDir dir;
    Ripple r(script_options(dir, "fault_rng.php"));
    ASSERT_TRUE(r.wait_count(Stream::Out, "RNG ", 3, Seconds(10))) << all_output(r);
    // A restarted process gets fresh sequences too.
    const auto first = grep(r, Stream::Out, {"RNG "});
    ::kill(static_cast<pid_t>(number_after(first[0], "RNG ")), SIGKILL);
    ASSERT_TRUE(r.wait_count(Stream::Out, "RNG ", 4, Seconds(10))) << all_output(r);
    const auto lines = grep(r, Stream::Out, {"RNG "});
    for (const char* key : {"mt=", "rand=", "lcg=", "uniqid=", "shuffle="}) {
        std::set<std::string> values;
        for (const auto& l : lines) {
            const std::string v = field(l, std::string(" ") + key);
            ASSERT_FALSE(v.empty()) << l;
            values.insert(v);
        }
        EXPECT_EQ(values.size(), lines.size()) << "two processes share " << key << "\n" << r.out();
    }
}

// 100k commands between 4 processes, with a reload of every service in the
// middle: per sender -> receiving service, every command arrives exactly once
// and in order (the retired receiver gets a prefix, its replacement the rest),
// the retired processes exit on their own, and the manager drops nothing.
TEST(Faults, HundredThousandCommandsAcrossAReloadArriveExactlyOnceInOrder) {
    TempDir dir;
    Ripple r(script_options(dir, "fault_commands.php", {{"FAULT_PER_PEER", "8334"}, {"FAULT_BATCH", "60"}}));
    ASSERT_TRUE(r.wait_ready(4, Seconds(10))) << all_output(r);
    std::set<pid_t> old;
    for (const char* s : {"c0", "c1", "c2", "c3"}) old.insert(ready_pids(r, s).at(0));
    ASSERT_TRUE(r.wait_for(Stream::Out, "HALF ", Seconds(20))) << all_output(r);
    const std::size_t mark = r.lines(Stream::Err).size();
    r.signal(SIGHUP);
    for (const char* s : {"c0", "c1", "c2", "c3"}) {
        ASSERT_TRUE(r.wait_for(Stream::Err, std::string("reload of ") + s + " complete", Seconds(10), mark))
            << all_output(r);
    }
    // The new processes finish their quota; then every fin (4 old + 4 new senders, 3 receivers each) arrives.
    EXPECT_TRUE(r.wait_count(Stream::Out, "SENT c", 4, Seconds(30))) << all_output(r);
    EXPECT_TRUE(r.wait_count(Stream::Out, "FIN c", 24, Seconds(10)))
        << r.count(Stream::Out, "FIN c") << " of 24 fin commands arrived\n" << r.err();
    // The retired processes ended on their own, cleanly, well before their 10 s grace period.
    EXPECT_TRUE(pump_until(r, [&] { return std::none_of(old.begin(), old.end(), [](pid_t p) { return e2e::alive(p); }); },
                           Seconds(3)))
        << "retired processes still running after reload\n" << r.err();
    EXPECT_EQ(r.count(Stream::Err, "sending SIGKILL"), 0u) << r.err();

    auto st = client({"status", "--control", dir.file("c.sock"), "--json"});
    ASSERT_EQ(st.code, 0) << st.err;
    const auto status = nlohmann::json::parse(st.out, nullptr, false);
    ASSERT_FALSE(status.is_discarded()) << st.out;
    EXPECT_EQ(status["commands"]["dropped"].get<std::uint64_t>(), 0u) << st.out;
    const std::uint64_t routed = status["commands"]["routed"].get<std::uint64_t>();

    auto stop = client({"stop", "--control", dir.file("c.sock")});
    EXPECT_EQ(stop.code, 0) << stop.err;
    EXPECT_EQ(r.exit_code(Seconds(20)), 0) << all_output(r);

    // Every process wrote a summary at exit.
    std::vector<nlohmann::json> sums;
    for (const auto& e : std::filesystem::directory_iterator(dir.path)) {
        const std::string n = e.path().filename();
        if (n.rfind("sum-", 0) != 0 || e.path().extension() != ".json") continue;
        std::ifstream in(e.path());
        sums.push_back(nlohmann::json::parse(in));
    }
    ASSERT_EQ(sums.size(), 8u) << "summaries from " << sums.size() << " of 8 processes (a process was killed?)";
    std::map<std::string, std::vector<const nlohmann::json*>> by_service;
    for (const auto& s : sums) by_service[s["service"]].push_back(&s);
    for (auto& [svc, v] : by_service) {
        std::sort(v.begin(), v.end(), [](auto* a, auto* b) { return a->at("start") < b->at("start"); });
    }
    std::uint64_t total = 0;
    int bad = 0;
    for (const auto& sender : sums) {
        const std::string spid = std::to_string(sender["pid"].get<long>());
        for (const auto& [peer, n_json] : sender["sent"].items()) {
            const long n = n_json.get<long>();
            total += static_cast<std::uint64_t>(n);
            // Concatenate the ranges the receiving service's processes saw from this sender, oldest first.
            long expect = 0;
            bool ok = true;
            std::string seen;
            for (const auto* recv : by_service[peer]) {
                if (!recv->at("recv").contains(spid)) continue;
                for (const auto& range : recv->at("recv")[spid]) {
                    const long a = range[0].get<long>(), b = range[1].get<long>();
                    seen += "[" + std::to_string(a) + "-" + std::to_string(b) + "]";
                    ok = ok && a == expect;
                    expect = b + 1;
                }
            }
            ok = ok && expect == n;
            if (!ok && ++bad <= 5) {
                ADD_FAILURE() << sender["service"] << " pid " << spid << " -> " << peer << ": sent " << n
                              << ", received " << seen;
            }
        }
    }
    EXPECT_EQ(bad, 0);
    EXPECT_GE(total, 100000u);
    EXPECT_EQ(routed, total + 24) << "routed count differs from what was sent (+24 fin)";
}

// Commands a process sends just before it ends (a burst far larger than a
// socket buffer, from onReload()) all reach their receiver, and the retired
// process exits promptly instead of hanging until SIGKILL.
TEST(Faults, CommandsSentJustBeforeExitAreDelivered) {
    TempDir dir;
    Ripple r(script_options(dir, "fault_flush.php", {{"FAULT_BURST", "200"}}));
    ASSERT_TRUE(r.wait_ready(2, Seconds(10))) << all_output(r);
    const pid_t old = ready_pids(r, "burst").at(0);
    auto rl = client({"reload", "--control", dir.file("c.sock"), "burst"});
    ASSERT_EQ(rl.code, 0) << rl.err;
    ASSERT_TRUE(r.wait_for(Stream::Out, "BURST-SENT", Seconds(10))) << all_output(r);
    EXPECT_TRUE(r.wait_for(Stream::Out, "SINK 200 13107200", Seconds(10)))
        << "the sink got " << (grep(r, Stream::Out, {"SINK "}).empty() ? std::string("nothing")
                                                                       : grep(r, Stream::Out, {"SINK "}).back())
        << "\n" << r.err();
    EXPECT_EQ(r.count(Stream::Out, "SINK-SEQ-ERROR"), 0u);
    EXPECT_TRUE(e2e::eventually([&] { return !e2e::alive(old); }, Seconds(5))) << "retired burst process hangs";
    EXPECT_TRUE(r.wait_for(Stream::Err, "burst#0 pid " + std::to_string(old) + " exited with exit status 0", Seconds(2)))
        << r.err();
}

// exit() in boot() and in onCommand(): the process ends with that status, the
// line it printed just before is in the log, and it is restarted.
TEST(Faults, ExitInBootAndInOnCommandIsLoggedAndRestarted) {
    TempDir dir;
    Ripple r(script_options(dir, "fault_exit.php"));
    auto boot_words = r.wait_for(Stream::Out, "LAST-WORDS-BOOT ", Seconds(10));
    ASSERT_TRUE(boot_words) << all_output(r);
    const long boot_pid = number_after(*boot_words, "LAST-WORDS-BOOT ");
    EXPECT_TRUE(r.wait_for(Stream::Err, "exitboot#0 pid " + std::to_string(boot_pid) + " exited with exit status 3",
                           Seconds(5)))
        << all_output(r);
    auto booted = r.wait_for(Stream::Out, "BOOTED exitboot ", Seconds(5));
    ASSERT_TRUE(booted) << all_output(r);
    EXPECT_NE(number_after(*booted, "BOOTED exitboot "), boot_pid);

    auto cmd_words = r.wait_for(Stream::Out, "LAST-WORDS-CMD ", Seconds(10));
    ASSERT_TRUE(cmd_words) << all_output(r);
    const long cmd_pid = number_after(*cmd_words, "LAST-WORDS-CMD ");
    EXPECT_TRUE(r.wait_for(Stream::Err, "exitcmd#0 pid " + std::to_string(cmd_pid) + " exited with exit status 4",
                           Seconds(5)))
        << all_output(r);
    auto survived = r.wait_for(Stream::Out, "SURVIVED-CMD ", Seconds(5));
    ASSERT_TRUE(survived) << all_output(r);
    EXPECT_NE(number_after(*survived, "SURVIVED-CMD "), cmd_pid);
    EXPECT_EQ(r.count(Stream::Err, "SIGSEGV"), 0u) << all_output(r);
}

// exit() is not an exception: the log must not claim the process "threw" and
// "keeps serving" when it is in fact exiting.
TEST(Faults, ExitInOnCommandIsNotReportedAsAThrow) {
    TempDir dir;
    Ripple r(script_options(dir, "fault_exit.php"));
    ASSERT_TRUE(r.wait_for(Stream::Out, "SURVIVED-CMD ", Seconds(10))) << all_output(r);
    EXPECT_EQ(r.count(Stream::Err, "threw; the process keeps serving"), 0u) << r.err();
}

// A worker that closes its stdout and keeps echoing keeps running.
TEST(Faults, ClosedStdoutDoesNotKillTheWorker) {
    TempDir dir;
    Ripple r(script_options(dir, "fault_stdout.php"));
    auto closed = r.wait_for(Stream::Err, "STDOUT-CLOSED ", Seconds(10));
    ASSERT_TRUE(closed) << all_output(r);
    const pid_t pid = static_cast<pid_t>(number_after(*closed, "STDOUT-CLOSED "));
    EXPECT_TRUE(r.wait_for(Stream::Err, "ALIVE 15", Seconds(5))) << r.err();
    EXPECT_TRUE(e2e::alive(pid));
    EXPECT_EQ(r.count(Stream::Err, "exited with"), 0u) << r.err();
}

// Ctrl-C (SIGINT to the whole process group): the manager stops in order —
// every worker runs onStop() and exits 0 — and ripple itself exits 0.
TEST(Faults, CtrlCToTheProcessGroupStopsInOrder) {
    TempDir dir;
    Ripple r(script_options(dir, "fault_idle.php", {{"FAULT_NAME", "ctrlc"}, {"FAULT_COUNT", "3"}}));
    ASSERT_TRUE(r.wait_ready(3, Seconds(10))) << all_output(r);
    ASSERT_EQ(getpgid(r.pid()), r.pid()) << "the harness should give ripple its own process group";
    ASSERT_EQ(::kill(-r.pid(), SIGINT), 0);
    EXPECT_EQ(r.exit_code(Seconds(15)), 0) << all_output(r);
    EXPECT_EQ(grep(r, Stream::Out, {"ONSTOP ctrlc#"}).size(), 3u) << all_output(r);
    EXPECT_EQ(r.count(Stream::Err, "exited with exit status 0"), 3u) << all_output(r);
    EXPECT_EQ(r.count(Stream::Err, "(unexpected)"), 0u) << all_output(r);
    EXPECT_EQ(r.count(Stream::Out, "RUN-RETURNED"), 1u) << all_output(r);
    EXPECT_TRUE(r.wait_for(Stream::Err, "all services stopped", Seconds(0.1)));
}

// A terminal hangup (SIGHUP to the whole process group) is a reload for the
// manager; it must not kill every worker at once in the middle of it.
TEST(Faults, SighupToTheProcessGroupDoesNotKillWorkers) {
    TempDir dir;
    Ripple r(script_options(dir, "fault_idle.php", {{"FAULT_NAME", "hup"}, {"FAULT_COUNT", "2"}}));
    ASSERT_TRUE(r.wait_ready(2, Seconds(10))) << all_output(r);
    ASSERT_EQ(::kill(-r.pid(), SIGHUP), 0);
    ASSERT_TRUE(r.wait_for(Stream::Err, "reload of hup complete", Seconds(10))) << all_output(r);
    r.pump(Seconds(0.3));
    EXPECT_EQ(r.count(Stream::Err, "exited with signal SIGHUP"), 0u) << r.err();
    EXPECT_EQ(r.count(Stream::Err, "(unexpected)"), 0u) << r.err();
}

// SIGTERM sent to one worker directly: that worker stops in order (onStop,
// exit 0) and is replaced; the manager and the other worker stay.
TEST(Faults, SigtermToOneWorkerStopsItInOrderAndReplacesIt) {
    TempDir dir;
    Ripple r(script_options(dir, "fault_idle.php", {{"FAULT_NAME", "termone"}, {"FAULT_COUNT", "2"}}));
    ASSERT_TRUE(r.wait_ready(2, Seconds(10))) << all_output(r);
    const auto pids = ready_pids(r, "termone");
    ASSERT_EQ(::kill(pids[0], SIGTERM), 0);
    // Whichever index that pid serves (ready order is not index order).
    EXPECT_TRUE(r.wait_for(Stream::Out, "ONSTOP termone#", Seconds(5))) << all_output(r);
    const std::string me = " " + std::to_string(pids[0]);
    EXPECT_TRUE(r.out().find("ONSTOP termone#0" + me) != std::string::npos ||
                r.out().find("ONSTOP termone#1" + me) != std::string::npos)
        << all_output(r);
    EXPECT_TRUE(r.wait_for(Stream::Err, "pid " + std::to_string(pids[0]) + " exited with exit status 0", Seconds(5)))
        << all_output(r);
    EXPECT_TRUE(r.wait_ready(3, Seconds(5))) << all_output(r);
    EXPECT_TRUE(e2e::alive(pids[1]));
    EXPECT_FALSE(r.exited());
}

// pcntl_signal(SIGHUP/SIGTERM) in the main process while the services run:
// the manager takes its handlers back (and says so), then still reloads on
// SIGHUP and stops on SIGTERM; the user handlers never run.
TEST(Faults, UserPcntlSignalHandlersDoNotBreakReloadOrStop) {
    TempDir dir;
    Ripple r(script_options(dir, "fault_pcntl.php"));
    ASSERT_TRUE(r.wait_ready(1, Seconds(10))) << all_output(r);
    ASSERT_TRUE(r.wait_for(Stream::Out, "PCNTL-INSTALLED", Seconds(5))) << all_output(r);
    EXPECT_TRUE(r.wait_for(Stream::Err, "replaced the handler for SIGHUP", Seconds(5))) << r.err();
    EXPECT_TRUE(r.wait_for(Stream::Err, "replaced the handler for SIGTERM", Seconds(5))) << r.err();
    EXPECT_TRUE(r.wait_for(Stream::Err, "took it back", Seconds(1))) << r.err();
    // The warning is written just before the handler is re-installed: a control round trip
    // (served by a later loop iteration) makes sure the take-back has finished.
    auto st = client({"status", "--control", dir.file("c.sock")});
    ASSERT_EQ(st.code, 0) << st.err;
    const pid_t first = ready_pids(r, "sig").at(0);
    r.signal(SIGHUP);
    EXPECT_TRUE(r.wait_for(Stream::Err, "reload of sig complete", Seconds(10))) << all_output(r);
    EXPECT_TRUE(e2e::eventually([&] { return !e2e::alive(first); }, Seconds(5)));
    r.signal(SIGTERM);
    EXPECT_EQ(r.exit_code(Seconds(15)), 0) << all_output(r);
    EXPECT_EQ(r.count(Stream::Out, "USER-SIGHUP"), 0u);
    EXPECT_EQ(r.count(Stream::Out, "USER-SIGTERM"), 0u);
    EXPECT_EQ(r.count(Stream::Out, "RUN-RETURNED"), 1u);
}

// The runtime's descriptors are close-on-exec: a program a worker executes
// inherits no socket (IPC channel, control socket, metrics listener), no
// epoll/eventfd and no pipe of the manager; and a worker holds no socket but
// its own IPC channel.
TEST(Faults, RuntimeDescriptorsAreNotInheritedByExecutedPrograms) {
    TempDir dir;
    const int port = e2e::free_port();
    Ripple r(script_options(dir, "fault_fds.php", {}, {"--metrics", "127.0.0.1:" + std::to_string(port)}));
    ASSERT_TRUE(r.wait_count(Stream::Out, "CHILD-FDS-END", 2, Seconds(10))) << all_output(r);
    ASSERT_TRUE(r.wait_ready(2, Seconds(5)));
    // What ripple legitimately inherits from this test process (the harness does not close those).
    std::set<std::string> from_outside;
    for (const auto& [fd, target] : fd_table(getpid())) from_outside.insert(target);
    int checked = 0;
    for (const auto& l : grep(r, Stream::Out, {"CHILD-FD "})) {
        std::istringstream in(l.substr(l.find("CHILD-FD ") + 9));
        int fd = -1;
        std::string target;
        in >> fd >> target;
        if (fd <= 2) continue;
        ++checked;
        if (from_outside.count(target)) continue;
        if (target.find("fault_fds.php") != std::string::npos) continue;  // PHP's own script handle (php-cli does the same)
        if (target.rfind("/proc/", 0) == 0) continue;                     // ls's own handle on /proc/self/fd
        ADD_FAILURE() << "an executed program inherits fd " << fd << " -> " << target;
    }
    EXPECT_GT(checked, 0);

    // Each worker holds exactly one socket (its end of its IPC channel), none of the manager's:
    // not the control socket, not the metrics listener, not the manager's end of another channel.
    const auto manager_fds = fd_table(r.pid());
    std::set<std::string> manager_sockets;
    for (const auto& [fd, t] : manager_fds) {
        if (t.rfind("socket:", 0) == 0) manager_sockets.insert(t);
    }
    EXPECT_GE(manager_sockets.size(), 4u) << "control + metrics + 2 channels expected in the manager";
    std::set<std::string> worker_socket_inodes;
    for (pid_t worker : ready_pids(r, "fds")) {
        int worker_sockets = 0;
        for (const auto& [fd, t] : fd_table(worker)) {
            if (t.rfind("socket:", 0) != 0) continue;
            ++worker_sockets;
            worker_socket_inodes.insert(t);
            EXPECT_FALSE(manager_sockets.count(t)) << "worker " << worker << " holds the manager's socket " << t;
        }
        EXPECT_EQ(worker_sockets, 1) << "worker " << worker << " should hold only its IPC channel";
    }
    EXPECT_EQ(worker_socket_inodes.size(), 2u) << "the two workers share a socket";
}

// onStop() returns but a referenced timer keeps the worker busy: the manager
// SIGKILLs it once getGracePeriod() (0.5 s) has passed, and ripple exits.
TEST(Faults, WorkerThatDoesNotFinishIsKilledAfterItsGracePeriod) {
    TempDir dir;
    Ripple r(script_options(dir, "fault_slow_stop.php"));
    ASSERT_TRUE(r.wait_ready(2, Seconds(10))) << all_output(r);
    const auto t0 = Clock::now();
    r.signal(SIGTERM);
    const int code = r.exit_code(Seconds(10));
    const double took = std::chrono::duration<double>(Clock::now() - t0).count();
    EXPECT_EQ(code, 0) << all_output(r);
    EXPECT_GE(took, 0.45) << "killed before the grace period";
    EXPECT_LT(took, 3.0) << "grace period not applied (default 10 s?)";
    EXPECT_EQ(r.count(Stream::Out, "ONSTOP "), 2u) << all_output(r);
    EXPECT_EQ(r.count(Stream::Err, "still running 0.5s after its notice; sending SIGKILL"), 2u) << r.err();
    EXPECT_EQ(r.count(Stream::Err, "exited with signal SIGKILL"), 2u) << r.err();
}

// A Command without arguments (the default []) can be serialized and sent.
TEST(Faults, CommandWithoutArgumentsDoesNotCrash) {
    TempDir dir;
    Ripple r(script_options(dir, "fault_empty_command.php"));
    // In the main process: (string) new Command('ping') must not crash the manager-to-be.
    EXPECT_TRUE(r.wait_line(Stream::Out, [](const std::string& l) { return l.rfind("MAIN-TOSTRING ", 0) == 0 && l.size() > 14; },
                            Seconds(10)))
        << all_output(r);
    EXPECT_TRUE(r.wait_for(Stream::Out, "PING-OK ", Seconds(5))) << all_output(r);
    EXPECT_EQ(r.count(Stream::Err, "SIGSEGV"), 0u) << r.err();
    EXPECT_FALSE(r.exited()) << "ripple exited with " << r.exit_code(Seconds(0));
}

}  // namespace
