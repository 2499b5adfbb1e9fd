#include "mgw/manifest/yaml_json.h"

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
  EXPECT_THAT(
      ParseError("a: !!int abc\n"),
      StatusIs(StatusCode::kInvalidArgument, "t.yaml:1:4: cannot decode !!str `abc` as a !!int"));
  EXPECT_EQ(ParseOne("a: !!bool yes\n"), json({{"a", true}}));
}

TEST(YamlJsonTest, Yaml11ScalarsAsKubectlReadsThem) {
  EXPECT_EQ(ParseOne("spec:\n  retainResourcesOnCompletion: yes\n  claim: {name: no}\n"
                     "  subPath: on\n  h: 0x1F\n  o: 017\n  u: 1_000\n  f: 1e3\n  d: 2001-12-14\n"),
            json({{"spec",
                   {{"retainResourcesOnCompletion", true},
                    {"claim", {{"name", false}}},
                    {"subPath", true},
                    {"h", 31},
                    {"o", 15},
                    {"u", 1000},
                    {"f", 1000.0},
                    {"d", "2001-12-14"}}}}));
  EXPECT_THAT(ParseError("a: .inf\n"), StatusIs(StatusCode::kInvalidArgument,
                                                HasSubstr("t.yaml:1:4: \".inf\" is infinite")));
  EXPECT_EQ(ParseOne("a: .inf\na: 1\n"), json({{"a", 1}}));  // replaced before JSON: fine
}

TEST(YamlJsonTest, KeysAreSpelledAsKubectlSpellsThem) {
  EXPECT_EQ(ParseOne("1: a\ntrue: b\n0x10: c\n1e3: e\n"),
            json({{"1", "a"}, {"true", "b"}, {"16", "c"}, {"1000", "e"}}));
  EXPECT_EQ(ParseOne("y: 1\nn: 2\n"), json({{"true", 1}, {"false", 2}}));  // YAML 1.1, as kubectl
  EXPECT_THAT(ParseError("~: d\n"),
              StatusIs(StatusCode::kInvalidArgument, "t.yaml:1:1: a mapping key may not be null"));
  EXPECT_EQ(ParseOne("a: {~: 1}\na: 2\n"), json({{"a", 2}}));  // the bad key did not survive
}

TEST(YamlJsonTest, DocumentsKeepPositionsAndEmptyOnes) {
  StatusOr<std::vector<YamlDocument>> docs =
      ParseYamlStream("# header\n---\n---\n# only a comment\n---\n\n  a: 1\n---\n- x\n", "t.yaml");
  ASSERT_THAT(docs, IsOk());
  ASSERT_EQ(docs->size(), 4u);  // kubectl skips the empty chunk between two ---
  EXPECT_TRUE((*docs)[0].root.is_null());
  EXPECT_TRUE((*docs)[1].root.is_null());
  EXPECT_EQ((*docs)[1].line, 4);
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

TEST(YamlJsonTest, Utf16NeedsAByteOrderMarkAsInKubectl) {
  EXPECT_EQ(ParseOne(std::string("\xFF\xFE"
                                 "a\0:\0 \0"
                                 "1\0",
                                 10)),
            json({{"a", 1}}));
  EXPECT_THAT(ParseError(std::string("\0\0\0a", 4)), StatusIs(StatusCode::kInvalidArgument));
}

TEST(YamlJsonTest, DuplicateKeysKeepTheLastAndWarn) {
  StatusOr<std::vector<YamlDocument>> docs =
      ParseYamlStream("a: 1\nb:\n  c: 1\n  c: 2\n", "t.yaml");
  ASSERT_THAT(docs, IsOk());
  EXPECT_EQ(docs->front().root, json({{"a", 1}, {"b", {{"c", 2}}}}));
  EXPECT_THAT(docs->front().warnings,
              ElementsAre("t.yaml:4:3: duplicate key \"c\": kubectl keeps the last value"));
  StatusOr<std::vector<YamlDocument>> merged =
      ParseYamlStream("a: &m {x: 1}\nb: {<<: *m, x: 2}\n", "t.yaml");
  ASSERT_THAT(merged, IsOk());
  EXPECT_TRUE(merged->front().warnings.empty());  // overriding a merged key is no duplicate
}

TEST(YamlJsonTest, MergeKeysAsGoYamlV2AppliesThem) {
  json doc = ParseOne(
      "base: &b {x: 1, w: 2}\n"
      "other: &o {w: 3, z: 4}\n"
      "one: {<<: *b, x: 9}\n"
      "two:\n  x: 0\n  <<: [*b, *o]\n");
  EXPECT_EQ(doc["one"], json({{"x", 9}, {"w", 2}}));
  EXPECT_EQ(doc["two"], json({{"x", 1}, {"w", 2}, {"z", 4}}));  // merged after x: 0, so it wins
  EXPECT_THAT(ParseError("a: {<<: 5}\n"),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("map merge requires map")));
  EXPECT_EQ(ParseOne("a: {\"<<\": 5}\n"), json({{"a", {{"<<", 5}}}}));  // quoted: a plain key
}

