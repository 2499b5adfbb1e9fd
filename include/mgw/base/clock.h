// The clocks as seams: a module that reads the time takes one of these, so tests can
// set it, and a null one means the system's clock. Thread-safe when the function is.
#ifndef MGW_BASE_CLOCK_H_
#define MGW_BASE_CLOCK_H_

#include <chrono>
#include <functional>

namespace mgw {

// Calendar time, for timestamps that leave the process (status, Events, metrics).
using WallClock = std::function<std::chrono::system_clock::time_point()>;
// Monotonic time, for intervals and deadlines.
using SteadyClock = std::function<std::chrono::steady_clock::time_point()>;

// The time `clock` gives, or the system's when `clock` is null.
std::chrono::system_clock::time_point WallNow(const WallClock& clock);
std::chrono::steady_clock::time_point SteadyNow(const SteadyClock& clock);

}  // namespace mgw

#endif  // MGW_BASE_CLOCK_H_
