#include "mgw/upload/upload_target.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "support/status_matchers.h"

namespace mgw {
namespace {

using ::mgw::testing::StatusIs;
using ::testing::HasSubstr;

TEST(UploadTargetTest, ParsesHostAndPort) {
  struct Case {
    std::string text;
    std::string host;
    uint16_t port;
  };
  for (const Case& c : std::vector<Case>{{"sftp.access.redhat.com", "sftp.access.redhat.com", 22},
                                         {"example.com:2222", "example.com", 2222},
                                         {"10.0.0.1", "10.0.0.1", 22},
                                         {"[2001:db8::1]", "2001:db8::1", 22},
                                         {"[2001:db8::1]:65535", "2001:db8::1", 65535}}) {
    StatusOr<HostAndPort> hp = ParseHostPort(c.text, 22);
    ASSERT_TRUE(hp.ok()) << c.text << ": " << hp.status();
    EXPECT_EQ(hp->host, c.host) << c.text;
    EXPECT_EQ(hp->port, c.port) << c.text;
  }
}

TEST(UploadTargetTest, RefusesBadHosts) {
  for (const char* text :
       {"", "host:0", "host:65536", "host:", "host:x", ":22", "a b", "2001:db8::1", "[::1", "[]",
        "[::1]x", "user@host", "[a b]:22", "[sftp.example.com]", "[10.0.0.1]:22"}) {
    EXPECT_THAT(ParseHostPort(text, 22), StatusIs(StatusCode::kInvalidArgument)) << text;
  }
  // Found by proxy_url_fuzzer: bytes after a NUL inside the brackets.
  EXPECT_THAT(ParseHostPort(std::string_view("[::1\0junk]:22", 13), 22),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("only an IPv6 address")));
  EXPECT_THAT(ParseHostPort("host:99999", 22),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("from 1 to 65535")));
}

TEST(UploadTargetTest, CaseIdIsLettersDigitsAndDashes) {
  EXPECT_TRUE(CheckCaseId("01234567").ok());
  EXPECT_TRUE(CheckCaseId("case-42-A").ok());
  EXPECT_TRUE(CheckCaseId(std::string(64, '1')).ok());
  for (const std::string& bad : {std::string(), std::string(65, '1'), std::string("../x"),
                                 std::string("a_b"), std::string("a b"), std::string("a/b")}) {
    EXPECT_THAT(CheckCaseId(bad), StatusIs(StatusCode::kInvalidArgument, HasSubstr("1 to 64")))
        << bad;
  }
}

TEST(UploadTargetTest, NamePrefixIsAFileNamePart) {
  EXPECT_TRUE(CheckNamePrefix("").ok());
  EXPECT_TRUE(CheckNamePrefix("must-gather.local.456789abcdef.20260617T143025Z.042315").ok());
  for (const char* bad : {".hidden", "a/b", "..", "a b"}) {
    EXPECT_THAT(CheckNamePrefix(bad), StatusIs(StatusCode::kInvalidArgument)) << bad;
  }
}

TEST(UploadTargetTest, RemoteNamesFollowUpstream) {
  EXPECT_EQ(RemoteFileName("01234567", "run", "alice", false), "01234567_run.tar.gz");
  EXPECT_EQ(RemoteFileName("01234567", "run", "alice", true), "alice/01234567_run.tar.gz");
  EXPECT_EQ(RemoteFileName("01234567", "", "alice", false), "01234567.tar.gz");
  EXPECT_EQ(TemporaryFileName("alice/01234567_run.tar.gz"), "alice/01234567_run.tar.gz.part");
}

}  // namespace
}  // namespace mgw
