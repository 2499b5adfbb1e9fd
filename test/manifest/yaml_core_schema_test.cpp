#include "manifest/yaml_core_schema.h"

#include <cmath>
#include <cstdint>
#include <limits>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "support/status_matchers.h"

namespace mgw {
namespace {

using ::mgw::testing::StatusIs;
using nlohmann::json;

struct ScalarCase {
  std::string text;
  json want;
};

// YAML 1.2.2 section 10.3.2 (core schema tag resolution).
TEST(ResolvePlainScalarTest, FollowsTheCoreSchema) {
  const ScalarCase cases[] = {
      {"", nullptr},
      {"~", nullptr},
      {"null", nullptr},
      {"Null", nullptr},
      {"NULL", nullptr},
      {"true", true},
      {"True", true},
      {"TRUE", true},
      {"false", false},
      {"False", false},
      {"FALSE", false},
      {"0", 0},
      {"-12", -12},
      {"+5", 5},
      {"0777", 777},
      {"0o17", 15},
      {"0x1F", 31},
      {"0xff", 255},
      {"1.5", 1.5},
      {".5", 0.5},
      {"1.", 1.0},
      {"-2.5e-3", -2.5e-3},
      {"1e3", 1000.0},
      {"9223372036854775807", std::numeric_limits<int64_t>::max()},
      {"-9223372036854775808", std::numeric_limits<int64_t>::min()},
      {"18446744073709551615", std::numeric_limits<uint64_t>::max()},
      // Not special in YAML 1.2 (some are in 1.1): they stay strings.
      {"yes", "yes"},
      {"no", "no"},
      {"on", "on"},
      {"off", "off"},
      {"y", "y"},
      {"TrUe", "TrUe"},
      {"nul", "nul"},
      {"1_000", "1_000"},
      {"0b101", "0b101"},
      {"+0x1", "+0x1"},
      {"0x", "0x"},
      {"0o8", "0o8"},
      {"12abc", "12abc"},
      {"1e", "1e"},
      {".", "."},
      {"-", "-"},
      {"NaN", "NaN"},
      {"inf", "inf"},
      {"1.2.3", "1.2.3"},
      {"2025-09-01", "2025-09-01"},
      {"30m", "30m"},
  };
  for (const ScalarCase& c : cases) {
    json got = ResolvePlainScalar(c.text);
    EXPECT_EQ(got, c.want) << "text: \"" << c.text << "\"";
    EXPECT_EQ(got.type(), c.want.type()) << "text: \"" << c.text << "\"";
  }
}

TEST(ResolvePlainScalarTest, FloatsBeyondRangeAndSpecialValues) {
  EXPECT_TRUE(ResolvePlainScalar("99999999999999999999999").is_number_float());
  EXPECT_EQ(ResolvePlainScalar("-99999999999999999999999").get<double>(), -1e23);
  EXPECT_EQ(ResolvePlainScalar(".inf").get<double>(), std::numeric_limits<double>::infinity());
  EXPECT_EQ(ResolvePlainScalar("-.Inf").get<double>(), -std::numeric_limits<double>::infinity());
  EXPECT_EQ(ResolvePlainScalar("+.INF").get<double>(), std::numeric_limits<double>::infinity());
  EXPECT_TRUE(std::isnan(ResolvePlainScalar(".NaN").get<double>()));
  EXPECT_EQ(ResolvePlainScalar("1e999").get<double>(), std::numeric_limits<double>::infinity());
  EXPECT_EQ(ResolvePlainScalar("1e-999").get<double>(), 0.0);
}

TEST(ResolveTaggedScalarTest, PlainIsTypedAndNonSpecificIsAString) {
  EXPECT_EQ(ResolveTaggedScalar("?", "0x1F").value(), json(31));
  EXPECT_EQ(ResolveTaggedScalar("!", "0x1F").value(), json("0x1F"));
  EXPECT_EQ(ResolveTaggedScalar("!", "").value(), json(""));
}

TEST(ResolveTaggedScalarTest, CoreTagsMustMatchTheText) {
  EXPECT_EQ(ResolveTaggedScalar("tag:yaml.org,2002:int", "7").value(), json(7));
  EXPECT_EQ(ResolveTaggedScalar("tag:yaml.org,2002:bool", "True").value(), json(true));
  EXPECT_EQ(ResolveTaggedScalar("tag:yaml.org,2002:null", "~").value(), json(nullptr));
  EXPECT_EQ(ResolveTaggedScalar("tag:yaml.org,2002:str", "5").value(), json("5"));
  EXPECT_THAT(ResolveTaggedScalar("tag:yaml.org,2002:int", "abc"),
              StatusIs(StatusCode::kInvalidArgument, "\"abc\" is not a valid !!int"));
  EXPECT_THAT(ResolveTaggedScalar("tag:yaml.org,2002:bool", "yes"),
              StatusIs(StatusCode::kInvalidArgument, "\"yes\" is not a valid !!bool"));
  EXPECT_THAT(ResolveTaggedScalar("tag:yaml.org,2002:null", "0"),
              StatusIs(StatusCode::kInvalidArgument));
}

TEST(ResolveTaggedScalarTest, FloatTagWidensAnInteger) {
  StatusOr<json> v = ResolveTaggedScalar("tag:yaml.org,2002:float", "1");
  ASSERT_TRUE(v.ok());
  EXPECT_TRUE(v->is_number_float());
  EXPECT_EQ(v->get<double>(), 1.0);
  EXPECT_THAT(ResolveTaggedScalar("tag:yaml.org,2002:float", "x"),
              StatusIs(StatusCode::kInvalidArgument));
}

TEST(ResolveTaggedScalarTest, OtherTagsKeepTheText) {
  EXPECT_EQ(ResolveTaggedScalar("!custom", "3").value(), json("3"));
  EXPECT_EQ(ResolveTaggedScalar("tag:yaml.org,2002:timestamp", "2025-09-01").value(),
            json("2025-09-01"));
}

}  // namespace
}  // namespace mgw
