#include "control/metrics_server.hpp"

#include "control/status.hpp"

#include <event2/buffer.h>
#include <event2/http.h>
#include <fmt/format.h>

#include <cstring>
#include <map>
#include <stdexcept>

namespace ripple::control {

std::string prometheus_text(const nlohmann::json& s) {
    std::string out;
    auto help = [&out](const char* name, const char* type, const char* text) {
        out += fmt::format("# HELP {} {}\n# TYPE {} {}\n", name, text, name, type);
    };
    help("ripple_manager_uptime_seconds", "gauge", "Seconds since the manager started its services.");
    out += fmt::format("ripple_manager_uptime_seconds {:.3f}\n", s["manager"]["uptime"].get<double>());
    help("ripple_sync_id", "gauge", "Last id handed out by Worker::syncId().");
    out += fmt::format("ripple_sync_id {}\n", s["sync_id"].get<std::int64_t>());
    help("ripple_commands_routed_total", "counter", "Commands delivered to a process by the manager.");
    out += fmt::format("ripple_commands_routed_total {}\n", s["commands"]["routed"].get<std::uint64_t>());
    help("ripple_commands_dropped_total", "counter", "Commands addressed to a process that was not there.");
    out += fmt::format("ripple_commands_dropped_total {}\n", s["commands"]["dropped"].get<std::uint64_t>());
    help("ripple_exits_total", "counter", "Worker process exits by reason.");
    for (const char* reason : {"exit", "signal"}) {
        const auto& exits = s["exits"];
        out += fmt::format("ripple_exits_total{{reason=\"{}\"}} {}\n", reason,
                           exits.contains(reason) ? exits[reason].get<std::uint64_t>() : 0);
    }
    help("ripple_processes", "gauge", "Worker processes per service and state.");
    for (const auto& svc : s["services"]) {
        std::map<std::string, int> by_state{{"starting", 0}, {"ready", 0}, {"reloading", 0}, {"stopping", 0}};
        for (const auto& p : svc["processes"]) by_state[p["state"].get<std::string>()]++;
        for (const auto& [state, n] : by_state) {
            out += fmt::format("ripple_processes{{service=\"{}\",state=\"{}\"}} {}\n", svc["name"].get<std::string>(),
                               state, n);
        }
    }
    help("ripple_restarts_total", "counter", "Unexpected worker exits that were restarted, per service.");
    for (const auto& svc : s["services"]) {
        int restarts = 0;
        for (const auto& slot : svc["slots"]) restarts += slot["restarts"].get<int>();
        out += fmt::format("ripple_restarts_total{{service=\"{}\"}} {}\n", svc["name"].get<std::string>(), restarts);
    }
    help("ripple_process_memory_bytes", "gauge", "Worker process memory (rss, pss).");
    for (const auto& svc : s["services"]) {
        for (const auto& p : svc["processes"]) {
            for (const char* kind : {"rss", "pss"}) {
                out += fmt::format("ripple_process_memory_bytes{{service=\"{}\",index=\"{}\",pid=\"{}\",kind=\"{}\"}} {}\n",
                                   svc["name"].get<std::string>(), p["index"].get<int>(), p["pid"].get<int>(), kind,
                                   p[std::string(kind) + "_bytes"].get<std::uint64_t>());
            }
        }
    }
    return out;
}

MetricsServer::MetricsServer(event_base* base, const std::string& address, supervisor::Supervisor& sup,
                             std::function<std::int64_t()> sync_id)
    : http_(evhttp_new(base)), sup_(sup), sync_id_(std::move(sync_id)) {
    const auto colon = address.rfind(':');
    if (colon == std::string::npos) throw std::runtime_error("--metrics wants HOST:PORT, got '" + address + "'");
    const std::string host = address.substr(0, colon);
    const int port = std::atoi(address.c_str() + colon + 1);
    if (port <= 0 || port > 65535) throw std::runtime_error("--metrics: bad port in '" + address + "'");
    evhttp_bound_socket* bound = evhttp_bind_socket_with_handle(http_, host.c_str(), static_cast<ev_uint16_t>(port));
    if (bound == nullptr) {
        evhttp_free(http_);
        throw std::runtime_error("--metrics: cannot listen on " + address + " (in use, or a bad address)");
    }
    fd_ = evhttp_bound_socket_get_fd(bound);
    evhttp_set_allowed_methods(http_, EVHTTP_REQ_GET | EVHTTP_REQ_HEAD);
    evhttp_set_gencb(
        http_,
        [](evhttp_request* req, void* arg) {
            auto* self = static_cast<MetricsServer*>(arg);
            if (std::strcmp(evhttp_request_get_uri(req), "/metrics") != 0) {
                evhttp_send_error(req, HTTP_NOTFOUND, "try /metrics");
                return;
            }
            const std::string body = prometheus_text(status_json(self->sup_, self->sync_id_()));
            evbuffer* buf = evbuffer_new();
            evbuffer_add(buf, body.data(), body.size());
            evhttp_add_header(evhttp_request_get_output_headers(req), "Content-Type",
                              "text/plain; version=0.0.4; charset=utf-8");
            evhttp_send_reply(req, HTTP_OK, "OK", buf);
            evbuffer_free(buf);
        },
        this);
}

MetricsServer::~MetricsServer() { evhttp_free(http_); }

}  // namespace ripple::control
