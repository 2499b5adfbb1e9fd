#include "mgw/base/env.h"

#include <cstdlib>

#include <gtest/gtest.h>

namespace mgw {
namespace {

TEST(ProcessEnvTest, TellsUnsetFromEmptyAndSeesLaterChanges) {
  const EnvLookup env = ProcessEnv();
  ::unsetenv("MGW_ENV_TEST_VAR");
  EXPECT_EQ(env("MGW_ENV_TEST_VAR"), std::nullopt);
  ::setenv("MGW_ENV_TEST_VAR", "", 1);
  EXPECT_EQ(env("MGW_ENV_TEST_VAR"), std::optional<std::string>(""));
  ::setenv("MGW_ENV_TEST_VAR", "quay.io/x/y:1", 1);
  EXPECT_EQ(env("MGW_ENV_TEST_VAR"), std::optional<std::string>("quay.io/x/y:1"));
  ::unsetenv("MGW_ENV_TEST_VAR");
}

}  // namespace
}  // namespace mgw
