// The syncId counter: a MAP_SHARED atomic that forked processes share.
// Several processes hammer next() at once; every id must come out exactly once.
#include "supervisor/shared_counter.hpp"

#include <gtest/gtest.h>

#include <limits.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <cstdint>
#include <vector>

using ripple::supervisor::SharedCounter;

TEST(SharedCounter, StartsAtOneInOneProcess) {
    SharedCounter c;
    EXPECT_EQ(c.current(), 0);
    EXPECT_EQ(c.next(), 1);
    EXPECT_EQ(c.next(), 2);
    EXPECT_EQ(c.next(), 3);
    EXPECT_EQ(c.current(), 3);
}

TEST(SharedCounter, IndependentCountersDoNotShare) {
    SharedCounter a;
    SharedCounter b;
    a.next();
    a.next();
    EXPECT_EQ(b.next(), 1);
    EXPECT_EQ(a.current(), 2);
}

namespace {
bool write_all(int fd, const void* data, std::size_t size) {
    const char* p = static_cast<const char*>(data);
    while (size > 0) {
        const ssize_t n = ::write(fd, p, size);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return false;
        p += n;
        size -= static_cast<std::size_t>(n);
    }
    return true;
}
}  // namespace

TEST(SharedCounter, ForkedProcessesGetUniqueContiguousIds) {
    constexpr int kProcs = 6;
    constexpr int kPerProc = 50000;
    SharedCounter counter;
    counter.next();  // one id taken before the fork: children continue from it
    int fds[2];
    ASSERT_EQ(pipe(fds), 0);
    std::vector<pid_t> children;
    for (int c = 0; c < kProcs; ++c) {
        const pid_t pid = fork();
        ASSERT_GE(pid, 0);
        if (pid == 0) {
            ::close(fds[0]);
            std::vector<std::int64_t> ids;
            ids.reserve(kPerProc);
            for (int i = 0; i < kPerProc; ++i) ids.push_back(counter.next());
            // Each process's own ids are strictly increasing.
            const bool increasing = std::is_sorted(ids.begin(), ids.end()) &&
                                    std::adjacent_find(ids.begin(), ids.end()) == ids.end();
            // Chunks of PIPE_BUF bytes (whole ids) are written atomically, so ids from
            // different children never interleave inside one id.
            bool ok = true;
            constexpr std::size_t kChunk = PIPE_BUF / sizeof(std::int64_t);
            for (std::size_t off = 0; ok && off < ids.size(); off += kChunk) {
                ok = write_all(fds[1], ids.data() + off, std::min(kChunk, ids.size() - off) * sizeof(std::int64_t));
            }
            _exit(ok && increasing ? 0 : 3);
        }
        children.push_back(pid);
    }
    ::close(fds[1]);
    // Children write whole ids in atomic PIPE_BUF-sized chunks, so the stream is whole ids.
    std::vector<char> bytes;
    char buf[65536];
    for (;;) {
        const ssize_t n = ::read(fds[0], buf, sizeof(buf));
        if (n < 0 && errno == EINTR) continue;
        ASSERT_GE(n, 0);
        if (n == 0) break;
        bytes.insert(bytes.end(), buf, buf + n);
    }
    ASSERT_EQ(bytes.size() % sizeof(std::int64_t), 0u);
    std::vector<std::int64_t> all(bytes.size() / sizeof(std::int64_t));
    std::memcpy(all.data(), bytes.data(), bytes.size());
    ::close(fds[0]);
    for (pid_t pid : children) {
        int status = 0;
        ASSERT_EQ(waitpid(pid, &status, 0), pid);
        EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "child " << pid << " status " << status;
    }
    ASSERT_EQ(all.size(), static_cast<std::size_t>(kProcs) * kPerProc);
    std::sort(all.begin(), all.end());
    // Unique and contiguous: exactly 2 .. kProcs*kPerProc+1.
    for (std::size_t i = 0; i < all.size(); ++i) {
        ASSERT_EQ(all[i], static_cast<std::int64_t>(i) + 2) << "at sorted position " << i;
    }
    EXPECT_EQ(counter.current(), static_cast<std::int64_t>(kProcs) * kPerProc + 1);
}
