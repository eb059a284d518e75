// `ripple status|reload|stop`: one request to a running manager's control socket.
#pragma once

#include "cli/options.hpp"

namespace ripple::control {

// Prints the reply; returns the process exit status (0 ok, 1 error).
int run_client(const cli::Options& options);

}  // namespace ripple::control
