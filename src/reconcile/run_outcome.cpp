#include "mgw/reconcile/run_outcome.h"

#include "mgw/base/json_access.h"
#include "mgw/base/quote.h"
#include "mgw/reconcile/conditions.h"
#include "mgw/reconcile/gather_run.h"
#include "mgw/rules/mustgather_api.h"

namespace mgw {
namespace {

using nlohmann::json;

void AddNonEmpty(const json* map, CredentialsSecret& out) {
  if (map == nullptr || !map->is_object()) return;
  for (const auto& [key, value] : map->items()) {
    if (value.is_string() && !value.get_ref<const std::string&>().empty()) {
      out.non_empty_keys.insert(key);
    }
  }
}

std::string UploadFileOf(const json& job) {
  return JsonStringAt(job, {"metadata", "annotations", kUploadFileAnnotation});
}

std::string HostOf(const json& mustgather) {
  std::string host = JsonStringAtField(mustgather, kSftpHostField);
  return host.empty() ? std::string(kDefaultSftpHost) : host;
}

std::string CaseOf(const json& mustgather) {
  return "support case " + QuoteJson(JsonStringAtField(mustgather, kCaseIdField));
}

std::string LogsHint(const json& job, std::string_view container) {
  return "kubectl logs -n " + JsonStringAt(job, {"metadata", "namespace"}) + " job/" +
         JsonStringAt(job, {"metadata", "name"}) + " -c " + std::string(container);
}

}  // namespace

CredentialsSecret CredentialsOf(const json& secret) {
  CredentialsSecret out;
  AddNonEmpty(JsonAt(secret, {"data"}), out);
  AddNonEmpty(JsonAt(secret, {"stringData"}), out);
  return out;
}

std::optional<std::string> CredentialsProblem(const json& mustgather,
                                              const std::optional<CredentialsSecret>& secret) {
  if (!UploadsToSftp(mustgather)) return std::nullopt;
  std::string name = JsonStringAtField(mustgather, kCaseSecretNameField);
  std::string ns = JsonStringAt(mustgather, {"metadata", "namespace"});
  std::string where = "Secret " + QuoteJson(name) + " in namespace " + QuoteJson(ns) + " (" +
                      std::string(kCaseSecretNameField) + ")";
  std::string keys =
      "the keys " + std::string(kSecretUsernameKey) + " and " + std::string(kSecretPasswordKey);
  if (!secret) {
    return where + " was not found; create it with " + keys +
           " of the support case account, then create this MustGather again";
  }
  for (std::string_view key : {kSecretUsernameKey, kSecretPasswordKey}) {
    if (secret->non_empty_keys.count(std::string(key)) == 0) {
      std::string message = where;
      message += " has no key " + QuoteJson(key) + ", or it is empty; set " + keys;
      message += " of the support case account, then create this MustGather again";
      return message;
    }
  }
  return std::nullopt;
}

std::string OutputLocation(std::string_view claim, std::string_view path) {
  return QuoteJson(path) + " on PersistentVolumeClaim " + QuoteJson(claim);
}

std::optional<RunVerdict> UploadRunFailure(const json& mustgather, const json& job,
                                           std::string_view failed_message,
                                           std::string_view location) {
  std::string file = UploadFileOf(job);
  std::optional<ContainerFailure> failure = ParsePodFailureMessage(failed_message);
  if (file.empty() || !failure) return std::nullopt;
  const std::string code = std::to_string(failure->exit_code);
  if (failure->container == kUploadContainerName) {
    std::string why = failure->exit_code == 2 ? "its configuration was refused (exit code 2)"
                                              : "it failed (exit code " + code + ")";
    return RunVerdict{
        std::string(kReasonUploadFailed),
        "the upload to " + CaseOf(mustgather) + " on " + HostOf(mustgather) +
            " did not finish: " + why + "; see " + LogsHint(job, kUploadContainerName) +
            " (the gather containers may have failed too); the gathered output is kept in " +
            std::string(location)};
  }
  std::string what = failure->exit_code == kTimeoutExitCode
                         ? "was stopped by spec.mustGatherTimeout"
                         : "failed with exit code " + code;
  return RunVerdict{std::string(kReasonGatherFailed),
                    "gather container " + QuoteJson(failure->container) + " " + what + "; see " +
                        LogsHint(job, failure->container) + "; the partial output was uploaded " +
                        "to " + CaseOf(mustgather) + " as " + QuoteJson(file) + " and is kept in " +
                        std::string(location)};
}

std::string UploadSuccessNote(const json& mustgather, const json& job) {
  std::string file = UploadFileOf(job);
  if (file.empty()) return "";
  return "; uploaded to " + CaseOf(mustgather) + " as " + QuoteJson(file) + " on " +
         HostOf(mustgather);
}

}  // namespace mgw
