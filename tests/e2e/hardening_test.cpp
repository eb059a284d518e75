// Hardening end-to-end tests: behaviour added to survive a cold, careless run.
// First boot() timeout, a repeated SIGTERM, the per-receiver queue cap with
// rate-limited drop logs, backpressure on a fast sender, reload of a stopped
// service, up-front checks of -c and --metrics, a second manager of the same
// script, and the --control hint of the control client.
// Fixtures: tests-php/fixtures/hard_*.php.
#include "harness.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

namespace {

using e2e::Ripple;
using e2e::fixture;
using e2e::TempDir;
using e2e::Seconds;
using e2e::Stream;
using nlohmann::json;
using Clock = std::chrono::steady_clock;

e2e::Options script_options(const TempDir& dir, const std::string& name, std::map<std::string, std::string> env = {},
                            std::vector<std::string> extra = {}) {
    return e2e::fixture_run(dir, name, "HARD_DIR", std::move(env), std::move(extra));
}
e2e::Finished run_ripple(std::vector<std::string> args, Seconds timeout = Seconds(15)) {
    return e2e::run_to_end(std::move(args), timeout);
}


std::string all_output(const Ripple& r) { return "--- stdout ---\n" + r.out() + "--- stderr ---\n" + r.err(); }
std::string all_output(const e2e::Finished& r) {
    return "exit " + std::to_string(r.code) + "\n--- stdout ---\n" + r.out + "--- stderr ---\n" + r.err;
}

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

long number_after(const std::string& line, const std::string& token) {
    const auto p = line.find(token);
    if (p == std::string::npos) return 0;
    return std::strtol(line.c_str() + p + token.size(), nullptr, 10);
}

// A field of /proc/PID/status in kB ("VmRSS", "VmHWM"); -1 if unreadable.
long status_kb(pid_t pid, const std::string& key) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/status");
    std::string line;
    while (std::getline(in, line)) {
        if (line.rfind(key + ":", 0) == 0) return std::strtol(line.c_str() + key.size() + 1, nullptr, 10);
    }
    return -1;
}

bool pump_until(Ripple& r, const std::function<bool()>& cond, Seconds timeout) {
    const auto deadline = Clock::now() + std::chrono::duration_cast<Clock::duration>(timeout);
    for (;;) {
        if (cond()) return true;
        if (Clock::now() >= deadline) return false;
        r.pump(Seconds(0.02));
    }
}

json status_json(const TempDir& dir) {
    auto r = run_ripple({"status", "--control", dir.file("c.sock"), "--json"});
    if (r.code != 0) return json();
    return json::parse(r.out, nullptr, false);
}

double seconds_since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

// Resumes a SIGSTOPped process whatever happens in the test.
struct ContOnExit {
    pid_t pid = 0;
    ~ContOnExit() {
        if (pid > 0) ::kill(pid, SIGCONT);
    }
};

// ---------------------------------------------------------------------------------------------

// A first start whose boot() never returns is killed after ripple.boot_timeout
// and restarted; the replacement, once READY, is not subject to the deadline.
TEST(Hardening, FirstBootThatBlocksIsKilledAfterBootTimeoutAndRestarted) {
    TempDir dir;
    Ripple r(script_options(dir, "hard_boot_block.php", {}, {"-d", "ripple.boot_timeout=1"}));
    auto blocking = r.wait_for(Stream::Out, "BLOCKING ", Seconds(10));
    ASSERT_TRUE(blocking) << all_output(r);
    const auto blocked_at = Clock::now();
    const pid_t blocked = static_cast<pid_t>(number_after(*blocking, "BLOCKING "));

    auto killed = r.wait_for(Stream::Err, "did not finish boot() within 1s; killing it", Seconds(10));
    ASSERT_TRUE(killed) << all_output(r);
    const double waited = seconds_since(blocked_at);
    EXPECT_NE(killed->find("hb#0 pid " + std::to_string(blocked)), std::string::npos) << *killed;
    EXPECT_GT(waited, 0.5) << "killed before the boot timeout";
    EXPECT_LT(waited, 5.0) << "boot timeout of 1s took " << waited << "s";
    EXPECT_TRUE(r.wait_for(Stream::Err, "pid " + std::to_string(blocked) + " exited with signal SIGKILL", Seconds(5)))
        << all_output(r);

    // Restarted: a new process boots, becomes ready, and outlives the 1 s deadline.
    auto booted = r.wait_for(Stream::Out, "BOOTED ", Seconds(10));
    ASSERT_TRUE(booted) << all_output(r);
    const pid_t second = static_cast<pid_t>(number_after(*booted, "BOOTED "));
    EXPECT_NE(second, blocked);
    EXPECT_TRUE(r.wait_for(Stream::Err, "hb#0 pid " + std::to_string(second) + " ready after", Seconds(5)))
        << all_output(r);
    ASSERT_TRUE(r.wait_for(Stream::Out, "ALIVE " + std::to_string(second), Seconds(10))) << all_output(r);
    EXPECT_TRUE(e2e::alive(second));
    EXPECT_EQ(r.count(Stream::Err, "did not finish boot()"), 1u) << all_output(r);
    EXPECT_EQ(r.count(Stream::Out, "UNBLOCKED"), 0u);

    r.signal(SIGTERM);
    EXPECT_EQ(r.exit_code(Seconds(10)), 0) << all_output(r);
}

