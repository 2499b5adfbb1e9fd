#include "manifest/fast_yaml.h"

#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "support/manifest_generator.h"
#include "support/status_matchers.h"

namespace mgw {
namespace {

using ::mgw::testing::GenerateManifestYaml;
using ::mgw::testing::IsOk;
using ::mgw::testing::MutateYaml;
using nlohmann::json;

std::string Show(const std::vector<YamlDocument>& docs) {
  std::string out;
  for (const YamlDocument& d : docs) {
    out += std::to_string(d.line) + ":" + std::to_string(d.column) + " " +
           d.root.dump(-1, ' ', true, json::error_handler_t::replace) + " items:";
    for (int line : d.item_lines) out += " " + std::to_string(line);
    out += "\n";
  }
  return out;
}

// Fails unless the fast path either declines `text` or gives exactly what yaml-cpp
// gives, and unless ParseYamlStream gives yaml-cpp's result either way. True when the
// fast path accepted the text.
bool CheckAgainstYamlCpp(const std::string& text) {
  std::optional<std::vector<YamlDocument>> fast = FastParseYamlStream(text);
  StatusOr<std::vector<YamlDocument>> reference = ParseYamlStreamWithYamlCpp(text, "t.yaml");
  StatusOr<std::vector<YamlDocument>> combined = ParseYamlStream(text, "t.yaml");
  if (fast.has_value()) {
    EXPECT_THAT(reference, IsOk()) << "the fast path accepted what yaml-cpp rejects:\n" << text;
    if (reference.ok()) {
      EXPECT_TRUE(SameYamlDocuments(*fast, *reference)) << "input:\n"
                                                        << text << "\nfast path:\n"
                                                        << Show(*fast) << "yaml-cpp:\n"
                                                        << Show(*reference);
    }
  }
  EXPECT_EQ(combined.ok(), reference.ok()) << text;
  if (combined.ok() && reference.ok()) {
    EXPECT_TRUE(SameYamlDocuments(*combined, *reference)) << text;
  } else if (!combined.ok() && !reference.ok()) {
    EXPECT_EQ(combined.status(), reference.status()) << text;
  }
  return fast.has_value();
}

// The subset: each of these takes the fast path and matches yaml-cpp exactly.
TEST(FastYamlTest, AcceptsTheManifestSubsetAndAgreesWithYamlCpp) {
  const std::string cases[] = {
      "",
      "# only a comment\n",
      "a: 1\n",
      "a: 1",
      "\n\n  a: 1\n  b: [x]\n",
      "kind: MustGather\nmetadata:\n  name: x\n  labels:\n    app: y\nspec:\n  timeout: 30m\n",
      "a:\n- x\n- y\nb: 2\n",
      "a:\n    - x\n    -   y\n",
      "- a: 1\n  b: 2\n- c\n- - d\n  - e\n-   f: [1, {g: ~}]\n    h: i\n",
      "- a:\n  - x\n  b: 1\n",
      "a:\n  b:\n    c:\n      d: e\nf: g\n",
      "a: b # comment\n  # indented comment\nc: d\n",
      "a:    # nothing here\nb:\n",
      "a:\n  x\nb: y\n",
      "\"quoted key\": 1\n'single': 2\n\"\": 3\na  : 4\n",
      "1: a\ntrue: b\n0x10: c\n-dash: d\na:b: e\nwith space: f\n",
      "a: \"\\\\ \\\" \\/ \\n \\t \\x41 \\u00e9 \\U0001F600 \\0 \\a \\b \\e \\f \\v \\r \\ \"\n",
      "a: 'it''s'\nb: ''\nc: \"\"\nd: ' x '\ne: \"# no comment\"\n",
      "a: ~\nb: null\nc: NULL\nd: true\ne: False\nf: 0x1F\ng: 0o17\nh: -12\ni: +5\n",
      "a: 1.5\nb: .inf\nc: -.Inf\nd: .NaN\ne: 1e999\nf: 99999999999999999999\ng: -0\n",
      "a: yes\nb: on\nc: 0777\nd: 1_000\ne: 2025-09-01\nf: 12abc\n",
      "a: quay.io/a/b:1\nb: http://x:80/y\nc: a#b\nd: x,y\ne: x[0]\nf: --flag\n",
      "a: t\xC3\xA9t\xC3\xA9\nb: \"\xFF\xFE\"\n",
      "a: []\nb: {}\nc: [a, \"b\", 'c', 1, ~]\nd: {x: 1, \"y\": [2, {z: 3}]}\ne: [quay.io/a/b:1]\n",
      "{\"a\":1, \"b\" :[true,null]}\n",
      "[1, [2, [3]]]\n",
      "kind: List\nitems:\n- a: 1\n\n- \"x\"\n-   b: 2\n- [1]\n-\n  c: 3\n",
      "kind: List\nitems:\n  - a: 1\n  - b: 2\nother:\n- z\n",
      "kind: List\nitems: [{a: 1}, {b: 2}]\n",
      "{\"kind\": \"List\", \"items\": [{\"a\": 1}, {\"b\": 2}]}\n",
      "kind: A\nspec:\n  items:\n  - x\n",
      "a: 1\r\nb:\r\n  - c\r\n",
      "---\na: 1\n---\nb: 2\n",
      "--- # first\na: 1\n...\n---\nb: 2\n...\n",
      "---\n",
      "---\n---\n",
      "a: 1\n---\n",
      "a: 1\n---",
      "--- # x\n--- # y\n",
      "---\n...\n",
      "x\n---\n...\n",
      "a: 1\n...\n...\n",
      "- x\n---\n- y\n",
      "just a scalar\n",
      "\"quoted root\"\n",
      "a: |\n  x\n    y\n\n  # not a comment\n\n\n # a comment\nb: |-\n  z\n\n",
      "- |-\n  a\n  b\n-   |\n     c\n  \n- d\n",
      "kind: List\nitems:\n- |\n  x\n---\na: |\r\n  y\r\n",
      "a: x\n...\n---\n  b: 1\n",
  };
  for (const std::string& text : cases) {
    EXPECT_TRUE(CheckAgainstYamlCpp(text)) << "declined:\n" << text;
  }
}

// Outside the subset, or malformed: the fast path declines, and yaml-cpp decides.
TEST(FastYamlTest, DeclinesEverythingElse) {
  const std::string cases[] = {
      "a: &x 1\nb: *x\n",
      "a: !!str 5\n",
      "a: !custom x\n",
      "a: |+\n  text\n",
      "a: |2\n  text\n",
      "a: | # c\n  text\n",
      "a: |\n\n  text\n",
      "a: |\n  x\n   \n  y\n",
      "a: |\n  x",
      "a: |\nb: 1\n",
      "|\n  x\n",
      "a: |\n    x\n  b: 1\n",
      "a: >-\n  text\n",
      "a: plain\n  continued\n",
      "a: \"quoted\n  continued\"\n",
      "a: [1,\n  2]\n",
      "? a\n: 1\n",
      "<<: {a: 1}\n",
      "~: 1\n",
      "null: 1\n",
      ": 1\n",
      "a: 1\na: 2\n",
      "a: {x: 1, x: 2}\n",
      "%YAML 1.2\n---\na: 1\n",
      "...\na: 1\n",
      "a: 1\n...\nb: 2\n",
      "--- a: 1\n",
      "----\n",
      "a:\n\t- b\n",
      "a: b\tc\n",
      "a: \"\x01\"\n",
      "a: b\rc: d\n",
      "a: \"\\N\"\n",
      "a: \"\\ud800\"\n",
      "a: \"\\q\"\n",
      "a: 'open\n",
      "a: b: c\n",
      "a: - b\n",
      "a: 1\n- b\n",
      "- a\nb: 1\n",
      "a:\n  b: 1\n c: 2\n",
      "a: \"x\" y\n",
      "a: \"x\"#c\n",
      "a: [x]y\n",
      "a: [a, ]\n",
      "a: [a,,b]\n",
      "a: {a: }\n",
      "a: {a}\n",
      "a: {a:1}\n",
      "a: [x #y]\n",
      "- \n- a\n",
      "a: @x\n",
      "a: `x`\n",
      "a: ?x\n",
      // A key whose ':' is more than 1000 bytes from its start (1024 in yaml-cpp).
      "{\"" + std::string(1030, '\\') + "\": 1}\n",
      std::string(1001, 'k') + ": 1\n",
      "\xEF\xBB\xBF"
      "a: 1\n",  // ParseYamlStream strips the mark before the fast path
      std::string(kMaxFastBlockDepth + 1, '[') + std::string(kMaxFastBlockDepth + 1, ']'),
  };
  for (const std::string& text : cases) {
    EXPECT_FALSE(CheckAgainstYamlCpp(text)) << "accepted:\n" << text;
  }
}

TEST(FastYamlTest, DeclinesBlockNestingPastItsLimit) {
  std::string deep;
  for (int i = 0; i <= kMaxFastBlockDepth; ++i) deep += std::string(2 * size_t(i), ' ') + "a:\n";
  EXPECT_FALSE(CheckAgainstYamlCpp(deep));
  std::string ok;
  for (int i = 0; i < kMaxFastBlockDepth; ++i) ok += std::string(2 * size_t(i), ' ') + "a:\n";
  EXPECT_TRUE(CheckAgainstYamlCpp(ok));
}

// yaml-cpp's positions, which the fast path reproduces: a block mapping at its first
// key, a null document at the next marker or at the line after the last line break.
TEST(FastYamlTest, PositionsFollowYamlCpp) {
  std::optional<std::vector<YamlDocument>> docs =
      FastParseYamlStream("---\n\n  a: 1\n---\n--- # c\n- x\n---\n\n");
  ASSERT_TRUE(docs.has_value());
  ASSERT_EQ(docs->size(), 4u);
  EXPECT_EQ((*docs)[0].line, 3);
  EXPECT_EQ((*docs)[0].column, 3);
  EXPECT_EQ((*docs)[1].line, 5);
  EXPECT_TRUE((*docs)[1].root.is_null());
  EXPECT_EQ((*docs)[2].line, 6);
  EXPECT_EQ((*docs)[3].line, 9);
  std::optional<std::vector<YamlDocument>> list =
      FastParseYamlStream("kind: List\nitems:\n- a: 1\n\n-\n  b: 2\n- \"c\"\n");
  ASSERT_TRUE(list.has_value());
  EXPECT_EQ(list->front().item_lines, (std::vector<int>{3, 6, 7}));
}

TEST(FastYamlTest, SameYamlDocumentsComparesTypesAndPositions) {
  auto doc = [](json root, int line = 1) { return std::vector<YamlDocument>{{root, line, 1, {}}}; };
  EXPECT_TRUE(SameYamlDocuments(doc({{"a", 1}}), doc({{"a", 1}})));
  EXPECT_FALSE(SameYamlDocuments(doc({{"a", 1}}), doc({{"a", 1.0}})));
  EXPECT_FALSE(SameYamlDocuments(doc({{"a", 1}}), doc({{"a", 1u}})));
  EXPECT_FALSE(SameYamlDocuments(doc({{"a", 1}}), doc({{"a", 1}}, 2)));
  EXPECT_FALSE(SameYamlDocuments(doc({{"a", 1}}), doc({{"b", 1}})));
  EXPECT_FALSE(SameYamlDocuments(doc(json::array({1})), doc(json::array({1, 2}))));
  EXPECT_FALSE(SameYamlDocuments(doc(json(0.0)), doc(json(-0.0))));
  const double nan = std::numeric_limits<double>::quiet_NaN();
  EXPECT_TRUE(SameYamlDocuments(doc(json(nan)), doc(json(nan))));
  EXPECT_FALSE(SameYamlDocuments(doc(json(nan)), doc(json(nullptr))));
}

// Every YAML and JSON file the project ships or tests with.
TEST(FastYamlTest, EveryProjectYamlFileAgreesWithYamlCpp) {
  namespace fs = std::filesystem;
  int accepted = 0;
  int files = 0;
  for (const char* dir : {"/test/testdata", "/examples", "/fuzz/corpus", "/manifests"}) {
    for (const fs::directory_entry& e :
         fs::recursive_directory_iterator(std::string(MGW_SOURCE_DIR) + dir)) {
      if (!e.is_regular_file()) continue;
      std::ifstream in(e.path(), std::ios::binary);
      std::stringstream text;
      text << in.rdbuf();
      SCOPED_TRACE(e.path().string());
      ++files;
      accepted += CheckAgainstYamlCpp(text.str()) ? 1 : 0;
    }
  }
  EXPECT_GE(files, 50);
  EXPECT_GE(accepted, files / 2);  // the fast path must actually be exercised
}

TEST(FastYamlTest, ExamplesTakeTheFastPath) {
  namespace fs = std::filesystem;
  for (const fs::directory_entry& e :
       fs::recursive_directory_iterator(std::string(MGW_SOURCE_DIR) + "/examples")) {
    if (e.path().extension() != ".yaml") continue;
    std::ifstream in(e.path(), std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    EXPECT_TRUE(FastParseYamlStream(text.str()).has_value()) << e.path();
  }
}

TEST(FastYamlTest, GeneratedManifestsAgreeWithYamlCpp) {
  constexpr uint32_t kCount = 3000;
  uint32_t accepted = 0;
  for (uint32_t seed = 1; seed <= kCount; ++seed) {
    accepted += CheckAgainstYamlCpp(GenerateManifestYaml(seed)) ? 1 : 0;
  }
  EXPECT_GE(accepted, kCount / 3) << "the generator rarely stays inside the subset";
  EXPECT_LT(accepted, kCount) << "the generator never leaves the subset";
}

TEST(FastYamlTest, MutatedManifestsNeverDisagree) {
  constexpr uint32_t kCount = 6000;
  uint32_t accepted = 0;
  for (uint32_t seed = 1; seed <= kCount; ++seed) {
    accepted += CheckAgainstYamlCpp(MutateYaml(GenerateManifestYaml(seed), seed)) ? 1 : 0;
  }
  EXPECT_GE(accepted, kCount / 10);
}

}  // namespace
}  // namespace mgw
