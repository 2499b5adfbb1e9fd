#include "mgw/cmd/serve_command.h"

#include <csignal>
#include <iostream>

#include "mgw/base/go_duration.h"
#include "mgw/net/host_port.h"
#include "mgw/platform/command_support.h"
#include "mgw/platform/logging.h"
#include "mgw/rules/mustgather_rules.h"
#include "mgw/sources/allowlist_file_source.h"
#include "mgw/sources/serve_cluster.h"
#include "mgw/webhook/webhook_server.h"

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
         "changes. Without it, serve follows the cluster's MustGatherImage \"cluster\"."});
  f.Add({"kubeconfig", "KUBECONFIG", "",
         "kubeconfig file(s) for the API server, ':'-separated. Used when --allowlist-file is not "
         "given; without it: the pod's service account, then ~/.kube/config."});
  f.Add({"pvc-warnings", "MGW_PVC_WARNINGS", "true",
         "With the API server: warn when a MustGather's PVC is missing, unbound or "
         "ReadWriteOnce (watches PersistentVolumeClaims).",
         true});
  f.Add({"default-image", "DEFAULT_MUST_GATHER_IMAGE", std::string(kDefaultGatherImage),
         "The default gather image, always allowed."});
  f.Add({"worker-threads", "MGW_WORKER_THREADS", "0",
         "Event-loop threads serving the HTTPS connections; 0 starts one per CPU this "
         "process may use."});
  f.Add({"max-connections", "MGW_MAX_CONNECTIONS", "1024",
         "Open HTTPS connections at most; past it the longest idle one makes room, or a new "
         "one is refused when none is idle."});
  f.Add({"max-inflight-body-bytes", "MGW_MAX_INFLIGHT_BODY_BYTES",
         std::to_string(kDefaultMaxInflightBodyBytes),
         "Request-body bytes held at once across all connections; a body that does not fit "
         "is answered 503 with Retry-After. 0 removes the cap."});
  f.Add({"max-review-duration", "MGW_MAX_REVIEW_DURATION", "2s",
         "Answer every review within this (or sooner, per the apiserver's ?timeout=); a review "
         "not decided in time is denied with code 504. 0 disables the deadline."});
  f.Add({"shutdown-delay", "MGW_SHUTDOWN_DELAY", "0s",
         "On SIGTERM, fail /readyz this long before closing the HTTPS listener."});
  f.Add({"client-ca-file", "MGW_CLIENT_CA_FILE", "",
         "PEM CA bundle; when set, clients must present a certificate it signed (mTLS)."});
  f.Add({"client-allowed-names", "MGW_CLIENT_ALLOWED_NAMES", "",
         "With --client-ca-file: comma-separated client certificate CNs or DNS SANs to accept "
         "(empty: any)."});
  AddLoggingFlags(f);
  return f;
}

StatusOr<std::chrono::nanoseconds> NonNegativeDuration(const FlagValues& v,
                                                       const std::string& name) {
  StatusOr<std::chrono::nanoseconds> d = ParseGoDuration(v.Get(name));
  if (!d.ok() || d->count() < 0) {
    return InvalidArgumentError("--" + name + " must be a duration such as \"2s\" or \"500ms\"");
  }
  return d;
}

// Connection limits, deadlines, drain and mTLS.
Status AddHardeningOptions(const FlagValues& v, ServerOptions& o) {
  MGW_ASSIGN_OR_RETURN(int64_t max_connections, v.GetInt("max-connections", 1, 99999));
  o.max_connections = static_cast<size_t>(max_connections);
  MGW_ASSIGN_OR_RETURN(int64_t inflight, v.GetInt("max-inflight-body-bytes", 0, int64_t{1} << 40));
  o.max_inflight_body_bytes = static_cast<size_t>(inflight);
  MGW_ASSIGN_OR_RETURN(o.max_review_duration, NonNegativeDuration(v, "max-review-duration"));
  MGW_ASSIGN_OR_RETURN(o.shutdown_delay, NonNegativeDuration(v, "shutdown-delay"));
  o.client_auth.ca_file = v.Get("client-ca-file");
  o.client_auth.allowed_names = ParseNameList(v.Get("client-allowed-names"));
  if (o.client_auth.ca_file.empty() && !o.client_auth.allowed_names.empty()) {
    return InvalidArgumentError("--client-allowed-names needs --client-ca-file");
  }
  return Status();
}

StatusOr<ServerOptions> ToServerOptions(const FlagValues& v) {
  ServerOptions o;
  MGW_ASSIGN_OR_RETURN(o.listen, ParseHostPort(v.Get("listen")));
  MGW_ASSIGN_OR_RETURN(o.probe_listen, ParseHostPort(v.Get("probe-listen")));
  o.tls_cert_file = v.Get("tls-cert-file");
  o.tls_key_file = v.Get("tls-key-file");
  MGW_ASSIGN_OR_RETURN(int64_t threads, v.GetInt("worker-threads", 0, 9999));
  o.worker_threads = static_cast<size_t>(threads);
  MGW_RETURN_IF_ERROR(AddHardeningOptions(v, o));
  return o;
}

}  // namespace

int ServeMain(const std::vector<std::string>& args, const EnvLookup& env) {
  std::variant<FlagValues, int> parsed =
      ParseCommandLine(ServeFlags(), args, env, std::cout, std::cerr);
  if (const int* exit_code = std::get_if<int>(&parsed)) return *exit_code;
  const FlagValues& values = std::get<FlagValues>(parsed);
  Status logging = ConfigureLoggingFrom(values);
  StatusOr<ServerOptions> options = ToServerOptions(values);
  if (!logging.ok() || !options.ok()) {
    std::cerr << "error: " << (logging.ok() ? options.status() : logging).message() << "\n";
    return 2;
  }
  ClusterOptions cluster;
  cluster.kubeconfig = values.Get("kubeconfig");
  cluster.pvc_warnings = values.GetBool("pvc-warnings");
  cluster.env = env;
  cluster.log = ProcessLog();
  StatusOr<AllowlistBackends> allowlist = OpenAllowlist(values.Get("allowlist-file"), cluster);
  if (!allowlist.ok()) {
    LogEvent(spdlog::level::err, "cannot use the allowlist",
             {{"error", allowlist.status().message()}});
    return 2;
  }
  if (allowlist->cluster) {
    LogEvent(spdlog::level::info, "following the cluster's allowlist",
             {{"api", allowlist->cluster->source}, {"pvc_warnings", cluster.pvc_warnings}});
  }
  options->readiness = allowlist->readiness();
  HandlerConfig config{values.Get("default-image"), allowlist->allowlist(), allowlist->pvcs()};
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
