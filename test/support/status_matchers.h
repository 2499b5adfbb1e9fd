// GoogleTest matchers for Status and StatusOr, after absl/status/status_matchers.h.
#ifndef MGW_TEST_STATUS_MATCHERS_H_
#define MGW_TEST_STATUS_MATCHERS_H_

#include <gmock/gmock.h>

#include "mgw/base/status.h"

namespace mgw::testing {

inline const Status& GetStatus(const Status& s) { return s; }
template <typename T>
Status GetStatus(const StatusOr<T>& s) {
  return s.status();
}

MATCHER(IsOk, "is OK") {
  Status s = GetStatus(arg);
  *result_listener << s.ToString();
  return s.ok();
}

MATCHER_P(StatusIs, code, "has code " + std::string(StatusCodeName(code))) {
  Status s = GetStatus(arg);
  *result_listener << s.ToString();
  return s.code() == code;
}

MATCHER_P2(StatusIs, code, message_matcher, "has code and matching message") {
  Status s = GetStatus(arg);
  *result_listener << s.ToString();
  return s.code() == code &&
         ::testing::ExplainMatchResult(message_matcher, s.message(), result_listener);
}

}  // namespace mgw::testing

#endif  // MGW_TEST_STATUS_MATCHERS_H_
