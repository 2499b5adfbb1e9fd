// Kubernetes Events (core/v1) about the objects the reconciler handles, best effort:
// a failure is logged and returned, never fatal, and the caller may ignore it. As
// client-go's recorder does, an Event repeated (same object uid, type, reason and
// message) within kEventAggregationWindow is not created again: the existing one's
// count and lastTimestamp are patched. A small LRU map remembers which Event stands for
// which repetition key. EventSink is the seam the controller depends on; tests may
// use a fake of their own. Thread-safe.
#ifndef MGW_RECONCILE_EVENT_RECORDER_H_
#define MGW_RECONCILE_EVENT_RECORDER_H_

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <list>
#include <map>
#include <mutex>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>
#include <spdlog/common.h>

#include "mgw/base/clock.h"
#include "mgw/base/status.h"
#include "mgw/kube/kube_client.h"
#include "mgw/platform/logging.h"
#include "mgw/reconcile/reconcile_plan.h"

namespace mgw {

inline const Gvr kEventGvr{"", "v1", "events"};
inline constexpr std::string_view kEventSourceComponent = "mustgather-reconciler";
inline constexpr std::chrono::minutes kEventAggregationWindow{10};

// The Event's involvedObject (a core/v1 ObjectReference).
struct ObjectRef {
  std::string api_version;
  std::string kind;
  std::string ns;
  std::string name;
  std::string uid;
  std::string resource_version;
};

// The reference to `object` from its apiVersion, kind and metadata; missing fields
// stay empty. Pure.
ObjectRef ObjectRefOf(const nlohmann::json& object);

class EventSink {
 public:
  virtual ~EventSink() = default;
  // Records `event` about `object`. Best effort: a non-OK Status says why it was not
  // recorded and has been logged already; callers need not act on it.
  virtual Status Emit(const ObjectRef& object, const Event& event) = 0;
};

struct EventRecorderOptions {
  std::string reporting_instance;  // e.g. the pod name; also source.host
  size_t max_remembered = 4096;    // LRU entries kept for aggregation
  WallClock clock;                 // the system clock when null
  LogFn log;                       // failures (warn); LogEvent when null
};

// The core/v1 Event to create for the first occurrence of `event` about `object` at
// `now`, named `name`, in the object's namespace ("default" for a cluster-scoped one).
// The message is cut to kMaxEventMessageLength bytes (on a UTF-8 boundary). Pure.
nlohmann::json BuildEvent(const ObjectRef& object, const Event& event, const std::string& name,
                          std::string_view reporting_instance,
                          std::chrono::system_clock::time_point now);

class EventRecorder : public EventSink {
 public:
  // `client` must outlive the recorder.
  EventRecorder(KubeClient& client, EventRecorderOptions options);

  // Creates the Event, or patches count/lastTimestamp of the one recorded for the same
  // (uid, type, reason, message) less than kEventAggregationWindow ago; when that one
  // is gone (NotFound), creates a new one. Errors are the client's, logged.
  Status Emit(const ObjectRef& object, const Event& event) override;

 private:
  struct Seen {
    std::string ns;
    std::string name;  // the Event's name
    int64_t count = 0;
    std::chrono::system_clock::time_point last;
  };
  using Lru = std::list<std::pair<std::string, Seen>>;  // most recent first

  Status Create(const ObjectRef& object, const Event& event, const std::string& key,
                std::chrono::system_clock::time_point now);
  Status Bump(const Seen& seen, const std::string& key, std::chrono::system_clock::time_point now);
  bool Lookup(const std::string& key, std::chrono::system_clock::time_point now, Seen& out);
  void Remember(const std::string& key, Seen seen);
  std::string NextName(const ObjectRef& object, std::chrono::system_clock::time_point now);
  Status Fail(Status status, const ObjectRef& object, const Event& event) const;

  KubeClient& client_;
  const EventRecorderOptions options_;
  std::mutex mu_;
  Lru lru_;
  std::map<std::string, Lru::iterator> index_;
  uint64_t sequence_ = 0;  // keeps names unique within one nanosecond
};

}  // namespace mgw

#endif  // MGW_RECONCILE_EVENT_RECORDER_H_