// `timeout` signals the manager, then the whole group: a second SIGTERM within
// a second is the same request. The stop stays graceful: onStop() completes
// in every worker and ripple exits 0.
TEST(Hardening, RepeatedSigtermWithinASecondIsStillAGracefulStop) {
    TempDir dir;
    Ripple r(script_options(dir, "hard_stop.php"));
    ASSERT_TRUE(r.wait_ready(2, Seconds(10))) << all_output(r);
    ASSERT_TRUE(r.wait_count(Stream::Out, "BOOTED ", 2, Seconds(5))) << all_output(r);

    const auto first = Clock::now();
    r.signal(SIGTERM);
    ASSERT_TRUE(r.wait_for(Stream::Err, "SIGTERM received: stopping gracefully", Seconds(5))) << all_output(r);
    ::kill(-r.pid(), SIGTERM);  // the group: manager and workers
    const double gap = seconds_since(first);
    ASSERT_LT(gap, 0.9) << "test precondition: the two signals must be less than a second apart";

    EXPECT_EQ(r.exit_code(Seconds(15)), 0) << all_output(r);
    EXPECT_EQ(r.count(Stream::Out, "ONSTOP "), 2u) << all_output(r);
    EXPECT_EQ(r.count(Stream::Out, "STOPPED "), 2u) << "onStop() did not get to finish\n" << all_output(r);
    EXPECT_EQ(r.count(Stream::Err, "second SIG"), 0u) << all_output(r);
    EXPECT_EQ(grep(r, Stream::Err, {"[manager] st#", "exited with exit status 0"}).size(), 2u) << all_output(r);
    EXPECT_EQ(r.count(Stream::Err, "SIGKILL"), 0u) << all_output(r);
}

// A second SIGTERM more than a second after the first means "stop now": the
// workers, still in a slow onStop() (grace period 30 s), are killed at once.
TEST(Hardening, SecondSigtermAfterASecondKillsAtOnce) {
    TempDir dir;
    Ripple r(script_options(dir, "hard_stop.php", {{"HARD_SLOW", "1"}}));
    ASSERT_TRUE(r.wait_ready(2, Seconds(10))) << all_output(r);

    r.signal(SIGTERM);
    ASSERT_TRUE(r.wait_count(Stream::Out, "ONSTOP ", 2, Seconds(5))) << all_output(r);
    // Printed by the workers 1.3 s after onStop(): the stop is still going on, and a second has passed.
    ASSERT_TRUE(r.wait_count(Stream::Out, "STILL-STOPPING ", 2, Seconds(10))) << all_output(r);
    EXPECT_FALSE(r.exited()) << all_output(r);
    EXPECT_EQ(r.count(Stream::Err, "second SIG"), 0u) << all_output(r);

    const auto second = Clock::now();
    r.signal(SIGTERM);
    EXPECT_TRUE(r.wait_for(Stream::Err, "second SIGTERM during stop: killing every process now", Seconds(5)))
        << all_output(r);
    const int code = r.exit_code(Seconds(10));
    EXPECT_NE(code, -1) << "ripple did not exit after the second SIGTERM\n" << all_output(r);
    EXPECT_LT(seconds_since(second), 5.0) << "not killed at once (the grace period is 30 s)";
    EXPECT_EQ(grep(r, Stream::Err, {"[manager] st#", "exited with signal SIGKILL"}).size(), 2u) << all_output(r);
    EXPECT_EQ(r.count(Stream::Err, "still running 30s after its notice"), 0u) << all_output(r);
}

