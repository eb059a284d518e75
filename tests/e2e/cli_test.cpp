// ripple runs plain scripts the way php does: $argv/$argc, the standard
// streams, exit status, errors on stderr, "#!" lines, -d, -c, -n, and
// the extensions that ship with Debian's PHP.
#include "harness.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <fstream>

using e2e::Ripple;
using e2e::Seconds;
using e2e::Stream;
using json = nlohmann::json;

namespace {

const Seconds kTimeout{20};

std::string plain(const std::string& name) { return "tests-php/fixtures/plain/" + name; }

// Runs ripple to completion; returns {exit code, stdout, stderr}.
struct Outcome {
    int code;
    std::string out;
    std::string err;
};
Outcome run(e2e::Options o) {
    o.own_control_socket = false;  // plain php command lines, exactly as typed
    Ripple r(o);
    const int code = r.exit_code(kTimeout);
    return {code, r.out(), r.err()};
}
Outcome run(std::vector<std::string> args) {
    e2e::Options o;
    o.args = std::move(args);
    return run(o);
}

json info(std::vector<std::string> leading) {
    leading.push_back(plain("info.php"));
    const Outcome r = run(leading);
    EXPECT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(r.err.find("undefined symbol"), std::string::npos) << r.err;
    EXPECT_EQ(r.err.find("Unable to load"), std::string::npos) << r.err;
    try {
        return json::parse(r.out);
    } catch (const std::exception& e) {
        ADD_FAILURE() << "not JSON: " << r.out << "\nstderr: " << r.err;
        return json::object();
    }
}

bool has_extension(const json& j, const std::string& name) {
    for (const auto& e : j["extensions"]) {
        if (e.get<std::string>() == name) return true;
    }
    return false;
}

}  // namespace

TEST(Cli, ArgvArgcAndStdStreamsLikePhp) {
    const Outcome r = run({plain("args.php"), "a", "b c", "-x", "--", "-h"});
    ASSERT_EQ(r.code, 0) << r.err;
    const json j = json::parse(r.out);
    const json argv = json::array({plain("args.php"), "a", "b c", "-x", "--", "-h"});
    EXPECT_EQ(j["argv"], argv);
    EXPECT_EQ(j["argc"], 6);
    EXPECT_EQ(j["server_argv"], argv);
    EXPECT_EQ(j["sapi"], "cli");
    // php sets PHP_BINARY to its own executable; tools (composer, phpunit's process
    // isolation, symfony/process) re-run PHP through it.
    EXPECT_EQ(j["binary"], e2e::ripple_binary());
    EXPECT_EQ(j["file"], e2e::source_path(plain("args.php")));  // absolute, as php makes it
    EXPECT_EQ(j["dir"], e2e::source_path("tests-php/fixtures/plain"));
    EXPECT_EQ(j["cwd"], RIPPLE_SOURCE_DIR);
    EXPECT_EQ(j["stdin"], true);
    EXPECT_EQ(j["stdout"], true);
    EXPECT_EQ(j["stderr"], true);
    EXPECT_TRUE(r.err.empty()) << r.err;
}

TEST(Cli, StdinStdoutStderrAndExitStatus) {
    e2e::Options o;
    o.args = {plain("stdio.php")};
    o.stdin_data = "one\ntwo\nthree\n";
    o.env["EXIT_CODE"] = "7";
    const Outcome r = run(o);
    EXPECT_EQ(r.code, 7);
    EXPECT_EQ(r.out, "ONE\nTWO\nTHREE\necho-after\n");
    EXPECT_EQ(r.err, "lines: 3\n");
}

TEST(Cli, ExitZeroByDefault) {
    e2e::Options o;
    o.args = {plain("stdio.php")};
    o.stdin_data = "";
    const Outcome r = run(o);
    EXPECT_EQ(r.code, 0);
    EXPECT_EQ(r.out, "echo-after\n");
}

TEST(Cli, ExitWithAStringPrintsItAndExitsZero) {
    const Outcome r = run({plain("exit_string.php")});
    EXPECT_EQ(r.code, 0);
    EXPECT_EQ(r.out, "bye from exit\n");
}

