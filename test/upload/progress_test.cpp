#include "mgw/upload/progress.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace mgw {
namespace {

using std::chrono::seconds;

struct Line {
  std::string msg;
  nlohmann::json fields;
};

TEST(ProgressLogTest, LogsAtTheIntervalWithBytesAndRate) {
  std::chrono::steady_clock::time_point now{};
  std::vector<Line> lines;
  ProgressLog progress(
      "01234567_run.tar.gz", seconds(30), [&] { return now; },
      [&](spdlog::level::level_enum, std::string_view msg, const nlohmann::json& f) {
        lines.push_back({std::string(msg), f});
      });
  progress.Add(1000);
  now += seconds(29);
  progress.Add(1000);
  EXPECT_TRUE(lines.empty());
  now += seconds(1);
  progress.Add(1000);
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0].msg, "upload progress");
  EXPECT_EQ(lines[0].fields["bytes"], 3000);
  EXPECT_EQ(lines[0].fields["bytes_per_second"], 100);
  EXPECT_EQ(lines[0].fields["file"], "01234567_run.tar.gz");
  now += seconds(10);
  progress.Add(500);
  EXPECT_EQ(lines.size(), 1u);
  now += seconds(20);
  progress.Add(2500);
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[1].fields["bytes"], 6000);
  EXPECT_EQ(lines[1].fields["bytes_per_second"], 100);  // 3000 bytes in 30 s
  progress.Finish();
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(lines[2].msg, "upload finished");
  EXPECT_EQ(lines[2].fields["bytes"], 6000);
  EXPECT_EQ(lines[2].fields["bytes_per_second"], 100);
  EXPECT_EQ(progress.bytes(), 6000u);
}

}  // namespace
}  // namespace mgw
