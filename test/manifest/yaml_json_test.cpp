#include "mgw/manifest/yaml_json.h"

#include <cmath>
#include <cstdint>
#include <limits>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "support/status_matchers.h"

namespace mgw {
namespace {

using ::mgw::testing::IsOk;
using ::mgw::testing::StatusIs;
using nlohmann::json;
using ::testing::HasSubstr;
using ::testing::StartsWith;

// The single document of `text`, which must parse.
json ParseOne(std::string_view text) {
  StatusOr<std::vector<YamlDocument>> docs = ParseYamlStream(text, "t.yaml");
  EXPECT_THAT(docs, IsOk());
  if (!docs.ok() || docs->size() != 1) {
    ADD_FAILURE() << "expected one document in: " << text;
    return json();
  }
  return docs->front().root;
}

Status ParseError(std::string_view text) { return ParseYamlStream(text, "t.yaml").status(); }

TEST(YamlJsonTest, QuotedAndBlockScalarsStayStrings) {
  json doc = ParseOne("a: \"true\"\nb: '5'\nc: |\n  5\nd: \"null\"\ne: >-\n  0x1F\nf: ''\n");
  EXPECT_EQ(
      doc,
      json({{"a", "true"}, {"b", "5"}, {"c", "5\n"}, {"d", "null"}, {"e", "0x1F"}, {"f", ""}}));
}

TEST(YamlJsonTest, ExplicitTags) {
  EXPECT_EQ(ParseOne("a: !!str 5\nb: !!int \"7\"\nc: !!float 1\nd: !custom 3\ne: ! 4\n"),
            json({{"a", "5"}, {"b", 7}, {"c", 1.0}, {"d", "3"}, {"e", "4"}}));
  EXPECT_TRUE(ParseOne("c: !!float 1\n")["c"].is_number_float());
  EXPECT_THAT(ParseError("a: !!int abc\n"),
              StatusIs(StatusCode::kInvalidArgument, "t.yaml:1:4: \"abc\" is not a valid !!int"));
  EXPECT_THAT(ParseError("a: !!bool yes\n"), StatusIs(StatusCode::kInvalidArgument));
}

TEST(YamlJsonTest, KeysAreTheirText) {
  EXPECT_EQ(ParseOne("1: a\ntrue: b\n0x10: c\n~: d\n"),
            json({{"1", "a"}, {"true", "b"}, {"0x10", "c"}, {"null", "d"}}));
}

TEST(YamlJsonTest, DocumentsKeepPositionsAndEmptyOnes) {
  StatusOr<std::vector<YamlDocument>> docs =
      ParseYamlStream("# header\n---\n---\n# only a comment\n---\n\n  a: 1\n---\n- x\n", "t.yaml");
  ASSERT_THAT(docs, IsOk());
  ASSERT_EQ(docs->size(), 4u);
  EXPECT_TRUE((*docs)[0].root.is_null());
  EXPECT_TRUE((*docs)[1].root.is_null());
  EXPECT_EQ((*docs)[2].root, json({{"a", 1}}));
  EXPECT_EQ((*docs)[2].line, 7);
  EXPECT_EQ((*docs)[2].column, 3);
  EXPECT_EQ((*docs)[3].root, json::array({"x"}));
  EXPECT_EQ((*docs)[3].line, 9);
}

TEST(YamlJsonTest, NothingAtAllIsNoDocuments) {
  for (std::string_view text : {"", "\n\n", "# just a comment\n"}) {
    StatusOr<std::vector<YamlDocument>> docs = ParseYamlStream(text, "t.yaml");
    ASSERT_THAT(docs, IsOk());
    EXPECT_TRUE(docs->empty() || (docs->size() == 1 && docs->front().root.is_null())) << text;
  }
}

TEST(YamlJsonTest, RecordsTheLinesOfRootItems) {
  StatusOr<std::vector<YamlDocument>> docs =
      ParseYamlStream("kind: List\nitems:\n- a: 1\n\n- b: 2\n- [c]\nother:\n- d\n", "t.yaml");
  ASSERT_THAT(docs, IsOk());
  EXPECT_EQ(docs->front().item_lines, (std::vector<int>{3, 5, 6}));
}

TEST(YamlJsonTest, JsonParsesWithPositions) {
  StatusOr<std::vector<YamlDocument>> docs = ParseYamlStream(
      "\n{\r\n\t\"kind\": \"List\",\r\n\t\"items\": [\r\n\t\t{\"a\":1, \"b\": \"\\u00e9\\/\"},"
      "\r\n\t\t{\"c\": [true, null, -1.5e2]}\r\n\t]\r\n}\r\n",
      "t.json");
  ASSERT_THAT(docs, IsOk());
  ASSERT_EQ(docs->size(), 1u);
  EXPECT_EQ(docs->front().line, 2);
  EXPECT_EQ(docs->front().item_lines, (std::vector<int>{5, 6}));
  EXPECT_EQ(docs->front().root["items"],
            json::parse(R"([{"a":1,"b":"\u00e9/"},{"c":[true,null,-150.0]}])"));
}

TEST(YamlJsonTest, ByteOrderMarkIsSkipped) {
  StatusOr<std::vector<YamlDocument>> docs = ParseYamlStream("\xEF\xBB\xBF\na: \"x\"\n", "t");
  ASSERT_THAT(docs, IsOk());
  EXPECT_EQ(docs->front().root, json({{"a", "x"}}));
  EXPECT_EQ(docs->front().line, 2);
}

TEST(YamlJsonTest, RejectsUtf16AndUtf32) {
  EXPECT_THAT(ParseError(std::string("\xFF\xFE"
                                     "a\0:\0",
                                     6)),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("save the file as UTF-8")));
  EXPECT_THAT(ParseError(std::string("\0\0\0a", 4)), StatusIs(StatusCode::kInvalidArgument));
}

TEST(YamlJsonTest, DuplicateKeysAreAnError) {
  EXPECT_THAT(
      ParseError("a: 1\nb:\n  c: 1\n  c: 2\n"),
      StatusIs(StatusCode::kInvalidArgument, "t.yaml:4:3: duplicate key \"c\" in a mapping"));
  EXPECT_THAT(ParseError("{\"a\": 1, \"a\": 1}"), StatusIs(StatusCode::kInvalidArgument));
}

TEST(YamlJsonTest, MergeKeysFillInMissingKeysOnly) {
  json doc = ParseOne(
      "base: &b {x: 1, y: 2}\n"
      "other: &o {y: 3, z: 4}\n"
      "one: {<<: *b, x: 9}\n"
      "two:\n  x: 0\n  <<: [*b, *o]\n");
  EXPECT_EQ(doc["one"], json({{"x", 9}, {"y", 2}}));
  EXPECT_EQ(doc["two"], json({{"x", 0}, {"y", 2}, {"z", 4}}));
  EXPECT_THAT(ParseError("a: {<<: 5}\n"),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("merge key")));
  EXPECT_EQ(ParseOne("a: {\"<<\": 5}\n"), json({{"a", {{"<<", 5}}}}));  // quoted: a plain key
}

