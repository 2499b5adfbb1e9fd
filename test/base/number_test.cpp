#include "mgw/base/number.h"

#include <limits>

#include <gtest/gtest.h>

namespace mgw {
namespace {

TEST(NumberTest, ReadsDigitsWithinBounds) {
  EXPECT_EQ(ParseDecimal("0", 0, 10), 0);
  EXPECT_EQ(ParseDecimal("10", 0, 10), 10);
  EXPECT_EQ(ParseDecimal("007", 0, 10), 7);
  EXPECT_EQ(ParseDecimal("65535", 1, 65535), 65535);
  EXPECT_EQ(ParseDecimal("9223372036854775807", 0, std::numeric_limits<int64_t>::max()),
            std::numeric_limits<int64_t>::max());
}

TEST(NumberTest, RefusesEverythingElse) {
  for (const char* bad : {"", "-1", "+1", " 1", "1 ", "1.0", "1e3", "0x10", "a", "1a"}) {
    EXPECT_EQ(ParseDecimal(bad, 0, 100), std::nullopt) << bad;
  }
  EXPECT_EQ(ParseDecimal("11", 0, 10), std::nullopt);
  EXPECT_EQ(ParseDecimal("0", 1, 10), std::nullopt);
  EXPECT_EQ(ParseDecimal("99999999999999999999", 0, std::numeric_limits<int64_t>::max()),
            std::nullopt);
}

}  // namespace
}  // namespace mgw
