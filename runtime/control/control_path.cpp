#include "control/control_path.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdint>
#include <cstdlib>
#include <cstring>

namespace ripple::control {

std::string default_control_path(const std::string& script, std::string& error) {
    char resolved[PATH_MAX];
    if (realpath(script.c_str(), resolved) == nullptr) {
        error = fmt::format("cannot resolve {}: {}", script, std::strerror(errno));
        return {};
    }
    // FNV-1a: stable across builds and machines, unlike std::hash.
    std::uint64_t h = 1469598103934665603ull;
    for (const char* p = resolved; *p; ++p) {
        h ^= static_cast<unsigned char>(*p);
        h *= 1099511628211ull;
    }
    const char* runtime_dir = std::getenv("XDG_RUNTIME_DIR");
    if (runtime_dir != nullptr && *runtime_dir != '\0' && access(runtime_dir, W_OK) == 0) {
        return fmt::format("{}/ripple-{:016x}.sock", runtime_dir, h);
    }
    return fmt::format("/tmp/ripple-{}-{:016x}.sock", getuid(), h);
}

}  // namespace ripple::control
