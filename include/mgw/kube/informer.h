// A local, continuously updated copy of one resource type (or one object, through a
// field selector), kept by listing and then watching, as client-go's informers do.
// A background thread lists, watches from the list's resourceVersion, re-watches
// from the last version seen when a stream ends or breaks, relists on 410 Gone
// (telling subscribers about objects deleted meanwhile), and backs off, capped and
// jittered, while the API server is unreachable; the last copy is kept throughout.
// Reads never touch the network. Thread-safe.
#ifndef MGW_KUBE_INFORMER_H_
#define MGW_KUBE_INFORMER_H_

#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>
#include <spdlog/common.h>

#include "mgw/base/clock.h"
#include "mgw/kube/kube_client.h"
#include "mgw/platform/logging.h"

namespace mgw {

struct InformerOptions {
  Gvr gvr;
  std::string ns;              // "" for cluster-scoped resources or every namespace
  std::string field_selector;  // e.g. "metadata.name=cluster" for one object
  std::string label_selector;
  int64_t page_size = 500;
  BackoffPolicy backoff{std::chrono::milliseconds(500), std::chrono::seconds(30)};
  // Each watch asks the server to end it after a random time in [t, 2t), so a fleet
  // of replicas does not reconnect in step.
  std::chrono::seconds watch_timeout{300};
  // Applied to every object before it is stored, e.g. to drop fields nobody reads.
  std::function<nlohmann::json(nlohmann::json)> transform;
  WallClock clock;                 // the system clock when null
  std::function<double()> random;  // uniform in [0, 1); a seeded PRNG when null
  LogFn log;                       // connection changes and relists; LogEvent when null
  std::string name;                // names this informer in logs, e.g. "mustgatherimages"
};

// Called on the informer's thread, in event order, without locks held; a handler
// may read the informer. The objects are the stored (transformed) versions.
struct InformerHandler {
  std::function<void(const nlohmann::json& object)> on_add;
  std::function<void(const nlohmann::json& old_object, const nlohmann::json& object)> on_update;
  std::function<void(const nlohmann::json& last_known)> on_delete;
};

struct InformerHealth {
  bool synced = false;    // a full list has been stored (stays true from then on)
  bool watching = false;  // a watch stream is open right now
  std::optional<std::chrono::system_clock::time_point> last_sync;     // last full list
  std::optional<std::chrono::system_clock::time_point> last_contact;  // last answer or event
  std::string last_error;        // why the last attempt failed; "" after a success
  int64_t lists = 0;             // full lists stored, the first one included
  std::string resource_version;  // where the next watch resumes
};

class Informer {
 public:
  // `client` must outlive the informer.
  Informer(KubeClient& client, InformerOptions options);
  ~Informer();  // Stop()
  Informer(const Informer&) = delete;
  Informer& operator=(const Informer&) = delete;

  // REQUIRES: before Start().
  void AddHandler(InformerHandler handler);

  // Starts the background thread. REQUIRES: called at most once.
  void Start();

  // Ends the thread, closing an open watch; returns promptly. Idempotent.
  void Stop();

  bool HasSynced() const;
  // Waits up to `timeout` for the first sync; returns HasSynced().
  bool WaitForSync(std::chrono::milliseconds timeout) const;

  // The stored object, or null. `ns` is "" for cluster-scoped objects.
  std::shared_ptr<const nlohmann::json> Get(std::string_view ns, std::string_view name) const;
  // Every stored object, ordered by namespace then name.
  std::vector<std::shared_ptr<const nlohmann::json>> List() const;

  InformerHealth Health() const;

 private:
  using Object = std::shared_ptr<const nlohmann::json>;
  struct Change;

  void Run(std::stop_token stop);
  Status ListAndReplace();
  // Installs a full list and returns what changed relative to the old contents.
  std::vector<Change> Replace(std::map<std::string, Object> next,
                              const std::string& resource_version);
  Status WatchOnce(std::stop_token stop);
  void ApplyEvent(const WatchEvent& event);
  void Dispatch(const std::vector<Change>& changes);
  void RecordFailure(const Status& status);
  void RecordContact(bool watching);
  void WaitBackoff(std::stop_token stop, int attempt);
  double Random();
  std::chrono::system_clock::time_point Now() const;
  void Log(spdlog::level::level_enum level, std::string_view msg, nlohmann::json fields) const;

  KubeClient& client_;
  const InformerOptions options_;
  std::vector<InformerHandler> handlers_;
  std::jthread thread_;

  std::mutex wait_mu_;  // for interruptible backoff waits only
  std::condition_variable_any wait_cv_;
  bool progressed_ = false;  // the current watch delivered an event (informer thread only)

  mutable std::mutex mu_;
  mutable std::condition_variable synced_cv_;
  std::map<std::string, Object> items_;  // key: "namespace/name" or "name"
  InformerHealth health_;                // health_.resource_version is where the next watch resumes
  std::optional<std::chrono::system_clock::time_point> last_failure_log_;
  std::string last_logged_error_;
  std::mt19937_64 prng_{std::random_device{}()};
};

// The key Informer stores `object` under: "namespace/name", or "name" without a
// namespace.
std::string ObjectKey(const nlohmann::json& object);

}  // namespace mgw

#endif  // MGW_KUBE_INFORMER_H_
