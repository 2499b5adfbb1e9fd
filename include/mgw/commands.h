// The binary's subcommands, as functions of their arguments and streams so tests
// can run them in-process. Each returns the process exit code.
#ifndef MGW_COMMANDS_H_
#define MGW_COMMANDS_H_

#include <iosfwd>
#include <string>
#include <vector>

#include "mgw/flags.h"

namespace mgw {

// `serve`: the HTTPS admission server until SIGTERM or SIGINT. 0 on a clean stop,
// 2 for bad flags or an unusable certificate, 1 when a listener cannot start.
// REQUIRES: SIGTERM and SIGINT are blocked in every thread (see command_support.h).
int ServeMain(const std::vector<std::string>& args, const EnvLookup& env);

// `reconcile`: the MustGather reconciler (MustGather -> gather Job, status) until
// SIGTERM or SIGINT, which finish the item in hand and hand back the Lease. 0 on a clean
// stop, 2 for bad flags or no usable API server configuration, 1 when the probe
// listener cannot start. REQUIRES: SIGTERM and SIGINT are blocked in every thread.
int ReconcileMain(const std::vector<std::string>& args, const EnvLookup& env);

// `review`: one AdmissionReview from stdin or --file through the same code as the
// server; prints the response. 0 allowed, 1 denied, 2 unusable input or flags.
int ReviewMain(const std::vector<std::string>& args, const EnvLookup& env, std::istream& in,
               std::ostream& out, std::ostream& err);

}  // namespace mgw

#endif  // MGW_COMMANDS_H_
