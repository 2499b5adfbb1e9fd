#include "mgw/base/json_fields.h"

#include <cstdint>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace mgw {
namespace {

using nlohmann::json;

TEST(JsonFieldsTest, KeepsTheOrderFieldsWereAddedIn) {
  JsonFields f;
  f.Add("webhook", "validate-mustgather").Add("allowed", false).Add("code", 403);
  EXPECT_EQ(f.ToJsonText(), R"({"webhook":"validate-mustgather","allowed":false,"code":403})");
}

TEST(JsonFieldsTest, EachValueTypeIsWrittenAsNlohmannWould) {
  JsonFields f;
  const std::string owned = "o";
  f.Add("sv", std::string_view("a\"b"))
      .Add("str", owned)
      .Add("yes", true)
      .Add("neg", int64_t{-5})
      .Add("big", uint64_t{18446744073709551615u})
      .Add("size", size_t{7})
      .Add("ms", 0.171444)
      .Add("whole", 2.0)
      .Add("list", std::vector<std::string>{"x: A", "y\n"})
      .Add("none", std::vector<std::string>{})
      .Add("tree", json{{"b", 1}, {"a", {true, nullptr}}});
  const json parsed = json::parse(f.ToJsonText());
  const json expected = {{"sv", "a\"b"},
                         {"str", "o"},
                         {"yes", true},
                         {"neg", -5},
                         {"big", 18446744073709551615u},
                         {"size", 7},
                         {"ms", 0.171444},
                         {"whole", 2.0},
                         {"list", {"x: A", "y\n"}},
                         {"none", json::array()},
                         {"tree", {{"a", {true, nullptr}}, {"b", 1}}}};
  EXPECT_EQ(parsed, expected);
  for (const auto& [key, value] : expected.items()) {
    EXPECT_EQ(f.Find(key), value.dump()) << key;
  }
}

TEST(JsonFieldsTest, AddingAKeyAgainReplacesItsValueInPlace) {
  JsonFields f;
  f.Add("a", 1).Add("b", 2).Add("a", "again");
  EXPECT_EQ(f.ToJsonText(), R"({"a":"again","b":2})");
  EXPECT_EQ(f.size(), 2u);
  EXPECT_EQ(f.field(0).key, "a");
  EXPECT_EQ(f.field(1).value, "2");
}

TEST(JsonFieldsTest, ManyLongFieldsOutgrowTheFirstBuffer) {
  JsonFields f;
  json expected = json::object();
  for (int i = 0; i < 40; ++i) {
    const std::string key = "k" + std::to_string(i);
    const std::string value(100 + static_cast<size_t>(i), static_cast<char>('a' + i % 26));
    f.Add(key, value);
    expected[key] = value;
  }
  f.Add("k3", 3);
  expected["k3"] = 3;
  EXPECT_EQ(json::parse(f.ToJsonText()), expected);
  EXPECT_EQ(f.size(), 40u);
  EXPECT_EQ(f.field(3).key, "k3");
  EXPECT_EQ(f.field(3).value, "3");
}

TEST(JsonFieldsTest, InvalidUtf8AndControlBytesStayValidJson) {
  JsonFields f;
  f.Add("k\n", std::string_view("\xff\x01"));
  const json parsed = json::parse(f.ToJsonText());
  EXPECT_EQ(parsed["k\n"], "\xef\xbf\xbd\x01");
}

TEST(JsonFieldsTest, FromJsonTakesAnObjectsMembersOrWrapsOtherValues) {
  EXPECT_EQ(JsonFields::FromJson(json{{"n", 1}, {"m", "x"}}).ToJsonText(), R"({"m":"x","n":1})");
  EXPECT_EQ(JsonFields::FromJson(json::array({1, 2})).ToJsonText(), R"({"data":[1,2]})");
  EXPECT_TRUE(JsonFields::FromJson(json()).empty());
  EXPECT_EQ(JsonFields().ToJsonText(), "{}");
  EXPECT_EQ(JsonFields().Find("missing"), "");
}

}  // namespace
}  // namespace mgw
