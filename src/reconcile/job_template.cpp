#include "mgw/reconcile/job_template.h"

#include <chrono>
#include <cstdint>
#include <optional>
#include <set>

#include "mgw/base/go_duration.h"
#include "mgw/base/json_access.h"
#include "mgw/base/quote.h"
#include "mgw/reconcile/trusted_ca.h"
#include "mgw/rules/k8s_names.h"

namespace mgw {
namespace {

using nlohmann::json;

constexpr size_t kJobNameMaxLength = kDns1123LabelMaxLength;  // the job-name pod label's cap
constexpr size_t kHashDigits = 10;
constexpr size_t kShortenedPrefixLength = kJobNameMaxLength - 1 - kHashDigits;

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
  bool audit = false;
  bool upload = false;
  std::string run_path;  // RunPath(sub_path, run directory)
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
  in.audit = GathersAuditLogs(mg);
  in.upload = UploadsToSftp(mg);
  if (in.upload && config.self_image.empty()) {
    return FailedPreconditionError(
        "spec.uploadTarget: the reconciler does not know its own image, which runs the upload; "
        "a cluster admin must set --self-image (MGW_SELF_IMAGE) on the reconciler");
  }
  return Status::Ok();
}

Status ReadRun(const RunSettings& run, Inputs& in) {
  if (run.run_directory.empty() || run.run_directory.find('/') != std::string::npos) {
    return InvalidArgumentError("run directory: " + QuoteJson(run.run_directory) +
                                " must be one non-empty path element");
  }
  in.run_path = RunPath(in.sub_path, run.run_directory);
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
  if (in.images.size() == 1) return in.run_path;
  return in.run_path + "/" + ContainerName(index);
}

json SecurityContext() {
  return {{"allowPrivilegeEscalation", false}, {"capabilities", {{"drop", {"ALL"}}}}};
}

json Container(const Inputs& in, const JobConfig& config, const RunSettings& run, size_t index) {
  json mounts = json::array({{{"name", std::string(kOutputVolumeName)},
                              {"mountPath", std::string(kOutputMountPath)},
                              {"subPath", MountSubPath(in, index)}}});
  std::string exit_file;
  if (in.upload) {
    exit_file = std::string(kExitCodeDir) + "/" + ContainerName(index);
    mounts.push_back(
        {{"name", std::string(kExitCodeVolumeName)}, {"mountPath", std::string(kExitCodeDir)}});
  }
  std::optional<int64_t> timeout = in.upload ? in.deadline_seconds : std::nullopt;
  json c = {{"name", ContainerName(index)},
            {"image", in.images[index]},
            {"command",
             {"/bin/bash", "-c",
              GatherScript(in.audit ? kAuditGatherCommand : kGatherCommand, timeout, exit_file)}},
            {"volumeMounts", std::move(mounts)},
            {"resources",
             {{"requests", {{"cpu", config.cpu_request}, {"memory", config.memory_request}}}}},
            {"securityContext", SecurityContext()},
            {"terminationMessagePolicy", "FallbackToLogsOnError"}};
  if (json env = ProxyEnv(run.proxy); !env.empty()) c["env"] = std::move(env);
  return c;
}

// Upstream's placement: prefer infra nodes, and tolerate their taint.
void PlaceOnInfraNodes(json& pod) {
  json exists = {{"key", std::string(kInfraNodeLabel)}, {"operator", "Exists"}};
  pod["affinity"] = {
      {"nodeAffinity",
       {{"preferredDuringSchedulingIgnoredDuringExecution",
         {{{"weight", 1}, {"preference", {{"matchExpressions", json::array({exists})}}}}}}}}};
  json toleration = exists;
  toleration["effect"] = "NoSchedule";
  pod["tolerations"] = json::array({std::move(toleration)});
}

json PodSpec(const json& mg, const Inputs& in, const JobConfig& config, const RunSettings& run) {
  json containers = json::array();
  std::vector<std::string> names;
  for (size_t i = 0; i < in.images.size(); ++i) {
    containers.push_back(Container(in, config, run, i));
    names.push_back(ContainerName(i));
  }
  json volumes = json::array({{{"name", std::string(kOutputVolumeName)},
                               {"persistentVolumeClaim", {{"claimName", in.claim}}}}});
  if (in.upload) {
    UploadStep step{config.self_image, run.run_directory, in.run_path, names, run.proxy};
    containers.push_back(UploadContainer(mg, step));
    for (json& v : UploadVolumes(mg)) volumes.push_back(std::move(v));
  }
  json pod = {{"restartPolicy", "Never"},
              {"serviceAccountName", in.service_account},
              {"securityContext", {{"seccompProfile", {{"type", "RuntimeDefault"}}}}},
              {"containers", std::move(containers)},
              {"volumes", std::move(volumes)}};
  // The upload step tells a gather container killed outright (no exit-code file) by its
  // process being gone, which needs the pod's one PID namespace.
  if (in.upload) pod["shareProcessNamespace"] = true;
  PlaceOnInfraNodes(pod);
  if (!config.trusted_ca_configmap.empty()) MountTrustedCa(pod, config.trusted_ca_configmap);
  return pod;
}

json Annotations(const json& mg, const Inputs& in, const RunSettings& run) {
  json notes = {{std::string(kOutputPathAnnotation), in.run_path}};
  if (in.upload) {
    notes[std::string(kUploadFileAnnotation)] =
        UploadFileName(JsonStringAtField(mg, kCaseIdField), run.run_directory);
  }
  return notes;
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

StatusOr<json> RenderGatherJob(const json& mustgather, const JobConfig& config,
                               const RunSettings& run) {
  if (config.backoff_limit < 0) return InvalidArgumentError("backoffLimit: must not be negative");
  Inputs in;
  MGW_RETURN_IF_ERROR(ReadMetadata(mustgather, in));
  MGW_RETURN_IF_ERROR(ReadSpec(mustgather, config, in));
  MGW_RETURN_IF_ERROR(ReadRun(run, in));
  json spec = {
      {"backoffLimit", config.backoff_limit},
      {"template",
       {{"metadata", {{"labels", Labels(in)}}}, {"spec", PodSpec(mustgather, in, config, run)}}}};
  if (in.upload) {
    spec["podFailurePolicy"] = UploadPodFailurePolicy();
  } else if (in.deadline_seconds) {
    spec["activeDeadlineSeconds"] = *in.deadline_seconds;
  }
  return json{{"apiVersion", "batch/v1"},
              {"kind", "Job"},
              {"metadata",
               {{"name", GatherJobName(in.name)},
                {"namespace", in.ns},
                {"labels", Labels(in)},
                {"annotations", Annotations(mustgather, in, run)},
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
