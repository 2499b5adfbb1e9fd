#include "mgw/platform/command_support.h"

#include <csignal>
#include <ostream>

#include "mgw/platform/logging.h"

namespace mgw {
namespace {

sigset_t StopSignals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  return set;
}

}  // namespace

std::variant<FlagValues, int> ParseCommandLine(const FlagSet& flags,
                                               const std::vector<std::string>& args,
                                               const EnvLookup& env, std::ostream& out,
                                               std::ostream& err) {
  StatusOr<FlagValues> values = flags.Parse(args, env);
  if (!values.ok()) {
    err << "error: " << values.status().message() << "\n";
    return 2;
  }
  if (values->help) {
    out << flags.Usage();
    return 0;
  }
  return std::move(values).value();
}

void AddLoggingFlags(FlagSet& flags) {
  flags.Add({"log-level", "MGW_LOG_LEVEL", "info", "trace, debug, info, warn, error or off."});
  flags.Add({"log-format", "MGW_LOG_FORMAT", "json", "json or text."});
}

Status ConfigureLoggingFrom(const FlagValues& values) {
  MGW_ASSIGN_OR_RETURN(spdlog::level::level_enum level, ParseLogLevel(values.Get("log-level")));
  MGW_ASSIGN_OR_RETURN(LogFormat format, ParseLogFormat(values.Get("log-format")));
  ConfigureLogging(level, format);
  return Status();
}

void BlockStopSignals() {
  sigset_t set = StopSignals();
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
}

int WaitForStopSignal() {
  sigset_t set = StopSignals();
  int sig = 0;
  sigwait(&set, &sig);
  return sig;
}

}  // namespace mgw
