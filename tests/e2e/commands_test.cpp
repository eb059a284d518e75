// Command routing between real worker processes: commandToWorker reaches
// every process of the named service and no other, in order, none lost;
// commandToAll reaches every process including the sender; syncId() is
// unique across processes.
#include "harness.hpp"

#include <gtest/gtest.h>

#include <dirent.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

using e2e::Ripple;
using e2e::Seconds;
using e2e::Stream;

TEST(Commands, CommandToWorkerInOrderNoneLostOnlyToTheNamedService) {
    e2e::Options o;
    o.args = {"tests-php/fixtures/commands.php"};
    o.env["N_COMMANDS"] = "5000";
    o.env["RECV_COUNT"] = "3";
    Ripple r(o);
    ASSERT_TRUE(r.wait_ready(6, Seconds(20))) << r.err();
    ASSERT_TRUE(r.wait_for(Stream::Out, "FIXTURE sender sent 5000", Seconds(30))) << r.out() << r.err();
    // Each receiver checked order, count and payload itself.
    const bool all_ok = r.wait_line(
        Stream::Out,
        [n = 0](const std::string& l) mutable {
            return (l.find("FIXTURE recv#") != std::string::npos &&
                    (l.find(" ok 5000") != std::string::npos || l.find(" ERROR") != std::string::npos)) &&
                   ++n == 3;
        },
        Seconds(60)).has_value();
    ASSERT_TRUE(all_ok) << r.out() << r.err();
    for (int i = 0; i < 3; ++i) {
        EXPECT_EQ(r.count(Stream::Out, "FIXTURE recv#" + std::to_string(i) + " ok 5000"), 1u) << r.out();
    }
    EXPECT_EQ(r.count(Stream::Out, " ERROR"), 0u) << r.out();
    // The other service got none of them (its probe was sent after all 5000).
    ASSERT_TRUE(r.wait_count(Stream::Out, " probe numbered=", 2, Seconds(20))) << r.out();
    EXPECT_EQ(r.count(Stream::Out, "FIXTURE other#0 probe numbered=0"), 1u) << r.out();
    EXPECT_EQ(r.count(Stream::Out, "FIXTURE other#1 probe numbered=0"), 1u) << r.out();
    EXPECT_EQ(r.count(Stream::Out, "FIXTURE recv#0 probe"), 0u) << r.out();
    // Nothing was dropped by the manager.
    EXPECT_EQ(r.count(Stream::Err, "dropped"), 0u) << r.err();
}

TEST(Commands, CommandToAllReachesEveryProcessIncludingTheSender) {
    e2e::Options o;
    o.args = {"tests-php/fixtures/commands.php"};
    o.env["N_COMMANDS"] = "10";
    o.env["RECV_COUNT"] = "2";
    Ripple r(o);
    ASSERT_TRUE(r.wait_ready(5, Seconds(20))) << r.err();
    ASSERT_TRUE(r.wait_count(Stream::Out, " all from sender#0", 5, Seconds(30))) << r.out() << r.err();
    for (const char* tag : {"sender#0", "recv#0", "recv#1", "other#0", "other#1"}) {
        EXPECT_EQ(r.count(Stream::Out, std::string("FIXTURE ") + tag + " all from sender#0"), 1u) << tag << "\n"
                                                                                                  << r.out();
    }
    // And only once each.
    r.pump(Seconds(0.3));
    EXPECT_EQ(r.count(Stream::Out, " all from sender#0"), 5u) << r.out();
}

TEST(Commands, SyncIdIsUniqueAcrossProcesses) {
    const std::string dir = std::filesystem::temp_directory_path() / ("ripple-syncid-" + std::to_string(getpid()));
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    {
        e2e::Options o;
        o.args = {"tests-php/fixtures/syncid.php"};
        o.env["SYNC_DIR"] = dir;
        o.env["SYNC_PROCS"] = "4";
        o.env["SYNC_CALLS"] = "10000";
        Ripple r(o);
        ASSERT_TRUE(r.wait_count(Stream::Out, " wrote 10000", 4, Seconds(30))) << r.out() << r.err();
    }
    std::vector<long long> ids;
    for (int i = 0; i < 4; ++i) {
        std::ifstream in(dir + "/ids-" + std::to_string(i) + ".txt");
        ASSERT_TRUE(in) << "ids-" << i;
        long long v;
        std::size_t n = 0;
        long long last = 0;
        while (in >> v) {
            EXPECT_GT(v, last) << "ids of one process must increase";
            last = v;
            ids.push_back(v);
            ++n;
        }
        EXPECT_EQ(n, 10000u) << "process " << i;
    }
    std::filesystem::remove_all(dir);
    ASSERT_EQ(ids.size(), 40000u);
    std::sort(ids.begin(), ids.end());
    EXPECT_EQ(std::adjacent_find(ids.begin(), ids.end()), ids.end()) << "duplicate syncId";
    // Nothing else takes ids in this group: they are exactly 1..40000.
    EXPECT_EQ(ids.front(), 1);
    EXPECT_EQ(ids.back(), 40000);
}

TEST(Commands, CommandWithoutArgumentsIsDelivered) {
    // Command::make('ping') has the default (empty) arguments array.
    e2e::Options o;
    o.args = {"tests-php/fixtures/services.php"};
    o.env["SERVICES"] = "alpha:1,beta:2";
    o.env["SEND_ON_BOOT"] = "beta";
    Ripple r(o);
    ASSERT_TRUE(r.wait_ready(3, Seconds(20))) << r.err();
    // alpha#0 and beta#0 each sent one ping to beta: both beta processes get two.
    EXPECT_TRUE(r.wait_count(Stream::Out, "FIXTURE command beta#", 4, Seconds(5))) << r.out() << r.err();
    EXPECT_EQ(r.count(Stream::Out, "FIXTURE command beta#0 ping"), 2u) << r.out();
    EXPECT_EQ(r.count(Stream::Out, "FIXTURE command beta#1 ping"), 2u) << r.out();
    EXPECT_EQ(r.count(Stream::Out, "FIXTURE command alpha#"), 0u) << r.out();
    EXPECT_EQ(r.count(Stream::Err, "SIGSEGV"), 0u) << r.err();
}
