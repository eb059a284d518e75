// ripple: run a PHP service script, or talk to a running manager.
#include "cli/options.hpp"
#include "control/control_client.hpp"
#include "control/control_path.hpp"
#include "control/settings.hpp"
#include "ext/sapi_host.hpp"
#include "log/log.hpp"
#include "os/proc_title.hpp"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#ifndef RIPPLE_VERSION
#define RIPPLE_VERSION "0.1.0"
#endif

extern "C" const char* ripple_php_version();

int main(int argc, char** argv) {
    const ripple::cli::Options opts = ripple::cli::parse(argc, argv);
    if (!opts.error.empty()) {
        std::fprintf(stderr, "ripple: %s\n%s", opts.error.c_str(), ripple::cli::usage().c_str());
        return 1;
    }
    switch (opts.mode) {
        case ripple::cli::Mode::Help: std::fputs(ripple::cli::usage().c_str(), stdout); return 0;
        case ripple::cli::Mode::Version:
            std::printf("ripple %s (PHP %s, embed SAPI)\n", RIPPLE_VERSION, ripple_php_version());
            return 0;
        case ripple::cli::Mode::Status:
        case ripple::cli::Mode::Reload:
        case ripple::cli::Mode::Stop: return ripple::control::run_client(opts);
        case ripple::cli::Mode::Script: break;
    }
    ripple::log::Level level;
    if (!ripple::log::parse_level(opts.log_level, level)) {
        std::fprintf(stderr, "ripple: unknown log level '%s' (debug, info, warning, error)\n", opts.log_level.c_str());
        return 1;
    }
    ripple::log::set_level(level);
    ripple::log::capture_libevent_messages();
    if (opts.log_format == "json") ripple::log::set_format(ripple::log::Format::Json);
    else if (opts.log_format != "text") {
        std::fprintf(stderr, "ripple: unknown log format '%s' (text, json)\n", opts.log_format.c_str());
        return 1;
    }

    if (opts.ini_file && ::access(opts.ini_file->c_str(), R_OK) != 0) {
        std::fprintf(stderr, "ripple: cannot read the ini file given with -c: %s\n", opts.ini_file->c_str());
        return 1;
    }
    if (!opts.metrics.empty()) {
        const auto colon = opts.metrics.rfind(':');
        const int port = colon == std::string::npos ? 0 : std::atoi(opts.metrics.c_str() + colon + 1);
        if (colon == std::string::npos || colon == 0 || port <= 0 || port > 65535) {
            std::fprintf(stderr, "ripple: --metrics wants HOST:PORT (e.g. 127.0.0.1:9180), got '%s'\n",
                         opts.metrics.c_str());
            return 1;
        }
    }
    auto& settings = ripple::control::manager_settings();
    settings.metrics = opts.metrics;
    settings.control_path = opts.control_path;
    if (settings.control_path.empty()) {
        std::string ignored;  // a missing script is reported below, by the interpreter host
        settings.control_path = ripple::control::default_control_path(opts.script, ignored);
    }

    ripple::os::proc_title_init(argc, argv);
    ripple::ext::HostOptions host;
    host.ini_file = opts.ini_file;
    host.no_ini = opts.no_ini;
    host.defines = opts.defines;
    host.script = opts.script;
    host.script_args = opts.script_args;
    host.binary = argv[0];
    return ripple::ext::run_script(host);
}
