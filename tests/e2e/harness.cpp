#include "harness.hpp"

#include <arpa/inet.h>
#include <dirent.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace e2e {
namespace {

using Clock = std::chrono::steady_clock;

Clock::time_point deadline_after(Seconds s) {
    return Clock::now() + std::chrono::duration_cast<Clock::duration>(s);
}

Seconds left_until(Clock::time_point deadline) {
    const auto d = deadline - Clock::now();
    return d.count() > 0 ? std::chrono::duration_cast<Seconds>(d) : Seconds(0);
}

int to_ms(Seconds s) {
    const double ms = s.count() * 1000.0;
    if (ms <= 0) return 0;
    if (ms > 1e9) return 1000000000;
    return static_cast<int>(ms + 0.999);
}

std::string read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return {};
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

// Fields after "(comm)" in /proc/PID/stat; empty if the process is gone.
std::vector<std::string> stat_fields(pid_t pid) {
    const std::string s = read_file("/proc/" + std::to_string(pid) + "/stat");
    const auto close = s.rfind(')');
    if (close == std::string::npos) return {};
    std::istringstream rest(s.substr(close + 1));
    std::vector<std::string> fields;
    std::string f;
    while (rest >> f) fields.push_back(f);
    return fields;  // [0] = state, [1] = ppid, [2] = pgrp, ...
}

}  // namespace

std::string source_path(const std::string& relative) { return std::string(RIPPLE_SOURCE_DIR) + "/" + relative; }
std::string ripple_binary() { return RIPPLE_BINARY; }

Ripple::Ripple(const Options& options) { start(options); }

Ripple::Ripple(std::vector<std::string> args) {
    Options o;
    o.args = std::move(args);
    start(o);
}

void Ripple::start(const Options& options) {
    int out[2], err[2], in[2];
    if (pipe2(out, O_CLOEXEC) != 0 || pipe2(err, O_CLOEXEC) != 0 || pipe2(in, O_CLOEXEC) != 0) {
        throw std::runtime_error(std::string("pipe2: ") + std::strerror(errno));
    }
    std::vector<std::string> argv_s{ripple_binary()};
    if (options.own_control_socket) {
        static int counter = 0;
        control_path_ = "/tmp/ripple-e2e-" + std::to_string(getpid()) + "-" + std::to_string(++counter) + ".sock";
        argv_s.push_back("--control");
        argv_s.push_back(control_path_);
    }
    argv_s.insert(argv_s.end(), options.args.begin(), options.args.end());
    std::vector<char*> argv;
    for (auto& a : argv_s) argv.push_back(a.data());
    argv.push_back(nullptr);
    const std::string cwd = options.cwd.empty() ? std::string(RIPPLE_SOURCE_DIR) : options.cwd;

    pid_ = fork();
    if (pid_ < 0) throw std::runtime_error(std::string("fork: ") + std::strerror(errno));
    if (pid_ == 0) {
        setpgid(0, 0);  // its own group: the destructor kills the whole tree at once
        dup2(in[0], STDIN_FILENO);
        dup2(out[1], STDOUT_FILENO);
        dup2(err[1], STDERR_FILENO);
        if (!options.stdin_data) {
            const int devnull = ::open("/dev/null", O_RDONLY);
            if (devnull >= 0) dup2(devnull, STDIN_FILENO);
        }
        for (auto& [k, v] : options.env) setenv(k.c_str(), v.c_str(), 1);
        if (chdir(cwd.c_str()) != 0) _exit(126);
        // Reset what gtest or the parent may have changed.
        ::signal(SIGPIPE, SIG_DFL);
        sigset_t none;
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, nullptr);
        execv(argv[0], argv.data());
        _exit(127);
    }
    setpgid(pid_, pid_);
    ::close(out[1]);
    ::close(err[1]);
    ::close(in[0]);
    if (options.stdin_data) {
        // Small inputs only: the pipe buffer takes them without blocking.
        const std::string& d = *options.stdin_data;
        std::size_t off = 0;
        while (off < d.size()) {
            const ssize_t n = ::write(in[1], d.data() + off, d.size() - off);
            if (n <= 0) break;
            off += static_cast<std::size_t>(n);
        }
    }
    ::close(in[1]);
    out_.fd = out[0];
    err_.fd = err[0];
    fcntl(out_.fd, F_SETFL, O_NONBLOCK);
    fcntl(err_.fd, F_SETFL, O_NONBLOCK);
}

