#include "mgw/base/clock.h"

namespace mgw {

std::chrono::system_clock::time_point WallNow(const WallClock& clock) {
  return clock ? clock() : std::chrono::system_clock::now();
}

std::chrono::steady_clock::time_point SteadyNow(const SteadyClock& clock) {
  return clock ? clock() : std::chrono::steady_clock::now();
}

}  // namespace mgw
