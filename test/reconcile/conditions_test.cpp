#include "mgw/reconcile/conditions.h"

#include <chrono>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace mgw {
namespace {

using nlohmann::json;
using std::chrono::seconds;
using std::chrono::system_clock;

// 2026-06-17T14:30:25Z.
const system_clock::time_point kT0 = system_clock::time_point(seconds(1781706625));
const system_clock::time_point kT1 = kT0 + seconds(90);

Condition Make(std::string status, std::string reason, std::string message = "m",
               std::optional<int64_t> generation = 1) {
  return {"Running", std::move(status), std::move(reason), std::move(message), generation};
}

TEST(ConditionsTest, FormatsRfc3339InUtcWithWholeSeconds) {
  EXPECT_EQ(FormatRfc3339(system_clock::time_point(seconds(0))), "1970-01-01T00:00:00Z");
  EXPECT_EQ(FormatRfc3339(kT0), "2026-06-17T14:30:25Z");
  EXPECT_EQ(FormatRfc3339(kT0 + std::chrono::milliseconds(999)), "2026-06-17T14:30:25Z");
  EXPECT_EQ(FormatRfc3339(system_clock::time_point(seconds(951782400))),  // leap day
            "2000-02-29T00:00:00Z");
  EXPECT_EQ(FormatRfc3339(system_clock::time_point(seconds(-1))), "1969-12-31T23:59:59Z");
}

TEST(ConditionsTest, AddsANewConditionWithTransitionTimeNow) {
  json status = json::object();
  EXPECT_EQ(SetCondition(status, Make("True", "JobRunning", "gather Job \"x\" is running"), kT0),
            ConditionChange::kStatus);
  EXPECT_EQ(status["conditions"], json::parse(R"([{
    "type": "Running", "status": "True", "reason": "JobRunning",
    "message": "gather Job \"x\" is running", "observedGeneration": 1,
    "lastTransitionTime": "2026-06-17T14:30:25Z"}])"));
}

TEST(ConditionsTest, ReportsTheMostSignificantChange) {
  struct Case {
    std::string name;
    Condition next;
    ConditionChange want;
    std::string want_transition;
  };
  const Case cases[] = {
      {"identical", Make("False", "PVCNotBound"), ConditionChange::kNone, "2026-06-17T14:30:25Z"},
      {"message only", Make("False", "PVCNotBound", "other"), ConditionChange::kDetails,
       "2026-06-17T14:30:25Z"},
      {"generation only", Make("False", "PVCNotBound", "m", 2), ConditionChange::kDetails,
       "2026-06-17T14:30:25Z"},
      {"generation dropped", Make("False", "PVCNotBound", "m", std::nullopt),
       ConditionChange::kDetails, "2026-06-17T14:30:25Z"},
      {"reason", Make("False", "JobNotOwned"), ConditionChange::kReason, "2026-06-17T14:30:25Z"},
      {"status", Make("True", "JobRunning"), ConditionChange::kStatus, "2026-06-17T14:31:55Z"},
  };
  for (const Case& c : cases) {
    json status = json::object();
    ASSERT_EQ(SetCondition(status, Make("False", "PVCNotBound"), kT0), ConditionChange::kStatus);
    EXPECT_EQ(SetCondition(status, c.next, kT1), c.want) << c.name;
    ASSERT_EQ(status["conditions"].size(), 1u) << c.name;
    const json& got = status["conditions"][0];
    EXPECT_EQ(got["lastTransitionTime"], c.want_transition) << c.name;
    EXPECT_EQ(got["reason"], c.next.reason) << c.name;
    EXPECT_EQ(got["message"], c.next.message) << c.name;
    EXPECT_EQ(got.contains("observedGeneration"), c.next.observed_generation.has_value()) << c.name;
  }
}

TEST(ConditionsTest, KeepsOtherConditionsAndFindsByType) {
  json status = {{"completed", false}};
  SetCondition(status, Make("False", "PVCNotBound"), kT0);
  Condition failed{"Failed", "True", "InvalidImage", "no", 3};
  EXPECT_EQ(SetCondition(status, failed, kT1), ConditionChange::kStatus);
  ASSERT_EQ(status["conditions"].size(), 2u);
  EXPECT_EQ(status["completed"], false);
  ASSERT_NE(FindCondition(status, "Failed"), nullptr);
  EXPECT_EQ((*FindCondition(status, "Failed"))["reason"], "InvalidImage");
  EXPECT_EQ(FindCondition(status, "Completed"), nullptr);
  EXPECT_TRUE(IsConditionTrue(status, "Failed"));
  EXPECT_FALSE(IsConditionTrue(status, "Running"));
  EXPECT_FALSE(IsConditionTrue(status, "Completed"));
}

TEST(ConditionsTest, RepairsMalformedStatus) {
  for (json status : {json(), json("x"), json{{"conditions", "nope"}},
                      json{{"conditions", {1, "two", {{"type", 3}}}}}}) {
    EXPECT_EQ(SetCondition(status, Make("True", "JobRunning"), kT0), ConditionChange::kStatus)
        << status.dump();
    ASSERT_TRUE(status.is_object());
    EXPECT_TRUE(IsConditionTrue(status, "Running")) << status.dump();
  }
  EXPECT_EQ(FindCondition(json(), "Running"), nullptr);
  EXPECT_EQ(FindCondition(json{{"conditions", 1}}, "Running"), nullptr);
}

TEST(ConditionsTest, AddsAMissingTransitionTimeAsADetailChange) {
  json status = {{"conditions",
                  {{{"type", "Running"},
                    {"status", "True"},
                    {"reason", "JobRunning"},
                    {"message", "m"},
                    {"observedGeneration", 1}}}}};
  EXPECT_EQ(SetCondition(status, Make("True", "JobRunning"), kT1), ConditionChange::kDetails);
  EXPECT_EQ(status["conditions"][0]["lastTransitionTime"], "2026-06-17T14:31:55Z");
}

TEST(ConditionsTest, CutsLongMessagesOnACharacterBoundary) {
  std::string message(kMaxConditionMessageLength - 1, 'a');
  message += "\xC3\xA9tail";  // "é" straddles the limit
  json status;
  SetCondition(status, Make("False", "PVCNotBound", message), kT0);
  const std::string got = status["conditions"][0]["message"];
  EXPECT_EQ(got, std::string(kMaxConditionMessageLength - 1, 'a'));
  EXPECT_EQ(TruncateUtf8("h\xC3\xA9llo", 2), "h");
  EXPECT_EQ(TruncateUtf8("h\xC3\xA9llo", 3), "h\xC3\xA9");
  EXPECT_EQ(TruncateUtf8("short", 100), "short");
}

TEST(ConditionsTest, ValidatesReasonsLikeTheApiServer) {
  for (std::string_view good : {"A", "PVCNotBound", "Deadline_Exceeded", "a:b,c", "x9"}) {
    EXPECT_TRUE(IsValidConditionReason(good)) << good;
  }
  for (std::string_view bad :
       {"", "9lives", "has space", "Trailing:", "Trailing,", "dash-ed", "_x", "Bad.Dot"}) {
    EXPECT_FALSE(IsValidConditionReason(bad)) << bad;
  }
  EXPECT_TRUE(IsValidConditionReason(std::string(kMaxConditionReasonLength, 'a')));
  EXPECT_FALSE(IsValidConditionReason(std::string(kMaxConditionReasonLength + 1, 'a')));
}

}  // namespace
}  // namespace mgw
