// What the long-running subcommands (`serve`, `reconcile`) share: the flag
// prologue with --help, logging set from --log-level and --log-format, and the
// wait for SIGTERM or SIGINT.
#ifndef MGW_PLATFORM_COMMAND_SUPPORT_H_
#define MGW_PLATFORM_COMMAND_SUPPORT_H_

#include <iosfwd>
#include <string>
#include <variant>
#include <vector>

#include "mgw/base/status.h"
#include "mgw/platform/flags.h"

namespace mgw {

// Parses `args` (and their environment twins) with `flags`. Returns the values, or
// the exit code the command should end with: 0 after printing the usage to `out`
// for --help, 2 after printing "error: <why>" to `err` for a bad flag.
std::variant<FlagValues, int> ParseCommandLine(const FlagSet& flags,
                                               const std::vector<std::string>& args,
                                               const EnvLookup& env, std::ostream& out,
                                               std::ostream& err);

// Declares --log-level (MGW_LOG_LEVEL, default info) and --log-format
// (MGW_LOG_FORMAT, default json), the flags ConfigureLoggingFrom reads.
void AddLoggingFlags(FlagSet& flags);

// Installs the process logger from the flags AddLoggingFlags declared;
// INVALID_ARGUMENT naming the bad value.
Status ConfigureLoggingFrom(const FlagValues& values);

// Blocks SIGTERM and SIGINT in the calling thread and the threads it starts later,
// so that WaitForStopSignal, and no other thread, receives them.
void BlockStopSignals();

// Waits for SIGTERM or SIGINT and returns which arrived.
// REQUIRES: both are blocked in every thread (BlockStopSignals before any thread starts).
int WaitForStopSignal();

}  // namespace mgw

#endif  // MGW_PLATFORM_COMMAND_SUPPORT_H_
