#include "mgw/base/file.h"

#include <sstream>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "support/status_matchers.h"

namespace mgw {
namespace {

using ::mgw::testing::IsOk;
using ::mgw::testing::StatusIs;
using ::testing::HasSubstr;

const std::string kDir = MGW_SOURCE_DIR "/test/testdata/manifests";

TEST(FileTest, ReadFileToStringErrors) {
  EXPECT_THAT(ReadFileToString(kDir + "/does-not-exist.yaml"),
              StatusIs(StatusCode::kNotFound, HasSubstr("does-not-exist.yaml")));
  EXPECT_THAT(ReadFileToString(kDir),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("directory")));
  StatusOr<std::string> text = ReadFileToString(kDir + "/tree/a.yaml");
  ASSERT_THAT(text, IsOk());
  EXPECT_EQ(*text, "kind: A\n");
}

TEST(FileTest, ReadsFilesThatReportNoSize) {
  // Files under /proc report a size of 0 but have content: read to the end anyway.
  StatusOr<std::string> status = ReadFileToString("/proc/self/status");
  ASSERT_THAT(status, IsOk());
  EXPECT_THAT(*status, HasSubstr("Name:"));
  EXPECT_THAT(*status, HasSubstr("nonvoluntary_ctxt_switches:"));  // its last line
}

TEST(FileTest, ReadsAStreamToItsEnd) {
  std::istringstream in("a: 1\nb: 2\n");
  StatusOr<std::string> text = ReadStreamToString(in, "<stdin>");
  ASSERT_THAT(text, IsOk());
  EXPECT_EQ(*text, "a: 1\nb: 2\n");
}

TEST(FileTest, AStreamOverTheCapIsRefusedByName) {
  std::istringstream in(std::string(kMaxFileBytes + 1, 'x'));
  EXPECT_THAT(ReadStreamToString(in, "<stdin>"),
              StatusIs(StatusCode::kResourceExhausted, HasSubstr("<stdin>: larger than 64 MiB")));
}

TEST(FileTest, DiskFileReaderReadsFiles) {
  StatusOr<std::string> text = DiskFileReader()(kDir + "/tree/a.yaml");
  ASSERT_THAT(text, IsOk());
  EXPECT_EQ(*text, "kind: A\n");
}

}  // namespace
}  // namespace mgw
