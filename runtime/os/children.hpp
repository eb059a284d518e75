// Child processes of a process, read from /proc (used to end the orphans a
// subreaper manager adopted before it exits).
#pragma once

#include <sys/types.h>

#include <vector>

namespace ripple::os {

std::vector<pid_t> child_pids(pid_t parent);

// SIGTERM to every child, up to `grace` seconds to exit, then SIGKILL; reaps them.
void terminate_children(double grace);

}  // namespace ripple::os
