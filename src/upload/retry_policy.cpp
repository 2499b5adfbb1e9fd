#include "mgw/upload/retry_policy.h"

#include <algorithm>

namespace mgw {

std::chrono::milliseconds RetryPolicy::DelayBefore(int attempt) const {
  std::chrono::milliseconds delay = first_delay;
  for (int i = 2; i < attempt && delay < max_delay; ++i) delay *= 2;
  return std::min(delay, max_delay);
}

bool RetryPolicy::ShouldRetry(const Status& failure, int attempt) const {
  return failure.code() == StatusCode::kUnavailable && attempt < max_attempts;
}

}  // namespace mgw
