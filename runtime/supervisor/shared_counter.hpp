// The group-wide id counter behind Worker::syncId(): one 64-bit atomic in an
// anonymous MAP_SHARED page, mapped before the first fork so every worker
// shares it. next() is a single lock-free fetch-add, no IPC.
#pragma once

#include <atomic>
#include <cstdint>

namespace ripple::supervisor {

class SharedCounter {
public:
    SharedCounter();  // maps the page; throws std::system_error on failure
    ~SharedCounter();
    SharedCounter(const SharedCounter&) = delete;
    SharedCounter& operator=(const SharedCounter&) = delete;

    // Returns 1, 2, 3, ... across every process sharing the mapping.
    std::int64_t next() { return value_->fetch_add(1, std::memory_order_relaxed) + 1; }
    std::int64_t current() const { return value_->load(std::memory_order_relaxed); }

private:
    static_assert(std::atomic<std::int64_t>::is_always_lock_free, "syncId needs a lock-free 64-bit atomic");
    std::atomic<std::int64_t>* value_;
};

}  // namespace ripple::supervisor