Ripple::~Ripple() {
    if (pid_ > 0) {
        // Everything in the group (manager, workers, their children), then stragglers by ancestry.
        std::vector<pid_t> tree{pid_};
        for (std::size_t i = 0; i < tree.size() && i < 1000; ++i) {
            for (pid_t c : live_children(tree[i])) tree.push_back(c);
        }
        ::kill(-pid_, SIGKILL);
        for (pid_t p : tree) ::kill(p, SIGKILL);
        if (!exited_) {
            int st = 0;
            while (waitpid(pid_, &st, 0) < 0 && errno == EINTR) {
            }
        }
    }
    if (out_.fd >= 0) ::close(out_.fd);
    if (err_.fd >= 0) ::close(err_.fd);
    if (!control_path_.empty()) ::unlink(control_path_.c_str());
}

bool Ripple::read_some(Buffer& b) {
    if (b.fd < 0 || b.eof) return false;
    bool got = false;
    char buf[65536];
    for (;;) {
        const ssize_t n = ::read(b.fd, buf, sizeof buf);
        if (n > 0) {
            got = true;
            b.partial.append(buf, static_cast<std::size_t>(n));
            std::size_t start = 0;
            for (;;) {
                const auto nl = b.partial.find('\n', start);
                if (nl == std::string::npos) break;
                b.lines.emplace_back(b.partial, start, nl - start);
                start = nl + 1;
            }
            b.partial.erase(0, start);
            continue;
        }
        if (n == 0) {
            b.eof = true;
            if (!b.partial.empty()) {
                b.lines.push_back(b.partial);
                b.partial.clear();
            }
            return true;
        }
        if (errno == EINTR) continue;
        return got;  // EAGAIN
    }
}

void Ripple::pump(Seconds timeout) {
    pollfd fds[2];
    int n = 0;
    Buffer* bufs[2];
    for (Buffer* b : {&out_, &err_}) {
        if (b->fd >= 0 && !b->eof) {
            fds[n] = {b->fd, POLLIN, 0};
            bufs[n++] = b;
        }
    }
    if (n == 0) {
        std::this_thread::sleep_for(std::min(timeout, Seconds(0.01)));
        return;
    }
    const int r = ::poll(fds, static_cast<nfds_t>(n), to_ms(timeout));
    if (r <= 0) return;
    for (int i = 0; i < n; ++i) {
        if (fds[i].revents) read_some(*bufs[i]);
    }
}

std::optional<std::size_t> Ripple::wait_line(Stream stream, const std::function<bool(const std::string&)>& pred,
                                             Seconds timeout, std::size_t from) {
    const auto deadline = deadline_after(timeout);
    Buffer& b = stream == Stream::Out ? out_ : err_;
    std::size_t i = from;
    for (;;) {
        for (; i < b.lines.size(); ++i) {
            if (pred(b.lines[i])) return i;
        }
        if (b.eof || b.fd < 0) return std::nullopt;
        const Seconds left = left_until(deadline);
        if (left.count() <= 0) return std::nullopt;
        pump(std::min(left, Seconds(0.1)));
    }
}

std::optional<std::string> Ripple::wait_for(Stream stream, const std::string& needle, Seconds timeout,
                                            std::size_t from) {
    auto idx = wait_line(stream, [&](const std::string& l) { return l.find(needle) != std::string::npos; }, timeout,
                         from);
    if (!idx) return std::nullopt;
    return lines(stream)[*idx];
}

