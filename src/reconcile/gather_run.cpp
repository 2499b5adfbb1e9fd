#include "mgw/reconcile/gather_run.h"

#include "mgw/base/json_access.h"
#include "mgw/base/number.h"
#include "mgw/reconcile/conditions.h"
#include "mgw/reconcile/job_template.h"
#include "mgw/rules/mustgather_api.h"

namespace mgw {
namespace {

using nlohmann::json;

constexpr size_t kSuffixLength = 12;
constexpr uint64_t kRandomModulus = 1000000;
// How often the upload container looks at the gather containers' exit-code files.
constexpr int kWaitPollSeconds = 2;

std::string Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return std::string(s);
}

ProxySettings ProxyFrom(const json& object) {
  return {JsonStringAt(object, {"httpProxy"}), JsonStringAt(object, {"httpsProxy"}),
          JsonStringAt(object, {"noProxy"})};
}

// The SFTP host without its port ("[v6]:22" -> "v6", "h:22" -> "h", "v6" -> "v6").
std::string HostOnly(const std::string& host_port) {
  if (!host_port.empty() && host_port.front() == '[') {
    return host_port.substr(1, host_port.find(']') - 1);
  }
  size_t colon = host_port.find(':');
  if (colon == std::string::npos || host_port.find(':', colon + 1) != std::string::npos) {
    return host_port;
  }
  return host_port.substr(0, colon);
}

std::string SftpHost(const json& mustgather) {
  std::string host = JsonStringAtField(mustgather, kSftpHostField);
  return host.empty() ? std::string(kDefaultSftpHost) : host;
}

// The proxy the upload connects through: HTTPS_PROXY, else HTTP_PROXY; none when
// NO_PROXY covers the SFTP host.
std::string UploadProxy(const ProxySettings& proxy, const std::string& host) {
  if (NoProxyCovers(proxy.no_proxy, HostOnly(host))) return "";
  return proxy.https_proxy.empty() ? proxy.http_proxy : proxy.https_proxy;
}

}  // namespace

std::string RunDirectoryName(std::string_view uid, std::chrono::system_clock::time_point now,
                             uint64_t random) {
  std::string compact;
  for (char c : uid) {
    if (c != '-') compact += c;
  }
  std::string suffix =
      compact.size() > kSuffixLength ? compact.substr(compact.size() - kSuffixLength) : compact;
  if (suffix.empty()) suffix = "local";
  std::string stamp;
  for (char c : FormatRfc3339(now)) {
    if (c != '-' && c != ':') stamp += c;
  }
  std::string digits = std::to_string(random % kRandomModulus);
  digits.insert(0, 6 - digits.size(), '0');
  return "must-gather.local." + suffix + "." + stamp + "." + digits;
}

std::string RunPath(std::string_view sub_path, std::string_view run_directory) {
  while (!sub_path.empty() && sub_path.front() == '/') sub_path.remove_prefix(1);
  while (!sub_path.empty() && sub_path.back() == '/') sub_path.remove_suffix(1);
  if (sub_path.empty()) return std::string(run_directory);
  return std::string(sub_path) + "/" + std::string(run_directory);
}

ProxySettings ResolveProxy(const json& mustgather, const json* cluster_proxy,
                           const ProxySettings& reconciler_env) {
  if (const json* spec = JsonAtField(mustgather, kProxyConfigField)) {
    ProxySettings own = ProxyFrom(*spec);
    if (!own.Empty()) return own;
  }
  if (cluster_proxy != nullptr) {
    if (const json* status = JsonAt(*cluster_proxy, {"status"})) {
      ProxySettings cluster = ProxyFrom(*status);
      if (!cluster.Empty()) return cluster;
    }
  }
  return reconciler_env;
}

json ProxyEnv(const ProxySettings& proxy) {
  json env = json::array();
  auto add = [&env](const char* upper, const char* lower, const std::string& value) {
    if (value.empty()) return;
    env.push_back({{"name", upper}, {"value", value}});
    env.push_back({{"name", lower}, {"value", value}});
  };
  add("HTTP_PROXY", "http_proxy", proxy.http_proxy);
  add("HTTPS_PROXY", "https_proxy", proxy.https_proxy);
  add("NO_PROXY", "no_proxy", proxy.no_proxy);
  return env;
}

bool NoProxyCovers(std::string_view no_proxy, std::string_view host) {
  size_t start = 0;
  while (!host.empty() && start <= no_proxy.size()) {
    size_t end = no_proxy.find(',', start);
    if (end == std::string_view::npos) end = no_proxy.size();
    std::string entry = Trim(no_proxy.substr(start, end - start));
    start = end + 1;
    if (entry == "*" || entry == host) return true;
    if (entry.rfind("*.", 0) == 0) entry.erase(0, 1);
    if (entry.empty()) continue;
    if (entry.front() != '.') entry.insert(0, ".");
    if (host.size() > entry.size() && host.substr(host.size() - entry.size()) == entry) {
      return true;
    }
  }
  return false;
}

