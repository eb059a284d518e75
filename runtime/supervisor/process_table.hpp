// What the manager knows about its services and their processes.
#pragma once

#include "ipc/channel.hpp"
#include "loop/timer.hpp"
#include "supervisor/restart_policy.hpp"

#include <sys/types.h>

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace ripple::supervisor {

double monotonic_seconds();

struct ServiceSpec {
    std::string name;
    int count = 1;
    double grace_period = 10.0;  // seconds between onReload()/onStop() and SIGKILL
};

enum class ProcessState { Starting, Ready, Reloading, Stopping };
const char* to_string(ProcessState state);

struct Process {
    pid_t pid = 0;
    int service_id = 0;
    int index = 0;
    ProcessState state = ProcessState::Starting;
    double started_at = 0;
    std::unique_ptr<ipc::Channel> channel;
    std::unique_ptr<loop::Timer> deadline;  // boot timeout or grace period
    std::uint64_t commands_in = 0;          // delivered to it
    std::uint64_t commands_out = 0;         // sent by it
    std::string tag() const;                // filled by the supervisor: "name#index"
    std::string name;
};

// One of a service's getCount() positions; its process is replaced on exit.
struct Slot {
    int index = 0;
    pid_t current = 0;      // the process serving this slot (0: none)
    pid_t replacement = 0;  // a reload's new process, until it is READY
    RestartPolicy policy;
    int restarts = 0;
    std::string last_exit;  // e.g. "exit status 255", "signal SIGKILL"
    std::unique_ptr<loop::Timer> restart_timer;
};

enum class ServiceState { Running, Reloading, Stopping, Stopped };

struct Service {
    int id = 0;
    ServiceSpec spec;
    ServiceState state = ServiceState::Running;
    std::vector<Slot> slots;
    bool reload_pending = false;  // a reload asked for while one runs: run once more after
    int reload_cursor = -1;       // slot being replaced, -1 when not reloading
    bool remove_when_stopped = false;
};

struct ExitRecord {
    std::string reason;
};

}  // namespace ripple::supervisor
