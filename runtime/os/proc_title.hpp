// Process titles ("ripple: chat#1") visible in ps and /proc/PID/cmdline:
// the argv area is reused after moving environ out of the way, as nginx does.
#pragma once

#include <string_view>

namespace ripple::os {

// Call once at startup, before anything keeps pointers into environ.
void proc_title_init(int argc, char** argv);
void set_proc_title(std::string_view title);

}  // namespace ripple::os
