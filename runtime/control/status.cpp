#include "control/status.hpp"

#include "supervisor/supervisor.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

namespace ripple::control {

Memory process_memory(int pid) {
    Memory m;
    std::ifstream in(fmt::format("/proc/{}/smaps_rollup", pid));
    std::string line;
    while (std::getline(in, line)) {
        std::istringstream fields(line);
        std::string key;
        std::uint64_t kb = 0;
        if (!(fields >> key >> kb)) continue;  // the header line
        if (key == "Rss:") m.rss = kb * 1024;
        else if (key == "Pss:") m.pss = kb * 1024;
        else if (key == "Private_Clean:" || key == "Private_Dirty:") m.uss += kb * 1024;
    }
    return m;
}

namespace {
const char* service_state(supervisor::ServiceState s) {
    switch (s) {
        case supervisor::ServiceState::Running: return "running";
        case supervisor::ServiceState::Reloading: return "reloading";
        case supervisor::ServiceState::Stopping: return "stopping";
        case supervisor::ServiceState::Stopped: return "stopped";
    }
    return "unknown";
}
}  // namespace

nlohmann::json status_json(const supervisor::Supervisor& sup, std::int64_t sync_id) {
    using nlohmann::json;
    const double now = supervisor::monotonic_seconds();
    json services = json::array();
    for (const auto& svc : sup.services()) {
        if (svc->remove_when_stopped && svc->state == supervisor::ServiceState::Stopped) continue;
        json procs = json::array();
        for (const auto& [pid, p] : sup.processes()) {
            if (p->service_id != svc->id) continue;
            const auto& slot = svc->slots[static_cast<std::size_t>(p->index)];
            const Memory mem = process_memory(pid);
            procs.push_back({{"index", p->index},
                             {"pid", pid},
                             {"state", supervisor::to_string(p->state)},
                             {"uptime", now - p->started_at},
                             {"restarts", slot.restarts},
                             {"last_exit", slot.last_exit},
                             {"rss_bytes", mem.rss},
                             {"pss_bytes", mem.pss},
                             {"commands_in", p->commands_in},
                             {"commands_out", p->commands_out}});
        }
        json slots = json::array();
        for (const auto& slot : svc->slots) slots.push_back({{"index", slot.index}, {"restarts", slot.restarts}, {"last_exit", slot.last_exit}});
        services.push_back({{"name", svc->spec.name},
                            {"count", svc->spec.count},
                            {"state", service_state(svc->state)},
                            {"grace_period", svc->spec.grace_period},
                            {"processes", procs},
                            {"slots", slots}});
    }
    const auto& c = sup.counters();
    return {{"schema", 1},
            {"version", RIPPLE_VERSION},
            {"manager", {{"pid", getpid()}, {"uptime", now - sup.started_at()}, {"rss_bytes", process_memory(getpid()).rss}}},
            {"commands", {{"routed", c.routed}, {"dropped", c.dropped}}},
            {"restarts", c.restarts},
            {"exits", c.exits_by_reason},
            {"sync_id", sync_id},
            {"services", services}};
}

std::string status_table(const nlohmann::json& s) {
    std::ostringstream out;
    out << fmt::format("ripple {}  manager pid {}  uptime {:.0f}s  syncId {}  commands routed {} dropped {}\n",
                       s["version"].get<std::string>(), s["manager"]["pid"].get<int>(),
                       s["manager"]["uptime"].get<double>(), s["sync_id"].get<std::int64_t>(),
                       s["commands"]["routed"].get<std::uint64_t>(), s["commands"]["dropped"].get<std::uint64_t>());
    for (const auto& svc : s["services"]) {
        out << fmt::format("\nservice {} ({}, {} process(es))\n", svc["name"].get<std::string>(),
                           svc["state"].get<std::string>(), svc["count"].get<int>());
        out << fmt::format("  {:>5} {:>8} {:<10} {:>9} {:>8} {:>9} {:>9} {:>9} {:>9}  {}\n", "INDEX", "PID", "STATE",
                           "UPTIME", "RESTARTS", "RSS", "PSS", "CMD-IN", "CMD-OUT", "LAST EXIT");
        for (const auto& p : svc["processes"]) {
            const auto& slot = svc["slots"][p["index"].get<std::size_t>()];
            out << fmt::format("  {:>5} {:>8} {:<10} {:>8.0f}s {:>8} {:>8.1f}M {:>8.1f}M {:>9} {:>9}  {}\n",
                               p["index"].get<int>(), p["pid"].get<int>(), p["state"].get<std::string>(),
                               p["uptime"].get<double>(), p["restarts"].get<int>(),
                               p["rss_bytes"].get<double>() / 1048576.0, p["pss_bytes"].get<double>() / 1048576.0,
                               p["commands_in"].get<std::uint64_t>(), p["commands_out"].get<std::uint64_t>(),
                               slot["last_exit"].get<std::string>().empty() ? "-" : slot["last_exit"].get<std::string>());
        }
    }
    return out.str();
}

}  // namespace ripple::control
