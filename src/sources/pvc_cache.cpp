#include "mgw/sources/pvc_cache.h"

namespace mgw {
namespace {

using nlohmann::json;

// Copies root[a][b] into out[a][b] when present.
void Keep(const json& root, const char* a, const char* b, json& out) {
  auto outer = root.find(a);
  if (outer == root.end() || !outer->is_object()) return;
  auto inner = outer->find(b);
  if (inner != outer->end()) out[a][b] = *inner;
}

InformerOptions ForPvcs(InformerOptions options) {
  options.gvr = PersistentVolumeClaimsGvr();
  options.ns.clear();
  options.transform = TrimPvc;
  if (options.name.empty()) options.name = "persistentvolumeclaims";
  return options;
}

}  // namespace

Gvr PersistentVolumeClaimsGvr() { return Gvr{"", "v1", "persistentvolumeclaims"}; }

json TrimPvc(json pvc) {
  if (!pvc.is_object()) return json::object();
  json out = json::object();
  for (const char* key : {"name", "namespace", "resourceVersion", "deletionTimestamp"}) {
    Keep(pvc, "metadata", key, out);
  }
  Keep(pvc, "spec", "accessModes", out);
  Keep(pvc, "status", "phase", out);
  Keep(pvc, "status", "accessModes", out);
  return out;
}

PvcCache::PvcCache(KubeClient& client, InformerOptions options)
    : informer_(client, ForPvcs(std::move(options))) {}

StatusOr<std::shared_ptr<const json>> PvcCache::Find(const std::string& ns,
                                                     const std::string& name) const {
  if (!informer_.HasSynced()) {
    return UnavailableError("the PersistentVolumeClaim cache has not synced yet");
  }
  std::shared_ptr<const json> pvc = informer_.Get(ns, name);
  if (pvc == nullptr) return NotFoundError("no PersistentVolumeClaim " + ns + "/" + name);
  return pvc;
}

}  // namespace mgw
