// The ripple command line: php-like options before the script, everything
// after the script for the script, plus the control verbs.
#include "cli/options.hpp"

#include <gtest/gtest.h>

#include <initializer_list>
#include <string>
#include <vector>

using ripple::cli::Mode;
using ripple::cli::Options;

namespace {
Options parse(std::initializer_list<const char*> args) {
    std::vector<const char*> argv{"ripple"};
    argv.insert(argv.end(), args.begin(), args.end());
    argv.push_back(nullptr);
    return ripple::cli::parse(static_cast<int>(argv.size()) - 1, argv.data());
}
using Defines = std::vector<std::pair<std::string, std::string>>;
using Strings = std::vector<std::string>;
}  // namespace

TEST(Options, PlainScript) {
    const Options o = parse({"app.php"});
    EXPECT_TRUE(o.error.empty()) << o.error;
    EXPECT_EQ(o.mode, Mode::Script);
    EXPECT_EQ(o.script, "app.php");
    EXPECT_TRUE(o.script_args.empty());
    EXPECT_FALSE(o.ini_file.has_value());
    EXPECT_FALSE(o.no_ini);
    EXPECT_EQ(o.log_level, "info");
    EXPECT_EQ(o.log_format, "text");
}

TEST(Options, EverythingAfterTheScriptBelongsToTheScript) {
    const Options o = parse({"app.php", "-h", "--version", "-d", "x=1", "status", "--", "plain"});
    EXPECT_TRUE(o.error.empty()) << o.error;
    EXPECT_EQ(o.mode, Mode::Script);
    EXPECT_EQ(o.script, "app.php");
    EXPECT_EQ(o.script_args, (Strings{"-h", "--version", "-d", "x=1", "status", "--", "plain"}));
    EXPECT_TRUE(o.defines.empty());
}

TEST(Options, DefinesInEveryForm) {
    const Options o = parse({"-d", "memory_limit=256M", "-ddisplay_errors=stderr", "-d", "opcache.enable_cli",
                             "-d", "error_log=/tmp/a=b", "app.php"});
    EXPECT_TRUE(o.error.empty()) << o.error;
    EXPECT_EQ(o.defines, (Defines{{"memory_limit", "256M"},
                                  {"display_errors", "stderr"},
                                  {"opcache.enable_cli", "1"},  // php -d key means key=1
                                  {"error_log", "/tmp/a=b"}}));
    EXPECT_EQ(o.script, "app.php");
}

TEST(Options, DefineWithEmptyValue) {
    const Options o = parse({"-d", "auto_prepend_file=", "app.php"});
    EXPECT_TRUE(o.error.empty()) << o.error;
    EXPECT_EQ(o.defines, (Defines{{"auto_prepend_file", ""}}));
}

TEST(Options, IniFileAndNoIni) {
    Options o = parse({"-c", "/etc/custom.ini", "app.php"});
    EXPECT_TRUE(o.error.empty()) << o.error;
    ASSERT_TRUE(o.ini_file.has_value());
    EXPECT_EQ(*o.ini_file, "/etc/custom.ini");
    o = parse({"-c/tmp/x.ini", "app.php"});
    ASSERT_TRUE(o.ini_file.has_value());
    EXPECT_EQ(*o.ini_file, "/tmp/x.ini");
    o = parse({"-n", "app.php"});
    EXPECT_TRUE(o.no_ini);
    EXPECT_EQ(o.script, "app.php");
}

TEST(Options, VersionAndHelp) {
    EXPECT_EQ(parse({"--version"}).mode, Mode::Version);
    EXPECT_EQ(parse({"-v"}).mode, Mode::Version);
    EXPECT_EQ(parse({"-h"}).mode, Mode::Help);
    EXPECT_EQ(parse({"--help"}).mode, Mode::Help);
    EXPECT_TRUE(parse({"--help"}).error.empty());
    EXPECT_TRUE(parse({"--version"}).error.empty());
    // Before the script they are ours; the script is not run.
    EXPECT_EQ(parse({"-d", "a=b", "-h", "app.php"}).mode, Mode::Help);
}

