// End-to-end harness: starts the real ripple binary with pipes for
// stdout/stderr, reads its output line by line with timeouts, finds its
// worker processes in /proc, sends signals, waits for exit with a timeout,
// and always kills everything it started (the whole process group) when the
// handle goes out of scope.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#ifndef RIPPLE_BINARY
#error "RIPPLE_BINARY must be defined (path of the ripple binary under test)"
#endif
#ifndef RIPPLE_SOURCE_DIR
#error "RIPPLE_SOURCE_DIR must be defined (the source tree, for fixture paths)"
#endif

namespace e2e {

using Seconds = std::chrono::duration<double>;

// Path of a file under the source tree, e.g. source_path("tests-php/fixtures/x.php").
std::string source_path(const std::string& relative);
std::string ripple_binary();

enum class Stream { Out, Err };

struct Options {
    std::vector<std::string> args;             // after argv[0]
    std::map<std::string, std::string> env;    // added to (or replacing in) the inherited environment
    std::optional<std::string> stdin_data;     // written to stdin, then closed; default: /dev/null
    std::string cwd;                           // default: RIPPLE_SOURCE_DIR
    // Prepends "--control <unique temp path>": tests running the same script
    // (in parallel, or beside a developer's instance) do not share a control socket.
    bool own_control_socket = true;
};

class Ripple {
public:
    explicit Ripple(const Options& options);
    // Shorthand: ripple ARGS...
    explicit Ripple(std::vector<std::string> args);
    ~Ripple();  // SIGKILLs the process group and reaps: nothing outlives the test
    Ripple(const Ripple&) = delete;
    Ripple& operator=(const Ripple&) = delete;

    pid_t pid() const { return pid_; }
    const std::string& control_path() const { return control_path_; }

    // Reads available output for at most `timeout` (returns early on new data).
    void pump(Seconds timeout);

    // Waits until a line of `stream` (at or after index `from`) satisfies the
    // predicate; returns its index, or nullopt on timeout / EOF without match.
    std::optional<std::size_t> wait_line(Stream stream, const std::function<bool(const std::string&)>& pred,
                                         Seconds timeout, std::size_t from = 0);
    // Waits for a line containing `needle`; returns the line.
    std::optional<std::string> wait_for(Stream stream, const std::string& needle, Seconds timeout,
                                        std::size_t from = 0);
    // Waits until `count` lines (from `from`) contain `needle`. True on success.
    bool wait_count(Stream stream, const std::string& needle, std::size_t count, Seconds timeout,
                    std::size_t from = 0);
    std::size_t count(Stream stream, const std::string& needle, std::size_t from = 0) const;

    const std::vector<std::string>& lines(Stream stream) const { return stream == Stream::Out ? out_.lines : err_.lines; }
    std::string text(Stream stream) const;  // every line read so far, plus any unterminated tail
    std::string out() const { return text(Stream::Out); }
    std::string err() const { return text(Stream::Err); }

    // Waits for `n` "[manager] NAME#I pid P ready" lines on stderr (from line `from`).
    bool wait_ready(std::size_t n, Seconds timeout, std::size_t from = 0);

    void signal(int signo) const;
    // Waits for the manager to exit, pumping output; returns the raw wait status or nullopt on timeout.
    std::optional<int> wait_exit(Seconds timeout);
    // wait_exit and decode: exit code, or 128+signal, or -1 on timeout.
    int exit_code(Seconds timeout);
    bool exited() const { return exited_; }

    // Live (non-zombie) direct children of the manager.
    std::vector<pid_t> children() const;
    // Waits until the manager has exactly `n` live children; returns them sorted.
    std::optional<std::vector<pid_t>> wait_children(std::size_t n, Seconds timeout);

private:
    struct Buffer {
        int fd = -1;
        std::string partial;
        std::vector<std::string> lines;
        bool eof = false;
    };
    void start(const Options& options);
    bool read_some(Buffer& b);
    void reap_nohang();

    pid_t pid_ = -1;
    Buffer out_;
    Buffer err_;
    bool exited_ = false;
    int status_ = 0;
    std::string control_path_;
};

// /proc helpers.
std::string cmdline(pid_t pid);          // NULs turned into spaces, trailing ones dropped; "" if gone
std::vector<pid_t> live_children(pid_t parent);
bool alive(pid_t pid);                   // exists and is not a zombie
char proc_state(pid_t pid);              // the state letter from /proc/PID/stat, 0 if gone
pid_t parent_of(pid_t pid);

// Polls `cond` every 10 ms until true or timeout.
bool eventually(const std::function<bool()>& cond, Seconds timeout);

// Parses "pid N" out of a manager log line ("NAME#I pid P ready after ..."); 0 if absent.
pid_t pid_in(const std::string& line);

// A minimal blocking TCP line client for 127.0.0.1.
class LineClient {
public:
    LineClient(const std::string& host, int port, Seconds timeout);
    ~LineClient();
    LineClient(const LineClient&) = delete;
    LineClient& operator=(const LineClient&) = delete;
    bool connected() const { return fd_ >= 0; }
    bool send_line(const std::string& line);
    std::optional<std::string> read_line(Seconds timeout);
    // Reads lines until one contains `needle`; returns it.
    std::optional<std::string> read_until(const std::string& needle, Seconds timeout);

private:
    int fd_ = -1;
    std::string buffer_;
};

// A free TCP port on 127.0.0.1 (bound then released: good enough for tests).
int free_port();

// A scratch directory for one test, removed with everything in it at the end.
struct TempDir {
    std::string path;
    explicit TempDir(const std::string& prefix = "ripple-test") {
        std::string tmpl = "/tmp/" + prefix + "-XXXXXX";
        if (mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
        path = tmpl;
    }
    ~TempDir() {
        std::error_code ec;
        std::filesystem::remove_all(path, ec);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    std::string file(const std::string& name) const { return path + "/" + name; }
    void touch(const std::string& name) const { std::ofstream(file(name)) << ""; }
};

// tests-php/fixtures/NAME in the source tree.
std::string fixture(const std::string& name);

// `ripple --control DIR/c.sock [extra...] FIXTURE`, with env[dir_var] = DIR: a
// service run whose control socket lives in the test's own directory.
Options fixture_run(const TempDir& dir, const std::string& name, const std::string& dir_var,
                    std::map<std::string, std::string> env = {}, std::vector<std::string> extra = {});

// Runs `ripple ARGS` to completion (a control client, or a run that must fail at once).
struct Finished {
    int code = -1;
    std::string out, err;
};
Finished run_to_end(std::vector<std::string> args, Seconds timeout = Seconds(15));

}  // namespace e2e
