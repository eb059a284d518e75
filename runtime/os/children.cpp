#include "os/children.hpp"

#include <dirent.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>

namespace ripple::os {

std::vector<pid_t> child_pids(pid_t parent) {
    std::vector<pid_t> out;
    DIR* dir = opendir("/proc");
    if (dir == nullptr) return out;
    while (dirent* e = readdir(dir)) {
        const pid_t pid = static_cast<pid_t>(std::atoi(e->d_name));
        if (pid <= 0) continue;
        std::ifstream stat("/proc/" + std::string(e->d_name) + "/stat");
        std::string line;
        if (!std::getline(stat, line)) continue;
        // "pid (comm) state ppid ...": comm may hold spaces, so parse after the last ')'.
        const auto close = line.rfind(')');
        if (close == std::string::npos) continue;
        std::istringstream rest(line.substr(close + 1));
        char state = 0;
        pid_t ppid = 0;
        if (rest >> state >> ppid && ppid == parent) out.push_back(pid);
    }
    closedir(dir);
    return out;
}

void terminate_children(double grace) {
    auto reap = [] {
        while (waitpid(-1, nullptr, WNOHANG) > 0) {
        }
    };
    reap();
    std::vector<pid_t> children = child_pids(getpid());
    if (children.empty()) return;
    for (pid_t pid : children) kill(pid, SIGTERM);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(grace);
    while (std::chrono::steady_clock::now() < deadline) {
        reap();
        if (child_pids(getpid()).empty()) return;
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    for (pid_t pid : child_pids(getpid())) kill(pid, SIGKILL);
    for (pid_t pid : children) waitpid(pid, nullptr, 0);
    reap();
}

}  // namespace ripple::os
