#include "mgw/base/go_duration.h"

#include <chrono>
#include <cstdint>
#include <limits>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "support/status_matchers.h"

namespace mgw {
namespace {

using ::mgw::testing::StatusIs;
using std::chrono::hours;
using std::chrono::microseconds;
using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::nanoseconds;
using std::chrono::seconds;
using ::testing::HasSubstr;

struct GoodCase {
  std::string input;
  nanoseconds want;
};

constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
constexpr int64_t kMin = std::numeric_limits<int64_t>::min();

// Values from the table in Go's time/time_test.go (TestParseDuration).
TEST(GoDurationTest, ParsesWhatGoParses) {
  const GoodCase cases[] = {
      {"0", nanoseconds(0)},
      {"5s", seconds(5)},
      {"30s", seconds(30)},
      {"1478s", seconds(1478)},
      {"-5s", seconds(-5)},
      {"+5s", seconds(5)},
      {"-0", nanoseconds(0)},
      {"+0", nanoseconds(0)},
      {"5.0s", seconds(5)},
      {"5.6s", milliseconds(5600)},
      {"5.s", seconds(5)},
      {".5s", milliseconds(500)},
      {"1.0s", seconds(1)},
      {"1.00s", seconds(1)},
      {"1.004s", milliseconds(1004)},
      {"1.0040s", milliseconds(1004)},
      {"100.00100s", seconds(100) + milliseconds(1)},
      {"10ns", nanoseconds(10)},
      {"11us", microseconds(11)},
      {"12\xc2\xb5s", microseconds(12)},  // U+00B5 MICRO SIGN
      {"12\xce\xbcs", microseconds(12)},  // U+03BC GREEK SMALL LETTER MU
      {"13ms", milliseconds(13)},
      {"14s", seconds(14)},
      {"15m", minutes(15)},
      {"16h", hours(16)},
      {"1.5h", minutes(90)},
      {"3h30m", hours(3) + minutes(30)},
      {"10.5s4m", minutes(4) + seconds(10) + milliseconds(500)},
      {"-2m3.4s", -(minutes(2) + seconds(3) + milliseconds(400))},
      {"1h2m3s4ms5us6ns",
       hours(1) + minutes(2) + seconds(3) + milliseconds(4) + microseconds(5) + nanoseconds(6)},
      {"39h9m14.425s", hours(39) + minutes(9) + seconds(14) + milliseconds(425)},
      {"52763797000ns", nanoseconds(52763797000)},
      {"0.3333333333333333333h", minutes(20)},
      {"9007199254740993ns", nanoseconds((int64_t{1} << 53) + 1)},
      {"9223372036854775807ns", nanoseconds(kMax)},
      {"9223372036854775.807us", nanoseconds(kMax)},
      {"9223372036s854ms775us807ns", nanoseconds(kMax)},
      {"-9223372036854775808ns", nanoseconds(kMin)},
      {"-9223372036854775.808us", nanoseconds(kMin)},
      {"-9223372036s854ms775us808ns", nanoseconds(kMin)},
      {"0.100000000000000000000h", minutes(6)},
      {"0.830103483285477580700h", minutes(49) + seconds(48) + nanoseconds(372539827)},
  };
  for (const GoodCase& c : cases) {
    StatusOr<nanoseconds> got = ParseGoDuration(c.input);
    ASSERT_TRUE(got.ok()) << c.input << ": " << got.status();
    EXPECT_EQ(got->count(), c.want.count()) << c.input;
  }
}

struct BadCase {
  std::string input;
  StatusCode code;
  std::string message_part;
};

TEST(GoDurationTest, RejectsWhatGoRejects) {
  const StatusCode kBad = StatusCode::kInvalidArgument;
  const StatusCode kRange = StatusCode::kOutOfRange;
  const BadCase cases[] = {
      {"", kBad, "empty"},
      {"1", kBad, "missing unit"},
      {"3", kBad, "missing unit"},
      {"1.5", kBad, "missing unit"},
      {"h", kBad, "expected a number"},
      {"s", kBad, "expected a number"},
      {"1x", kBad, "unknown unit \"x\""},
      {"1d", kBad, "unknown unit \"d\""},
      {"1hx", kBad, "unknown unit \"hx\""},
      {"1 h", kBad, "unknown unit \" h\""},
      {"1H", kBad, "unknown unit \"H\""},
      {"1h ", kBad, "unknown unit \"h \""},
      {" 1h", kBad, "expected a number"},
      {"-", kBad, "nothing follows the sign"},
      {"+", kBad, "nothing follows the sign"},
      {"--1s", kBad, "expected a number"},
      {".", kBad, "'.'"},
      {"-.", kBad, "'.'"},
      {".s", kBad, "'.'"},
      {"+.s", kBad, "'.'"},
      {"1.2.3s", kBad, "missing unit"},
      {"1e3s", kBad, "unknown unit \"e\""},
      {"\x85\x85", kBad, "\\x85\\x85"},
      {"\xff"
       "ff",
       kBad, "expected a number"},
      {"hello \xff"
       "ff world",
       kBad, "expected a number"},
      {"9223372036854775808ns", kRange, "out of range"},
      {"9223372036854775.808us", kRange, "out of range"},
      {"9223372036854ms775us808ns", kRange, "out of range"},
      {"-9223372036854775809ns", kRange, "out of range"},
      {"99999999999999999999s", kRange, "out of range"},
      {"2562048h", kRange, "out of range"},
      {"2562047h47m16.854775808s", kRange, "out of range"},
  };
  for (const BadCase& c : cases) {
    EXPECT_THAT(ParseGoDuration(c.input), StatusIs(c.code, HasSubstr(c.message_part))) << c.input;
  }
}

TEST(GoDurationTest, LargestHourValueFits) {
  StatusOr<nanoseconds> got = ParseGoDuration("2562047h47m16.854775807s");
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(got->count(), kMax);
}

TEST(GoDurationTest, MessagesSayHowToFix) {
  EXPECT_THAT(ParseGoDuration("10"),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("write it like \"90s\"")));
}

TEST(GoDurationTest, HugeInputIsQuotedShortly) {
  std::string huge(1 << 20, '1');
  huge += "x";
  StatusOr<nanoseconds> got = ParseGoDuration(huge);
  EXPECT_THAT(got, StatusIs(StatusCode::kOutOfRange));
  EXPECT_LT(got.status().message().size(), 300u);
  std::string fraction = "0." + std::string(1 << 20, '9') + "s";
  StatusOr<nanoseconds> frac = ParseGoDuration(fraction);
  ASSERT_TRUE(frac.ok()) << frac.status();
  EXPECT_EQ(frac->count(), 1000000000);  // same float64 arithmetic as Go rounds this up
}

}  // namespace
}  // namespace mgw