// ripple.max_queue_size caps what the manager queues for a process that does
// not read (SIGSTOPped): commands beyond it are dropped and counted, the drop
// log is rate limited, the manager's memory stays bounded, and the receiver
// gets commands again once it resumes.
TEST(Hardening, QueueCapBoundsTheManagerWhenAReceiverStopsReading) {
    TempDir dir;
    Ripple r(script_options(dir, "hard_flood.php", {{"HARD_MODE", "flood"}}, {"-d", "ripple.max_queue_size=1M"}));
    ASSERT_TRUE(r.wait_ready(2, Seconds(10))) << all_output(r);
    auto recv_line = r.wait_for(Stream::Out, "RECV-PID ", Seconds(5));
    ASSERT_TRUE(recv_line) << all_output(r);
    const pid_t recv = static_cast<pid_t>(number_after(*recv_line, "RECV-PID "));
    ASSERT_GT(recv, 0);

    ContOnExit cont{recv};
    ASSERT_EQ(::kill(recv, SIGSTOP), 0);
    ASSERT_TRUE(e2e::eventually([&] { return e2e::proc_state(recv) == 'T'; }, Seconds(5)));

    const std::size_t err_from = r.lines(Stream::Err).size();
    const auto go = Clock::now();
    dir.touch("go");
    long max_rss = 0;
    auto sample = [&] {
        max_rss = std::max(max_rss, status_kb(r.pid(), "VmRSS"));
        return r.count(Stream::Out, "FLOOD-DONE") > 0;
    };
    ASSERT_TRUE(pump_until(r, sample, Seconds(30))) << all_output(r);
    const double flood_seconds = seconds_since(go);
    const auto done = r.wait_for(Stream::Out, "FLOOD-DONE", Seconds(1));
    ASSERT_TRUE(done);
    const long sent = number_after(*done, "sent=");
    EXPECT_GE(sent, 800) << *done;  // >= 200 MiB of commands

    const long hwm = status_kb(r.pid(), "VmHWM");
    EXPECT_GT(max_rss, 0);
    EXPECT_LT(max_rss, 150 * 1024) << "manager VmRSS grew to " << max_rss << " kB";
    EXPECT_LT(hwm, 150 * 1024) << "manager VmHWM " << hwm << " kB";

    // Drops are reported, at most about one line a second.
    const auto drop_lines = grep(r, Stream::Err, {"[manager] command for recv#0 dropped"}, err_from);
    ASSERT_FALSE(drop_lines.empty()) << all_output(r);
    EXPECT_NE(drop_lines.front().find("queue is full"), std::string::npos) << drop_lines.front();
    EXPECT_LE(static_cast<double>(drop_lines.size()), seconds_since(go) + 2.0)
        << drop_lines.size() << " drop lines in " << flood_seconds << "s\n"
        << all_output(r);
    EXPECT_FALSE(grep(r, Stream::Err, {"[manager] command for recv#0 dropped", "more dropped since the last report"},
                      err_from)
                     .empty())
        << all_output(r);

    const json st = status_json(dir);
    ASSERT_TRUE(st.is_object()) << "status --json failed";
    const auto dropped = st["commands"]["dropped"].get<std::uint64_t>();
    EXPECT_GT(dropped, drop_lines.size()) << "every drop was logged: no rate limit";
    EXPECT_LE(dropped, static_cast<std::uint64_t>(sent));

    // Resumed, the receiver reads again: a new command reaches it.
    ASSERT_EQ(::kill(recv, SIGCONT), 0);
    dir.touch("ping");
    EXPECT_TRUE(r.wait_for(Stream::Out, "PING-RECEIVED", Seconds(15))) << all_output(r);
    EXPECT_TRUE(e2e::alive(recv));

    r.signal(SIGTERM);
    EXPECT_EQ(r.exit_code(Seconds(15)), 0) << all_output(r);
}

