#include "mgw/reconcile/job_template.h"

#include <chrono>
#include <cstdint>
#include <optional>
#include <set>

#include "mgw/base/go_duration.h"
#include "mgw/base/json_access.h"
#include "mgw/base/quote.h"
#include "mgw/rules/k8s_names.h"

namespace mgw {
namespace {

using nlohmann::json;

constexpr size_t kJobNameMaxLength = kDns1123LabelMaxLength;  // the job-name pod label's cap
constexpr size_t kHashDigits = 10;
constexpr size_t kShortenedPrefixLength = kJobNameMaxLength - 1 - kHashDigits;

// Runs the image's gather script; pipefail keeps its exit code, so a failed gather fails
// the pod and the Job. -a keeps the log of earlier attempts (backoffLimit retries).
constexpr std::string_view kGatherScript =
    "set -o pipefail; /usr/bin/gather 2>&1 | tee -a /must-gather/must-gather.log";

// What the Job is built from, read and checked once.
struct Inputs {
  std::string name;
  std::string ns;
  std::string uid;
  std::string claim;
  std::string sub_path;
  std::string service_account;
  std::optional<int64_t> deadline_seconds;
  std::vector<std::string> images;
};

uint64_t Fnv1a64(std::string_view s) {
  uint64_t h = 14695981039346656037ULL;
  for (char c : s) {
    h ^= static_cast<unsigned char>(c);
    h *= 1099511628211ULL;
  }
  return h;
}

// The string at `field`: "" when absent; INVALID_ARGUMENT when present but not a string.
StatusOr<std::string> OptionalString(const json& root, std::string_view field) {
  const json* v = JsonAtField(root, field);
  if (v == nullptr) return std::string();
  if (!v->is_string()) return InvalidArgumentError(std::string(field) + ": must be a string");
  return v->get<std::string>();
}

Status CheckName(const std::string& value, std::string_view field, bool label) {
  bool ok = label ? IsDns1123Label(value) : IsDns1123Subdomain(value);
  if (ok) return Status::Ok();
  return InvalidArgumentError(std::string(field) + ": " + QuoteJson(value) + " is not a DNS-1123 " +
                              (label ? "label" : "subdomain"));
}

// True for a valid label value: at most 63 bytes of [A-Za-z0-9_.-], alphanumeric at both ends.
bool IsLabelValue(std::string_view s) {
  auto alnum = [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
  };
  if (s.size() > kDns1123LabelMaxLength) return false;
  if (s.empty()) return true;
  for (char c : s) {
    if (!alnum(c) && c != '-' && c != '_' && c != '.') return false;
  }
  return alnum(s.front()) && alnum(s.back());
}

StatusOr<std::optional<int64_t>> DeadlineSeconds(const json& mg) {
  MGW_ASSIGN_OR_RETURN(std::string text, OptionalString(mg, kTimeoutField));
  if (text.empty()) return std::optional<int64_t>();
  StatusOr<std::chrono::nanoseconds> d = ParseGoDuration(text);
  if (!d.ok()) return d.status().WithContext(kTimeoutField);
  if (d->count() <= 0) {
    return InvalidArgumentError(std::string(kTimeoutField) + ": must be positive");
  }
  return std::optional<int64_t>(std::chrono::ceil<std::chrono::seconds>(*d).count());
}

Status ReadMetadata(const json& mg, Inputs& in) {
  MGW_ASSIGN_OR_RETURN(in.name, OptionalString(mg, "metadata.name"));
  MGW_RETURN_IF_ERROR(CheckName(in.name, "metadata.name", false));
  MGW_ASSIGN_OR_RETURN(in.ns, OptionalString(mg, "metadata.namespace"));
  MGW_RETURN_IF_ERROR(CheckName(in.ns, "metadata.namespace", true));
  MGW_ASSIGN_OR_RETURN(in.uid, OptionalString(mg, "metadata.uid"));
  if (in.uid.empty()) return InvalidArgumentError("metadata.uid: required for the ownerReference");
  if (!IsLabelValue(in.uid)) {
    return InvalidArgumentError("metadata.uid: " + QuoteJson(in.uid) +
                                " is not a valid label value");
  }
  return Status::Ok();
}

Status ReadSpec(const json& mg, const JobConfig& config, Inputs& in) {
  MGW_ASSIGN_OR_RETURN(in.claim, OptionalString(mg, kClaimNameField));
  MGW_RETURN_IF_ERROR(CheckName(in.claim, kClaimNameField, false));
  MGW_ASSIGN_OR_RETURN(in.sub_path, OptionalString(mg, kSubPathField));
  MGW_ASSIGN_OR_RETURN(in.service_account, OptionalString(mg, kServiceAccountNameField));
  if (in.service_account.empty()) in.service_account = config.default_service_account;
  MGW_RETURN_IF_ERROR(CheckName(in.service_account, "serviceAccountName", false));
  MGW_ASSIGN_OR_RETURN(in.deadline_seconds, DeadlineSeconds(mg));
  if (const json* list = JsonAtField(mg, kImagesField)) {
    const std::string field(kImagesField);
    if (!list->is_array()) return InvalidArgumentError(field + ": must be a list");
    for (const json& item : *list) {
      if (!item.is_string() || item.get_ref<const std::string&>().empty()) {
        return InvalidArgumentError(field + ": every entry must be a non-empty string");
      }
    }
  }
  in.images = GatherImages(mg, config.default_image);
  return Status::Ok();
}

json Labels(const Inputs& in) {
  return {{std::string(kLabelManagedBy), std::string(kManagedByValue)},
          {std::string(kLabelMustGather), GatherJobName(in.name)},
          {std::string(kLabelMustGatherUid), in.uid}};
}

json OwnerReference(const Inputs& in) {
  return {{"apiVersion", std::string(kApiGroupVersion)},
          {"kind", std::string(kMustGatherKind)},
          {"name", in.name},
          {"uid", in.uid},
          {"controller", true},
          {"blockOwnerDeletion", true}};
}

std::string ContainerName(size_t index) {
  std::string name(kGatherContainerName);
  return index == 0 ? name : name + "-" + std::to_string(index);
}

// The mount's subPath for container `index`: see the file comment of the header.
std::string MountSubPath(const Inputs& in, size_t index) {
  if (in.images.size() == 1) return in.sub_path;
  std::string base = in.sub_path;
  while (!base.empty() && base.back() == '/') base.pop_back();
  return base.empty() ? ContainerName(index) : base + "/" + ContainerName(index);
}

json Container(const Inputs& in, const JobConfig& config, size_t index) {
  json mount = {{"name", std::string(kOutputVolumeName)},
                {"mountPath", std::string(kOutputMountPath)}};
  if (std::string sub = MountSubPath(in, index); !sub.empty()) mount["subPath"] = sub;
  return {{"name", ContainerName(index)},
          {"image", in.images[index]},
          {"command", {"/bin/bash", "-c", std::string(kGatherScript)}},
          {"volumeMounts", json::array({mount})},
          {"resources",
           {{"requests", {{"cpu", config.cpu_request}, {"memory", config.memory_request}}}}},
          {"securityContext",
           {{"allowPrivilegeEscalation", false}, {"capabilities", {{"drop", {"ALL"}}}}}},
          {"terminationMessagePolicy", "FallbackToLogsOnError"}};
}

json PodSpec(const Inputs& in, const JobConfig& config) {
  json containers = json::array();
  for (size_t i = 0; i < in.images.size(); ++i) containers.push_back(Container(in, config, i));
  return {{"restartPolicy", "Never"},
          {"serviceAccountName", in.service_account},
          {"securityContext", {{"seccompProfile", {{"type", "RuntimeDefault"}}}}},
          {"containers", std::move(containers)},
          {"volumes", json::array({{{"name", std::string(kOutputVolumeName)},
                                    {"persistentVolumeClaim", {{"claimName", in.claim}}}}})}};
}

}  // namespace

std::string GatherJobName(std::string_view mustgather_name) {
  if (mustgather_name.size() <= kJobNameMaxLength) return std::string(mustgather_name);
  std::string prefix(mustgather_name.substr(0, kShortenedPrefixLength));
  while (!prefix.empty() && (prefix.back() == '-' || prefix.back() == '.')) prefix.pop_back();
  static constexpr char kHex[] = "0123456789abcdef";
  uint64_t h = Fnv1a64(mustgather_name);
  std::string digits;
  for (size_t i = 0; i < kHashDigits; ++i) digits += kHex[(h >> (60 - 4 * i)) & 0xF];
  return prefix + "-" + digits;
}

std::vector<std::string> GatherImages(const json& mustgather, const std::string& default_image) {
  std::vector<std::string> out;
  std::set<std::string> seen;
  for (const NamedImage& named : ImagesOf(mustgather)) {
    if (!named.image.empty() && seen.insert(named.image).second) out.push_back(named.image);
  }
  if (out.empty()) out.push_back(default_image);
  return out;
}

StatusOr<json> RenderGatherJob(const json& mustgather, const JobConfig& config) {
  if (config.backoff_limit < 0) return InvalidArgumentError("backoffLimit: must not be negative");
  Inputs in;
  MGW_RETURN_IF_ERROR(ReadMetadata(mustgather, in));
  MGW_RETURN_IF_ERROR(ReadSpec(mustgather, config, in));
  json spec = {
      {"backoffLimit", config.backoff_limit},
      {"template", {{"metadata", {{"labels", Labels(in)}}}, {"spec", PodSpec(in, config)}}}};
  if (in.deadline_seconds) spec["activeDeadlineSeconds"] = *in.deadline_seconds;
  return json{{"apiVersion", "batch/v1"},
              {"kind", "Job"},
              {"metadata",
               {{"name", GatherJobName(in.name)},
                {"namespace", in.ns},
                {"labels", Labels(in)},
                {"ownerReferences", json::array({OwnerReference(in)})}}},
              {"spec", std::move(spec)}};
}

bool IsControlledBy(const json& job, std::string_view owner_uid) {
  const json* refs = JsonAt(job, {"metadata", "ownerReferences"});
  if (owner_uid.empty() || refs == nullptr || !refs->is_array()) return false;
  for (const json& ref : *refs) {
    const json* controller = JsonAt(ref, {"controller"});
    const json* uid = JsonAt(ref, {"uid"});
    if (controller != nullptr && *controller == true && uid != nullptr && uid->is_string() &&
        uid->get_ref<const std::string&>() == owner_uid) {
      return true;
    }
  }
  return false;
}

}  // namespace mgw
