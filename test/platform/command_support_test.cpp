#include "mgw/platform/command_support.h"

#include <optional>
#include <sstream>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <pthread.h>
#include <signal.h>

#include "mgw/platform/logging.h"
#include "support/status_matchers.h"

namespace mgw {
namespace {

using ::mgw::testing::IsOk;
using ::mgw::testing::StatusIs;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

// Before any thread starts, as the binary does in main.
const bool kSignalsBlocked = (BlockStopSignals(), true);

std::optional<std::string> NoEnv(std::string_view) { return std::nullopt; }

FlagSet Flags() {
  FlagSet f("demo", "A demo command.");
  f.Add({"log-level", "MGW_LOG_LEVEL", "info", "Level.", false});
  f.Add({"log-format", "MGW_LOG_FORMAT", "json", "Format.", false});
  return f;
}

TEST(CommandSupportTest, HelpPrintsTheUsageAndEndsWithZero) {
  std::ostringstream out, err;
  auto parsed = ParseCommandLine(Flags(), {"--help"}, NoEnv, out, err);
  ASSERT_TRUE(std::holds_alternative<int>(parsed));
  EXPECT_EQ(std::get<int>(parsed), 0);
  EXPECT_THAT(out.str(), HasSubstr("--log-format"));
  EXPECT_THAT(err.str(), IsEmpty());
}

TEST(CommandSupportTest, ABadFlagIsAnErrorLineAndExitTwo) {
  std::ostringstream out, err;
  auto parsed = ParseCommandLine(Flags(), {"--no-such-flag"}, NoEnv, out, err);
  ASSERT_TRUE(std::holds_alternative<int>(parsed));
  EXPECT_EQ(std::get<int>(parsed), 2);
  EXPECT_THAT(err.str(), HasSubstr("error: "));
  EXPECT_THAT(err.str(), HasSubstr("no-such-flag"));
  EXPECT_THAT(out.str(), IsEmpty());
}

TEST(CommandSupportTest, GoodFlagsComeBackAsValues) {
  std::ostringstream out, err;
  auto parsed = ParseCommandLine(Flags(), {"--log-level", "warn"}, NoEnv, out, err);
  ASSERT_TRUE(std::holds_alternative<FlagValues>(parsed));
  EXPECT_EQ(std::get<FlagValues>(parsed).Get("log-level"), "warn");
  EXPECT_EQ(std::get<FlagValues>(parsed).Get("log-format"), "json");
}

TEST(CommandSupportTest, LoggingFlagsAreCheckedBeforeUse) {
  std::ostringstream out, err;
  auto good = ParseCommandLine(Flags(), {"--log-format", "text"}, NoEnv, out, err);
  EXPECT_THAT(ConfigureLoggingFrom(std::get<FlagValues>(good)), IsOk());
  auto bad = ParseCommandLine(Flags(), {"--log-level", "loud"}, NoEnv, out, err);
  EXPECT_THAT(ConfigureLoggingFrom(std::get<FlagValues>(bad)),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("loud")));
  ConfigureLogging(spdlog::level::info, LogFormat::kJson);
}

TEST(CommandSupportTest, LoggingFlagsHaveTheirEnvTwinsAndDefaults) {
  FlagSet flags("x", "test");
  AddLoggingFlags(flags);
  std::ostringstream out, err;
  auto defaults = ParseCommandLine(flags, {}, NoEnv, out, err);
  EXPECT_EQ(std::get<FlagValues>(defaults).Get("log-level"), "info");
  EXPECT_EQ(std::get<FlagValues>(defaults).Get("log-format"), "json");
  EnvLookup env = [](std::string_view name) -> std::optional<std::string> {
    if (name == "MGW_LOG_LEVEL") return "warn";
    if (name == "MGW_LOG_FORMAT") return "text";
    return std::nullopt;
  };
  auto from_env = ParseCommandLine(flags, {}, env, out, err);
  EXPECT_EQ(std::get<FlagValues>(from_env).Get("log-level"), "warn");
  EXPECT_EQ(std::get<FlagValues>(from_env).Get("log-format"), "text");
}

TEST(CommandSupportTest, StopSignalsAreBlockedAndWaitedFor) {
  ASSERT_TRUE(kSignalsBlocked);
  sigset_t current;
  ASSERT_EQ(pthread_sigmask(SIG_BLOCK, nullptr, &current), 0);
  EXPECT_EQ(sigismember(&current, SIGTERM), 1);
  EXPECT_EQ(sigismember(&current, SIGINT), 1);
  for (int sig : {SIGTERM, SIGINT}) {
    ASSERT_EQ(pthread_kill(pthread_self(), sig), 0);  // pending, not delivered
    EXPECT_EQ(WaitForStopSignal(), sig);
  }
}

}  // namespace
}  // namespace mgw
