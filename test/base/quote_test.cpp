#include "mgw/base/quote.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

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

}  // namespace
}  // namespace mgw
