// The PvcLookup the webhook uses: an Informer over PersistentVolumeClaims in every
// namespace, keeping only the fields the warnings read, so a lookup is a map probe
// under a lock and never an API call. Thread-safe.
#ifndef MGW_SOURCES_PVC_CACHE_H_
#define MGW_SOURCES_PVC_CACHE_H_

#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "mgw/admission/admission_handler.h"
#include "mgw/kube/informer.h"
#include "mgw/kube/kube_client.h"

namespace mgw {

// core/v1 persistentvolumeclaims.
Gvr PersistentVolumeClaimsGvr();

// The subset of a PVC that PvcWarnings reads: metadata name, namespace,
// resourceVersion and deletionTimestamp; spec.accessModes; status phase and
// accessModes. Memory stays small in clusters with many claims.
nlohmann::json TrimPvc(nlohmann::json pvc);

class PvcCache : public PvcLookup {
 public:
  // `options` tunes the informer (backoff, clock, log); its gvr, namespace and
  // transform are set here. `client` must outlive the cache.
  PvcCache(KubeClient& client, InformerOptions options = {});

  void Start() { informer_.Start(); }
  void Stop() { informer_.Stop(); }

  // UNAVAILABLE until the first list has completed; then the cached claim, or
  // NOT_FOUND.
  StatusOr<std::shared_ptr<const nlohmann::json>> Find(const std::string& ns,
                                                       const std::string& name) const override;

  const Informer& informer() const { return informer_; }

 private:
  Informer informer_;
};

}  // namespace mgw

#endif  // MGW_SOURCES_PVC_CACHE_H_
