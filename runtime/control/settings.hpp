// Manager settings taken from the command line, read when Manager::run() starts.
#pragma once

#include <string>

namespace ripple::control {

struct ManagerSettings {
    std::string control_path;  // empty: no control socket
    std::string metrics;       // HOST:PORT, empty: no metrics endpoint
};

inline ManagerSettings& manager_settings() {
    static ManagerSettings* s = new ManagerSettings();
    return *s;
}

}  // namespace ripple::control
