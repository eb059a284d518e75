// The manager's log: timestamped, levelled lines on stderr, tagged with who
// speaks ("manager" or "name#index pid"). Text for terminals, JSON for
// containers. Writes never throw and never block the caller on a broken fd.
#pragma once

#include <fmt/format.h>

#include <string>
#include <string_view>

namespace ripple::log {

enum class Level { Debug = 0, Info = 1, Warning = 2, Error = 3 };
enum class Format { Text, Json };

void set_level(Level level);
// In a worker process: log lines go to stderr as "\x01<level digit>message" so the
// manager, which captures that stderr, logs them once, with its timestamp and tag.
void forward_to_manager();
constexpr char kForwardMark = '\x01';

// Routes libevent's own diagnostics into this log (as debug lines).
void capture_libevent_messages();
void set_format(Format format);
bool parse_level(std::string_view name, Level& out);
Level level();

// Writes one line: `2026-12-03T13:22:54.123Z INFO [tag] message`.
void write(Level level, std::string_view tag, std::string_view message);

// A line a worker printed: always written (never filtered by level), to the
// manager's stdout (as INFO) or stderr (as WARN), tagged like the log.
void write_output(bool to_stderr, std::string_view tag, std::string_view line);

template <typename... Args>
void info(std::string_view tag, fmt::format_string<Args...> f, Args&&... args) {
    if (level() <= Level::Info) write(Level::Info, tag, fmt::format(f, std::forward<Args>(args)...));
}
template <typename... Args>
void warn(std::string_view tag, fmt::format_string<Args...> f, Args&&... args) {
    if (level() <= Level::Warning) write(Level::Warning, tag, fmt::format(f, std::forward<Args>(args)...));
}
template <typename... Args>
void error(std::string_view tag, fmt::format_string<Args...> f, Args&&... args) {
    write(Level::Error, tag, fmt::format(f, std::forward<Args>(args)...));
}
template <typename... Args>
void debug(std::string_view tag, fmt::format_string<Args...> f, Args&&... args) {
    if (level() <= Level::Debug) write(Level::Debug, tag, fmt::format(f, std::forward<Args>(args)...));
}

}  // namespace ripple::log
