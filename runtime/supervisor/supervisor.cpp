#include "supervisor/supervisor.hpp"

#include "log/log.hpp"
#include "os/children.hpp"

#include <event2/event.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cstring>

namespace ripple::supervisor {

double monotonic_seconds() {
    timespec ts{};
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

const char* to_string(ProcessState state) {
    switch (state) {
        case ProcessState::Starting: return "starting";
        case ProcessState::Ready: return "ready";
        case ProcessState::Reloading: return "reloading";
        case ProcessState::Stopping: return "stopping";
    }
    return "unknown";
}

std::string Process::tag() const { return name + "#" + std::to_string(index); }

namespace {
constexpr int kManagedSignals[] = {SIGCHLD, SIGTERM, SIGINT, SIGQUIT, SIGHUP, SIGUSR1};

std::string describe_status(int status, std::string& kind) {
    if (WIFEXITED(status)) {
        kind = "exit";
        return fmt::format("exit status {}", WEXITSTATUS(status));
    }
    if (WIFSIGNALED(status)) {
        kind = "signal";
        const char* name = sigabbrev_np(WTERMSIG(status));
        return fmt::format("signal SIG{}", name ? name : std::to_string(WTERMSIG(status)).c_str());
    }
    kind = "other";
    return fmt::format("status {}", status);
}
}  // namespace

Supervisor::Supervisor(loop::EventLoop& loop, SupervisorOptions options) : loop_(loop), options_(options) {
    spawn_event_ = event_new(loop_.base(), -1, 0, &Supervisor::on_spawn_event, this);
}

Supervisor::~Supervisor() {
    for (event* ev : signal_events_) event_free(ev);
    event_free(spawn_event_);
}

void Supervisor::add_service(const ServiceSpec& spec) {
    auto svc = std::make_unique<Service>();
    svc->id = static_cast<int>(services_.size());
    svc->spec = spec;
    for (int i = 0; i < spec.count; ++i) {
        Slot slot;
        slot.index = i;
        slot.policy = RestartPolicy(options_.restart);
        const int id = svc->id;
        slot.restart_timer = std::make_unique<loop::Timer>(loop_.base(), [this, id, i] { queue_spawn(id, i, false); });
        svc->slots.push_back(std::move(slot));
    }
    services_.push_back(std::move(svc));
    if (running_ && !stopping_) {
        for (int i = 0; i < spec.count; ++i) queue_spawn(services_.back()->id, i, false);
    }
}

bool Supervisor::has_service(const std::string& name) const {
    for (auto& s : services_) {
        if (s->spec.name == name && !s->remove_when_stopped) return true;
    }
    return false;
}

bool Supervisor::service_running(const std::string& name) const {
    for (auto& s : services_) {
        if (s->spec.name == name && !s->remove_when_stopped) {
            return s->state == ServiceState::Running || s->state == ServiceState::Reloading;
        }
    }
    return false;
}

Service* Supervisor::find_service(const std::string& name) {
    for (auto& s : services_) {
        if (s->spec.name == name && !s->remove_when_stopped) return s.get();
    }
    return nullptr;
}

ChildRole Supervisor::run() {
    running_ = true;
    manager_pid_ = getpid();
    // Orphaned grandchildren (a worker's proc_open() children) are re-parented
    // to us rather than to init, and reaped with the workers: no zombies.
    prctl(PR_SET_CHILD_SUBREAPER, 1);
    started_at_ = monotonic_seconds();
    for (int signo : kManagedSignals) {
        event* ev = evsignal_new(loop_.base(), signo, &Supervisor::on_signal_event, this);
        event_add(ev, nullptr);
        signal_events_.push_back(ev);
        struct sigaction installed {};
        sigaction(signo, nullptr, &installed);
        signal_handlers_.emplace_back(signo, installed.sa_handler);
    }
    for (auto& svc : services_) {
        for (auto& slot : svc->slots) queue_spawn(svc->id, slot.index, false);
    }
    log::info("manager", "ripple manager pid {} starting {} service(s)", manager_pid_, services_.size());
    loop_.hold();
    while (!finished_ && !child_.is_child) {
        loop_.run();
        if (!finished_ && !child_.is_child && !loop_.has_work()) loop_.hold();  // user code released the loop
    }
    if (child_.is_child) return child_;  // leave every parent structure untouched
    // Processes our workers left behind were adopted by us (subreaper): they end with us.
    os::terminate_children(1.0);
    for (event* ev : signal_events_) event_free(ev);
    signal_events_.clear();
    running_ = false;
    log::info("manager", "all services stopped");
    return child_;
}

void Supervisor::reassert_signal_handlers() {
    if (!running_ || child_.is_child) return;
    for (std::size_t i = 0; i < signal_handlers_.size(); ++i) {
        const auto [signo, handler] = signal_handlers_[i];
        struct sigaction now {};
        sigaction(signo, nullptr, &now);
        if (now.sa_handler == handler) continue;
        event_del(signal_events_[i]);
        event_add(signal_events_[i], nullptr);
        log::warn("manager", "user code replaced the handler for SIG{} (pcntl_signal?); the manager took it back. "
                  "Observe signals with Psc\\Event\\Loop::onSignal() instead", sigabbrev_np(signo));
    }
}

void Supervisor::on_signal_event(int signo, short, void* arg) { static_cast<Supervisor*>(arg)->on_signal(signo); }

void Supervisor::on_signal(int signo) {
    switch (signo) {
        case SIGCHLD: reap(); break;
        case SIGTERM:
        case SIGINT:
            // One signal can arrive twice (`timeout` signals the child and its group): a repeat
            // within a second is the same request, a later one means "stop now".
            if (stopping_ && monotonic_seconds() - stop_requested_at_ < 1.0) break;
            if (stopping_) {
                log::warn("manager", "second SIG{} during stop: killing every process now", sigabbrev_np(signo));
                stop(true);
            } else {
                log::info("manager", "SIG{} received: stopping gracefully", sigabbrev_np(signo));
                stop(false);
            }
            break;
        case SIGQUIT:
            log::info("manager", "SIGQUIT received: stopping now");
            stop(true);
            break;
        case SIGHUP:
        case SIGUSR1:
            log::info("manager", "SIG{} received: reloading every service", sigabbrev_np(signo));
            reload(std::nullopt);
            break;
    }
}

void Supervisor::reap() {
    int status = 0;
    pid_t pid;
    while ((pid = waitpid(-1, &status, WNOHANG)) > 0) on_exit(pid, status);
}

void Supervisor::on_exit(pid_t pid, int status) {
    auto it = processes_.find(pid);
    if (it == processes_.end()) return;  // a re-parented grandchild (PID 1): reaped, nothing else to do
    std::unique_ptr<Process> p = std::move(it->second);
    processes_.erase(it);
    // Commands it wrote just before it ended are still in the socket: route them first.
    if (p->channel) p->channel->drain_input();

    std::string kind;
    const std::string reason = describe_status(status, kind);
    const double uptime = monotonic_seconds() - p->started_at;
    counters_.exits_by_reason[kind]++;
    Service& svc = *services_[static_cast<std::size_t>(p->service_id)];
    Slot& slot = svc.slots[static_cast<std::size_t>(p->index)];
    const bool expected = p->state == ProcessState::Reloading || p->state == ProcessState::Stopping;
    const bool clean = WIFEXITED(status) && WEXITSTATUS(status) == 0;
    const auto level = expected && clean ? log::Level::Info : log::Level::Warning;
    log::write(level, "manager",
               fmt::format("{} pid {} exited with {} after {:.3f}s{}", p->tag(), pid, reason, uptime,
                           expected ? "" : " (unexpected)"));
    slot.last_exit = reason;

    if (slot.replacement == pid) {
        slot.replacement = 0;
        if (svc.state == ServiceState::Reloading) {
            abort_reload(svc, fmt::format("replacement {} pid {} exited with {} before boot() finished", p->tag(), pid,
                                          reason));
        }
        if (slot.current == 0 && svc.state == ServiceState::Running) {
            slot.restart_timer->start(slot.policy.on_exit(uptime));
        }
    } else if (slot.current == pid) {
        slot.current = 0;
        const bool keep_running = svc.state == ServiceState::Running || svc.state == ServiceState::Reloading;
        if (keep_running && !stopping_ && slot.replacement == 0) {
            const double delay = slot.policy.on_exit(uptime);
            slot.restarts++;
            counters_.restarts++;
            if (delay > 0) {
                log::warn("manager", "{} failed {} times in a row; restarting in {:.1f}s", p->tag(),
                          slot.policy.consecutive_failures(), delay);
            }
            slot.restart_timer->start(delay);
        }
    }
    check_finished();
}

void Supervisor::on_frame(Process& p, ipc::Frame& frame) {
    switch (frame.type) {
        case ipc::FrameType::Ready: on_ready(p); break;
        case ipc::FrameType::CommandToService:
        case ipc::FrameType::CommandToAll:
            p.commands_out++;
            route(&p, frame);
            break;
        default:
            log::error("manager", "{} pid {} sent an unexpected frame type {}; ignored", p.tag(), p.pid,
                       static_cast<int>(frame.type));
    }
}

void Supervisor::on_ready(Process& p) {
    if (p.state != ProcessState::Starting) return;
    p.state = ProcessState::Ready;
    if (p.deadline) p.deadline->cancel();
    Service& svc = *services_[static_cast<std::size_t>(p.service_id)];
    Slot& slot = svc.slots[static_cast<std::size_t>(p.index)];
    log::info("manager", "{} pid {} ready after {:.1f} ms", p.tag(), p.pid, (monotonic_seconds() - p.started_at) * 1e3);
    if (slot.replacement != p.pid) return;

    // A reload replacement is serving: retire the old process, move on to the next slot.
    slot.replacement = 0;
    slot.restart_timer->cancel();
    const pid_t old = slot.current;
    slot.current = p.pid;
    auto it = processes_.find(old);
    if (it != processes_.end()) retire(*it->second, ProcessState::Reloading, ipc::FrameType::Reload);
    advance_reload(svc);
}

void Supervisor::retire(Process& p, ProcessState state, ipc::FrameType notice) {
    if (p.state == ProcessState::Reloading || p.state == ProcessState::Stopping) {
        if (state == ProcessState::Stopping) p.state = state;  // keep the earlier deadline
        return;
    }
    p.state = state;
    if (p.channel) p.channel->send(notice, {}, {});
    const Service& svc = *services_[static_cast<std::size_t>(p.service_id)];
    const double grace = svc.spec.grace_period;
    const pid_t pid = p.pid;
    const std::string tag = p.tag();
    p.deadline = std::make_unique<loop::Timer>(loop_.base(), [pid, tag, grace] {
        log::warn("manager", "{} pid {} still running {}s after its notice; sending SIGKILL", tag, pid, grace);
        kill(pid, SIGKILL);
    });
    p.deadline->start(grace);
}

void Supervisor::reload(const std::optional<std::string>& name) {
    if (stopping_) return;
    if (name) {
        Service* svc = find_service(*name);
        if (svc && (svc->state == ServiceState::Stopped || svc->state == ServiceState::Stopping)) {
            log::warn("manager", "reload of {} ignored: the service is stopped", *name);
            return;
        }
    }
    for (auto& svc : services_) {
        if (name && svc->spec.name != *name) continue;
        if (svc->state == ServiceState::Reloading) {
            svc->reload_pending = true;  // coalesced: one more round after this one
            continue;
        }
        if (svc->state != ServiceState::Running) continue;
        log::info("manager", "reloading {} ({} process(es), one at a time)", svc->spec.name, svc->slots.size());
        svc->state = ServiceState::Reloading;
        svc->reload_cursor = -1;
        advance_reload(*svc);
    }
}

void Supervisor::advance_reload(Service& svc) {
    if (svc.state != ServiceState::Reloading) return;
    svc.reload_cursor++;
    if (svc.reload_cursor >= static_cast<int>(svc.slots.size())) {
        finish_reload(svc);
        return;
    }
    queue_spawn(svc.id, svc.reload_cursor, true);
}

void Supervisor::finish_reload(Service& svc) {
    svc.state = ServiceState::Running;
    svc.reload_cursor = -1;
    log::info("manager", "reload of {} complete", svc.spec.name);
    if (svc.reload_pending) {
        svc.reload_pending = false;
        reload(svc.spec.name);
    }
}

void Supervisor::abort_reload(Service& svc, const std::string& why) {
    if (svc.state != ServiceState::Reloading) return;
    log::error("manager", "reload of {} aborted: {}; the old processes keep serving", svc.spec.name, why);
    svc.state = ServiceState::Running;
    svc.reload_cursor = -1;
    svc.reload_pending = false;
}

void Supervisor::stop(bool immediate) {
    if (!running_) return;
    if (!stopping_) stop_requested_at_ = monotonic_seconds();
    stopping_ = true;
    for (auto& svc : services_) {
        if (svc->state != ServiceState::Stopped) svc->state = ServiceState::Stopping;
        for (auto& slot : svc->slots) slot.restart_timer->cancel();
    }
    spawn_queue_.clear();
    for (auto& [pid, p] : processes_) {
        if (immediate) kill(pid, SIGKILL);
        else retire(*p, ProcessState::Stopping, ipc::FrameType::Stop);
    }
    check_finished();
}

void Supervisor::abort() {
    if (!running_ || finished_) return;
    stopping_ = true;
    for (auto& [pid, p] : processes_) kill(pid, SIGKILL);
    for (auto& [pid, p] : processes_) {
        int status = 0;
        waitpid(pid, &status, 0);
    }
    processes_.clear();
    finished_ = true;
    loop_.release();
    loop_.stop();
}

void Supervisor::stop_service_processes(Service& svc) {
    svc.state = ServiceState::Stopping;
    svc.reload_pending = false;
    for (auto& slot : svc.slots) slot.restart_timer->cancel();
    for (auto& [pid, p] : processes_) {
        if (p->service_id == svc.id) retire(*p, ProcessState::Stopping, ipc::FrameType::Stop);
    }
    check_finished();
}

void Supervisor::stop_service(const std::string& name) {
    if (Service* svc = find_service(name)) {
        log::info("manager", "stopping service {}", name);
        stop_service_processes(*svc);
    }
}

void Supervisor::remove_service(const std::string& name) {
    if (Service* svc = find_service(name)) {
        log::info("manager", "removing service {}", name);
        stop_service_processes(*svc);
        svc->remove_when_stopped = true;
    }
}

void Supervisor::check_finished() {
    for (auto& svc : services_) {
        if (svc->state != ServiceState::Stopping) continue;
        bool any = false;
        for (auto& [pid, p] : processes_) any = any || p->service_id == svc->id;
        if (!any) svc->state = ServiceState::Stopped;
    }
    if (stopping_ && processes_.empty() && !finished_) {
        finished_ = true;
        loop_.release();
        loop_.stop();
    }
}

void Supervisor::route(Process* from, const ipc::Frame& frame) {
    std::string encoded;
    const std::string sender = from ? from->tag() : std::string("manager");
    ipc::encode_frame(encoded, ipc::FrameType::Deliver, 0, sender, frame.payload);
    if (frame.type == ipc::FrameType::CommandToAll) {
        for (auto& svc : services_) deliver(*svc, encoded);
        return;
    }
    Service* svc = find_service(frame.target);
    if (svc == nullptr) {
        note_dropped(frame.target, 0, ("unknown service, sent by " + sender).c_str());
        return;
    }
    deliver(*svc, encoded);
}

void Supervisor::deliver(Service& svc, std::string_view encoded) {
    if (svc.state == ServiceState::Stopped || svc.remove_when_stopped) {
        for (auto& slot : svc.slots) note_dropped(svc.spec.name, slot.index, "the service is stopped");
        return;
    }
    for (auto& slot : svc.slots) {
        auto it = slot.current ? processes_.find(slot.current) : processes_.end();
        if (it == processes_.end() || !it->second->channel) {
            note_dropped(svc.spec.name, slot.index, "no live process");
            continue;
        }
        // A receiver that stopped reading must not grow the manager without bound.
        const std::size_t queued = it->second->channel->pending_output();
        if (queued > 0 && queued + encoded.size() > options_.max_queue) {
            note_dropped(svc.spec.name, slot.index, "its queue is full (the process is not reading; see ripple.max_queue_size)");
            continue;
        }
        if (!it->second->channel->send_raw(encoded)) {
            note_dropped(svc.spec.name, slot.index, "no live process");
            continue;
        }
        it->second->commands_in++;
        counters_.routed++;
    }
}

void Supervisor::note_dropped(const std::string& service, int index, const char* why) {
    counters_.dropped++;
    // One line per second at most: a flood of drops must not become a flood of logs.
    const double now = monotonic_seconds();
    if (now - last_drop_log_ < 1.0) {
        ++unlogged_drops_;
        return;
    }
    log::warn("manager", "command for {}#{} dropped: {}{}", service, index, why,
              unlogged_drops_ ? fmt::format(" ({} more dropped since the last report)", unlogged_drops_) : "");
    last_drop_log_ = now;
    unlogged_drops_ = 0;
}

void Supervisor::send_to_service(const std::string& name, std::string_view payload) {
    ipc::Frame f;
    f.type = ipc::FrameType::CommandToService;
    f.target = name;
    f.payload.assign(payload);
    route(nullptr, f);
}

void Supervisor::send_to_all(std::string_view payload) {
    ipc::Frame f;
    f.type = ipc::FrameType::CommandToAll;
    f.payload.assign(payload);
    route(nullptr, f);
}

}  // namespace ripple::supervisor
