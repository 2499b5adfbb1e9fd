#include "mgw/admission/review_deadline.h"

#include <algorithm>
#include <cstdio>

#include "mgw/base/go_duration.h"

namespace mgw {
namespace {

using std::chrono::nanoseconds;
using namespace std::chrono_literals;

constexpr nanoseconds kMaxMargin = 1s;
constexpr size_t kMaxQuotedParam = 32;

// Trims trailing zeros: 1.500 -> "1.5", 2.000 -> "2".
std::string Trim(double value) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3f", value);
  std::string s(buf);
  s.erase(s.find_last_not_of('0') + 1);
  if (s.back() == '.') s.pop_back();
  return s;
}

}  // namespace

std::string FormatDuration(nanoseconds d) {
  if (d == nanoseconds::zero()) return "0s";
  double ns = static_cast<double>(d.count());
  if (d >= 1s || d <= -1s) return Trim(ns / 1e9) + "s";
  if (d >= 1ms || d <= -1ms) return Trim(ns / 1e6) + "ms";
  if (d >= 1us || d <= -1us) return Trim(ns / 1e3) + "us";
  return std::to_string(d.count()) + "ns";
}

ReviewDeadline ComputeReviewDeadline(std::string_view timeout_param, nanoseconds cap) {
  const std::string cap_text = "--max-review-duration=" + FormatDuration(cap);
  if (timeout_param.empty()) return {cap, cap_text};
  StatusOr<nanoseconds> timeout = ParseGoDuration(timeout_param);
  if (!timeout.ok() || *timeout <= nanoseconds::zero()) {
    std::string quoted(timeout_param.substr(0, kMaxQuotedParam));
    for (char& c : quoted) c = (c >= 0x20 && c < 0x7f) ? c : '?';  // it may reach a message
    return {cap, cap_text + " (ignored unusable ?timeout=" + quoted + ")"};
  }
  nanoseconds margin = std::min(*timeout / 2, kMaxMargin);
  nanoseconds from_apiserver = *timeout - margin;
  if (cap <= from_apiserver) return {cap, cap_text};
  return {from_apiserver, "the apiserver's ?timeout=" + FormatDuration(*timeout) + " less " +
                              FormatDuration(margin) + " of margin"};
}

AdmissionResult DeadlineExceededResult(const AdmissionRequest& request,
                                       const ReviewDeadline& deadline) {
  AdmissionResult r;
  r.response.api_version = request.api_version;
  r.response.uid = request.uid;
  r.response.allowed = false;
  r.response.status =
      AdmissionStatus{504, "Timeout",
                      "the webhook could not evaluate this request within " +
                          FormatDuration(deadline.budget) + " (" + deadline.explanation +
                          "), so it was not admitted; retry, and report it if it persists"};
  return r;
}

}  // namespace mgw
