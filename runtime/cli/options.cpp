#include "cli/options.hpp"

#include <cstring>

namespace ripple::cli {
namespace {

bool take_value(int argc, const char* const* argv, int& i, std::string_view flag, std::string& out, Options& o) {
    const std::string_view arg = argv[i];
    if (arg.size() > flag.size() && arg.substr(0, flag.size()) == flag) {
        // -dkey=val, -cFILE, --flag=value
        std::string_view rest = arg.substr(flag.size());
        if (rest.front() == '=') rest.remove_prefix(1);
        out = rest;
        return true;
    }
    if (i + 1 >= argc) {
        o.error = std::string("option ") + std::string(flag) + " needs a value";
        return false;
    }
    out = argv[++i];
    return true;
}

bool matches(std::string_view arg, std::string_view flag) {
    return arg == flag || (arg.size() > flag.size() && arg.substr(0, flag.size()) == flag &&
                           (flag.size() == 2 || arg[flag.size()] == '='));
}

}  // namespace

std::string usage() {
    return "Usage: ripple [options] script.php [args...]\n"
           "       ripple status [script.php | --control PATH] [--json]\n"
           "       ripple reload [script.php | --control PATH] [service...]\n"
           "       ripple stop   [script.php | --control PATH] [service...]\n"
           "\n"
           "Runs a PHP service script with supervised worker processes (Psc\\Worker\\Manager).\n"
           "\n"
           "Options:\n"
           "  -c FILE            use FILE as php.ini instead of the default one\n"
           "  -n                 use no php.ini file\n"
           "  -d key=value       set an ini entry (repeatable)\n"
           "  --control PATH     the manager's control socket (default: derived from the script path)\n"
           "  --log-level LEVEL  debug, info, warning or error (default: info)\n"
           "  --log-format FMT   text or json (default: text)\n"
           "  --metrics ADDR     serve Prometheus metrics on ADDR, e.g. 127.0.0.1:9180\n"
           "  --json             status: print JSON\n"
           "  -h, --help         this help\n"
           "  -v, --version      version information\n";
}

Options parse(int argc, const char* const* argv) {
    Options o;
    int i = 1;
    if (argc > 1) {
        const std::string_view verb = argv[1];
        if (verb == "status") o.mode = Mode::Status, i = 2;
        else if (verb == "reload") o.mode = Mode::Reload, i = 2;
        else if (verb == "stop") o.mode = Mode::Stop, i = 2;
    }
    const bool control_verb = o.mode != Mode::Script;
    for (; i < argc; ++i) {
        const std::string_view arg = argv[i];
        std::string value;
        if (arg == "--") {
            ++i;
            // php-style: what follows `--` is the script (even one named "-x.php"), then its arguments.
            if (!control_verb && o.script.empty() && i < argc) o.script = argv[i++];
            break;
        }
        if (arg == "-h" || arg == "--help") {
            o.mode = Mode::Help;
            return o;
        }
        if (arg == "-v" || arg == "--version") {
            o.mode = Mode::Version;
            return o;
        }
        if (arg == "-n") {
            o.no_ini = true;
        } else if (matches(arg, "-c")) {
            if (!take_value(argc, argv, i, "-c", value, o)) return o;
            o.ini_file = value;
        } else if (matches(arg, "-d")) {
            if (!take_value(argc, argv, i, "-d", value, o)) return o;
            const auto eq = value.find('=');
            if (eq == std::string::npos) o.defines.emplace_back(value, "1");
            else o.defines.emplace_back(value.substr(0, eq), value.substr(eq + 1));
        } else if (matches(arg, "--control")) {
            if (!take_value(argc, argv, i, "--control", o.control_path, o)) return o;
        } else if (matches(arg, "--log-level")) {
            if (!take_value(argc, argv, i, "--log-level", o.log_level, o)) return o;
        } else if (matches(arg, "--log-format")) {
            if (!take_value(argc, argv, i, "--log-format", o.log_format, o)) return o;
        } else if (matches(arg, "--metrics")) {
            if (!take_value(argc, argv, i, "--metrics", o.metrics, o)) return o;
        } else if (arg == "--json" && control_verb) {
            o.json = true;
        } else if (arg.size() > 1 && arg[0] == '-') {
            o.error = "unknown option " + std::string(arg);
            return o;
        } else if (control_verb) {
            // The first argument ending in .php names the script; the rest are service names.
            if (o.script.empty() && o.control_path.empty() && arg.size() > 4 && arg.substr(arg.size() - 4) == ".php") {
                o.script = arg;
            } else {
                o.names.emplace_back(arg);
            }
        } else {
            o.script = arg;
            ++i;
            break;
        }
    }
    for (; i < argc; ++i) {
        if (control_verb) o.names.emplace_back(argv[i]);
        else o.script_args.emplace_back(argv[i]);
    }
    if (o.mode == Mode::Script && o.script.empty()) o.error = "no script given";
    if (o.mode == Mode::Status && !o.names.empty()) o.error = "status takes no service names";
    return o;
}

}  // namespace ripple::cli
