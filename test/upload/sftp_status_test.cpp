#include "mgw/upload/sftp_status.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <libssh/sftp.h>

#include "support/status_matchers.h"

namespace mgw {
namespace {

using ::mgw::testing::StatusIs;
using ::testing::HasSubstr;
using ::testing::Not;

TEST(SftpStatusTest, MapsSftpCodesToWhatFailed) {
  struct Case {
    int code;
    const char* ssh_error;
    bool connected;
    StatusCode want;
    const char* says;
  };
  for (const Case& c : std::vector<Case>{
           {SSH_FX_PERMISSION_DENIED, "", true, StatusCode::kPermissionDenied, "permission denied"},
           {SSH_FX_WRITE_PROTECT, "", true, StatusCode::kPermissionDenied, "permission denied"},
           {14, "", true, StatusCode::kResourceExhausted, "disk is full"},
           {15, "", true, StatusCode::kResourceExhausted, "quota"},
           {SSH_FX_FAILURE, "No space left on device", true, StatusCode::kResourceExhausted,
            "disk is full"},
           {SSH_FX_FAILURE, "Failure", true, StatusCode::kFailedPrecondition, "SFTP status 4"},
           {SSH_FX_NO_SUCH_FILE, "", true, StatusCode::kNotFound, "no such file"},
           {SSH_FX_CONNECTION_LOST, "", true, StatusCode::kUnavailable, "connection was lost"},
           {SSH_FX_FAILURE, "Socket error", false, StatusCode::kUnavailable, "connection was lost"},
       }) {
    Status s = SftpFailure("writing", "01234567_x.tar.gz.part", c.code, c.ssh_error, c.connected);
    EXPECT_THAT(s, StatusIs(c.want, HasSubstr(c.says))) << c.code << " " << c.ssh_error;
    EXPECT_THAT(s.message(), HasSubstr("\"01234567_x.tar.gz.part\""));
  }
}

TEST(SftpStatusTest, SessionAndAuthenticationFailures) {
  EXPECT_THAT(SshSessionFailure("SSH handshake with h:22", "Socket error: disconnected"),
              StatusIs(StatusCode::kUnavailable, HasSubstr("SSH handshake with h:22 failed")));
  Status auth = AuthenticationFailure("alice", "h:22");
  EXPECT_THAT(auth, StatusIs(StatusCode::kUnauthenticated, HasSubstr("\"alice\"")));
  EXPECT_THAT(auth.message(), HasSubstr("credentials Secret"));
}

}  // namespace
}  // namespace mgw
