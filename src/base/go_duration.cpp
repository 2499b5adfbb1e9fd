#include "mgw/base/go_duration.h"

#include <cstdint>
#include <string>

#include "mgw/base/quote.h"

namespace mgw {
namespace {

constexpr uint64_t kTwoTo63 = uint64_t{1} << 63;  // |min int64|, the largest magnitude allowed
constexpr std::string_view kExamples = "write it like \"90s\", \"1h30m\" or \"1.5h\"";

Status DurationError(std::string_view orig, std::string_view problem) {
  return InvalidArgumentError("invalid duration " + QuoteBytes(orig) + ": " + std::string(problem) +
                              "; " + std::string(kExamples));
}

Status TooLarge(std::string_view orig) {
  return OutOfRangeError("duration " + QuoteBytes(orig) +
                         " is out of range: the limit is about 292 years (9223372036854775807ns)");
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// Consumes [0-9]* as Go's leadingInt does; false when the value passes 2^63.
bool LeadingInt(std::string_view& s, uint64_t& x) {
  size_t i = 0;
  for (; i < s.size() && IsDigit(s[i]); ++i) {
    if (x > kTwoTo63 / 10) return false;
    x = x * 10 + static_cast<uint64_t>(s[i] - '0');
    if (x > kTwoTo63) return false;
  }
  s.remove_prefix(i);
  return true;
}

// Consumes [0-9]* after a '.'; digits past uint64 precision are dropped, as in Go.
void LeadingFraction(std::string_view& s, uint64_t& f, double& scale) {
  size_t i = 0;
  bool overflow = false;
  for (; i < s.size() && IsDigit(s[i]); ++i) {
    if (overflow) continue;
    if (f > (kTwoTo63 - 1) / 10) {
      overflow = true;
      continue;
    }
    const uint64_t y = f * 10 + static_cast<uint64_t>(s[i] - '0');
    if (y > kTwoTo63) {
      overflow = true;
      continue;
    }
    f = y;
    scale *= 10;
  }
  s.remove_prefix(i);
}

// Nanoseconds per unit; 0 for an unknown unit.
uint64_t UnitNanos(std::string_view unit) {
  if (unit == "ns") return 1;
  if (unit == "us" || unit == "\xc2\xb5s" || unit == "\xce\xbcs") return 1000;  // µs, μs
  if (unit == "ms") return 1000 * 1000;
  if (unit == "s") return 1000 * 1000 * 1000;
  if (unit == "m") return 60ull * 1000 * 1000 * 1000;
  if (unit == "h") return 3600ull * 1000 * 1000 * 1000;
  return 0;
}

// A decimal number as Go reads it: integer part v, fraction f / scale.
struct Number {
  uint64_t v = 0;
  uint64_t f = 0;
  double scale = 1;
};

// Consumes [0-9]*(\.[0-9]*)? from the front of `s`, needing a digit on one side of the '.'.
Status ParseNumber(std::string_view orig, std::string_view& s, Number& n) {
  if (!IsDigit(s.front()) && s.front() != '.') {
    return DurationError(orig, "expected a number at " + QuoteBytes(s));
  }
  const size_t before = s.size();
  if (!LeadingInt(s, n.v)) return TooLarge(orig);
  const bool pre = s.size() != before;
  bool post = false;
  if (!s.empty() && s.front() == '.') {
    s.remove_prefix(1);
    const size_t at = s.size();
    LeadingFraction(s, n.f, n.scale);
    post = s.size() != at;
  }
  if (!pre && !post) return DurationError(orig, "a '.' needs digits before or after it");
  return Status();
}

// Parses one "<number><unit>" term from the front of `s` and adds it to `total`.
Status AddTerm(std::string_view orig, std::string_view& s, uint64_t& total) {
  Number n;
  MGW_RETURN_IF_ERROR(ParseNumber(orig, s, n));
  size_t len = 0;
  while (len < s.size() && !IsDigit(s[len]) && s[len] != '.') ++len;
  if (len == 0)
    return DurationError(orig, "missing unit after a number (units: ns, us, ms, s, m, h)");
  const std::string_view unit = s.substr(0, len);
  s.remove_prefix(len);
  const uint64_t nanos = UnitNanos(unit);
  if (nanos == 0) {
    return DurationError(orig,
                         "unknown unit " + QuoteBytes(unit) + " (units: ns, us, ms, s, m, h)");
  }
  if (n.v > kTwoTo63 / nanos) return TooLarge(orig);
  uint64_t v = n.v * nanos;
  if (n.f > 0) {
    // Same double arithmetic as Go, so fractions round to the same nanosecond.
    v += static_cast<uint64_t>(static_cast<double>(n.f) * (static_cast<double>(nanos) / n.scale));
    if (v > kTwoTo63) return TooLarge(orig);
  }
  total += v;
  if (total > kTwoTo63) return TooLarge(orig);
  return Status();
}

}  // namespace

StatusOr<std::chrono::nanoseconds> ParseGoDuration(std::string_view text) {
  std::string_view s = text;
  bool neg = false;
  if (!s.empty() && (s.front() == '-' || s.front() == '+')) {
    neg = s.front() == '-';
    s.remove_prefix(1);
  }
  if (s == "0") return std::chrono::nanoseconds(0);
  if (s.empty())
    return DurationError(text, text.empty() ? "it is empty" : "nothing follows the sign");
  uint64_t total = 0;
  while (!s.empty()) MGW_RETURN_IF_ERROR(AddTerm(text, s, total));
  if (!neg && total > kTwoTo63 - 1) return TooLarge(text);
  // Two's-complement negation in uint64, then a modular (C++20) cast: -2^63 is representable.
  const uint64_t bits = neg ? ~total + 1 : total;
  return std::chrono::nanoseconds(static_cast<int64_t>(bits));
}

}  // namespace mgw