TEST(YamlJsonTest, AliasesAreExpanded) {
  EXPECT_EQ(ParseOne("a: &x [1, {b: 2}]\nc: *x\n&k d: e\nf: *k\n"),
            json({{"a", {1, {{"b", 2}}}}, {"c", {1, {{"b", 2}}}}, {"d", "e"}, {"f", "d"}}));
}

// go-yaml v2 names a node when it starts: an alias inside it is the node itself, even
// when the name meant an older node before (kubectl's results, checked with the oracle).
TEST(YamlJsonTest, RejectsAnAliasInsideItsOwnAnchor) {
  EXPECT_THAT(
      ParseError("a: &x [1, *x]\n"),
      StatusIs(StatusCode::kInvalidArgument, "t.yaml:1:11: anchor 'x' value contains itself"));
  EXPECT_THAT(
      ParseError("a0: &a0 [x]\na1: &a0 [*a0]\n"),
      StatusIs(StatusCode::kInvalidArgument, HasSubstr("anchor 'a0' value contains itself")));
  EXPECT_THAT(ParseError("a0: &a0 x\na1: &a0 {k: *a0}\n"),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("value contains itself")));
}

TEST(YamlJsonTest, AnAnchorRedefinedInsideItsNodeNamesTheInnerNode) {
  EXPECT_EQ(ParseOne("a: &a [&a 1, *a]\nb: *a\n"), json::parse(R"({"a":[1,1],"b":1})"));
  EXPECT_EQ(ParseOne("x: &a {b: &a {c: 1}, d: *a}\ne: *a\n"),
            json::parse(R"({"x":{"b":{"c":1},"d":{"c":1}},"e":{"c":1}})"));
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
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("excessive aliasing")));
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
              StatusIs(StatusCode::kInvalidArgument,
                       StartsWith("t.yaml:3:1: found unexpected end of stream")));
  EXPECT_THAT(ParseError("a: 'it''s\n"), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_EQ(ParseOne("a: 'it''s'\nb: \"q\\\"\"\nc: \"x\\\\\"\nd: \"\\'\"\n"),
            json({{"a", "it's"}, {"b", "q\""}, {"c", "x\\"}, {"d", "'"}}));
  EXPECT_THAT(ParseError("a: \"\\/\"\n"),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("unknown escape")));
}

