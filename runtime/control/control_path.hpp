// Where a manager's control socket lives: derived from the script's real path
// (so `ripple status script.php` finds it), under $XDG_RUNTIME_DIR or /tmp.
#pragma once

#include <string>

namespace ripple::control {

// Empty string and `error` set when the script cannot be resolved.
std::string default_control_path(const std::string& script, std::string& error);

}  // namespace ripple::control
