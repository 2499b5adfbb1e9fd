#include "mgw/upload/tar_stream.h"

#include <filesystem>
#include <fstream>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include "support/sftp_test_server.h"
#include "support/status_matchers.h"

namespace mgw {
namespace {

namespace fs = std::filesystem;
using ::mgw::testing::StatusIs;
using ::testing::Gt;

class TarStreamTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string templ = (fs::temp_directory_path() / "mgw-tar-XXXXXX").string();
    dir_ = mkdtemp(templ.data());
    fs::create_directories(dir_ + "/a/b");
    std::ofstream(dir_ + "/top.log") << "top\n";
    std::ofstream(dir_ + "/a/b/deep.yaml") << "kind: Pod\n";
    fs::create_directories(dir_ + "/empty");
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string dir_;
};

TEST_F(TarStreamTest, StreamsEveryEntryUnderTheTopDirectory) {
  std::string out;
  int pieces = 0;
  Status s = WriteTarGz(dir_, "must-gather", [&](std::string_view b) {
    out.append(b);
    ++pieces;
    return Status::Ok();
  });
  ASSERT_TRUE(s.ok()) << s;
  EXPECT_THAT(pieces, Gt(0));
  EXPECT_EQ(testing::TarGzEntries(out), testing::TreeEntries(dir_, "must-gather"));
}

TEST_F(TarStreamTest, KeepsSymlinksAsLinks) {
  fs::create_symlink("/etc/passwd", dir_ + "/link");
  std::string out;
  ASSERT_TRUE(WriteTarGz(dir_, "must-gather", [&](std::string_view b) {
                out.append(b);
                return Status::Ok();
              }).ok());
  // The link is an entry with no content: /etc/passwd was not followed.
  EXPECT_EQ(testing::TarGzEntries(out).at("must-gather/link"), "");
}

TEST_F(TarStreamTest, StopsAtTheSinksError) {
  Status s = WriteTarGz(dir_, "must-gather",
                        [](std::string_view) { return UnavailableError("connection lost"); });
  EXPECT_EQ(s, UnavailableError("connection lost"));
}

// A sink that fails while entries are still being written ends the stream: the
// archive left unfinished is freed without pushing its buffered bytes to the sink.
TEST_F(TarStreamTest, ASinkThatFailsMidStreamIsNotCalledAgain) {
  std::string noise(1 << 20, '\0');
  uint32_t x = 12345;
  for (char& c : noise) {
    x = x * 1664525u + 1013904223u;  // incompressible, so gzip fills many blocks
    c = static_cast<char>(x >> 24);
  }
  std::ofstream(dir_ + "/a/noise.bin", std::ios::binary) << noise;
  int calls = 0;
  Status s = WriteTarGz(dir_, "must-gather", [&](std::string_view) {
    ++calls;
    return UnavailableError("connection lost");
  });
  EXPECT_EQ(s, UnavailableError("connection lost"));
  EXPECT_EQ(calls, 1);
}

TEST_F(TarStreamTest, MissingOrNotADirectory) {
  auto sink = [](std::string_view) { return Status::Ok(); };
  EXPECT_THAT(WriteTarGz(dir_ + "/nope", "m", sink), StatusIs(StatusCode::kNotFound));
  EXPECT_THAT(WriteTarGz(dir_ + "/top.log", "m", sink), StatusIs(StatusCode::kInvalidArgument));
}

}  // namespace
}  // namespace mgw