bool Ripple::wait_count(Stream stream, const std::string& needle, std::size_t count, Seconds timeout,
                        std::size_t from) {
    std::size_t found = 0;
    auto idx = wait_line(
        stream,
        [&](const std::string& l) { return l.find(needle) != std::string::npos && ++found >= count; }, timeout,
        from);
    return idx.has_value() || count == 0;
}

std::size_t Ripple::count(Stream stream, const std::string& needle, std::size_t from) const {
    const auto& ls = lines(stream);
    std::size_t n = 0;
    for (std::size_t i = from; i < ls.size(); ++i) {
        if (ls[i].find(needle) != std::string::npos) ++n;
    }
    return n;
}

std::string Ripple::text(Stream stream) const {
    const Buffer& b = stream == Stream::Out ? out_ : err_;
    std::string s;
    for (const auto& l : b.lines) {
        s += l;
        s += '\n';
    }
    s += b.partial;
    return s;
}

bool Ripple::wait_ready(std::size_t n, Seconds timeout, std::size_t from) {
    std::size_t found = 0;
    auto idx = wait_line(
        Stream::Err,
        [&](const std::string& l) {
            return l.find("[manager]") != std::string::npos && l.find(" ready after ") != std::string::npos &&
                   ++found >= n;
        },
        timeout, from);
    return idx.has_value();
}

void Ripple::signal(int signo) const {
    if (pid_ > 0 && !exited_) ::kill(pid_, signo);
}

void Ripple::reap_nohang() {
    if (exited_ || pid_ <= 0) return;
    int st = 0;
    const pid_t r = waitpid(pid_, &st, WNOHANG);
    if (r == pid_) {
        exited_ = true;
        status_ = st;
    }
}

std::optional<int> Ripple::wait_exit(Seconds timeout) {
    const auto deadline = deadline_after(timeout);
    for (;;) {
        reap_nohang();
        if (exited_) break;
        const Seconds left = left_until(deadline);
        if (left.count() <= 0) return std::nullopt;
        pump(std::min(left, Seconds(0.02)));
    }
    // Drain what is left in the pipes (bounded: an orphan could hold them open).
    const auto drain_deadline = deadline_after(Seconds(2));
    while ((!out_.eof || !err_.eof) && left_until(drain_deadline).count() > 0) pump(Seconds(0.05));
    return status_;
}

int Ripple::exit_code(Seconds timeout) {
    auto st = wait_exit(timeout);
    if (!st) return -1;
    if (WIFEXITED(*st)) return WEXITSTATUS(*st);
    if (WIFSIGNALED(*st)) return 128 + WTERMSIG(*st);
    return -2;
}

std::vector<pid_t> Ripple::children() const { return live_children(pid_); }

std::optional<std::vector<pid_t>> Ripple::wait_children(std::size_t n, Seconds timeout) {
    const auto deadline = deadline_after(timeout);
    for (;;) {
        auto c = children();
        if (c.size() == n) {
            std::sort(c.begin(), c.end());
            return c;
        }
        const Seconds left = left_until(deadline);
        if (left.count() <= 0) return std::nullopt;
        pump(std::min(left, Seconds(0.02)));
    }
}

std::string cmdline(pid_t pid) {
    std::string s = read_file("/proc/" + std::to_string(pid) + "/cmdline");
    while (!s.empty() && (s.back() == '\0' || s.back() == ' ')) s.pop_back();
    std::replace(s.begin(), s.end(), '\0', ' ');
    return s;
}

char proc_state(pid_t pid) {
    const auto f = stat_fields(pid);
    return f.empty() || f[0].empty() ? 0 : f[0][0];
}

bool alive(pid_t pid) {
    const char s = proc_state(pid);
    return s != 0 && s != 'Z' && s != 'X';
}

pid_t parent_of(pid_t pid) {
    const auto f = stat_fields(pid);
    return f.size() > 1 ? static_cast<pid_t>(std::atoi(f[1].c_str())) : 0;
}

