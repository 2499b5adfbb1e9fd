#include "manifest/yaml_scalar.h"

#include <cmath>
#include <cstdint>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "support/status_matchers.h"

namespace mgw {
namespace {

using ::mgw::testing::StatusIs;
using nlohmann::json;

json Plain(std::string_view text) { return ResolveYamlScalar("", text, true).value(); }

TEST(YamlScalarTest, Yaml11BooleansAndNulls) {
  for (std::string_view t : {"yes", "Yes", "YES", "y", "Y", "on", "On", "ON", "true", "True"}) {
    EXPECT_EQ(Plain(t), json(true)) << t;
  }
  for (std::string_view t : {"no", "No", "NO", "n", "N", "off", "Off", "OFF", "false"}) {
    EXPECT_EQ(Plain(t), json(false)) << t;
  }
  for (std::string_view t : {"", "~", "null", "Null", "NULL"}) EXPECT_TRUE(Plain(t).is_null());
  for (std::string_view t : {"yEs", "oN", "nULL", "True!", "<<"}) EXPECT_EQ(Plain(t), json(t));
}

TEST(YamlScalarTest, IntegersInGoSyntax) {
  EXPECT_EQ(Plain("0x1F"), json(31));
  EXPECT_EQ(Plain("0o17"), json(15));
  EXPECT_EQ(Plain("017"), json(15));
  EXPECT_EQ(Plain("0b101"), json(5));
  EXPECT_EQ(Plain("1_000"), json(1000));
  EXPECT_EQ(Plain("-0x10"), json(-16));
  EXPECT_EQ(Plain("+7"), json(7));
  EXPECT_EQ(Plain("9223372036854775808"), json(uint64_t{9223372036854775808u}));
  EXPECT_TRUE(Plain("9223372036854775808").is_number_unsigned());
  EXPECT_TRUE(Plain("08").is_number_float());  // not octal, but a float pattern
  EXPECT_EQ(Plain("0x"), json("0x"));
  EXPECT_EQ(Plain("30m"), json("30m"));
}

TEST(YamlScalarTest, FloatsAndSpecials) {
  EXPECT_EQ(Plain(".5"), json(0.5));
  EXPECT_EQ(Plain("1e3"), json(1000.0));
  EXPECT_EQ(Plain("1.5e-3"), json(0.0015));
  EXPECT_TRUE(std::isinf(Plain(".inf").get<double>()));
  EXPECT_TRUE(std::isnan(Plain(".NaN").get<double>()));
  EXPECT_EQ(Plain("1e400"), json("1e400"));  // overflows: a string, as in go-yaml
  EXPECT_EQ(Plain("1.2.3"), json("1.2.3"));
}

TEST(YamlScalarTest, TimestampsAndQuotedStayStrings) {
  EXPECT_EQ(Plain("2001-12-14"), json("2001-12-14"));
  EXPECT_EQ(ResolveYamlScalar("", "yes", false).value(), json("yes"));
  EXPECT_EQ(ResolveYamlScalar("", "12", false).value(), json("12"));
}

TEST(YamlScalarTest, ExplicitTags) {
  EXPECT_EQ(ResolveYamlScalar("tag:yaml.org,2002:str", "5", false).value(), json("5"));
  EXPECT_EQ(ResolveYamlScalar("tag:yaml.org,2002:int", "7", false).value(), json(7));
  json f = ResolveYamlScalar("tag:yaml.org,2002:float", "1", false).value();
  EXPECT_TRUE(f.is_number_float());
  EXPECT_EQ(ResolveYamlScalar("!custom", "3", false).value(), json("3"));
  EXPECT_EQ(ResolveYamlScalar("tag:yaml.org,2002:binary", "aGk=", false).value(), json("hi"));
  EXPECT_THAT(ResolveYamlScalar("tag:yaml.org,2002:int", "abc", false).status(),
              StatusIs(StatusCode::kInvalidArgument, "cannot decode !!str `abc` as a !!int"));
  EXPECT_THAT(ResolveYamlScalar("tag:yaml.org,2002:binary", "a", false).status(),
              StatusIs(StatusCode::kInvalidArgument));
}

TEST(YamlScalarTest, KeysAsSigsYamlSpellsThem) {
  EXPECT_EQ(YamlKeyText(json("a")).value(), "a");
  EXPECT_EQ(YamlKeyText(json(31)).value(), "31");
  EXPECT_EQ(YamlKeyText(json(true)).value(), "true");
  EXPECT_EQ(YamlKeyText(json(1000.0)).value(), "1000");
  EXPECT_EQ(YamlKeyText(json(1.5)).value(), "1.5");
  EXPECT_EQ(YamlKeyText(json(1234567.0)).value(), "1.234567e+06");
  EXPECT_EQ(YamlKeyText(json(0.0001)).value(), "0.0001");
  EXPECT_EQ(YamlKeyText(json(0.00001)).value(), "1e-05");
  EXPECT_EQ(YamlKeyText(Plain(".inf")).value(), ".inf");
  // Finite as a float64, infinite as the float32 sigs.k8s.io/yaml formats keys with.
  EXPECT_EQ(YamlKeyText(json(-1e43)).value(), "-.inf");
  EXPECT_EQ(YamlKeyText(json(3.4028235e38)).value(), "3.4028235e+38");
  EXPECT_THAT(YamlKeyText(json(nullptr)).status(), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(YamlKeyText(json(uint64_t{1} << 63)).status(),
              StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(YamlKeyText(json::array()).status(), StatusIs(StatusCode::kInvalidArgument));
}

}  // namespace
}  // namespace mgw
