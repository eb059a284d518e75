#include "supervisor/shared_counter.hpp"

#include <sys/mman.h>

#include <cerrno>
#include <new>
#include <system_error>

namespace ripple::supervisor {

SharedCounter::SharedCounter() {
    void* page = mmap(nullptr, sizeof(std::atomic<std::int64_t>), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
                      -1, 0);
    if (page == MAP_FAILED) throw std::system_error(errno, std::generic_category(), "mmap of the syncId counter");
    value_ = new (page) std::atomic<std::int64_t>(0);
}

SharedCounter::~SharedCounter() { munmap(value_, sizeof(*value_)); }

}  // namespace ripple::supervisor