TEST(Cli, ErrorsGoToStderrAndUncaughtExceptionExits255) {
    const Outcome r = run({plain("uncaught.php")});
    EXPECT_EQ(r.code, 255);
    EXPECT_EQ(r.out, "before\nafter warning\n");
    EXPECT_NE(r.err.find("Warning:  a warning for the log"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("Uncaught RuntimeException: boom from uncaught.php"), std::string::npos) << r.err;
}

TEST(Cli, ParseErrorExits255) {
    const Outcome r = run({plain("parse_error.php")});
    EXPECT_EQ(r.code, 255);
    EXPECT_EQ(r.out.find("never"), std::string::npos);
    EXPECT_NE(r.err.find("Parse error"), std::string::npos) << r.err;
}

TEST(Cli, ShebangLineIsSkipped) {
    const Outcome r = run({plain("shebang.php")});
    EXPECT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(r.out, "shebang ok\n");
}

TEST(Cli, RelativeIncludesResolveLikePhp) {
    e2e::Options o;
    o.args = {e2e::source_path(plain("include_rel.php"))};
    o.cwd = "/tmp";
    const Outcome r = run(o);
    EXPECT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(r.out, "inc1 inc2\n");
}

TEST(Cli, DashDSetsIniEntries) {
    const json j = info({"-d", "memory_limit=99M", "-dprecision=11", "-d", "ripple.max_command_size=4K"});
    EXPECT_EQ(j["memory_limit"], "99M");
    EXPECT_EQ(j["precision"], "11");
    EXPECT_EQ(j["max_command_size"], "4K");
}

TEST(Cli, DashCReplacesThePhpIni) {
    char path[] = "/tmp/ripple-e2e-XXXXXX.ini";
    const int fd = mkstemps(path, 4);
    ASSERT_GE(fd, 0);
    const std::string ini = "memory_limit=77M\nprecision=9\n";
    ASSERT_EQ(::write(fd, ini.data(), ini.size()), static_cast<ssize_t>(ini.size()));
    ::close(fd);
    const json j = info({"-c", path});
    const json defaults = info({});
    std::remove(path);
    EXPECT_EQ(j["ini_file"], path);
    EXPECT_EQ(j["memory_limit"], "77M");
    EXPECT_EQ(j["precision"], "9");
    // Without -c the default ini is a different file.
    EXPECT_NE(defaults["ini_file"], path);
    EXPECT_NE(defaults["memory_limit"], "77M");
}

TEST(Cli, DashNUsesNoIni) {
    const json j = info({"-n"});
    EXPECT_EQ(j["ini_file"], false);
    EXPECT_FALSE(has_extension(j, "posix"));  // shared extensions come from the ini's conf.d
}

TEST(Cli, DebianSharedExtensionsLoadWithDashD) {
    // -n first, so only -d loads them: proves the binary exports what they need.
    const json j = info({"-n", "-d", "extension=posix", "-d", "extension=sockets", "-d", "extension=mbstring",
                         "-d", "extension=pdo", "-d", "extension=ffi"});
    EXPECT_TRUE(has_extension(j, "posix"));
    EXPECT_TRUE(has_extension(j, "sockets"));
    EXPECT_TRUE(has_extension(j, "mbstring"));
    EXPECT_TRUE(has_extension(j, "pdo"));
    EXPECT_TRUE(has_extension(j, "ffi"));
    EXPECT_EQ(j["posix"], true);
    EXPECT_EQ(j["sockets"], true);
}

TEST(Cli, DebianPdoSqliteWorksInTheEmbeddedInterpreter) {
    const Outcome r = run({"-n", "-d", "extension=pdo", "-d", "extension=pdo_sqlite", plain("sqlite.php")});
    EXPECT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(r.err.find("undefined symbol"), std::string::npos) << r.err;
    EXPECT_EQ(r.out, "42\n") << r.err;
}

TEST(Cli, RippleExtensionAndOpcacheAreOn) {
    const json j = info({});
    EXPECT_TRUE(has_extension(j, "ripple"));
    EXPECT_EQ(j["classes"], json::array({true, true, true, true, true}));
    EXPECT_EQ(j["opcache_enabled"], true);
    EXPECT_EQ(j["max_command_size"], "16M");
}

TEST(Cli, Version) {
    const Outcome r = run({"--version"});
    EXPECT_EQ(r.code, 0);
    EXPECT_EQ(r.out.rfind("ripple ", 0), 0u) << r.out;
    EXPECT_NE(r.out.find("PHP 8.2"), std::string::npos) << r.out;
    EXPECT_EQ(run({"-v"}).out, r.out);
}

TEST(Cli, Help) {
    const Outcome r = run({"-h"});
    EXPECT_EQ(r.code, 0);
    EXPECT_NE(r.out.find("Usage"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("-d key=value"), std::string::npos) << r.out;
    EXPECT_EQ(run({"--help"}).out, r.out);
}

TEST(Cli, MissingScriptIsOneLineAndExit1) {
    const Outcome r = run({"tests-php/fixtures/plain/does-not-exist.php"});
    EXPECT_EQ(r.code, 1);
    EXPECT_TRUE(r.out.empty()) << r.out;
    ASSERT_FALSE(r.err.empty());
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
    EXPECT_NE(r.err.find("does-not-exist.php"), std::string::npos) << r.err;
}

TEST(Cli, NoScriptOrUnknownOptionIsAUsageErrorExit1) {
    Outcome r = run(std::vector<std::string>{});
    EXPECT_EQ(r.code, 1);
    EXPECT_NE(r.err.find("Usage"), std::string::npos) << r.err;
    r = run({"--no-such-option", plain("args.php")});
    EXPECT_EQ(r.code, 1);
    EXPECT_NE(r.err.find("--no-such-option"), std::string::npos) << r.err;
    EXPECT_TRUE(r.out.empty());
}
