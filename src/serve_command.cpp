#include <iostream>

#include <signal.h>

#include "mgw/allowlist_file_source.h"
#include "mgw/commands.h"
#include "mgw/logging.h"
#include "mgw/mustgather_rules.h"
#include "mgw/tls_server.h"

namespace mgw {
namespace {

FlagSet ServeFlags() {
  FlagSet f("serve", "Serve the MustGather admission webhooks over HTTPS.");
  f.Add({"listen", "MGW_LISTEN", "0.0.0.0:9443", "HTTPS address for the admission endpoints."});
  f.Add({"probe-listen", "MGW_PROBE_LISTEN", "0.0.0.0:8081",
         "Plain-HTTP address for /healthz and /readyz."});
  f.Add({"tls-cert-file", "MGW_TLS_CERT_FILE", "", "PEM serving certificate (leaf first)."});
  f.Add({"tls-key-file", "MGW_TLS_KEY_FILE", "", "PEM private key of the certificate."});
  f.Add({"allowlist-file", "MGW_ALLOWLIST_FILE", "",
         "A MustGatherImage manifest (YAML or JSON) to use as the allowlist; re-read when it "
         "changes."});
  f.Add({"default-image", "DEFAULT_MUST_GATHER_IMAGE", std::string(kDefaultGatherImage),
         "The default gather image, always allowed."});
  f.Add({"worker-threads", "MGW_WORKER_THREADS", "64",
         "Worker threads; each serves one connection at a time."});
  f.Add({"log-level", "MGW_LOG_LEVEL", "info", "trace, debug, info, warn, error or off."});
  f.Add({"log-format", "MGW_LOG_FORMAT", "json", "json or text."});
  return f;
}

StatusOr<ServerOptions> ToServerOptions(const FlagValues& v) {
  ServerOptions o;
  MGW_ASSIGN_OR_RETURN(o.listen, ParseHostPort(v.Get("listen")));
  MGW_ASSIGN_OR_RETURN(o.probe_listen, ParseHostPort(v.Get("probe-listen")));
  o.tls_cert_file = v.Get("tls-cert-file");
  o.tls_key_file = v.Get("tls-key-file");
  const std::string& threads = v.Get("worker-threads");
  if (threads.empty() || threads.size() > 4 ||
      threads.find_first_not_of("0123456789") != std::string::npos || std::stoi(threads) < 1) {
    return InvalidArgumentError("--worker-threads must be a number from 1 to 9999");
  }
  o.worker_threads = static_cast<size_t>(std::stoi(threads));
  return o;
}

Status ConfigureLoggingFrom(const FlagValues& v) {
  MGW_ASSIGN_OR_RETURN(spdlog::level::level_enum level, ParseLogLevel(v.Get("log-level")));
  MGW_ASSIGN_OR_RETURN(LogFormat format, ParseLogFormat(v.Get("log-format")));
  ConfigureLogging(level, format);
  return Status();
}

int WaitForStopSignal() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  int sig = 0;
  sigwait(&set, &sig);
  return sig;
}

}  // namespace

void BlockStopSignals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
}

int ServeMain(const std::vector<std::string>& args, const EnvLookup& env) {
  FlagSet flags = ServeFlags();
  StatusOr<FlagValues> values = flags.Parse(args, env);
  if (!values.ok()) {
    std::cerr << "error: " << values.status().message() << "\n";
    return 2;
  }
  if (values->help) {
    std::cout << flags.Usage();
    return 0;
  }
  Status logging = ConfigureLoggingFrom(*values);
  StatusOr<ServerOptions> options = ToServerOptions(*values);
  if (!logging.ok() || !options.ok()) {
    std::cerr << "error: " << (logging.ok() ? options.status() : logging).message() << "\n";
    return 2;
  }
  StatusOr<std::unique_ptr<AllowlistFileSource>> allowlist =
      AllowlistFileSource::Open(values->Get("allowlist-file"));
  if (!allowlist.ok()) {
    LogEvent(spdlog::level::err, "cannot use the allowlist",
             {{"error", allowlist.status().message()}});
    return 2;
  }
  HandlerConfig config{values->Get("default-image"), allowlist->get()};
  StatusOr<std::unique_ptr<WebhookServer>> server = WebhookServer::Create(*options, config);
  if (!server.ok()) {
    LogEvent(spdlog::level::err, "cannot start", {{"error", server.status().message()}});
    return 2;
  }
  if (Status s = (*server)->Start(); !s.ok()) {
    LogEvent(spdlog::level::err, "cannot start", {{"error", s.message()}});
    return 1;
  }
  int sig = WaitForStopSignal();
  LogEvent(spdlog::level::info, "stopping", {{"signal", sig == SIGTERM ? "SIGTERM" : "SIGINT"}});
  (*server)->Shutdown();
  LogEvent(spdlog::level::info, "stopped");
  return 0;
}

}  // namespace mgw
