// Command line of the ripple binary: php-like options for running a script,
// plus the control verbs (status, reload, stop).
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace ripple::cli {

enum class Mode { Script, Version, Help, Status, Reload, Stop };

struct Options {
    Mode mode = Mode::Script;
    std::optional<std::string> ini_file;  // -c
    bool no_ini = false;                  // -n
    std::vector<std::pair<std::string, std::string>> defines;  // -d key=value
    std::string script;
    std::vector<std::string> script_args;
    std::string control_path;  // --control
    bool json = false;         // --json (status)
    std::vector<std::string> names;  // reload/stop: services
    std::string log_level = "info";
    std::string log_format = "text";
    std::string metrics;  // --metrics HOST:PORT
    std::string error;    // non-empty: a usage error to print
};

Options parse(int argc, const char* const* argv);
std::string usage();

}  // namespace ripple::cli
