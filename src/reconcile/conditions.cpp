#include "mgw/reconcile/conditions.h"

#include <cstdio>

#include "mgw/base/json_access.h"

namespace mgw {
namespace {

using nlohmann::json;

// The conditions array of `status`, created (or replaced when malformed) as needed.
json& ConditionsOf(json& status) {
  if (!status.is_object()) status = json::object();
  json& conditions = status["conditions"];
  if (!conditions.is_array()) conditions = json::array();
  return conditions;
}

bool IsReasonBodyChar(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
         c == ',' || c == ':';
}

bool IsAsciiLetter(char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); }

}  // namespace

ConditionChange SetCondition(json& status, const Condition& c,
                             std::chrono::system_clock::time_point now) {
  json& conditions = ConditionsOf(status);
  json want = {{"type", c.type},
               {"status", c.status},
               {"reason", c.reason},
               {"message", TruncateUtf8(c.message, kMaxConditionMessageLength)}};
  if (c.observed_generation) want["observedGeneration"] = *c.observed_generation;
  for (json& existing : conditions) {
    if (!existing.is_object() || JsonStringAt(existing, {"type"}) != c.type) continue;
    ConditionChange change = ConditionChange::kNone;
    if (JsonStringAt(existing, {"status"}) != c.status) {
      change = ConditionChange::kStatus;
    } else if (JsonStringAt(existing, {"reason"}) != c.reason) {
      change = ConditionChange::kReason;
    }
    std::string since = JsonStringAt(existing, {"lastTransitionTime"});
    want["lastTransitionTime"] =
        change == ConditionChange::kStatus || since.empty() ? FormatRfc3339(now) : since;
    if (change == ConditionChange::kNone && existing != want) change = ConditionChange::kDetails;
    existing = std::move(want);
    return change;
  }
  want["lastTransitionTime"] = FormatRfc3339(now);
  conditions.push_back(std::move(want));
  return ConditionChange::kStatus;
}

const json* FindCondition(const json& status, std::string_view type) {
  if (!status.is_object()) return nullptr;
  auto it = status.find("conditions");
  if (it == status.end() || !it->is_array()) return nullptr;
  for (const json& c : *it) {
    if (c.is_object() && JsonStringAt(c, {"type"}) == type) return &c;
  }
  return nullptr;
}

bool IsConditionTrue(const json& status, std::string_view type) {
  const json* c = FindCondition(status, type);
  return c != nullptr && JsonStringAt(*c, {"status"}) == kConditionTrue;
}

bool IsValidConditionReason(std::string_view reason) {
  if (reason.empty() || reason.size() > kMaxConditionReasonLength) return false;
  if (!IsAsciiLetter(reason.front())) return false;
  for (char c : reason) {
    if (!IsReasonBodyChar(c)) return false;
  }
  char last = reason.back();
  return last != ',' && last != ':';
}

std::string FormatRfc3339(std::chrono::system_clock::time_point t) {
  using namespace std::chrono;
  const auto secs = floor<seconds>(t);
  const auto day = floor<days>(secs);
  const year_month_day ymd{day};
  const hh_mm_ss<seconds> tod{secs - day};
  char buf[40];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02dZ", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                static_cast<int>(tod.hours().count()), static_cast<int>(tod.minutes().count()),
                static_cast<int>(tod.seconds().count()));
  return buf;
}

std::string TruncateUtf8(std::string_view text, size_t max_bytes) {
  if (text.size() <= max_bytes) return std::string(text);
  size_t end = max_bytes;
  // Back off continuation bytes (10xxxxxx) so the cut lands on a sequence start.
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
  return std::string(text.substr(0, end));
}

}  // namespace mgw
