#include "mgw/platform/flags.h"

#include <map>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "support/status_matchers.h"

namespace mgw {
namespace {

using ::mgw::testing::IsOk;
using ::mgw::testing::StatusIs;
using ::testing::HasSubstr;

EnvLookup FakeEnv(std::map<std::string, std::string> vars) {
  return [vars](std::string_view name) -> std::optional<std::string> {
    auto it = vars.find(std::string(name));
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

FlagSet Serve() {
  FlagSet f("serve", "Serve.");
  f.Add({"listen", "MGW_LISTEN", "0.0.0.0:9443", "Address.", false});
  f.Add({"default-image", "DEFAULT_MUST_GATHER_IMAGE", "img:1", "Image.", false});
  f.Add({"verbose", "MGW_VERBOSE", "false", "Chatty.", true});
  return f;
}

TEST(FlagsTest, FlagBeatsEnvBeatsDefault) {
  auto env = FakeEnv({{"MGW_LISTEN", "1.2.3.4:1"}, {"DEFAULT_MUST_GATHER_IMAGE", "env:img"}});
  StatusOr<FlagValues> v = Serve().Parse({"--listen", "127.0.0.1:9"}, env);
  ASSERT_THAT(v, IsOk());
  EXPECT_EQ(v->Get("listen"), "127.0.0.1:9");
  EXPECT_EQ(v->Get("default-image"), "env:img");
  EXPECT_EQ(v->Get("verbose"), "false");
  EXPECT_EQ(Serve().Parse({}, FakeEnv({}))->Get("listen"), "0.0.0.0:9443");
}

TEST(FlagsTest, EqualsFormBoolsAndPositionals) {
  StatusOr<FlagValues> v = Serve().Parse({"--listen=:1", "--verbose", "file.yaml"}, FakeEnv({}));
  ASSERT_THAT(v, IsOk());
  EXPECT_EQ(v->Get("listen"), ":1");
  EXPECT_TRUE(v->GetBool("verbose"));
  EXPECT_EQ(v->positional, std::vector<std::string>{"file.yaml"});
  EXPECT_FALSE(Serve().Parse({"--verbose=false"}, FakeEnv({}))->GetBool("verbose"));
  EXPECT_TRUE(Serve().Parse({"--help"}, FakeEnv({}))->help);
}

TEST(FlagsTest, ErrorsNameTheFlag) {
  EXPECT_THAT(Serve().Parse({"--nope"}, FakeEnv({})),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("--nope")));
  EXPECT_THAT(Serve().Parse({"--listen"}, FakeEnv({})),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("--listen needs a value")));
  EXPECT_THAT(Serve().Parse({"--verbose=maybe"}, FakeEnv({})),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("maybe")));
  EXPECT_THAT(Serve().Parse({}, FakeEnv({{"MGW_VERBOSE", "perhaps"}})),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("$MGW_VERBOSE")));
}

TEST(FlagsTest, UsageListsFlagsEnvAndDefaults) {
  std::string u = Serve().Usage();
  EXPECT_THAT(u, HasSubstr("--listen VALUE"));
  EXPECT_THAT(u, HasSubstr("[$MGW_LISTEN]"));
  EXPECT_THAT(u, HasSubstr("(default \"0.0.0.0:9443\")"));
}

}  // namespace
}  // namespace mgw
