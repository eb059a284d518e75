#include "supervisor/restart_policy.hpp"

#include <algorithm>
#include <cmath>

namespace ripple::supervisor {

double RestartPolicy::on_exit(double uptime) {
    if (uptime >= config_.stable_after) {
        failures_ = 0;
        return 0.0;
    }
    ++failures_;
    if (failures_ == 1) return 0.0;
    const double delay = config_.base_delay * std::pow(2.0, std::min(failures_ - 2, 30));
    return std::min(delay, config_.max_delay);
}

}  // namespace ripple::supervisor
