#include "manifest/fast_yaml_scalar.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace mgw {
namespace {

using nlohmann::json;

struct BlockCase {
  std::string line;
  size_t start;
  std::string text;
  bool quoted;
  bool is_key;
  size_t end;  // where the scan stops
};

TEST(FastYamlScalarTest, ScansBlockScalarsAndKeys) {
  const BlockCase cases[] = {
      {"a: b", 0, "a", false, true, 2},
      {"a: b", 3, "b", false, false, 4},
      {"key:", 0, "key", false, true, 4},
      {"a  : b", 0, "a", false, true, 4},
      {"a:b: c", 0, "a:b", false, true, 4},
      {"x: http://h:80/p # c", 3, "http://h:80/p", false, false, 17},
      {"x: a#b", 3, "a#b", false, false, 6},
      {"x: two  words  ", 3, "two  words", false, false, 15},
      {"x: -1", 3, "-1", false, false, 5},
      {"- --flag=1", 2, "--flag=1", false, false, 10},
      {"x: [not flow", 3, "", false, false, 0},  // a flow collection is not a scalar
      {"\"k\": v", 0, "k", true, true, 4},
      {"'k' : v", 0, "k", true, true, 5},
      {"x: 'it''s' # c", 3, "it's", true, false, 10},
      {"x: \"a\\tb\\u00e9\\x41\\/\"", 3,
       "a\tb\xC3\xA9"
       "A/",
       true, false, 21},
      {"x: \"\\U0001F600\"", 3, "\xF0\x9F\x98\x80", true, false, 15},
      {"x: \"\"", 3, "", true, false, 5},
  };
  for (const BlockCase& c : cases) {
    size_t pos = c.start;
    LineScalar s;
    bool ok = ScanBlockScalar(c.line, pos, s);
    if (c.end == 0) {
      EXPECT_FALSE(ok) << c.line;
      continue;
    }
    ASSERT_TRUE(ok) << c.line;
    EXPECT_EQ(s.text, c.text) << c.line;
    EXPECT_EQ(s.quoted, c.quoted) << c.line;
    EXPECT_EQ(s.is_key, c.is_key) << c.line;
    EXPECT_EQ(pos, c.end) << c.line;
  }
}

TEST(FastYamlScalarTest, DeclinesWhatItDoesNotKnow) {
  for (std::string line : {"&a x",
                           "*a",
                           "!!str x",
                           "|",
                           ">-",
                           "? k",
                           ": v",
                           "- x",
                           "-",
                           "@x",
                           "`x`",
                           "%x",
                           "#c",
                           ",x",
                           "]",
                           "}",
                           "\"open",
                           "'open",
                           "\"\\N\"",
                           "\"\\_\"",
                           "\"\\q\"",
                           "\"\\ud800\"",
                           "\"\\U00110000\"",
                           "\"\\x4\"",
                           "\"\\u00zz\"",
                           "\"trailing\\",
                           "\xC3\xA9t\xC3\xA9"}) {
    size_t pos = 0;
    LineScalar s;
    EXPECT_FALSE(ScanBlockScalar(line, pos, s)) << line;
  }
  size_t pos = 0;
  LineScalar s;
  // yaml-cpp's simple keys end at most 1024 bytes from their start; near that, decline.
  EXPECT_FALSE(ScanBlockScalar(std::string(1001, 'k') + ": v", pos, s));
  pos = 0;
  EXPECT_FALSE(ScanBlockScalar("\"" + std::string(999, 'k') + "\": v", pos, s));
  pos = 0;
  EXPECT_TRUE(ScanBlockScalar(std::string(1000, 'k') + ": v", pos, s));
}

TEST(FastYamlScalarTest, OrdinaryPlainKeys) {
  for (std::string_view key : {"a", "1", "true", "nul", "<", "~x"}) {
    EXPECT_TRUE(IsOrdinaryPlainKey(key)) << key;
  }
  for (std::string_view key : {"", "~", "null", "Null", "NULL", "<<"}) {
    EXPECT_FALSE(IsOrdinaryPlainKey(key)) << key;
  }
}

struct FlowCase {
  std::string line;
  json want;
  size_t nodes;
};

TEST(FastYamlScalarTest, ScansOneLineFlowCollections) {
  const FlowCase cases[] = {
      {"[]", json::array(), 1},
      {"{ }", json::object(), 1},
      {"[a, 'b', \"c\", 1, ~, true, 0x1F]", {"a", "b", "c", 1, nullptr, true, 31}, 8},
      {"[quay.io/a/b:1,x:y ,  a b ]", {"quay.io/a/b:1", "x:y", "a b"}, 4},
      {"{a: 1, \"b\": [2, {c: d}], 'e' :f}", {{"a", 1}, {"b", {2, {{"c", "d"}}}}, {"e", "f"}}, 11},
      {"{\"a\":1,\"b\":\"x\"}", {{"a", 1}, {"b", "x"}}, 5},
  };
  for (const FlowCase& c : cases) {
    size_t pos = 0;
    size_t nodes = 0;
    json out;
    ASSERT_TRUE(ScanFlowCollection(c.line, pos, out, nodes)) << c.line;
    EXPECT_EQ(out, c.want) << c.line;
    EXPECT_EQ(nodes, c.nodes) << c.line;
    EXPECT_EQ(pos, c.line.size()) << c.line;
  }
  size_t pos = 0;
  size_t nodes = 0;
  json out;
  ASSERT_TRUE(ScanFlowCollection("[1] # c", pos, out, nodes));
  EXPECT_EQ(pos, 3u);
}

TEST(FastYamlScalarTest, DeclinesOtherFlowCollections) {
  for (const std::string& line : std::vector<std::string>{
           "x", "[", "[a", "[a,", "[a, ]", "[a,,b]", "[,a]", "{a}", "{a: }", "{a:1}", "{a :1}",
           "{a: 1, a: 2}", "{~: 1}", "{<<: {}}", "[a: 1]", "[x #y]", "[x#y]", "[?x]", "[&a x]",
           "[*a]", "[!t x]", "[- x]", "[\"open]", "[a\"b]", "[x:]", "{[a]: 1}", "[a] [b]",
           // A quoted key whose ':' is more than 1000 bytes from its start.
           "{\"" + std::string(990, 'k') + "\"" + std::string(20, ' ') + ": 1}"}) {
    size_t pos = 0;
    size_t nodes = 0;
    json out;
    bool ok = ScanFlowCollection(line, pos, out, nodes);
    EXPECT_TRUE(!ok || pos != line.size()) << line;
  }
  std::string deep =
      std::string(kMaxFastFlowDepth + 1, '[') + std::string(kMaxFastFlowDepth + 1, ']');
  std::string at_limit = std::string(kMaxFastFlowDepth, '[') + std::string(kMaxFastFlowDepth, ']');
  size_t pos = 0;
  size_t nodes = 0;
  json out;
  EXPECT_FALSE(ScanFlowCollection(deep, pos, out, nodes));
  pos = 0;
  EXPECT_TRUE(ScanFlowCollection(at_limit, pos, out, nodes));
}

}  // namespace
}  // namespace mgw
