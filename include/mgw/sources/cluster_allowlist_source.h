// The allowlist `serve` uses in a cluster: the MustGatherImage named "cluster"
// (operator.openshift.io/v1alpha1, cluster-scoped), followed by an Informer that
// watches just that object. Admission decisions read the cached snapshot, never the
// network. Absent object: not configured; present: its spec.images; deleted: not
// configured again; API server unreachable after the first sync: the last known
// list stays, the informer logs it, and Age() tells how stale it may be.
// Thread-safe.
#ifndef MGW_SOURCES_CLUSTER_ALLOWLIST_SOURCE_H_
#define MGW_SOURCES_CLUSTER_ALLOWLIST_SOURCE_H_

#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "mgw/base/clock.h"
#include "mgw/kube/informer.h"
#include "mgw/kube/kube_client.h"
#include "mgw/rules/allowlist.h"

namespace mgw {

// operator.openshift.io/v1alpha1 mustgatherimages.
Gvr MustGatherImagesGvr();

class ClusterAllowlistSource : public AllowlistSource {
 public:
  // `options` tunes the informer (backoff, clock, log); its gvr, namespace and field
  // selector are set here. `client` must outlive the source. Call Start() to begin.
  explicit ClusterAllowlistSource(KubeClient& client, InformerOptions options = {});
  ~ClusterAllowlistSource() override;

  void Start() { informer_.Start(); }
  void Stop() { informer_.Stop(); }

  // Not configured until the first sync (readiness keeps requests away until then).
  std::shared_ptr<const Allowlist> Current() const override;

  // "" once the first list has completed, with or without an object; otherwise why
  // not, for /readyz.
  std::string NotReadyReason() const;

  // How stale the snapshot may be: zero while the watch is open, else the time since
  // the API server last answered; nullopt before the first sync.
  std::optional<std::chrono::seconds> Age() const;
  // Now minus Age(): what the allowlist-age metric reports as staleness.
  std::optional<std::chrono::system_clock::time_point> LastUpdated() const override;

  const Informer& informer() const { return informer_; }

 private:
  void Install(const nlohmann::json& object);
  void Uninstall();

  Informer informer_;
  MutableAllowlistSource current_;
  LogFn log_;
  WallClock clock_;
};

}  // namespace mgw

#endif  // MGW_SOURCES_CLUSTER_ALLOWLIST_SOURCE_H_
