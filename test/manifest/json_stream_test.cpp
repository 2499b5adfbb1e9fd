#include "manifest/json_stream.h"

#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "support/status_matchers.h"

namespace mgw {
namespace {

using ::mgw::testing::IsOk;
using ::mgw::testing::StatusIs;
using nlohmann::json;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::StartsWith;

// The roots of every value in `text`, which must parse.
std::vector<json> Roots(std::string_view text) {
  StatusOr<std::vector<YamlDocument>> docs = ParseJsonStream(text, "t.json");
  EXPECT_THAT(docs, IsOk()) << text;
  std::vector<json> roots;
  if (docs.ok()) {
    for (const YamlDocument& d : *docs) roots.push_back(d.root);
  }
  return roots;
}

Status ParseError(std::string_view text) { return ParseJsonStream(text, "t.json").status(); }

// encoding/json's Decoder reads values one after another, with or without space
// between them (kubectl's results, checked with the oracle).
TEST(JsonStreamTest, EachValueIsADocument) {
  EXPECT_THAT(Roots("{}\n0\n"), ElementsAre(json::object(), json(0)));
  EXPECT_THAT(Roots("{}{\"b\":[]}"), ElementsAre(json::object(), json({{"b", json::array()}})));
  EXPECT_THAT(Roots("{}01"), ElementsAre(json::object(), json(0), json(1)));
  EXPECT_THAT(Roots("  {\"a\":1}\n\n"), ElementsAre(json({{"a", 1}})));
  EXPECT_THAT(Roots("{} null \"s\" true"),
              ElementsAre(json::object(), json(nullptr), json("s"), json(true)));
}

TEST(JsonStreamTest, RefusesYamlSyntaxAndGarbage) {
  EXPECT_THAT(ParseError("{\"a\": &x 1}\n"),
              StatusIs(StatusCode::kInvalidArgument, StartsWith("t.json:1:7: syntax error")));
  EXPECT_THAT(ParseError("{\"a\": \"\\U0001F600\"}\n"), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(ParseError("{\"a\": 1}\n---\n{}\n"),
              StatusIs(StatusCode::kInvalidArgument, StartsWith("t.json:2:")));
  EXPECT_THAT(ParseError("{a: 1}"),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("so kubectl reads it as JSON")));
  EXPECT_THAT(ParseError("{}1x"), StatusIs(StatusCode::kInvalidArgument, StartsWith("t.json:1:4")));
  EXPECT_THAT(ParseError("{}\f"), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(ParseError("{\"a\":1,}"), StatusIs(StatusCode::kInvalidArgument));
  // nlohmann would skip a byte order mark where it starts reading; encoding/json does
  // not (and reading it used to loop).
  EXPECT_THAT(ParseError("{}\xEF\xBB\xBF{}"),
              StatusIs(StatusCode::kInvalidArgument, StartsWith("t.json:1:3: a byte order mark")));
}

TEST(JsonStreamTest, NumbersAsApimachineryKeepsThem) {
  const json doc = Roots(R"({"i":-0,"f":1.0,"e":1E2,"big":9223372036854775808,)"
                         R"("max":9223372036854775807,"huge":18446744073709551616})")
                       .at(0);
  EXPECT_TRUE(doc["i"].is_number_integer());
  EXPECT_EQ(doc["i"], 0);
  EXPECT_TRUE(doc["f"].is_number_float());
  EXPECT_EQ(doc["e"], 100.0);
  EXPECT_TRUE(doc["big"].is_number_float());  // beyond int64: float64, as kubectl
  EXPECT_EQ(doc["big"], 9223372036854775808.0);
  EXPECT_EQ(doc["max"], INT64_MAX);
  EXPECT_TRUE(doc["huge"].is_number_float());
  EXPECT_THAT(ParseError("{\"a\": 1e400}"),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("number overflow")));
}

TEST(JsonStreamTest, DuplicateKeysKeepTheLastAndWarn) {
  StatusOr<std::vector<YamlDocument>> docs = ParseJsonStream(
      "{\n  \"a\": 1,\n  \"b\": {\"c\": 1, \"\\u0063\": 2},\n  \"a\": 3\n}", "t.json");
  ASSERT_THAT(docs, IsOk());
  EXPECT_EQ(docs->front().root, json({{"a", 3}, {"b", {{"c", 2}}}}));
  EXPECT_THAT(docs->front().warnings,
              ElementsAre("t.json:3:17: duplicate key \"c\": kubectl keeps the last value",
                          "t.json:4:3: duplicate key \"a\": kubectl keeps the last value"));
}

TEST(JsonStreamTest, KeepsPositionsOfValuesAndItems) {
  StatusOr<std::vector<YamlDocument>> docs = ParseJsonStream(
      "\n{\r\n\t\"kind\": \"List\",\r\n\t\"items\": [\r\n\t\t{\"a\":\"\\u00e9\\/\"},"
      "\r\n\t\t\"x\"]}\n  {\"é\": 1} {}",
      "t.json");
  ASSERT_THAT(docs, IsOk());
  ASSERT_EQ(docs->size(), 3u);
  EXPECT_EQ((*docs)[0].line, 2);
  EXPECT_EQ((*docs)[0].item_lines, (std::vector<int>{5, 6}));
  EXPECT_EQ((*docs)[0].root["items"], json::parse(R"([{"a":"\u00e9/"},"x"])"));
  EXPECT_EQ((*docs)[1].line, 7);
  EXPECT_EQ((*docs)[1].column, 3);
  EXPECT_EQ((*docs)[2].column, 12);  // columns count characters, as libyaml's do
}

// Deliberate differences: kubectl would read U+FFFD for these, and allows 10000 levels.
TEST(JsonStreamTest, RefusesInvalidUnicodeAndDeepNesting) {
  EXPECT_THAT(ParseError("{\"a\": \"\xFF\"}"),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("invalid Unicode")));
  EXPECT_THAT(ParseError("{\"a\": \"\\ud800\"}"),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("invalid Unicode")));
  EXPECT_THAT(
      ParseError("{\"a\":" + std::string(200, '[')),
      StatusIs(StatusCode::kInvalidArgument, "t.json:1:105: nesting deeper than 100 levels"));
  EXPECT_THAT(ParseJsonStream("{\"a\":" + std::string(98, '[') + std::string(98, ']') + "}", "t"),
              IsOk());
}

}  // namespace
}  // namespace mgw
