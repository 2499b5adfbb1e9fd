// The `reconcile` subcommand, as a function of its arguments so tests can run it in-process.
#ifndef MGW_CMD_RECONCILE_COMMAND_H_
#define MGW_CMD_RECONCILE_COMMAND_H_

#include <string>
#include <vector>

#include "mgw/base/env.h"

namespace mgw {

// `reconcile`: the MustGather reconciler (MustGather -> gather Job, status) until
// SIGTERM or SIGINT, which finish the item in hand and hand back the Lease. 0 on a clean
// stop, 2 for bad flags or no usable API server configuration, 1 when the probe
// listener cannot start. REQUIRES: SIGTERM and SIGINT are blocked in every thread.
int ReconcileMain(const std::vector<std::string>& args, const EnvLookup& env);

}  // namespace mgw

#endif  // MGW_CMD_RECONCILE_COMMAND_H_
