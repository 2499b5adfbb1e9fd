// The parts of a run's verdict that depend on its upload target: the credentials check
// before the Job is made, and what a finished Job means for the person who asked for the
// upload. Pure functions over JSON; thread-safe. Secret values never enter here: the
// executor hands over only which keys are present and non-empty.
#ifndef MGW_RECONCILE_RUN_OUTCOME_H_
#define MGW_RECONCILE_RUN_OUTCOME_H_

#include <optional>
#include <set>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace mgw {

// The credentials Secret as the plan sees it: its name and the keys whose value is
// non-empty. Never the values.
struct CredentialsSecret {
  std::set<std::string> non_empty_keys;
};

// The keys of a Secret (its `data`, base64, and `stringData`) whose value is non-empty.
CredentialsSecret CredentialsOf(const nlohmann::json& secret);

// Why the upload cannot run with `secret` (nullopt: the Secret named by
// spec.uploadTarget.sftp.caseManagementAccountSecretRef.name was not found), naming the
// Secret, its namespace and the missing or empty key, and saying how to fix it; nullopt
// when the MustGather uploads nothing or the Secret has a non-empty username and
// password.
std::optional<std::string> CredentialsProblem(const nlohmann::json& mustgather,
                                              const std::optional<CredentialsSecret>& secret);

// A finished run's reason and message.
struct RunVerdict {
  std::string reason;
  std::string message;
};

// Where the output went, for messages: `"path" on PersistentVolumeClaim "claim"`.
std::string OutputLocation(std::string_view claim, std::string_view path);

// The verdict for an uploading Job (one with kUploadFileAnnotation) that failed with
// the Failed condition `failed_message`, as UploadPodFailurePolicy() reports it:
// UploadFailed when the upload container failed, GatherFailed (saying the partial
// output was uploaded) when a gather container did. nullopt when `job` does not upload
// or the message names no container (the caller then uses the Job's own reason).
std::optional<RunVerdict> UploadRunFailure(const nlohmann::json& mustgather,
                                           const nlohmann::json& job,
                                           std::string_view failed_message,
                                           std::string_view location);

// The sentence a Completed message ends with for an uploading Job ("; uploaded to
// support case "ID" as "FILE" on HOST"), or "" when `job` does not upload.
std::string UploadSuccessNote(const nlohmann::json& mustgather, const nlohmann::json& job);

}  // namespace mgw

#endif  // MGW_RECONCILE_RUN_OUTCOME_H_
