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

nanoseconds ApiserverMargin(nanoseconds timeout) { return std::min(timeout / 2, kMaxMargin); }

}  // namespace

std::string FormatDuration(nanoseconds d) {
  if (d == nanoseconds::zero()) return "0s";
  double ns = static_cast<double>(d.count());
  if (d >= 1s || d <= -1s) return Trim(ns / 1e9) + "s";
  if (d >= 1ms || d <= -1ms) return Trim(ns / 1e6) + "ms";
  if (d >= 1us || d <= -1us) return Trim(ns / 1e3) + "us";
  return std::to_string(d.count()) + "ns";
}

std::string ReviewDeadline::explanation() const {
  if (apiserver_timeout > nanoseconds::zero()) {
    return "the apiserver's ?timeout=" + FormatDuration(apiserver_timeout) + " less " +
           FormatDuration(ApiserverMargin(apiserver_timeout)) + " of margin";
  }
  std::string text = "--max-review-duration=" + FormatDuration(cap);
  if (!ignored_param.empty()) text += " (ignored unusable ?timeout=" + ignored_param + ")";
  return text;
}

ReviewDeadline ComputeReviewDeadline(std::string_view timeout_param, nanoseconds cap) {
  ReviewDeadline d{cap, cap, nanoseconds::zero(), ""};
  if (timeout_param.empty()) return d;
  StatusOr<nanoseconds> timeout = ParseGoDuration(timeout_param);
  if (!timeout.ok() || *timeout <= nanoseconds::zero()) {
    d.ignored_param = timeout_param.substr(0, kMaxQuotedParam);
    for (char& c : d.ignored_param)
      c = (c >= 0x20 && c < 0x7f) ? c : '?';  // it may reach a message
    return d;
  }
  const nanoseconds from_apiserver = *timeout - ApiserverMargin(*timeout);
  if (from_apiserver < cap) {
    d.budget = from_apiserver;
    d.apiserver_timeout = *timeout;
  }
  return d;
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
                          FormatDuration(deadline.budget) + " (" + deadline.explanation() +
                          "), so it was not admitted; retry, and report it if it persists"};
  return r;
}

}  // namespace mgw
