// Shared by the reconciler's tests and benchmark: objects as a cluster would hold them,
// a client and cache options tuned for the in-process fake API server, a recording
// EventSink, and a deadline-bounded wait.
#ifndef MGW_TEST_RECONCILE_FIXTURES_H_
#define MGW_TEST_RECONCILE_FIXTURES_H_

#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "mgw/kube/http_kube_client.h"
#include "mgw/kube/informer.h"
#include "mgw/reconcile/event_recorder.h"
#include "support/fake_apiserver.h"
#include "support/wait_until.h"

namespace mgw::testing {

inline constexpr char kTestNamespace[] = "team-a";
inline constexpr char kCustomImage[] = "registry.example.com/team-a/debug:v1";

struct MustGatherSpec {
  // (The `{}` initializers let designated initializers leave members out under -Wextra.)
  std::string claim{"mg-artifacts"};
  std::string sub_path{};  // none when empty
  std::string image{};     // spec.mustGatherImage; none when empty
  std::string timeout{};   // spec.mustGatherTimeout; none when empty
  bool retain{};           // spec.retainResourcesOnCompletion
};

// A MustGather in kTestNamespace (as the mutating webhook leaves it: storage.type set).
nlohmann::json MustGatherObject(const std::string& name, const MustGatherSpec& spec = {});
// A PersistentVolumeClaim in kTestNamespace; `phase` empty means no status yet.
nlohmann::json PvcObject(const std::string& name, const std::string& phase,
                         const std::string& storage_class = "");
// The MustGatherImage "cluster" listing `images`.
nlohmann::json AllowlistObject(const std::vector<std::string>& images);
// `job` with the status kube-controller-manager writes when it ends: a True condition
// "Complete" (reason empty) or "Failed" with `reason`, and the pod counts.
nlohmann::json FinishedJob(nlohmann::json job, bool succeeded, const std::string& reason = "");

// A client of `server` that retries fast.
std::unique_ptr<HttpKubeClient> ClientFor(const FakeApiServer& server);
// Cache options that reconnect fast.
InformerOptions FastInformerOptions();

// An informer over `gvr` (FastInformerOptions, `transform`, `labels` as label selector)
// filled once from `client` and then stopped: a cache frozen as the store is now.
std::unique_ptr<Informer> FrozenInformer(KubeClient& client, Gvr gvr,
                                         std::function<nlohmann::json(nlohmann::json)> transform,
                                         std::string labels = "");

// The Events emitted, in order. Thread-safe.
class RecordingEventSink : public EventSink {
 public:
  struct Record {
    ObjectRef object;
    Event event;
  };
  Status Emit(const ObjectRef& object, const Event& event) override;
  std::vector<Record> records() const;
  // The reasons of the Events about `name`, in order.
  std::vector<std::string> Reasons(const std::string& name) const;

 private:
  mutable std::mutex mu_;
  std::vector<Record> records_;
};

}  // namespace mgw::testing

#endif  // MGW_TEST_RECONCILE_FIXTURES_H_
