#include "mgw/base/json_select_fast.h"

#include <chrono>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

namespace mgw {
namespace {

using ::nlohmann::json;

JsonSelector Keys(std::initializer_list<const char*> keys) {
  JsonSelector s;
  for (const char* k : keys) s.members.emplace(k, JsonSelector::All());
  return s;
}

// The fast path's answer, or nullopt when it declines.
std::optional<json> Fast(std::string_view text, const JsonSelector& s,
                         const JsonSelectLimits& limits = {}) {
  json out;
  if (!TrySelectJsonFast(text, s, limits, out)) return std::nullopt;
  return out;
}

// What SelectJson keeps, which must be OK for the documents below.
json Reference(std::string_view text, const JsonSelector& s) {
  json out;
  EXPECT_TRUE(SelectJson(text, s, {}, out).ok()) << text;
  return out;
}

// Same values and the same number types all the way down (json's == treats 1u
// and 1 as equal, so the type names are compared too).
void ExpectIdentical(const json& a, const json& b) {
  ASSERT_EQ(a.type(), b.type()) << a.dump() << " vs " << b.dump();
  ASSERT_EQ(a.dump(), b.dump());
  if (a.is_structured()) {
    ASSERT_EQ(a.size(), b.size());
    auto ia = a.begin();
    for (auto ib = b.begin(); ib != b.end(); ++ia, ++ib) ExpectIdentical(*ia, *ib);
  }
}

TEST(JsonSelectFastTest, BuildsWhatSelectJsonBuilds) {
  JsonSelector nested = Keys({"a"});
  nested.members.emplace("b", Keys({"c"}));
  JsonSelector type_only = Keys({"x"});
  type_only.keep_other = false;
  const std::vector<std::string> texts = {
      R"({"a":{"x":[1,2]},"b":{"c":3,"d":4},"z":[{},{}]})",
      R"({"a":1,"a":{"b":2},"b":{"c":1},"b":{"d":2},"z":0})",
      R"({"n":null,"t":true,"f":false,"i":-3,"u":18446744073709551615,"m":9223372036854775807,)"
      R"("x":1.5e3,"y":-0.0,"w":1e-400,"s":"\u00e9\ud83d\ude00\u0000","a":[[],{},[{"k":[1]}]]})",
      "[1,[2],{\"a\":3}]",
      "\"text\"",
      " 7 ",
  };
  const JsonSelector all = JsonSelector::All();
  for (const JsonSelector* s : {&std::as_const(nested), &std::as_const(type_only), &all}) {
    for (const std::string& text : texts) {
      SCOPED_TRACE(text);
      std::optional<json> fast = Fast(text, *s);
      ASSERT_TRUE(fast.has_value());
      ExpectIdentical(*fast, Reference(text, *s));
    }
  }
}

TEST(JsonSelectFastTest, DeclinesWhatItCannotMatch) {
  const JsonSelector all = JsonSelector::All();
  for (std::string_view text :
       {"", "{", R"({"a":1,})", "[1] x", "1e999", "\"\xff\"", "{\"a\":01}", "\"\\ud800\"",
        "18446744073709551616", "-9223372036854775809", "\xEF\xBB\xBF{}", "[-0]", "[0,\"-0\"]"}) {
    EXPECT_FALSE(Fast(text, all).has_value()) << text;
  }
  EXPECT_FALSE(Fast(std::string(kMaxFastSelectBytes + 1, ' ') + "1", all).has_value());
  EXPECT_FALSE(Fast(std::string_view(), all).has_value());  // null data: UBSan's case
}

TEST(JsonSelectFastTest, DeclinesNestingDeeperThanItsLimit) {
  JsonSelectLimits limits;
  limits.fast_max_depth = 8;
  const JsonSelector all = JsonSelector::All();
  auto nested = [](int depth) { return std::string(depth, '[') + std::string(depth, ']'); };
  EXPECT_TRUE(Fast(nested(8), all, limits).has_value());
  EXPECT_FALSE(Fast(nested(9), all, limits).has_value());
  EXPECT_TRUE(Fast(nested(9), all).has_value());  // the parser's depth follows the limits
}

TEST(JsonSelectFastTest, DeclinesPastTheValueLimit) {
  JsonSelectLimits limits;
  limits.max_values = 3;
  EXPECT_TRUE(Fast("[1,2]", JsonSelector::All(), limits).has_value());
  EXPECT_FALSE(Fast("[1,2,3]", JsonSelector::All(), limits).has_value());
}

// SelectJson reads the clock every deadline_check_every events; the fast path
// takes only documents with fewer, so the clock never decides its answer.
TEST(JsonSelectFastTest, DeclinesWhenSelectJsonWouldReadTheClock) {
  JsonSelectLimits limits;
  limits.deadline_check_every = 8;
  limits.deadline = std::chrono::steady_clock::time_point{};                     // long past
  EXPECT_TRUE(Fast("[1,2,3,4,5]", JsonSelector::All(), limits).has_value());     // 7 events
  EXPECT_FALSE(Fast("[1,2,3,4,5,6]", JsonSelector::All(), limits).has_value());  // 8
  EXPECT_FALSE(Fast(R"({"a":[1],"b":2})", Keys({}), limits).has_value());        // 8, 7 skipped
  limits.deadline.reset();
  EXPECT_TRUE(Fast("[1,2,3,4,5,6]", JsonSelector::All(), limits).has_value());
}

// {"id": captured 0, "m": {"k": captured 1, "n": kept}, "x": kept}
JsonSelector CapturingSelector() {
  JsonSelector id = JsonSelector::All();
  id.capture = 0;
  JsonSelector k = JsonSelector::All();
  k.capture = 1;
  JsonSelector m = Keys({"n"});
  m.members.emplace("k", k);
  JsonSelector root = Keys({"x"});
  root.members.emplace("id", id);
  root.members.emplace("m", m);
  return root;
}

// The fast path's tree and captures, or nullopt when it declines.
std::optional<std::pair<json, JsonCaptures>> Captured(std::string_view text) {
  JsonCaptures captures(2, std::string("stale"));
  json out;
  if (!TrySelectJsonFast(text, CapturingSelector(), {}, out, captures)) return std::nullopt;
  return std::make_pair(out, captures);
}

TEST(JsonSelectFastTest, CapturedStringsLeaveTheTree) {
  auto got = Captured(R"({"id":"a\"b","m":{"k":"kk","n":1},"x":[2],"y":3})");
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->first, json::parse(R"({"m":{"n":1},"x":[2]})"));
  EXPECT_EQ(got->second[0], "a\"b");
  EXPECT_EQ(got->second[1], "kk");
  // Absent members leave no stale value behind.
  got = Captured(R"({"x":1})");
  ASSERT_TRUE(got.has_value());
  EXPECT_FALSE(got->second[0].has_value());
  EXPECT_FALSE(got->second[1].has_value());
}

TEST(JsonSelectFastTest, CapturesDeclineWhatTheTreeWouldSayOtherwise) {
  for (std::string_view text : {
           R"({"id":1})",                     // not a string: SelectJson's reader decides
           R"({"id":null})",                  // null reads as absent there
           R"({"id":"a","id":"b"})",          // a second copy
           R"({"m":{"k":"a"},"m":{"n":1}})",  // the last object wins in the tree
           R"({"m":{"k":"a"},"m":"s"})",      // likewise with another type
           R"({"x":1,"x":2})",                // any repeated member at a selected level
       }) {
    EXPECT_FALSE(Captured(text).has_value()) << text;
  }
  // Without captures the same selector builds everything, as SelectJson does.
  std::optional<json> all = Fast(R"({"id":1,"m":{"k":"a"},"m":{"n":1}})", CapturingSelector());
  ASSERT_TRUE(all.has_value());
  ExpectIdentical(*all, Reference(R"({"id":1,"m":{"k":"a"},"m":{"n":1}})", CapturingSelector()));
}

}  // namespace
}  // namespace mgw
