// Where an upload goes: the case ID, the SFTP server's host and port, and the remote
// file names built from them (upstream's `<case-id>_<prefix>.tar.gz`, under
// `<username>/` for an internal user). Pure.
#ifndef MGW_UPLOAD_UPLOAD_TARGET_H_
#define MGW_UPLOAD_UPLOAD_TARGET_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "mgw/base/status.h"

namespace mgw {

inline constexpr uint16_t kDefaultSftpPort = 22;

struct HostAndPort {
  std::string host;  // a DNS name or an IP address, without brackets
  uint16_t port = kDefaultSftpPort;
};

// Parses "HOST", "HOST:PORT", "[IPv6]" or "[IPv6]:PORT"; the port is 1-65535 and
// defaults to `default_port`. INVALID_ARGUMENT naming the problem otherwise.
StatusOr<HostAndPort> ParseHostPort(std::string_view text, uint16_t default_port);

// OK when `case_id` is 1-64 letters, digits or '-' (it becomes part of a file name);
// INVALID_ARGUMENT saying so otherwise.
Status CheckCaseId(std::string_view case_id);

// OK when `prefix` is empty or 1-200 letters, digits, '.', '_' or '-' and does not start
// with '.'; INVALID_ARGUMENT otherwise.
Status CheckNamePrefix(std::string_view prefix);

// "<case_id>_<prefix>.tar.gz" ("<case_id>.tar.gz" when `prefix` is empty), under
// "<username>/" when `internal_user`.
// REQUIRES: CheckCaseId(case_id) and CheckNamePrefix(prefix) are OK.
std::string RemoteFileName(std::string_view case_id, std::string_view prefix,
                           std::string_view username, bool internal_user);

// The name the file has while it is being written: `final_name` with ".part" added,
// so a half-written file never carries the final name.
std::string TemporaryFileName(std::string_view final_name);

}  // namespace mgw

#endif  // MGW_UPLOAD_UPLOAD_TARGET_H_