// A sender that writes 300 MiB of commands in one boot() call, never returning
// to its loop, waits for the manager instead of queueing it all: its memory
// stays well below 300 MB, and every command arrives in order, none dropped.
TEST(Hardening, FastSenderBlocksInsteadOfQueueingWithoutBound) {
    TempDir dir;
    Ripple r(script_options(dir, "hard_flood.php", {{"HARD_MODE", "fast"}}));
    auto send_line = r.wait_for(Stream::Out, "SEND-PID ", Seconds(10));
    ASSERT_TRUE(send_line) << all_output(r);
    const pid_t sender = static_cast<pid_t>(number_after(*send_line, "SEND-PID "));
    ASSERT_TRUE(r.wait_for(Stream::Out, "SENT-ALL " + std::to_string(sender), Seconds(30))) << all_output(r);
    const long hwm = status_kb(sender, "VmHWM");
    EXPECT_GT(hwm, 0);
    EXPECT_LT(hwm, 200 * 1024) << "sender peak RSS " << hwm << " kB after sending 300 MiB";

    EXPECT_TRUE(r.wait_for(Stream::Out, "RECV-ALL 300", Seconds(30))) << all_output(r);
    EXPECT_EQ(r.count(Stream::Out, "RECV-ORDER-BAD"), 0u) << all_output(r);
    EXPECT_EQ(r.count(Stream::Err, "dropped"), 0u) << all_output(r);
    const json st = status_json(dir);
    ASSERT_TRUE(st.is_object());
    EXPECT_EQ(st["commands"]["dropped"].get<std::uint64_t>(), 0u);
    EXPECT_GE(st["commands"]["routed"].get<std::uint64_t>(), 300u);

    r.signal(SIGTERM);
    EXPECT_EQ(r.exit_code(Seconds(15)), 0) << all_output(r);
}

// The queue cap is for a receiver that stopped reading: one command larger than
// ripple.max_queue_size (but within ripple.max_command_size) sent to an idle,
// reading receiver must still arrive, not be dropped as "queue is full".
TEST(Hardening, CommandLargerThanQueueCapReachesAnIdleReceiver) {
    TempDir dir;
    Ripple r(script_options(dir, "hard_flood.php", {{"HARD_MODE", "one"}}, {"-d", "ripple.max_queue_size=1M"}));
    ASSERT_TRUE(r.wait_for(Stream::Out, "SENT-ONE", Seconds(10))) << all_output(r);
    EXPECT_TRUE(r.wait_for(Stream::Out, "GOT-ONE 2097152", Seconds(5)))
        << "a 2 MiB command to an idle receiver was not delivered with max_queue_size=1M\n"
        << all_output(r);
    EXPECT_EQ(r.count(Stream::Err, "queue is full"), 0u) << all_output(r);
    r.signal(SIGTERM);
    EXPECT_EQ(r.exit_code(Seconds(10)), 0) << all_output(r);
}

// `ripple reload NAME` of a service stopped with `ripple stop NAME` is refused;
// the other service still reloads.
TEST(Hardening, ReloadOfAStoppedServiceIsRefused) {
    TempDir dir;
    Ripple r(script_options(dir, "hard_services.php"));
    ASSERT_TRUE(r.wait_ready(2, Seconds(10))) << all_output(r);
    const std::string sock = dir.file("c.sock");

    auto stop = run_ripple({"stop", "--control", sock, "beta"});
    ASSERT_EQ(stop.code, 0) << all_output(stop);
    ASSERT_TRUE(r.wait_for(Stream::Err, "[manager] beta#0 pid", Seconds(10)));
    ASSERT_TRUE(pump_until(r, [&] { return !grep(r, Stream::Err, {"[manager] beta#0", "exited with"}).empty(); },
                           Seconds(10)))
        << all_output(r);
    const std::size_t booted_before = r.count(Stream::Out, "BOOTED beta");

    auto reload = run_ripple({"reload", "--control", sock, "beta"});
    EXPECT_EQ(reload.code, 1) << all_output(reload);
    EXPECT_NE(reload.err.find("is stopped"), std::string::npos) << all_output(reload);
    EXPECT_NE(reload.err.find("beta"), std::string::npos) << all_output(reload);

    // Both named, one stopped: refused as a whole.
    auto both = run_ripple({"reload", "--control", sock, "alpha", "beta"});
    EXPECT_EQ(both.code, 1) << all_output(both);
    EXPECT_NE(both.err.find("is stopped"), std::string::npos) << all_output(both);

    auto alpha = run_ripple({"reload", "--control", sock, "alpha"});
    EXPECT_EQ(alpha.code, 0) << all_output(alpha);
    EXPECT_TRUE(r.wait_for(Stream::Err, "reload of alpha complete", Seconds(10))) << all_output(r);
    EXPECT_EQ(r.count(Stream::Err, "reloading beta"), 0u) << all_output(r);
    EXPECT_EQ(r.count(Stream::Out, "BOOTED beta"), booted_before) << "the stopped service was started again";
    const json st = status_json(dir);
    ASSERT_TRUE(st.is_object());
    for (const auto& svc : st["services"]) {
        if (svc["name"] == "beta") {
            EXPECT_EQ(svc["state"], "stopped") << st.dump();
            EXPECT_TRUE(svc["processes"].empty()) << st.dump();
        }
    }

    r.signal(SIGTERM);
    EXPECT_EQ(r.exit_code(Seconds(10)), 0) << all_output(r);
}

