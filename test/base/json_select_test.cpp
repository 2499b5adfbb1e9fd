#include "mgw/base/json_select.h"

#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "support/status_matchers.h"

namespace mgw {
namespace {

using ::mgw::testing::IsOk;
using ::mgw::testing::StatusIs;
using ::nlohmann::json;
using ::testing::HasSubstr;

JsonSelector Keys(std::initializer_list<const char*> keys) {
  JsonSelector s;
  for (const char* k : keys) s.members.emplace(k, JsonSelector::All());
  return s;
}

json Select(std::string_view text, const JsonSelector& s, const JsonSelectLimits& limits = {}) {
  json out;
  EXPECT_THAT(SelectJson(text, s, limits, out), IsOk()) << text;
  return out;
}

TEST(JsonSelectTest, KeepsOnlyNamedMembers) {
  JsonSelector s = Keys({"a"});
  s.members.emplace("b", Keys({"c"}));
  EXPECT_EQ(Select(R"({"a":{"x":[1,2]},"b":{"c":3,"d":4},"z":[{},{}]})", s),
            json::parse(R"({"a":{"x":[1,2]},"b":{"c":3}})"));
}

TEST(JsonSelectTest, KeepsNonObjectsWholeOrByType) {
  JsonSelector s = Keys({"c"});
  EXPECT_EQ(Select("[1,[2]]", s), json::parse("[1,[2]]"));
  EXPECT_EQ(Select(R"("text")", s), json("text"));
  s.keep_other = false;
  EXPECT_EQ(Select("[1,[2]]", s), json::array());
  EXPECT_EQ(Select("7", s), json(7));
}

TEST(JsonSelectTest, LastDuplicateKeyWinsAsInTheDomParser) {
  const std::string text = R"({"a":1,"a":{"b":2},"z":0,"z":1})";
  EXPECT_EQ(Select(text, Keys({"a"})), json::parse(R"({"a":{"b":2}})"));
  EXPECT_EQ(Select(text, JsonSelector::All()), json::parse(text));
}

TEST(JsonSelectTest, KeepAllMatchesTheDomParser) {
  const std::string text =
      R"({"n":null,"t":true,"i":-3,"u":18446744073709551615,"f":1.5e3,"s":"\u00e9",)"
      R"("a":[[],{},[{"k":[1]}]],"o":{"p":{"q":"r"}}})";
  EXPECT_EQ(Select(text, JsonSelector::All()), json::parse(text));
}

TEST(JsonSelectTest, SyntaxErrorsCarryTheDomParsersMessage) {
  for (std::string_view text : {"", "{", R"({"a":1,})", "[1] x", "1e999", "\"\xff\"", "{\"a\":01}",
                                R"({"skipped":[1,,2]})"}) {
    std::string want;
    try {
      const json parsed = json::parse(text);
      want = parsed.dump();  // not reached for these inputs
    } catch (const json::exception& e) {
      want = e.what();
    }
    json out;
    EXPECT_THAT(SelectJson(text, Keys({"a"}), {}, out),
                StatusIs(StatusCode::kInvalidArgument, want))
        << text;
  }
}

TEST(JsonSelectTest, CountsOnlyKeptValuesAgainstTheCap) {
  std::string many = "[";
  for (int i = 0; i < 100; ++i) many += "0,";
  many += "0]";
  JsonSelectLimits limits;
  limits.max_values = 50;
  EXPECT_EQ(Select(R"({"skip":)" + many + "}", Keys({"keep"}), limits), json::object());
  json out;
  EXPECT_THAT(SelectJson(R"({"keep":)" + many + "}", Keys({"keep"}), limits, out),
              StatusIs(StatusCode::kResourceExhausted, HasSubstr("more than 50 values")));
}

TEST(JsonSelectTest, StopsOnceTheDeadlinePassesAndKeepsWhatItRead) {
  auto now = std::chrono::steady_clock::time_point{} + std::chrono::seconds(10);
  JsonSelectLimits limits;
  limits.deadline = now;
  limits.deadline_check_every = 4;
  limits.clock = [&now] { return now; };
  std::string text = R"({"id":"u1","skip":[)";
  for (int i = 0; i < 100; ++i) text += "{},";
  text += "{}]}";
  json out;
  EXPECT_THAT(SelectJson(text, Keys({"id"}), limits, out), StatusIs(StatusCode::kDeadlineExceeded));
  EXPECT_EQ(out.value("id", ""), "u1");
  now -= std::chrono::seconds(1);
  EXPECT_THAT(SelectJson(text, Keys({"id"}), limits, out), IsOk());
}

}  // namespace
}  // namespace mgw
