// The `upload` subcommand: sends a must-gather directory to a support case's SFTP
// server. A function of its arguments, environment and streams, so tests can run it
// in-process.
#ifndef MGW_CMD_UPLOAD_COMMAND_H_
#define MGW_CMD_UPLOAD_COMMAND_H_

#include <iosfwd>
#include <string>
#include <vector>

#include "mgw/base/env.h"
#include "mgw/base/status.h"
#include "mgw/platform/flags.h"
#include "mgw/upload/uploader.h"

namespace mgw {

// The upload described by parsed `values` (see UploadMain's flags) and `env` (the
// proxy variables): reads the credentials directory, picks the known_hosts file and
// the proxy (NO_PROXY applied). INVALID_ARGUMENT or NOT_FOUND naming the flag or file
// at fault; never the password.
StatusOr<UploadRequest> UploadRequestFrom(const FlagValues& values, const EnvLookup& env);

// `upload`: exit 0 uploaded, 1 the upload failed (logged, saying what failed), 2 bad
// flags or configuration (printed to `err`). `--help` prints the usage to `out`.
int UploadMain(const std::vector<std::string>& args, const EnvLookup& env, std::ostream& out,
               std::ostream& err);

}  // namespace mgw

#endif  // MGW_CMD_UPLOAD_COMMAND_H_
