// Forking a worker process, and what the child does before it runs PHP code.
#include "log/log.hpp"
#include "supervisor/supervisor.hpp"

#include <event2/event.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

namespace ripple::supervisor {

void Supervisor::queue_spawn(int service_id, int slot, bool replacement) {
    spawn_queue_.push_back({service_id, slot, replacement});
    event_active(spawn_event_, EV_TIMEOUT, 0);
}

void Supervisor::on_spawn_event(int, short, void* arg) { static_cast<Supervisor*>(arg)->spawn_queued(); }

void Supervisor::spawn_queued() {
    while (!spawn_queue_.empty() && !child_.is_child) {
        SpawnRequest req = spawn_queue_.front();
        spawn_queue_.pop_front();
        if (!spawn(req)) break;
    }
}

bool Supervisor::spawn(const SpawnRequest& req) {
    Service& svc = *services_[static_cast<std::size_t>(req.service_id)];
    if (svc.state == ServiceState::Stopping || svc.state == ServiceState::Stopped) return true;
    Slot& slot = svc.slots[static_cast<std::size_t>(req.slot)];
    // A restart that a reload already took care of (or the reverse): one process per slot.
    if (!req.replacement && (slot.current != 0 || slot.replacement != 0)) return true;

    int fds[2];
    int out[2] = {-1, -1};
    int err[2] = {-1, -1};
    if (pipe2(out, O_CLOEXEC) != 0 || pipe2(err, O_CLOEXEC) != 0) {
        log::error("manager", "cannot create output pipes for {}#{}: {}; retrying in 1s", svc.spec.name, req.slot,
                   std::strerror(errno));
        for (int fd : {out[0], out[1], err[0], err[1]}) if (fd >= 0) ::close(fd);
        slot.restart_timer->start(1.0);
        return true;
    }
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) != 0) {
        for (int fd : {out[0], out[1], err[0], err[1]}) ::close(fd);
        log::error("manager", "cannot create the IPC channel for {}#{}: {}; retrying in 1s", svc.spec.name, req.slot,
                   std::strerror(errno));
        slot.restart_timer->start(1.0);
        return true;
    }
    if (before_fork) before_fork();
    std::fflush(stdout);
    std::fflush(stderr);

    // Block signals across fork so the child cannot run the manager's handlers
    // (libevent's handler would write into the manager's signal pipe).
    sigset_t all, saved;
    sigfillset(&all);
    sigprocmask(SIG_BLOCK, &all, &saved);
    const pid_t pid = fork();
    if (pid == 0) {
        for (int sig = 1; sig < NSIG; ++sig) {
            struct sigaction sa {};
            if (sigaction(sig, nullptr, &sa) == 0 && sa.sa_handler != SIG_IGN && sa.sa_handler != SIG_DFL) {
                signal(sig, SIG_DFL);
            }
        }
        // Ctrl-C and a terminal hangup reach the whole process group: the manager turns
        // them into an orderly stop or a reload, so its workers leave them alone.
        signal(SIGINT, SIG_IGN);
        signal(SIGHUP, SIG_IGN);
        signal(SIGUSR1, SIG_IGN);
        // SIGTERM stays blocked until the worker's loop watches it (then it is an orderly
        // stop): one arriving right after the fork must not kill the process outright.
        sigaddset(&saved, SIGTERM);
        sigprocmask(SIG_SETMASK, &saved, nullptr);
        ::close(fds[0]);
        // stdout/stderr go to the manager, which tags each line.
        dup2(out[1], STDOUT_FILENO);
        dup2(err[1], STDERR_FILENO);
        for (int fd : {out[0], out[1], err[0], err[1]}) ::close(fd);
        become_child(req, fds[1]);
        return false;
    }
    sigprocmask(SIG_SETMASK, &saved, nullptr);
    ::close(fds[1]);
    ::close(out[1]);
    ::close(err[1]);
    if (pid < 0) {
        ::close(fds[0]);
        ::close(out[0]);
        ::close(err[0]);
        log::error("manager", "fork() failed for {}#{}: {}; retrying in 1s", svc.spec.name, req.slot,
                   std::strerror(errno));
        slot.restart_timer->start(1.0);
        return true;
    }

    auto p = std::make_unique<Process>();
    p->pid = pid;
    p->service_id = svc.id;
    p->index = req.slot;
    p->name = svc.spec.name;
    p->state = ProcessState::Starting;
    p->started_at = monotonic_seconds();
    p->channel = std::make_unique<ipc::Channel>(loop_.base(), fds[0], options_.max_payload);
    Process* raw = p.get();
    p->channel->on_frame([this, raw](ipc::Frame& f) { on_frame(*raw, f); });
    p->channel->on_close([raw](const std::string& reason) {
        // EOF or EPIPE is how a process's end looks from here; only a protocol error is news.
        if (reason.rfind("malformed", 0) == 0) {
            log::error("manager", "channel of {} pid {} closed: {}", raw->tag(), raw->pid, reason);
        }
    });
    if (req.replacement) slot.replacement = pid;
    else slot.current = pid;
    // boot() must return within boot_timeout: a replacement that misses it aborts the
    // reload; a first start that misses it is killed and restarted with backoff.
    const bool replacement = req.replacement;
    p->deadline = std::make_unique<loop::Timer>(loop_.base(), [this, pid, replacement] {
        auto it = processes_.find(pid);
        if (it == processes_.end()) return;
        const std::string why = fmt::format("{} pid {} did not finish boot() within {}s", it->second->tag(), pid,
                                            options_.boot_timeout);
        if (replacement) {
            abort_reload(*services_[static_cast<std::size_t>(it->second->service_id)], "replacement " + why);
        } else {
            log::error("manager", "{}; killing it (raise ripple.boot_timeout if boot() is slow on purpose)", why);
        }
        kill(pid, SIGKILL);
    });
    p->deadline->start(options_.boot_timeout);
    const std::string tag = fmt::format("{}#{} {}", svc.spec.name, req.slot, pid);
    auto forget = [this](OutputCapture* c) { captures_.erase(c); };
    for (auto [fd, to_stderr] : {std::pair{out[0], false}, std::pair{err[0], true}}) {
        auto capture = std::make_unique<OutputCapture>(loop_.base(), fd, tag, to_stderr, forget);
        captures_.emplace(capture.get(), std::move(capture));
    }
    processes_.emplace(pid, std::move(p));
    log::debug("manager", "started {}#{} pid {}", svc.spec.name, req.slot, pid);
    return true;
}

void Supervisor::become_child(const SpawnRequest& req, int fd) {
    // Die with the manager, however it dies.
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != manager_pid_) _exit(1);
    // The manager's channels to other processes are not ours to keep.
    for (auto& [pid, p] : processes_) {
        if (p->channel) ::close(p->channel->fd());
    }
    for (int mfd : manager_fds_) ::close(mfd);
    for (auto& [ptr, capture] : captures_) ::close(capture->fd());
    log::forward_to_manager();
    child_.is_child = true;
    child_.service = services_[static_cast<std::size_t>(req.service_id)]->spec.name;
    child_.index = req.slot;
    child_.channel_fd = fd;
    // Leave the manager's loop now; nothing of the parent's is touched again.
    loop_.stop();
}

}  // namespace ripple::supervisor
