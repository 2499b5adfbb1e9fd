// Waiting in tests for state that another thread changes with no hook to wait on.
#ifndef MGW_TEST_WAIT_UNTIL_H_
#define MGW_TEST_WAIT_UNTIL_H_

#include <chrono>
#include <functional>
#include <thread>

namespace mgw::testing {

// Generous, so a loaded CI machine or a sanitizer build does not fail a test that
// would pass; a passing wait returns as soon as the condition holds.
inline constexpr std::chrono::seconds kWaitDeadline{10};

// Polls `done` every millisecond until it returns true or `timeout` passes;
// returns its last answer.
inline bool WaitUntil(const std::function<bool()>& done,
                      std::chrono::milliseconds timeout = kWaitDeadline) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) return done();
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return true;
}

}  // namespace mgw::testing

#endif  // MGW_TEST_WAIT_UNTIL_H_