std::string GatherScript(std::string_view command, std::optional<int64_t> timeout_seconds,
                         std::string_view exit_code_file) {
  std::string run(command);
  if (exit_code_file.empty()) {
    return "set -o pipefail; " + run + " 2>&1 | tee -a /must-gather/must-gather.log";
  }
  if (timeout_seconds) run = "timeout " + std::to_string(*timeout_seconds) + " " + run;
  const std::string file(exit_code_file);
  return "echo $$ > " + file + ".pid; set -o pipefail; " + run +
         " 2>&1 | tee -a /must-gather/must-gather.log; rc=$?; echo $rc > " + file + "; exit $rc";
}

std::string WaitForGatherScript(std::string_view dir, const std::vector<std::string>& containers) {
  std::string names;
  for (const std::string& c : containers) names += (names.empty() ? "" : " ") + c;
  const std::string f = std::string(dir) + "/$c";
  return "for c in " + names + "; do until [ -e " + f + " ] || { [ -s " + f + ".pid ] && [ ! -d " +
         "/proc/$(cat " + f + ".pid) ]; }; do sleep " + std::to_string(kWaitPollSeconds) +
         "; done; done; exec \"$@\"";
}

std::string UploadFileName(std::string_view case_id, std::string_view run_directory) {
  return std::string(case_id) + "_" + std::string(run_directory) + ".tar.gz";
}

json UploadContainer(const json& mustgather, const UploadStep& step) {
  std::string host = SftpHost(mustgather);
  json args = {"mustgather-webhook",
               "upload",
               "--source",
               std::string(kOutputMountPath),
               "--case-id",
               JsonStringAtField(mustgather, kCaseIdField),
               "--host",
               host,
               "--credentials-dir",
               std::string(kCredentialsDir),
               "--name-prefix",
               step.run_directory};
  const json* internal = JsonAtField(mustgather, kInternalUserField);
  if (internal != nullptr && *internal == true) args.push_back("--internal-user");
  if (std::string proxy = UploadProxy(step.proxy, host); !proxy.empty()) {
    args.push_back("--proxy");
    args.push_back(proxy);
  }
  args.push_back("--log-format");
  args.push_back("json");
  json command = {"/bin/sh", "-c", WaitForGatherScript(kExitCodeDir, step.gather_containers),
                  "wait-for-gather"};
  for (json& a : args) command.push_back(std::move(a));
  json container = {{"name", std::string(kUploadContainerName)},
                    {"image", step.image},
                    {"command", std::move(command)},
                    {"volumeMounts",
                     {{{"name", std::string(kOutputVolumeName)},
                       {"mountPath", std::string(kOutputMountPath)},
                       {"subPath", step.run_path},
                       {"readOnly", true}},
                      {{"name", std::string(kExitCodeVolumeName)},
                       {"mountPath", std::string(kExitCodeDir)},
                       {"readOnly", true}},
                      {{"name", std::string(kCredentialsVolumeName)},
                       {"mountPath", std::string(kCredentialsDir)},
                       {"readOnly", true}}}},
                    {"securityContext",
                     {{"allowPrivilegeEscalation", false},
                      {"capabilities", {{"drop", {"ALL"}}}},
                      {"runAsNonRoot", true}}},
                    {"terminationMessagePolicy", "FallbackToLogsOnError"}};
  if (json env = ProxyEnv(step.proxy); !env.empty()) container["env"] = std::move(env);
  return container;
}

json UploadVolumes(const json& mustgather) {
  // 0444: the upload runs as the image's non-root user, and the files are root-owned
  // without an fsGroup; only the upload container mounts the Secret.
  return {{{"name", std::string(kExitCodeVolumeName)}, {"emptyDir", json::object()}},
          {{"name", std::string(kCredentialsVolumeName)},
           {"secret",
            {{"secretName", JsonStringAtField(mustgather, kCaseSecretNameField)},
             {"defaultMode", 0444}}}}};
}

json UploadPodFailurePolicy() {
  json upload = {
      {"containerName", std::string(kUploadContainerName)}, {"operator", "NotIn"}, {"values", {0}}};
  json any = {{"operator", "NotIn"}, {"values", {0}}};
  return {{"rules",
           {{{"action", "FailJob"}, {"onExitCodes", std::move(upload)}},
            {{"action", "FailJob"}, {"onExitCodes", std::move(any)}}}}};
}

std::optional<ContainerFailure> ParsePodFailureMessage(std::string_view message) {
  static constexpr std::string_view kContainer = "Container ";
  static constexpr std::string_view kForPod = " for pod ";
  static constexpr std::string_view kExitCode = "failed with exit code ";
  if (message.rfind(kContainer, 0) != 0) return std::nullopt;
  size_t for_pod = message.find(kForPod);
  size_t code = message.find(kExitCode);
  if (for_pod == std::string_view::npos || code == std::string_view::npos) return std::nullopt;
  std::string_view digits = message.substr(code + kExitCode.size());
  digits = digits.substr(0, digits.find(' '));
  std::optional<int64_t> exit_code = ParseDecimal(digits, 0, 255);
  if (!exit_code) return std::nullopt;
  return ContainerFailure{
      std::string(message.substr(kContainer.size(), for_pod - kContainer.size())),
      static_cast<int>(*exit_code)};
}

}  // namespace mgw
