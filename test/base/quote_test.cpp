#include "mgw/base/quote.h"

#include <random>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace mgw {
namespace {

using ::testing::EndsWith;
using ::testing::SizeIs;
using ::testing::StartsWith;

TEST(QuoteBytesTest, KeepsPrintableAsciiAndEscapesTheRest) {
  EXPECT_EQ(QuoteBytes("1h30m"), "\"1h30m\"");
  EXPECT_EQ(QuoteBytes(""), "\"\"");
  EXPECT_EQ(QuoteBytes("a\"b\\c"), "\"a\\x22b\\x5cc\"");
  EXPECT_EQ(QuoteBytes(std::string("x\0y\n\x7f\xff", 6)), "\"x\\x00y\\x0a\\x7f\\xff\"");
}

TEST(QuoteBytesTest, CutsLongInputAndSaysHowLongItWas) {
  const std::string quoted = QuoteBytes(std::string(1 << 20, 'a'), 64);
  EXPECT_THAT(quoted, StartsWith("\"aaaa"));
  EXPECT_THAT(quoted, EndsWith("...(1048576 bytes)\""));
  EXPECT_LT(quoted.size(), 100u);
}

TEST(QuoteBytesTest, InputThatFitsIsNotCut) {
  const std::string text(64, 'a');
  EXPECT_EQ(QuoteBytes(text, 64), "\"" + text + "\"");
  EXPECT_THAT(QuoteBytes(text + "b", 64), EndsWith("...(65 bytes)\""));
}

TEST(QuoteBytesTest, EscapesCountTowardsTheLimit) {
  const std::string quoted = QuoteBytes(std::string(100, '\n'), 40);
  EXPECT_THAT(quoted, EndsWith("...(100 bytes)\""));
  EXPECT_THAT(quoted, SizeIs(::testing::Lt(70u)));
}

TEST(QuoteJsonTest, WritesAJsonStringLiteral) {
  EXPECT_EQ(QuoteJson("openshift-must-gather"), "\"openshift-must-gather\"");
  EXPECT_EQ(QuoteJson("a\"b\\c\n"), "\"a\\\"b\\\\c\\n\"");
  EXPECT_EQ(QuoteJson("caf\xc3\xa9"), "\"caf\xc3\xa9\"");
}

TEST(QuoteJsonTest, ReplacesInvalidUtf8InsteadOfThrowing) {
  EXPECT_EQ(QuoteJson("a\xff"), "\"a\xef\xbf\xbd\"");
}

// What nlohmann's serializer writes, the reference QuoteJson must match.
std::string Reference(std::string_view text) {
  using nlohmann::json;
  return json(text).dump(-1, ' ', false, json::error_handler_t::replace);
}

TEST(QuoteJsonTest, MatchesNlohmannForEveryByteAndPair) {
  for (int a = 0; a < 256; ++a) {
    const std::string one(1, static_cast<char>(a));
    ASSERT_EQ(QuoteJson(one), Reference(one)) << "byte " << a;
    for (int b = 0; b < 256; b += 7) {
      const std::string two = one + static_cast<char>(b);
      ASSERT_EQ(QuoteJson(two), Reference(two)) << "bytes " << a << " " << b;
    }
  }
}

TEST(QuoteJsonTest, MatchesNlohmannOnRandomText) {
  std::mt19937 rng(17);
  for (int i = 0; i < 2000; ++i) {
    std::string text(rng() % 40, '\0');
    // Mostly ASCII, sometimes UTF-8 lead and continuation bytes.
    for (char& c : text) c = static_cast<char>(rng() % 8 == 0 ? 0x80 + rng() % 0x80 : rng() % 0x80);
    ASSERT_EQ(QuoteJson(text), Reference(text)) << i;
  }
}

TEST(QuoteJsonTest, AppendKeepsWhatIsAlreadyThere) {
  std::string out = "x=";
  AppendQuotedJson(out, "a\tb");
  AppendQuotedJson(out, "\xff");
  EXPECT_EQ(out, "x=\"a\\tb\"\"\xef\xbf\xbd\"");
}

}  // namespace
}  // namespace mgw
