#include "mgw/platform/logging.h"

#include <mutex>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <spdlog/sinks/base_sink.h>

#include "support/status_matchers.h"

namespace mgw {
namespace {

using ::mgw::testing::StatusIs;
using ::testing::HasSubstr;
using ::testing::StartsWith;

// Captures formatted lines, as spdlog's own tests do.
class CaptureSink : public spdlog::sinks::base_sink<std::mutex> {
 public:
  std::vector<std::string> lines;

 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    spdlog::memory_buf_t buf;
    formatter_->format(msg, buf);
    lines.emplace_back(buf.data(), buf.size());
  }
  void flush_() override {}
};

TEST(LoggingTest, JsonLinesParseAndCarryFields) {
  auto sink = std::make_shared<CaptureSink>();
  ConfigureLogging(spdlog::level::info, LogFormat::kJson, sink);
  LogEvent(spdlog::level::info, "admission decision",
           {{"uid", "abc"}, {"allowed", false}, {"latency_ms", 0.25}});
  ASSERT_EQ(sink->lines.size(), 1u);
  nlohmann::json line = nlohmann::json::parse(sink->lines[0]);
  EXPECT_EQ(line["msg"], "admission decision");
  EXPECT_EQ(line["uid"], "abc");
  EXPECT_EQ(line["allowed"], false);
  EXPECT_EQ(line["level"], "info");
  EXPECT_THAT(line["ts"].get<std::string>(), ::testing::EndsWith("Z"));
}

TEST(LoggingTest, JsonSurvivesHostileText) {
  auto sink = std::make_shared<CaptureSink>();
  ConfigureLogging(spdlog::level::info, LogFormat::kJson, sink);
  LogEvent(spdlog::level::warn, "quote \" and {} and \xff", {{"k", "line\nbreak"}});
  ASSERT_EQ(sink->lines.size(), 1u);
  nlohmann::json line = nlohmann::json::parse(sink->lines[0]);
  EXPECT_THAT(line["msg"].get<std::string>(), StartsWith("quote \" and {}"));
  EXPECT_EQ(line["k"], "line\nbreak");
}

TEST(LoggingTest, FieldsNeverDuplicateTheMessageKey) {
  auto sink = std::make_shared<CaptureSink>();
  ConfigureLogging(spdlog::level::info, LogFormat::kJson, sink);
  LogEvent(spdlog::level::info, "event", {{"msg", "mine"}, {"n", 1}});
  LogEvent(spdlog::level::info, "bare");
  LogEvent(spdlog::level::info, "list", nlohmann::json::array({1, 2}));
  ASSERT_EQ(sink->lines.size(), 3u);
  EXPECT_THAT(sink->lines[0], HasSubstr(R"("msg":"event","data.msg":"mine","n":1})"));
  EXPECT_THAT(sink->lines[1], HasSubstr(R"("msg":"bare"})"));
  EXPECT_THAT(sink->lines[2], HasSubstr(R"("msg":"list","data":[1,2]})"));
}

TEST(LoggingTest, LogEnabledFollowsTheLevel) {
  ConfigureLogging(spdlog::level::warn, LogFormat::kJson, std::make_shared<CaptureSink>());
  EXPECT_FALSE(LogEnabled(spdlog::level::info));
  EXPECT_TRUE(LogEnabled(spdlog::level::warn));
  ConfigureLogging(spdlog::level::info, LogFormat::kJson, std::make_shared<CaptureSink>());
  EXPECT_TRUE(LogEnabled(spdlog::level::info));
}

TEST(LoggingTest, TextFormatAndLevelFilter) {
  auto sink = std::make_shared<CaptureSink>();
  ConfigureLogging(spdlog::level::warn, LogFormat::kText, sink);
  LogEvent(spdlog::level::info, "dropped");
  LogEvent(spdlog::level::err, "kept", {{"uid", "u1"}});
  ASSERT_EQ(sink->lines.size(), 1u);
  EXPECT_THAT(sink->lines[0], HasSubstr("error kept uid=\"u1\""));
}

TEST(LoggingTest, ParsesLevelsAndFormats) {
  EXPECT_EQ(*ParseLogLevel("debug"), spdlog::level::debug);
  EXPECT_THAT(ParseLogLevel("loud"), StatusIs(StatusCode::kInvalidArgument, HasSubstr("loud")));
  EXPECT_EQ(*ParseLogFormat("text"), LogFormat::kText);
  EXPECT_THAT(ParseLogFormat("xml"), StatusIs(StatusCode::kInvalidArgument));
}

}  // namespace
}  // namespace mgw