// -c and --metrics are checked before anything runs: exit 1, one clear line.
TEST(Hardening, BadIniFileAndMetricsAddressFailUpFront) {
    TempDir dir;
    const std::string script = fixture("hard_plain.php");
    {
        auto ok = run_ripple({script});
        ASSERT_EQ(ok.code, 0) << all_output(ok);
        ASSERT_NE(ok.out.find("SCRIPT RAN"), std::string::npos) << all_output(ok);
    }
    {
        const std::string ini = dir.file("nonexistent.ini");
        auto r = run_ripple({"-c", ini, script});
        EXPECT_EQ(r.code, 1) << all_output(r);
        EXPECT_EQ(r.out.find("SCRIPT RAN"), std::string::npos) << all_output(r);
        EXPECT_NE(r.err.find(ini), std::string::npos) << all_output(r);
        EXPECT_NE(r.err.find("-c"), std::string::npos) << all_output(r);
        EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << "want one line\n" << all_output(r);
    }
    for (const std::string bad : {"bad", ":9180", "127.0.0.1:0", "127.0.0.1:70000", "127.0.0.1:http", "127.0.0.1:"}) {
        auto r = run_ripple({"--metrics", bad, script});
        EXPECT_EQ(r.code, 1) << bad << "\n" << all_output(r);
        EXPECT_EQ(r.out.find("SCRIPT RAN"), std::string::npos) << bad << "\n" << all_output(r);
        EXPECT_NE(r.err.find("HOST:PORT"), std::string::npos) << bad << "\n" << all_output(r);
        EXPECT_NE(r.err.find("'" + bad + "'"), std::string::npos) << bad << "\n" << all_output(r);
    }
}

// A second manager of the same script (same default control socket) fails
// with "already running" before its register() runs; the first keeps running.
TEST(Hardening, SecondManagerOfTheSameScriptFailsBeforeRegister) {
    TempDir dir;
    const std::string script = dir.file("hard_services_copy.php");
    std::filesystem::copy_file(fixture("hard_services.php"), script);

    e2e::Options o;
    o.own_control_socket = false;  // the default socket of this (unique) script path
    o.args = {script};
    Ripple first(o);
    ASSERT_TRUE(first.wait_ready(2, Seconds(10))) << all_output(first);
    EXPECT_EQ(first.count(Stream::Out, "REGISTER alpha"), 1u) << all_output(first);

    Ripple second(o);
    const int code = second.exit_code(Seconds(15));
    EXPECT_NE(code, 0) << all_output(second);
    EXPECT_NE(code, -1) << "the second manager did not exit\n" << all_output(second);
    EXPECT_NE(second.err().find("already running"), std::string::npos) << all_output(second);
    EXPECT_EQ(second.out().find("REGISTER"), std::string::npos) << "register() ran in the second manager\n"
                                                                 << all_output(second);
    EXPECT_EQ(second.err().find("ready after"), std::string::npos) << all_output(second);

    // The first is untouched and still answers on the default socket.
    auto status = run_ripple({"status", script, "--json"});
    EXPECT_EQ(status.code, 0) << all_output(status);
    const json st = json::parse(status.out, nullptr, false);
    ASSERT_TRUE(st.is_object()) << all_output(status);
    EXPECT_EQ(st["manager"]["pid"], first.pid()) << st.dump();
    EXPECT_EQ(first.count(Stream::Out, "REGISTER alpha"), 1u) << all_output(first);
    EXPECT_TRUE(e2e::alive(first.pid()));

    first.signal(SIGTERM);
    EXPECT_EQ(first.exit_code(Seconds(10)), 0) << all_output(first);
}

// When there is no socket at the path the client tried, it hints at --control.
TEST(Hardening, ControlClientHintsAtControlWhenNoSocketExists) {
    TempDir dir;
    // A script that exists but never ran: its default socket does not exist.
    const std::string script = dir.file("never_started.php");
    std::filesystem::copy_file(fixture("hard_services.php"), script);
    for (const auto& args : std::vector<std::vector<std::string>>{
             {"status", script},
             {"status", "--control", dir.file("none.sock")},
             {"reload", "--control", dir.file("none.sock")},
         }) {
        auto r = run_ripple(args);
        EXPECT_EQ(r.code, 1) << args[1] << "\n" << all_output(r);
        EXPECT_NE(r.err.find("no ripple manager is running"), std::string::npos) << all_output(r);
        EXPECT_NE(r.err.find("pass --control PATH"), std::string::npos) << all_output(r);
    }
}

}  // namespace