TEST(YamlJsonTest, AliasesAreExpanded) {
  EXPECT_EQ(ParseOne("a: &x [1, {b: 2}]\nc: *x\n&k d: e\nf: *k\n"),
            json({{"a", {1, {{"b", 2}}}}, {"c", {1, {{"b", 2}}}}, {"d", "e"}, {"f", "d"}}));
}

TEST(YamlJsonTest, RejectsAnAliasInsideItsOwnAnchor) {
  EXPECT_THAT(ParseError("a: &x [1, *x]\n"),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("contains it")));
}

TEST(YamlJsonTest, RejectsAnUndefinedAlias) {
  EXPECT_THAT(ParseError("a: 1\nb: *nope\n"),
              StatusIs(StatusCode::kInvalidArgument, StartsWith("t.yaml:2:4: ")));
}

TEST(YamlJsonTest, BoundsAliasExpansion) {
  // "Billion laughs": nine levels of ten aliases each would expand to 10^9 nodes.
  std::string bomb = "a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n";
  for (int i = 1; i <= 9; ++i) {
    std::string prev = "*a" + std::to_string(i - 1);
    bomb += "a" + std::to_string(i) + ": &a" + std::to_string(i) + " [";
    for (int j = 0; j < 10; ++j) bomb += (j ? ", " : "") + prev;
    bomb += "]\n";
  }
  EXPECT_THAT(ParseError(bomb),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("aliases are expanded")));
}

