#include "log/log.hpp"

#include <event2/event.h>
#include <sys/time.h>
#include <unistd.h>

#include <cerrno>
#include <ctime>

namespace ripple::log {
namespace {

Level g_level = Level::Info;
Format g_format = Format::Text;
bool g_forward = false;

const char* level_name(Level level) {
    switch (level) {
        case Level::Debug: return "DEBUG";
        case Level::Info: return "INFO";
        case Level::Warning: return "WARN";
        case Level::Error: return "ERROR";
    }
    return "INFO";
}

std::string timestamp() {
    timeval tv{};
    gettimeofday(&tv, nullptr);
    tm t{};
    gmtime_r(&tv.tv_sec, &t);
    return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z", t.tm_year + 1900, t.tm_mon + 1, t.tm_mday,
                       t.tm_hour, t.tm_min, t.tm_sec, tv.tv_usec / 1000);
}

void json_escape(std::string& out, std::string_view s) {
    for (unsigned char c : s) {
        switch (c) {
            case '"': out += "\\\""; break;
            case '\\': out += "\\\\"; break;
            case '\n': out += "\\n"; break;
            case '\r': out += "\\r"; break;
            case '\t': out += "\\t"; break;
            default:
                if (c < 0x20) out += fmt::format("\\u{:04x}", c);
                else out += static_cast<char>(c);
        }
    }
}

}  // namespace

void set_level(Level level) { g_level = level; }

void capture_libevent_messages() {
    // A forked worker's fresh event base triggers a harmless "signals already added to
    // another base" notice (the parent's base is left untouched on purpose).
    event_set_log_callback([](int severity, const char* msg) {
        write(severity >= EVENT_LOG_ERR ? Level::Error : Level::Debug, "libevent", msg);
    });
}
void set_format(Format format) { g_format = format; }
Level level() { return g_level; }

bool parse_level(std::string_view name, Level& out) {
    if (name == "debug") out = Level::Debug;
    else if (name == "info") out = Level::Info;
    else if (name == "warning" || name == "warn") out = Level::Warning;
    else if (name == "error") out = Level::Error;
    else return false;
    return true;
}

namespace {
void emit(int fd, Level lvl, std::string_view tag, std::string_view message) {
    std::string line;
    if (g_format == Format::Json) {
        line = "{\"time\":\"" + timestamp() + "\",\"level\":\"" + level_name(lvl) + "\",\"source\":\"";
        json_escape(line, tag);
        line += "\",\"message\":\"";
        json_escape(line, message);
        line += "\"}\n";
    } else {
        line = fmt::format("{} {} [{}] {}\n", timestamp(), level_name(lvl), tag, message);
    }
    // One write() per line keeps lines from different processes whole.
    const char* p = line.data();
    std::size_t left = line.size();
    while (left > 0) {
        ssize_t n = ::write(fd, p, left);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return;  // broken stderr: drop quietly
        p += n;
        left -= static_cast<std::size_t>(n);
    }
}

}  // namespace

void forward_to_manager() { g_forward = true; }

void write(Level lvl, std::string_view tag, std::string_view message) {
    if (lvl < g_level) return;
    if (g_forward) {
        std::string line;
        line.reserve(message.size() + 3);
        line += kForwardMark;
        line += static_cast<char>('0' + static_cast<int>(lvl));
        line += message;
        line += '\n';
        ssize_t ignored = ::write(STDERR_FILENO, line.data(), line.size());
        (void)ignored;
        return;
    }
    emit(STDERR_FILENO, lvl, tag, message);
}

void write_output(bool to_stderr, std::string_view tag, std::string_view line) {
    emit(to_stderr ? STDERR_FILENO : STDOUT_FILENO, to_stderr ? Level::Warning : Level::Info, tag, line);
}

}  // namespace ripple::log
