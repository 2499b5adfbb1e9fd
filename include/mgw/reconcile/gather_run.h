// What one gather run is besides its image: its own output directory, its proxy, the
// gather command (plain or audit logs) and the upload step. Pure functions; the clock and
// the random number are passed in. Thread-safe.
//
// One directory per run: every run writes to "<subPath>/<run directory>" on the PVC, the
// run directory named as `oc adm must-gather` names its output
// ("must-gather.local.<suffix>.<UTC timestamp>.<random>"), chosen once when the Job is
// built and recorded on the Job (annotations) and in the MustGather's status.
//
// The upload step (spec.uploadTarget) is a container in the same pod, from this
// project's own image, running `mustgather-webhook upload`. It must start only once every
// gather container has ended, whatever the outcome, since partial output is still worth
// uploading. Each gather container records its script's PID in "<file>.pid" when it
// starts and its exit code in "<file>" when it ends (also after `timeout` stopped the
// gather), both in a shared emptyDir. The upload container waits until, for every gather
// container, the exit-code file exists or the recorded process is gone from /proc (the
// pod shares one PID namespace): a container killed outright (OOM, SIGKILL) writes no
// exit code, and its partial output is uploaded all the same. The pod then fails when
// any container failed, and the Job's podFailurePolicy ends the Job at once (no retry
// that would upload twice), with a message naming the failed container and its exit
// code, which JobFailureOf reads.
#ifndef MGW_RECONCILE_GATHER_RUN_H_
#define MGW_RECONCILE_GATHER_RUN_H_

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace mgw {

// Annotations on the Job recording where this run's output goes.
inline constexpr std::string_view kOutputPathAnnotation = "operator.openshift.io/output-path";
inline constexpr std::string_view kUploadFileAnnotation = "operator.openshift.io/upload-file";
inline constexpr std::string_view kUploadContainerName = "upload";
inline constexpr std::string_view kExitCodeVolumeName = "gather-exit-codes";
inline constexpr std::string_view kExitCodeDir = "/var/run/mustgather/exit-codes";
inline constexpr std::string_view kCredentialsVolumeName = "upload-credentials";
inline constexpr std::string_view kCredentialsDir = "/var/run/secrets/mustgather/upload";
// The gather scripts of the default image.
inline constexpr std::string_view kGatherCommand = "/usr/bin/gather";
inline constexpr std::string_view kAuditGatherCommand = "/usr/bin/gather_audit_logs";
// GNU timeout's exit status when it stopped the command.
inline constexpr int kTimeoutExitCode = 124;

// HTTP_PROXY, HTTPS_PROXY and NO_PROXY for the run; empty strings are unset.
struct ProxySettings {
  std::string http_proxy;
  std::string https_proxy;
  std::string no_proxy;

  bool Empty() const { return http_proxy.empty() && https_proxy.empty() && no_proxy.empty(); }
  bool operator==(const ProxySettings&) const = default;
};

// "must-gather.local.<suffix>.<YYYYMMDDTHHMMSSZ>.<random>": the suffix is the last 12
// characters of `uid` with its '-' removed ("local" when `uid` has none), the time is
// `now` in UTC, the random part `random` modulo 10^6 as 6 digits.
std::string RunDirectoryName(std::string_view uid, std::chrono::system_clock::time_point now,
                             uint64_t random);

// The run's path inside the PVC: `sub_path` without leading and trailing '/', then
// `run_directory`; just `run_directory` when `sub_path` is empty or only slashes.
std::string RunPath(std::string_view sub_path, std::string_view run_directory);

// The proxy for the run: spec.proxyConfig when any of its fields is non-empty (taken
// whole), else the cluster Proxy's status (httpProxy, httpsProxy, noProxy) when
// `cluster_proxy` has any, else `reconciler_env`.
ProxySettings ResolveProxy(const nlohmann::json& mustgather, const nlohmann::json* cluster_proxy,
                           const ProxySettings& reconciler_env);

// The proxy env for a container: HTTP_PROXY, HTTPS_PROXY, NO_PROXY and their lower-case
// twins (some tools read only those), each only when set. Empty array when none is.
nlohmann::json ProxyEnv(const ProxySettings& proxy);

// True when `host` (without port) is covered by the comma-separated `no_proxy`: "*", the
// host itself, or a domain suffix given as "example.com", ".example.com" or
// "*.example.com".
bool NoProxyCovers(std::string_view no_proxy, std::string_view host);

// The bash script a gather container runs: `command` (kGatherCommand or
// kAuditGatherCommand), its output appended to /must-gather/must-gather.log. With
// `exit_code_file` non-empty (an upload follows), the script first writes its PID to
// "<exit_code_file>.pid", wraps the command in `timeout <timeout_seconds>` when set, and
// writes its exit status to `exit_code_file` before exiting with it.
std::string GatherScript(std::string_view command, std::optional<int64_t> timeout_seconds,
                         std::string_view exit_code_file);

// The POSIX sh script the upload container runs before its arguments ("$@", exec'd):
// waits until each of `containers` has its exit-code file in `dir`, or its recorded PID
// no longer exists (looked at every 2 s).
std::string WaitForGatherScript(std::string_view dir, const std::vector<std::string>& containers);

// "<caseID>_<run directory>.tar.gz", the name the upload gives the archive.
std::string UploadFileName(std::string_view case_id, std::string_view run_directory);

// What the upload container needs. REQUIRES: the MustGather passed CheckMustGather.
struct UploadStep {
  std::string image;                           // this project's own image
  std::string run_directory;                   // the --name-prefix
  std::string run_path;                        // mounted at /must-gather (subPath)
  std::vector<std::string> gather_containers;  // waited for
  ProxySettings proxy;
};

// The upload container for `mustgather` (spec.uploadTarget.sftp).
nlohmann::json UploadContainer(const nlohmann::json& mustgather, const UploadStep& step);

// The pod volumes the upload step adds: the exit-code emptyDir and the credentials Secret.
nlohmann::json UploadVolumes(const nlohmann::json& mustgather);

// The Job's podFailurePolicy with an upload step: any non-zero exit fails the Job at
// once, the upload container's rule first.
nlohmann::json UploadPodFailurePolicy();

// A container's failure as the Job controller reports a podFailurePolicy FailJob match
// ("Container upload for pod ns/p failed with exit code 1 matching FailJob rule at
// index 0"). nullopt when `message` is not of that form.
struct ContainerFailure {
  std::string container;
  int exit_code = 0;
};
std::optional<ContainerFailure> ParsePodFailureMessage(std::string_view message);

}  // namespace mgw

#endif  // MGW_RECONCILE_GATHER_RUN_H_