TEST(YamlJsonTest, BoundsNestingWithoutCrashing) {
  EXPECT_THAT(ParseError(std::string(100000, '[')), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(
      ParseError(std::string(100000, '[') + std::string(100000, ']')),
      StatusIs(StatusCode::kInvalidArgument, "t.yaml:1:101: nesting deeper than 100 levels"));
  EXPECT_THAT(ParseError(std::string(101, '[') + std::string(101, ']')),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("nesting deeper than 100")));
  std::string block;
  for (int i = 0; i < 150; ++i) block += std::string(2 * static_cast<size_t>(i), ' ') + "a:\n";
  EXPECT_THAT(ParseError(block),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("nesting deeper than 100")));
  EXPECT_THAT(ParseYamlStream(std::string(99, '[') + std::string(99, ']'), "t"), IsOk());
}

TEST(YamlJsonTest, RejectsNonScalarKeys) {
  EXPECT_THAT(ParseError("? [a]\n: 1\n"),
              StatusIs(StatusCode::kInvalidArgument, "t.yaml:1:3: a mapping key must be a scalar"));
  EXPECT_THAT(ParseError("x: &m {a: 1}\n? *m\n: 2\n"),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("mapping key must be a scalar")));
}

TEST(YamlJsonTest, RejectsUnterminatedQuotes) {
  EXPECT_THAT(ParseError("a: b\nc: \"open\n"),
              StatusIs(StatusCode::kInvalidArgument, "t.yaml:2:4: unterminated quoted string"));
  EXPECT_THAT(ParseError("a: 'it''s\n"), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(ParseError("a: !!str &x \"open\n"), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(ParseError("\"key\n"), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_EQ(ParseOne("a: 'it''s'\nb: \"q\\\"\"\nc: \"x\\\\\"\n"),
            json({{"a", "it's"}, {"b", "q\""}, {"c", "x\\"}}));
}

TEST(YamlJsonTest, RejectsContentAfterATopLevelSequence) {
  EXPECT_THAT(ParseError("- a\nb: 1\n"),
              StatusIs(StatusCode::kInvalidArgument, StartsWith("t.yaml:2:1: unexpected content")));
  StatusOr<std::vector<YamlDocument>> ended = ParseYamlStream("- a\n...\nb: 1\n", "t");
  ASSERT_THAT(ended, IsOk());
  EXPECT_EQ(ended->size(), 2u);
}

struct MalformedCase {
  std::string text;
  std::string message;
};

TEST(YamlJsonTest, MalformedYamlNamesLineAndColumn) {
  const MalformedCase cases[] = {
      {"a: b: c\n", "t.yaml:1:5: illegal map value"},
      {"a: 1\n- b\n", "t.yaml:2:1: end of map not found"},
      {"a:\n  b: 1\n c: 2\n", "t.yaml:3:2: end of map not found"},
      {"a: [1, 2\n", "t.yaml:2:1: end of sequence flow not found"},
      {"a:\n\t- b\n", "t.yaml:2:2: illegal block entry"},
  };
  for (const MalformedCase& c : cases) {
    EXPECT_THAT(ParseError(c.text), StatusIs(StatusCode::kInvalidArgument, c.message)) << c.text;
  }
}

TEST(YamlJsonTest, InvalidUtf8IsKeptAsBytes) {
  json doc = ParseOne("a: \"\xFF\xFE\"\n");
  EXPECT_EQ(doc["a"].get<std::string>(), "\xFF\xFE");
}

}  // namespace
}  // namespace mgw
