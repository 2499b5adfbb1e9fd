// `reconcile`: the sidecar that turns MustGathers into gather Jobs (see reconciler.h),
// with leader election among replicas, probes and metrics on a plain-HTTP port.
#include "mgw/cmd/reconcile_command.h"

#include <atomic>
#include <condition_variable>
#include <csignal>
#include <iostream>
#include <mutex>

#include <unistd.h>

#include "mgw/base/go_duration.h"
#include "mgw/kube/config_discovery.h"
#include "mgw/kube/http_kube_client.h"
#include "mgw/kube/kube_config.h"
#include "mgw/kube/leader_election.h"
#include "mgw/net/host_port.h"
#include "mgw/net/probe_server.h"
#include "mgw/platform/command_support.h"
#include "mgw/platform/logging.h"
#include "mgw/reconcile/event_recorder.h"
#include "mgw/reconcile/reconciler.h"
#include "mgw/reconcile/reconciler_metrics.h"
#include "mgw/rules/mustgather_rules.h"

namespace mgw {
namespace {

constexpr int kMaxWorkers = 64;
constexpr char kQueueName[] = "mustgather";

FlagSet ReconcileFlags() {
  FlagSet f("reconcile",
            "Turn each MustGather into one gather Job on its PVC and keep its status "
            "current. With --leader-elect, only the replica holding the Lease works.");
  f.Add({"kubeconfig", "KUBECONFIG", "",
         "kubeconfig file(s) for the API server, ':'-separated; without it: the pod's service "
         "account, then ~/.kube/config."});
  f.Add({"namespace", "MGW_WATCH_NAMESPACE", "",
         "Reconcile MustGathers in this namespace only (empty: every namespace)."});
  f.Add({"default-image", "DEFAULT_MUST_GATHER_IMAGE", std::string(kDefaultGatherImage),
         "The gather image for MustGathers that name none; always allowed."});
  f.Add({"self-image", "MGW_SELF_IMAGE", "",
         "This program's own image: the gather Job's upload step runs it. The Deployment sets "
         "it to the reconciler container's image; empty makes MustGathers with an "
         "uploadTarget fail."});
  f.Add({"trusted-ca-configmap", "MGW_TRUSTED_CA_CONFIGMAP", "",
         "NAMESPACE/NAME of a ConfigMap whose ca-bundle.crt gather Jobs trust: copied into "
         "each MustGather's namespace and mounted at /etc/pki/tls/certs (empty: none)."});
  f.Add({"http-proxy", "HTTP_PROXY", "",
         "Proxy for gather Jobs when neither the MustGather nor the cluster Proxy sets one."});
  f.Add({"https-proxy", "HTTPS_PROXY", "", "Likewise, for HTTPS."});
  f.Add({"no-proxy", "NO_PROXY", "", "Likewise, the hosts reached directly."});
  f.Add({"leader-elect", "MGW_LEADER_ELECT", "true",
         "Elect one leader among the replicas through a coordination.k8s.io Lease; only the "
         "leader reconciles.",
         true});
  f.Add({"leader-election-namespace", "POD_NAMESPACE", "",
         "Namespace of the Lease (empty: the pod's namespace from its service account, or the "
         "kubeconfig context's)."});
  f.Add({"leader-election-id", "MGW_LEADER_ELECTION_ID", "mustgather-reconciler",
         "Name of the Lease."});
  f.Add({"workers", "MGW_WORKERS", "2", "MustGathers reconciled in parallel (1 to 64)."});
  f.Add({"resync-period", "MGW_RESYNC_PERIOD", "10m",
         "Look at every MustGather again this often, events or not (0 disables)."});
  f.Add({"probe-listen", "MGW_RECONCILE_PROBE_LISTEN", "0.0.0.0:8082",
         "Plain-HTTP address for /healthz, /readyz and /metrics."});
  AddLoggingFlags(f);
  return f;
}

// Everything the flags decide, checked.
struct Settings {
  ReconcilerOptions reconciler;
  HostPort probe_listen;
  bool leader_elect = true;
  std::string lease_namespace;
  std::string lease_name;
};

StatusOr<Settings> ToSettings(const FlagValues& v) {
  Settings s;
  MGW_ASSIGN_OR_RETURN(s.probe_listen, ParseHostPort(v.Get("probe-listen")));
  MGW_ASSIGN_OR_RETURN(int64_t workers, v.GetInt("workers", 1, kMaxWorkers));
  s.reconciler.workers = static_cast<int>(workers);
  StatusOr<std::chrono::nanoseconds> resync = ParseGoDuration(v.Get("resync-period"));
  if (!resync.ok() || resync->count() < 0) {
    return InvalidArgumentError("--resync-period must be a duration such as \"10m\"");
  }
  s.reconciler.resync = std::chrono::duration_cast<std::chrono::milliseconds>(*resync);
  if (v.Get("default-image").empty()) return InvalidArgumentError("--default-image is empty");
  s.reconciler.ns = v.Get("namespace");
  JobConfig& job = s.reconciler.executor.job_config;
  job.default_image = v.Get("default-image");
  job.self_image = v.Get("self-image");
  MGW_ASSIGN_OR_RETURN(s.reconciler.executor.trusted_ca,
                       ParseTrustedCaSource(v.Get("trusted-ca-configmap")));
  job.trusted_ca_configmap = s.reconciler.executor.trusted_ca.name;
  job.reconciler_proxy = {v.Get("http-proxy"), v.Get("https-proxy"), v.Get("no-proxy")};
  s.leader_elect = v.GetBool("leader-elect");
  s.lease_namespace = v.Get("leader-election-namespace");
  s.lease_name = v.Get("leader-election-id");
  if (s.leader_elect && s.lease_name.empty()) {
    return InvalidArgumentError("--leader-election-id is empty");
  }
  return s;
}

// POD_NAME (the downward API), else the host name, which is the pod name too.
std::string Identity(const EnvLookup& env) {
  if (std::optional<std::string> pod = env("POD_NAME"); pod && !pod->empty()) return *pod;
  char host[256] = {};
  if (gethostname(host, sizeof(host) - 1) == 0 && host[0] != '\0') return host;
  return "mustgather-reconciler-" + std::to_string(getpid());
}

// Leadership gates the workers: a term starts them and, once it ends, waits for the
// item in hand; the end of a term stops them taking new items at once.
LeaderCallbacks GateOn(Reconciler& reconciler, std::atomic<bool>& leading) {
  LeaderCallbacks c;
  c.on_started_leading = [&reconciler, &leading](std::stop_token stop) {
    leading = true;
    LogEvent(spdlog::level::info, "leading: reconciling");
    reconciler.Start();
    std::mutex mu;
    std::condition_variable_any cv;
    std::unique_lock<std::mutex> lock(mu);
    cv.wait(lock, stop, [] { return false; });
    reconciler.Stop();
  };
  c.on_stopped_leading = [&reconciler, &leading] {
    leading = false;
    reconciler.RequestStop();
    LogEvent(spdlog::level::info, "no longer leading: stopped taking work");
  };
  c.on_new_leader = [](const std::string& identity) {
    LogEvent(spdlog::level::info, "leader observed", {{"leader", identity}});
  };
  return c;
}

StatusOr<std::unique_ptr<KubeClient>> Connect(const std::string& kubeconfig, const EnvLookup& env,
                                              std::string& default_namespace) {
  MGW_ASSIGN_OR_RETURN(KubeConfig config, ResolveKubeConfig(kubeconfig, env, DiskFileReader()));
  default_namespace = config.default_namespace;
  std::string source = config.source;
  StatusOr<std::unique_ptr<HttpKubeClient>> client = HttpKubeClient::Create(std::move(config));
  if (!client.ok()) return client.status().WithContext(source);
  LogEvent(spdlog::level::info, "connected", {{"api", source + " -> " + (*client)->server()}});
  return std::unique_ptr<KubeClient>(std::move(client).value());
}

StatusOr<LeaderElectionConfig> ElectionConfig(const Settings& s, const EnvLookup& env,
                                              const std::string& default_namespace) {
  LeaderElectionConfig c;
  c.lease_namespace = s.lease_namespace.empty() ? default_namespace : s.lease_namespace;
  c.lease_name = s.lease_name;
  c.identity = Identity(env);
  c.log = ProcessLog();
  if (c.lease_namespace.empty()) {
    return InvalidArgumentError(
        "--leader-elect needs the Lease's namespace: pass --leader-election-namespace (or set "
        "POD_NAMESPACE), or --leader-elect=false");
  }
  MGW_RETURN_IF_ERROR(ValidateLeaderElectionConfig(c));
  return c;
}

// The running process's parts, declared in teardown order: the elector goes first (it
// drives the reconciler), the client last (everything uses it).
struct Sidecar {
  std::unique_ptr<KubeClient> client;
  std::atomic<bool> leading{false};
  MetricsRegistry registry;
  ReconcilerMetrics metrics{registry};
  std::unique_ptr<EventRecorder> recorder;
  std::unique_ptr<Reconciler> reconciler;
  std::unique_ptr<ProbeServer> probe;
  std::unique_ptr<LeaderElector> elector;
};

void Assemble(Sidecar& s, ReconcilerOptions options, const std::string& identity) {
  s.recorder = std::make_unique<EventRecorder>(
      *s.client, EventRecorderOptions{identity, 4096, nullptr, ProcessLog()});
  options.informer.log = ProcessLog();
  options.executor.events = s.recorder.get();
  options.executor.metrics = &s.metrics;
  options.executor.log = ProcessLog();
  s.reconciler = std::make_unique<Reconciler>(*s.client, std::move(options));
  Reconciler* r = s.reconciler.get();
  RegisterQueueDepth(s.registry, kQueueName, [r] { return double(r->QueueDepth()); });
  std::atomic<bool>* leading = &s.leading;
  s.registry.AddGaugeCallback("mustgather_reconciler_leader",
                              "1 while this replica reconciles (holds the Lease, or runs alone).",
                              {}, [leading] {
                                return std::vector<GaugeSample>{{{}, *leading ? 1.0 : 0.0}};
                              });
}

// Starts the caches, the probe listener, then the elector (or the workers at once).
// UNAVAILABLE when the probe port cannot be bound.
Status Launch(Sidecar& s, const HostPort& probe_listen,
              const std::optional<LeaderElectionConfig>& election) {
  s.reconciler->StartCaches();
  Reconciler* r = s.reconciler.get();
  MGW_ASSIGN_OR_RETURN(
      s.probe, ProbeServer::Start(
                   {probe_listen, nullptr, [r] { return r->NotSyncedReason(); }, &s.registry}));
  if (!election) {
    s.leading = true;
    s.reconciler->Start();
    return Status();
  }
  s.elector = std::make_unique<LeaderElector>(*s.client, *election, GateOn(*r, s.leading));
  return s.elector->Start();
}

void LogStarted(const Settings& settings, const Sidecar& s,
                const std::optional<LeaderElectionConfig>& election) {
  LogEvent(spdlog::level::info, "reconciler started",
           {{"namespace", settings.reconciler.ns.empty() ? "*" : settings.reconciler.ns},
            {"workers", settings.reconciler.workers},
            {"probe_port", s.probe->port()},
            {"leader_elect", election.has_value()},
            {"lease", election ? election->lease_namespace + "/" + election->lease_name : ""},
            {"identity", election ? election->identity : ""}});
}

// The item in hand is finished, the Lease handed back, then the probes stop.
void Shutdown(Sidecar& s) {
  if (s.elector) s.elector->Stop();
  s.reconciler->Stop();
  s.leading = false;
  s.probe->Stop();
}

// Runs until SIGTERM/SIGINT once the flags are known good.
int Run(Settings settings, const EnvLookup& env, const std::string& kubeconfig) {
  Sidecar s;
  std::string default_namespace;
  StatusOr<std::unique_ptr<KubeClient>> client = Connect(kubeconfig, env, default_namespace);
  std::optional<LeaderElectionConfig> election;
  Status problem = client.status();
  if (client.ok() && settings.leader_elect) {
    StatusOr<LeaderElectionConfig> c = ElectionConfig(settings, env, default_namespace);
    problem = c.status();
    if (c.ok()) election = std::move(c).value();
  }
  if (!problem.ok()) {
    LogEvent(spdlog::level::err, "cannot start", {{"error", problem.message()}});
    return 2;
  }
  s.client = std::move(client).value();
  Assemble(s, settings.reconciler, Identity(env));
  if (Status launched = Launch(s, settings.probe_listen, election); !launched.ok()) {
    LogEvent(spdlog::level::err, "cannot start", {{"error", launched.message()}});
    return launched.code() == StatusCode::kUnavailable ? 1 : 2;
  }
  LogStarted(settings, s, election);
  int sig = WaitForStopSignal();
  LogEvent(spdlog::level::info, "stopping", {{"signal", sig == SIGTERM ? "SIGTERM" : "SIGINT"}});
  Shutdown(s);
  LogEvent(spdlog::level::info, "stopped");
  return 0;
}

}  // namespace

int ReconcileMain(const std::vector<std::string>& args, const EnvLookup& env) {
  std::variant<FlagValues, int> parsed =
      ParseCommandLine(ReconcileFlags(), args, env, std::cout, std::cerr);
  if (const int* exit_code = std::get_if<int>(&parsed)) return *exit_code;
  const FlagValues& values = std::get<FlagValues>(parsed);
  Status logging = ConfigureLoggingFrom(values);
  StatusOr<Settings> settings = ToSettings(values);
  if (!logging.ok() || !settings.ok()) {
    std::cerr << "error: " << (logging.ok() ? settings.status() : logging).message() << "\n";
    return 2;
  }
  return Run(std::move(settings).value(), env, values.Get("kubeconfig"));
}

}  // namespace mgw
