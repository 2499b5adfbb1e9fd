// How long the webhook may spend on one admission review. The apiserver says how
// long it will wait with ?timeout=<Go duration> (the remaining time rounded UP to
// whole seconds, e.g. "10s"); the webhook also has its own cap
// (--max-review-duration). When the handler cannot answer in time the webhook
// still answers, with an explicit decision, instead of leaving the apiserver to
// fail with "context deadline exceeded". Pure functions.
#ifndef MGW_ADMISSION_REVIEW_DEADLINE_H_
#define MGW_ADMISSION_REVIEW_DEADLINE_H_

#include <chrono>
#include <string>
#include <string_view>

#include "mgw/admission/admission_handler.h"

namespace mgw {

struct ReviewDeadline {
  std::chrono::nanoseconds budget{0};  // time from the request's arrival to our answer
  std::chrono::nanoseconds cap{0};     // --max-review-duration
  // The apiserver's ?timeout= when it set the budget, else zero.
  std::chrono::nanoseconds apiserver_timeout{0};
  std::string ignored_param;  // an unusable ?timeout= value, made printable and short

  // Where the budget came from, for messages and logs. Built only when a review
  // runs out of time, as most never do.
  std::string explanation() const;
};

// The budget for a request whose ?timeout= value is `timeout_param` ("" when
// absent): the lesser of `cap` and the apiserver's timeout minus a margin of half
// of it, at most one second (the value is rounded up, so "3s" may mean just over
// 2 s left). A value that is not a positive Go duration is ignored, and the
// explanation says so. REQUIRES: cap > 0.
ReviewDeadline ComputeReviewDeadline(std::string_view timeout_param, std::chrono::nanoseconds cap);

// The answer when the budget ran out before the handler decided: allowed=false
// with code 504 and reason "Timeout" (metav1.StatusReasonTimeout: the request
// was not evaluated and may succeed if retried), echoing the request's uid and
// apiVersion. kubectl prints "Error from server (Timeout): ... denied the request:
// <message>".
AdmissionResult DeadlineExceededResult(const AdmissionRequest& request,
                                       const ReviewDeadline& deadline);

// A short human form of a duration: "2s", "1.5s", "250ms", "40us".
std::string FormatDuration(std::chrono::nanoseconds d);

}  // namespace mgw

#endif  // MGW_ADMISSION_REVIEW_DEADLINE_H_
