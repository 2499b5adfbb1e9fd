#include "mgw/reconcile/trusted_ca.h"

#include "mgw/base/json_access.h"
#include "mgw/base/quote.h"
#include "mgw/reconcile/gather_run.h"
#include "mgw/reconcile/job_template.h"
#include "mgw/rules/k8s_names.h"
#include "mgw/rules/mustgather_api.h"

namespace mgw {
namespace {

using nlohmann::json;

json OwnerOf(const json& mustgather) {
  return {{"apiVersion", std::string(kApiGroupVersion)},
          {"kind", std::string(kMustGatherKind)},
          {"name", JsonStringAt(mustgather, {"metadata", "name"})},
          {"uid", JsonStringAt(mustgather, {"metadata", "uid"})}};
}

bool IsOurs(const json& configmap) {
  return JsonStringAt(configmap, {"metadata", "labels", kLabelManagedBy}) == kManagedByValue;
}

// `refs` with `owner` added unless an entry already has its uid.
json WithOwner(const json* refs, const json& owner) {
  json out = refs != nullptr && refs->is_array() ? *refs : json::array();
  for (const json& ref : out) {
    if (JsonStringAt(ref, {"uid"}) == owner["uid"].get<std::string>()) return out;
  }
  out.push_back(owner);
  return out;
}

json ObjectOr(const json* value) {
  return value != nullptr && value->is_object() ? *value : json::object();
}

}  // namespace

Gvr ConfigMapsGvr() { return Gvr{"", "v1", "configmaps"}; }

StatusOr<TrustedCaSource> ParseTrustedCaSource(std::string_view text) {
  if (text.empty()) return TrustedCaSource{};
  size_t slash = text.find('/');
  TrustedCaSource source;
  if (slash != std::string_view::npos) {
    source.ns = std::string(text.substr(0, slash));
    source.name = std::string(text.substr(slash + 1));
  }
  if (!IsDns1123Label(source.ns) || !IsDns1123Subdomain(source.name)) {
    return InvalidArgumentError("the trusted CA ConfigMap " + QuoteJson(text) +
                                " must be NAMESPACE/NAME, such as "
                                "\"mustgather-webhook/trusted-ca-bundle\"");
  }
  return source;
}

void MountTrustedCa(json& pod_spec, std::string_view configmap) {
  pod_spec["volumes"].push_back(
      {{"name", std::string(kTrustedCaVolumeName)},
       {"configMap", {{"name", std::string(configmap)}, {"optional", true}}}});
  json mount = {{"name", std::string(kTrustedCaVolumeName)},
                {"mountPath", std::string(kTrustedCaMountPath)},
                {"readOnly", true}};
  for (json& container : pod_spec["containers"]) {
    container["volumeMounts"].push_back(mount);
    if (JsonStringAt(container, {"name"}) == kUploadContainerName) {
      container["env"].push_back(
          {{"name", "SSL_CERT_FILE"}, {"value", std::string(kTrustedCaBundleFile)}});
    }
  }
}

std::optional<json> TrustedCaCopy(const json& source, const json* existing,
                                  const json& mustgather) {
  if (existing != nullptr && !IsOurs(*existing)) return std::nullopt;
  json copy = existing != nullptr ? *existing : json::object();
  copy["apiVersion"] = "v1";
  copy["kind"] = "ConfigMap";
  json& meta = copy["metadata"];
  meta["name"] = JsonStringAt(source, {"metadata", "name"});
  meta["namespace"] = JsonStringAt(mustgather, {"metadata", "namespace"});
  json labels = ObjectOr(JsonAt(source, {"metadata", "labels"}));
  labels[std::string(kLabelManagedBy)] = kManagedByValue;
  meta["labels"] = std::move(labels);
  meta["ownerReferences"] =
      WithOwner(JsonAt(copy, {"metadata", "ownerReferences"}), OwnerOf(mustgather));
  copy["data"] = ObjectOr(JsonAt(source, {"data"}));
  if (existing != nullptr && copy == *existing) return std::nullopt;
  return copy;
}

Status SyncTrustedCaCopy(KubeClient& client, const TrustedCaSource& source, const json& mustgather,
                         const LogFn& log) {
  std::string ns = JsonStringAt(mustgather, {"metadata", "namespace"});
  if (!source.Enabled() || ns == source.ns) return Status::Ok();
  json where = {{"configmap", source.ns + "/" + source.name}, {"namespace", ns}};
  StatusOr<json> original = client.Get(ConfigMapsGvr(), source.ns, source.name);
  if (!original.ok() && IsNotFound(original.status())) {
    LogTo(log, spdlog::level::warn, "trusted CA ConfigMap not found; the Job gets none", where);
    return Status::Ok();
  }
  if (!original.ok()) return original.status();
  StatusOr<json> existing = client.Get(ConfigMapsGvr(), ns, source.name);
  if (!existing.ok() && !IsNotFound(existing.status())) return existing.status();
  const json* now = existing.ok() ? &*existing : nullptr;
  std::optional<json> copy = TrustedCaCopy(*original, now, mustgather);
  if (now != nullptr && !IsOurs(*now)) {
    LogTo(log, spdlog::level::warn,
          "a ConfigMap not made by this reconciler has the trusted CA ConfigMap's name; "
          "left as it is",
          where);
  }
  if (!copy) return Status::Ok();
  StatusOr<json> written = now != nullptr ? client.Update(ConfigMapsGvr(), ns, *copy)
                                          : client.Create(ConfigMapsGvr(), ns, *copy);
  if (written.ok()) LogTo(log, spdlog::level::info, "trusted CA ConfigMap copied", where);
  return written.status();
}

}  // namespace mgw