// go-yaml v2 refuses \/ in every double-quoted scalar it scans, also the one it scans
// after the root to see the document end; but none past a forgotten key (the oracle's
// results).
TEST(YamlJsonTest, RefusesSlashEscapesGoYamlScansAhead) {
  EXPECT_THAT(ParseError("''\n\"\\/\": 1\n"),
              StatusIs(StatusCode::kInvalidArgument,
                       StartsWith("t.yaml:2:1: found unknown escape character \\/")));
  EXPECT_THAT(ParseError("a: 1\n[a, \"\\/\"]\n"), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_EQ(ParseOne("''\n[] \"\\/\"\n"), json(""));
  EXPECT_EQ(ParseOne("a: '\\/'\n"), json({{"a", "\\/"}}));
  // Only the scalar is looked at, not a comment between its anchor and itself.
  EXPECT_EQ(ParseOne("&a #\\/\n\"\"\n"), json(""));
  EXPECT_EQ(ParseOne("a: !t # \"\\/\"\n  \"x\\\\\"\n"), json({{"a", "x\\"}}));
}

// go-yaml v2 reads on through `,`, `[` and `]` in a tag; the tag is then one it does
// not know, so the node is a string (kubectl's results, checked with the oracle).
TEST(YamlJsonTest, TagsRunOnThroughFlowIndicatorsAsInGoYaml) {
  EXPECT_EQ(ParseOne("!!int]\n"), json(""));
  EXPECT_EQ(ParseOne("!!int] 5\n"), json("5"));
  EXPECT_EQ(ParseOne("a: ![]\n"), json({{"a", ""}}));
  EXPECT_EQ(ParseOne("[!a, b]\n"), json::array({"b"}));  // the tag is `!a,`, on `b`
  EXPECT_EQ(ParseOne("[!!str, x]\n"), json::array({"x"}));
}

// go-yaml v2 skips a byte order mark at the start only; any other one is text.
TEST(YamlJsonTest, AByteOrderMarkInsideIsText) {
  EXPECT_EQ(ParseOne("a: 1\n\xEF\xBB\xBF"
                     "b: 2\n"),
            json({{"a", 1},
                  {"\xEF\xBB\xBF"
                   "b",
                   2}}));
  EXPECT_EQ(ParseOne("[a,\n\xEF\xBB\xBF"
                     "b]\n"),
            json::array({"a",
                         "\xEF\xBB\xBF"
                         "b"}));
  EXPECT_THAT(ParseError("- a\n\xEF\xBB\xBF- b\n"), StatusIs(StatusCode::kInvalidArgument));
}

// In a flow collection, go-yaml v2 reads `:` before a flow indicator as text and ends
// a plain scalar at `?` (kubectl's results, checked with the oracle).
TEST(YamlJsonTest, FlowPlainScalarsEndAsInGoYaml) {
  EXPECT_EQ(ParseOne("[nu:]\n"), json::array({"nu:"}));
  EXPECT_EQ(ParseOne("x: {a:,b}\n"), json({{"x", {{"a:", nullptr}, {"b", nullptr}}}}));
  EXPECT_EQ(ParseOne("  a: |\n[nu:]-l $la:\n"), json({{"a", ""}}));
  for (std::string_view text : {"[a?b]\n", "x: {a: b?c}\n", "x: [a ?b]\n", "x: [!t a?]\n"}) {
    EXPECT_THAT(ParseError(text), StatusIs(StatusCode::kInvalidArgument, HasSubstr("ends at '?'")))
        << text;
  }
  EXPECT_EQ(ParseOne("x: [a, ?b]\n"), json({{"x", {"a", {{"b", nullptr}}}}}));
}

TEST(YamlJsonTest, IgnoresWhatFollowsTheFirstDocumentOfAChunk) {
  EXPECT_EQ(ParseOne("a: 1\n--- b\n"), json({{"a", 1}}));  // go-yaml reads no further
  EXPECT_EQ(ParseOne("a: 1\n...\n- b\n"), json({{"a", 1}}));
  EXPECT_THAT(
      ParseError("- a\nb: 1\n"),
      StatusIs(StatusCode::kInvalidArgument, StartsWith("t.yaml:2:1: did not find expected '-'")));
}

struct MalformedCase {
  std::string text;
  std::string message;
};

TEST(YamlJsonTest, MalformedYamlNamesLineAndColumn) {
  const MalformedCase cases[] = {
      {"a: b: c\n", "t.yaml:1:5: mapping values are not allowed in this context"},
      {"a: 1\n- b\n",
       "t.yaml:2:1: did not find expected key (while parsing a block mapping at line 1)"},
      {"a: [1, 2\n",
       "t.yaml:2:1: did not find expected ',' or ']' (while parsing a flow sequence at line 1)"},
      {"a:\n\t- b\n",
       "t.yaml:2:1: found character that cannot start any token (while scanning for the next token "
       "at line 2)"},
      {"x\n---\na: b: c\n", "t.yaml:3:5: mapping values are not allowed in this context"},
  };
  for (const MalformedCase& c : cases) {
    EXPECT_THAT(ParseError(c.text), StatusIs(StatusCode::kInvalidArgument, c.message)) << c.text;
  }
}

TEST(YamlJsonTest, InvalidUtf8IsRefused) {
  EXPECT_THAT(ParseError("a: \"\xFF\xFE\"\n"), StatusIs(StatusCode::kInvalidArgument));
}

// go-yaml v2 forgets an empty flow collection as a possible key once it closes, and
// reads no further than the document's end: kubectl's results, checked with the oracle.
TEST(YamlJsonTest, ReadsNoFurtherThanGoYamlAfterAForgottenKey) {
  EXPECT_EQ(ParseOne("\n\n    a:\n        b:\n         - 1\n  {}     -  2\n    c: d\n"),
            json::parse(R"({"a":{"b":[1]}})"));
  EXPECT_EQ(ParseOne("  a: 1\n[: a] @\n"), json::parse(R"({"a":1})"));
  EXPECT_EQ(ParseOne("[] : x\nb: 2\n"), json::array());
  EXPECT_THAT(ParseError("  a: 1\n[a] @\n"),
              StatusIs(StatusCode::kInvalidArgument, StartsWith("t.yaml:2:5: found character")));
  EXPECT_THAT(ParseError("[a]: x\n"), StatusIs(StatusCode::kInvalidArgument));
}

}  // namespace
}  // namespace mgw
