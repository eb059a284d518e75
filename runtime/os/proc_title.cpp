#include "os/proc_title.hpp"

#include <sys/prctl.h>

#include <algorithm>
#include <cstring>
#include <string>

extern char** environ;

namespace ripple::os {
namespace {
char* g_area = nullptr;
std::size_t g_area_size = 0;
}  // namespace

void proc_title_init(int argc, char** argv) {
    if (argc <= 0 || argv == nullptr || argv[0] == nullptr) return;
    char* end = argv[0] + std::strlen(argv[0]) + 1;
    for (int i = 1; i < argc; ++i) {
        if (argv[i] == end) end = argv[i] + std::strlen(argv[i]) + 1;
    }
    std::size_t n = 0;
    while (environ != nullptr && environ[n] != nullptr) ++n;
    // Move environ to the heap so the argv area (followed by the environ strings) can be reused.
    char** moved = new char*[n + 1];
    for (std::size_t i = 0; i < n; ++i) {
        if (environ[i] == end) end = environ[i] + std::strlen(environ[i]) + 1;
        moved[i] = strdup(environ[i]);
    }
    moved[n] = nullptr;
    environ = moved;
    g_area = argv[0];
    g_area_size = static_cast<std::size_t>(end - argv[0]);
}

void set_proc_title(std::string_view title) {
    std::string comm(title.substr(0, 15));
    prctl(PR_SET_NAME, comm.c_str(), 0, 0, 0);
    if (g_area == nullptr || g_area_size < 2) return;
    const std::size_t len = std::min(title.size(), g_area_size - 1);
    std::memcpy(g_area, title.data(), len);
    std::memset(g_area + len, 0, g_area_size - len);
}

}  // namespace ripple::os