TEST(Options, Errors) {
    EXPECT_FALSE(parse({}).error.empty());                    // no script
    EXPECT_FALSE(parse({"-d"}).error.empty());                // -d needs a value
    EXPECT_FALSE(parse({"-c"}).error.empty());                // -c needs a value
    EXPECT_FALSE(parse({"--log-level"}).error.empty());
    EXPECT_FALSE(parse({"--bogus", "app.php"}).error.empty());
    EXPECT_FALSE(parse({"-x", "app.php"}).error.empty());
    EXPECT_FALSE(parse({"--json", "app.php"}).error.empty());  // --json is for status only
    const Options o = parse({"--bogus", "app.php"});
    EXPECT_NE(o.error.find("--bogus"), std::string::npos) << o.error;
}

TEST(Options, LogAndMetricsOptions) {
    Options o = parse({"--log-level", "debug", "--log-format=json", "--metrics", "127.0.0.1:9180", "app.php"});
    EXPECT_TRUE(o.error.empty()) << o.error;
    EXPECT_EQ(o.log_level, "debug");
    EXPECT_EQ(o.log_format, "json");
    EXPECT_EQ(o.metrics, "127.0.0.1:9180");
    o = parse({"--log-level=warning", "app.php"});
    EXPECT_EQ(o.log_level, "warning");
}

TEST(Options, DoubleDashEndsOptionsBeforeAScriptStartingWithDash) {
    // After "--" nothing is an option any more.
    const Options o = parse({"-d", "a=1", "--", "-weird.php", "x"});
    EXPECT_TRUE(o.error.empty()) << o.error;
    EXPECT_EQ(o.mode, Mode::Script);
    EXPECT_EQ(o.script, "-weird.php");
    EXPECT_EQ(o.script_args, (Strings{"x"}));
}

TEST(Options, StatusVerb) {
    Options o = parse({"status"});
    EXPECT_TRUE(o.error.empty()) << o.error;
    EXPECT_EQ(o.mode, Mode::Status);
    o = parse({"status", "app.php", "--json"});
    EXPECT_TRUE(o.error.empty()) << o.error;
    EXPECT_EQ(o.script, "app.php");
    EXPECT_TRUE(o.json);
    o = parse({"status", "--control", "/run/ripple.sock"});
    EXPECT_EQ(o.control_path, "/run/ripple.sock");
    EXPECT_FALSE(parse({"status", "app.php", "web"}).error.empty());  // no service names
}

TEST(Options, ReloadAndStopVerbsTakeServiceNames) {
    Options o = parse({"reload", "app.php", "web", "api"});
    EXPECT_TRUE(o.error.empty()) << o.error;
    EXPECT_EQ(o.mode, Mode::Reload);
    EXPECT_EQ(o.script, "app.php");
    EXPECT_EQ(o.names, (Strings{"web", "api"}));
    o = parse({"stop", "--control=/tmp/r.sock", "web"});
    EXPECT_TRUE(o.error.empty()) << o.error;
    EXPECT_EQ(o.mode, Mode::Stop);
    EXPECT_EQ(o.control_path, "/tmp/r.sock");
    EXPECT_TRUE(o.script.empty());
    EXPECT_EQ(o.names, (Strings{"web"}));
    o = parse({"stop"});
    EXPECT_TRUE(o.error.empty()) << o.error;
    EXPECT_TRUE(o.names.empty());
}

TEST(Options, AVerbAfterTheScriptIsAScriptArgument) {
    const Options o = parse({"app.php", "stop"});
    EXPECT_EQ(o.mode, Mode::Script);
    EXPECT_EQ(o.script_args, (Strings{"stop"}));
}

TEST(Options, UsageMentionsTheOptions) {
    const std::string u = ripple::cli::usage();
    for (const char* s : {"-c", "-n", "-d", "status", "reload", "stop", "--version", "--help"}) {
        EXPECT_NE(u.find(s), std::string::npos) << s;
    }
}
