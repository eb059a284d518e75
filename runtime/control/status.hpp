// The manager's state as JSON (the `ripple status --json` schema, see
// docs/cli.md) and as the human-readable table.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>

namespace ripple::supervisor {
class Supervisor;
}

namespace ripple::control {

nlohmann::json status_json(const supervisor::Supervisor& sup, std::int64_t sync_id);
std::string status_table(const nlohmann::json& status);

struct Memory {
    std::uint64_t rss = 0;  // bytes
    std::uint64_t pss = 0;
    std::uint64_t uss = 0;  // private clean + dirty
};
Memory process_memory(int pid);

}  // namespace ripple::control
