// Checking the SFTP server's host key (libssh). With a known_hosts file (OpenSSH
// format), a key that is not listed for the host, or differs from the listed one, is
// refused. Without one, the key's SHA256 fingerprint and a ready known_hosts line are
// logged and the key is accepted, as the upstream operator does. Not thread-safe: one
// session per caller.
#ifndef MGW_UPLOAD_HOST_KEY_H_
#define MGW_UPLOAD_HOST_KEY_H_

#include <string>

#include "mgw/base/status.h"
#include "mgw/platform/logging.h"

struct ssh_session_struct;

namespace mgw {

// Points `session` at `known_hosts` (empty: none at all, not even ~/.ssh/known_hosts
// or the system's), before it connects. INVALID_ARGUMENT when libssh refuses it.
Status UseKnownHosts(ssh_session_struct* session, const std::string& known_hosts);

// After the key exchange of `session` with `server` ("host:port", for messages):
// OK when the key is listed for the host in `known_hosts`, or when `known_hosts` is
// empty (then the fingerprint is logged through `log`, null: LogEvent).
// FAILED_PRECONDITION "host key ... changed" / "... is not in" / "... has a key of
// another type" otherwise, naming the offered fingerprint and the file.
Status VerifyHostKey(ssh_session_struct* session, const std::string& server,
                     const std::string& known_hosts, const LogFn& log);

}  // namespace mgw

#endif  // MGW_UPLOAD_HOST_KEY_H_