std::vector<pid_t> live_children(pid_t parent) {
    std::vector<pid_t> result;
    if (parent <= 0) return result;
    DIR* d = opendir("/proc");
    if (d == nullptr) return result;
    while (dirent* e = readdir(d)) {
        const char* name = e->d_name;
        if (*name < '0' || *name > '9') continue;
        const pid_t pid = static_cast<pid_t>(std::atoi(name));
        const auto f = stat_fields(pid);
        if (f.size() < 2) continue;
        if (f[0] == "Z" || f[0] == "X") continue;
        if (static_cast<pid_t>(std::atoi(f[1].c_str())) == parent) result.push_back(pid);
    }
    closedir(d);
    std::sort(result.begin(), result.end());
    return result;
}

bool eventually(const std::function<bool()>& cond, Seconds timeout) {
    const auto deadline = deadline_after(timeout);
    for (;;) {
        if (cond()) return true;
        if (left_until(deadline).count() <= 0) return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
}

pid_t pid_in(const std::string& line) {
    const auto p = line.find("pid ");
    if (p == std::string::npos) return 0;
    return static_cast<pid_t>(std::atoi(line.c_str() + p + 4));
}

LineClient::LineClient(const std::string& host, int port, Seconds timeout) {
    const auto deadline = deadline_after(timeout);
    for (;;) {
        const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_port = htons(static_cast<uint16_t>(port));
        inet_pton(AF_INET, host.c_str(), &addr.sin_addr);
        if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0) {
            fd_ = fd;
            return;
        }
        ::close(fd);
        if (left_until(deadline).count() <= 0) return;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
}

LineClient::~LineClient() {
    if (fd_ >= 0) ::close(fd_);
}

bool LineClient::send_line(const std::string& line) {
    if (fd_ < 0) return false;
    const std::string data = line + "\n";
    std::size_t off = 0;
    while (off < data.size()) {
        const ssize_t n = ::send(fd_, data.data() + off, data.size() - off, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return false;
        off += static_cast<std::size_t>(n);
    }
    return true;
}

std::optional<std::string> LineClient::read_line(Seconds timeout) {
    const auto deadline = deadline_after(timeout);
    for (;;) {
        const auto nl = buffer_.find('\n');
        if (nl != std::string::npos) {
            std::string line = buffer_.substr(0, nl);
            buffer_.erase(0, nl + 1);
            return line;
        }
        if (fd_ < 0) return std::nullopt;
        pollfd p{fd_, POLLIN, 0};
        const int r = ::poll(&p, 1, to_ms(left_until(deadline)));
        if (r <= 0) return std::nullopt;
        char buf[4096];
        const ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
        if (n <= 0) {
            if (n < 0 && errno == EINTR) continue;
            return std::nullopt;
        }
        buffer_.append(buf, static_cast<std::size_t>(n));
    }
}

std::optional<std::string> LineClient::read_until(const std::string& needle, Seconds timeout) {
    const auto deadline = deadline_after(timeout);
    for (;;) {
        auto line = read_line(left_until(deadline));
        if (!line) return std::nullopt;
        if (line->find(needle) != std::string::npos) return line;
    }
}

int free_port() {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = 0;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    int port = 0;
    if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
        port = ntohs(addr.sin_port);
    }
    ::close(fd);
    return port;
}

std::string fixture(const std::string& name) { return source_path("tests-php/fixtures/" + name); }

Options fixture_run(const TempDir& dir, const std::string& name, const std::string& dir_var,
                    std::map<std::string, std::string> env, std::vector<std::string> extra) {
    Options o;
    o.own_control_socket = false;  // our own, in the test's directory
    o.args = {"--control", dir.file("c.sock")};
    o.args.insert(o.args.end(), extra.begin(), extra.end());
    o.args.push_back(fixture(name));
    env[dir_var] = dir.path;
    o.env = std::move(env);
    return o;
}

Finished run_to_end(std::vector<std::string> args, Seconds timeout) {
    Options o;
    o.args = std::move(args);
    o.own_control_socket = false;  // a control verb must come first
    Ripple c(o);
    Finished r;
    r.code = c.exit_code(timeout);
    r.out = c.out();
    r.err = c.err();
    return r;
}

}  // namespace e2e
