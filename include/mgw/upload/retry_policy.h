// How often and how long the upload retries a dropped or refused connection: a few
// tries with doubling, capped delays. Pure.
#ifndef MGW_UPLOAD_RETRY_POLICY_H_
#define MGW_UPLOAD_RETRY_POLICY_H_

#include <chrono>

#include "mgw/base/status.h"

namespace mgw {

struct RetryPolicy {
  int max_attempts = 4;  // tries in all, the first included; at least 1
  std::chrono::milliseconds first_delay{2000};
  std::chrono::milliseconds max_delay{30000};

  // The wait before try number `attempt` (2 for the first retry): first_delay doubled
  // for each try after the second, capped at max_delay.
  // REQUIRES: attempt >= 2.
  std::chrono::milliseconds DelayBefore(int attempt) const;

  // True when a try that failed with `failure` after `attempt` tries should be
  // repeated: only UNAVAILABLE (a dropped, refused or timed-out connection, a
  // failed name lookup) is retried, and only while tries remain.
  bool ShouldRetry(const Status& failure, int attempt) const;
};

}  // namespace mgw

#endif  // MGW_UPLOAD_RETRY_POLICY_H_
