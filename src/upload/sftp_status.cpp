#include "mgw/upload/sftp_status.h"

#include <string>

#include <libssh/sftp.h>

#include "mgw/base/quote.h"

namespace mgw {
namespace {

// SFTP v5+ codes some servers send; libssh 0.10 does not name them.
constexpr int kNoSpaceOnFilesystem = 14;
constexpr int kQuotaExceeded = 15;

bool MentionsFullDisk(std::string_view text) {
  return text.find("space") != std::string_view::npos ||
         text.find("quota") != std::string_view::npos ||
         text.find("Quota") != std::string_view::npos;
}

std::string Detail(std::string_view ssh_error) {
  return ssh_error.empty() ? std::string() : " (" + std::string(ssh_error) + ")";
}

}  // namespace

Status SshSessionFailure(std::string_view action, std::string_view ssh_error) {
  return UnavailableError(
      std::string(action) +
      " failed: " + (ssh_error.empty() ? std::string("connection lost") : std::string(ssh_error)));
}

Status AuthenticationFailure(std::string_view user, std::string_view host) {
  return UnauthenticatedError("authentication failed: the SFTP server " + std::string(host) +
                              " refused the password for user " + QuoteJson(user) +
                              "; check the username and password in the credentials Secret");
}

Status SftpFailure(std::string_view action, std::string_view path, int sftp_code,
                   std::string_view ssh_error, bool connected) {
  std::string what = std::string(action) + " " + QuoteJson(path) + " on the SFTP server";
  if (!connected || sftp_code == SSH_FX_CONNECTION_LOST || sftp_code == SSH_FX_NO_CONNECTION) {
    return UnavailableError(what + " failed: the connection was lost" + Detail(ssh_error));
  }
  if (sftp_code == SSH_FX_PERMISSION_DENIED || sftp_code == SSH_FX_WRITE_PROTECT) {
    return PermissionDeniedError(what +
                                 " failed: permission denied; check that the account may "
                                 "write there" +
                                 Detail(ssh_error));
  }
  if (sftp_code == kNoSpaceOnFilesystem || sftp_code == kQuotaExceeded ||
      (sftp_code == SSH_FX_FAILURE && MentionsFullDisk(ssh_error))) {
    return ResourceExhaustedError(
        what + " failed: the server's disk is full or the quota is used up" + Detail(ssh_error));
  }
  if (sftp_code == SSH_FX_NO_SUCH_FILE || sftp_code == SSH_FX_NO_SUCH_PATH) {
    return NotFoundError(what + " failed: no such file or directory" + Detail(ssh_error));
  }
  return FailedPreconditionError(what + " failed: SFTP status " + std::to_string(sftp_code) +
                                 Detail(ssh_error));
}

}  // namespace mgw
