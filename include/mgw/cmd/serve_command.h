// The `serve` subcommand, as a function of its arguments so tests can run it in-process.
#ifndef MGW_CMD_SERVE_COMMAND_H_
#define MGW_CMD_SERVE_COMMAND_H_

#include <string>
#include <vector>

#include "mgw/base/env.h"

namespace mgw {

// `serve`: the HTTPS admission server until SIGTERM or SIGINT. 0 on a clean stop,
// 2 for bad flags or an unusable certificate, 1 when a listener cannot start.
// REQUIRES: SIGTERM and SIGINT are blocked in every thread (see platform/command_support.h).
int ServeMain(const std::vector<std::string>& args, const EnvLookup& env);

}  // namespace mgw

#endif  // MGW_CMD_SERVE_COMMAND_H_
