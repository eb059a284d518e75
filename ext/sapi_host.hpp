// Hosts the PHP interpreter through libphp's embed SAPI: ini handling,
// STDIN/STDOUT/STDERR, running one script and returning its exit status.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace ripple::ext {

struct HostOptions {
    std::optional<std::string> ini_file;
    bool no_ini = false;
    std::vector<std::pair<std::string, std::string>> defines;
    std::string script;
    std::vector<std::string> script_args;
    std::string binary;  // argv[0] of ripple
};

int run_script(const HostOptions& options);

}  // namespace ripple::ext
