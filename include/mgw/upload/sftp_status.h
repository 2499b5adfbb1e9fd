// What went wrong with an SFTP upload, in words a person can act on: libssh's
// session errors and SFTP status codes mapped to Status values. The code says whether
// to retry: UNAVAILABLE for a dropped or timed-out connection (retried), and
// UNAUTHENTICATED, PERMISSION_DENIED, RESOURCE_EXHAUSTED (disk full or quota on the
// server), NOT_FOUND and FAILED_PRECONDITION for the rest (not retried). Pure.
#ifndef MGW_UPLOAD_SFTP_STATUS_H_
#define MGW_UPLOAD_SFTP_STATUS_H_

#include <string_view>

#include "mgw/base/status.h"

namespace mgw {

// A failure of the SSH session while doing `action` (e.g. "SSH handshake with
// sftp.example.com:22"), with libssh's message `ssh_error`: UNAVAILABLE.
Status SshSessionFailure(std::string_view action, std::string_view ssh_error);

// A refused password: UNAUTHENTICATED naming `user` and `host`, never the password.
Status AuthenticationFailure(std::string_view user, std::string_view host);

// An SFTP request for `path` during `action` ("open", "write", "rename", ...) that
// failed with SFTP status `sftp_code` (SSH_FX_*) and libssh's message `ssh_error`.
// `connected` is whether the SSH session was still up: when it was not, the failure
// is the dropped connection (UNAVAILABLE), whatever the code.
Status SftpFailure(std::string_view action, std::string_view path, int sftp_code,
                   std::string_view ssh_error, bool connected);

}  // namespace mgw

#endif  // MGW_UPLOAD_SFTP_STATUS_H_
