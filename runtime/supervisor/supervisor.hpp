// The native manager: forks each service's processes, restarts them with
// backoff, reloads them rolling, stops them with a grace period, and routes
// commands between them by frame header. Signal handlers only queue events;
// every state change happens in a loop callback (as in nginx and php-fpm).
//
// Forks happen only in the supervisor's own "spawn" callback, never inside a
// user call: a child then leaves the loop at once and returns from run()
// with its ChildRole, with no user PHP frame between it and Manager::run().
#pragma once

#include "ipc/frame.hpp"
#include "loop/event_loop.hpp"
#include "supervisor/output_capture.hpp"
#include "supervisor/process_table.hpp"

#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

struct event;

namespace ripple::supervisor {

struct ChildRole {
    bool is_child = false;
    std::string service;
    int index = 0;
    int channel_fd = -1;
};

struct SupervisorOptions {
    std::size_t max_payload = ipc::kDefaultMaxPayload;
    double boot_timeout = 60.0;                    // boot() must return (READY) within this
    std::size_t max_queue = 256u * 1024u * 1024u;  // bytes queued for one process before drops
    RestartPolicyConfig restart;
};

struct Counters {
    std::uint64_t routed = 0;
    std::uint64_t dropped = 0;
    std::uint64_t restarts = 0;
    std::map<std::string, std::uint64_t> exits_by_reason;  // "exit", "signal", ...
};

class Supervisor {
public:
    Supervisor(loop::EventLoop& loop, SupervisorOptions options = {});
    ~Supervisor();

    // Before or during run(). Names must be unique (checked by the caller).
    void add_service(const ServiceSpec& spec);
    bool has_service(const std::string& name) const;
    // True while the service runs (not stopping or stopped).
    bool service_running(const std::string& name) const;

    // Runs until every service stopped. In a forked child it returns at once with is_child set.
    ChildRole run();
    bool running() const { return running_; }

    void reload(const std::optional<std::string>& name);
    void stop(bool immediate = false);
    // Kills every process and waits for them: the main script is exiting under us.
    void abort();
    // The manager owns SIGTERM, SIGINT, SIGQUIT, SIGHUP, SIGUSR1 and SIGCHLD. If user code
    // replaced one of its handlers (pcntl_signal), take it back and say so.
    void reassert_signal_handlers();
    void stop_service(const std::string& name);
    void remove_service(const std::string& name);

    // Commands from the main process; the payload is opaque.
    void send_to_service(const std::string& name, std::string_view payload);
    void send_to_all(std::string_view payload);

    // Hooks for the embedding layer.
    std::function<void()> before_fork;  // flush output buffers
    // File descriptors the manager keeps for itself (control socket, metrics
    // listener): closed in every forked worker.
    void close_in_child(int fd) { manager_fds_.push_back(fd); }

    const std::vector<std::unique_ptr<Service>>& services() const { return services_; }
    const std::map<pid_t, std::unique_ptr<Process>>& processes() const { return processes_; }
    const Counters& counters() const { return counters_; }
    double started_at() const { return started_at_; }

private:
    struct SpawnRequest {
        int service_id;
        int slot;
        bool replacement;
    };

    Service* find_service(const std::string& name);
    void queue_spawn(int service_id, int slot, bool replacement);
    static void on_spawn_event(int, short, void* arg);
    void spawn_queued();
    bool spawn(const SpawnRequest& req);
    void become_child(const SpawnRequest& req, int fd);

    static void on_signal_event(int signo, short, void* arg);
    void on_signal(int signo);
    void reap();
    void on_exit(pid_t pid, int status);

    void on_frame(Process& p, ipc::Frame& frame);
    void on_ready(Process& p);
    void route(Process* from, const ipc::Frame& frame);
    void deliver(Service& svc, std::string_view encoded);

    void advance_reload(Service& svc);
    void abort_reload(Service& svc, const std::string& why);
    void finish_reload(Service& svc);
    void retire(Process& p, ProcessState state, ipc::FrameType notice);
    void stop_service_processes(Service& svc);
    void check_finished();
    void note_dropped(const std::string& service, int index, const char* why);

    loop::EventLoop& loop_;
    SupervisorOptions options_;
    std::vector<std::unique_ptr<Service>> services_;
    std::map<pid_t, std::unique_ptr<Process>> processes_;
    std::deque<SpawnRequest> spawn_queue_;
    event* spawn_event_ = nullptr;
    std::vector<event*> signal_events_;
    std::vector<std::pair<int, void (*)(int)>> signal_handlers_;  // as installed by libevent
    Counters counters_;
    ChildRole child_;
    bool running_ = false;
    bool stopping_ = false;
    bool finished_ = false;
    double started_at_ = 0;
    double stop_requested_at_ = 0;
    double last_drop_log_ = -1e9;
    std::uint64_t unlogged_drops_ = 0;
    pid_t manager_pid_ = 0;
    std::vector<int> manager_fds_;
    std::map<OutputCapture*, std::unique_ptr<OutputCapture>> captures_;  // live until EOF
};

}  // namespace ripple::supervisor
