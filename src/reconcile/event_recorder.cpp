#include "mgw/reconcile/event_recorder.h"

#include <algorithm>
#include <cstdio>
#include <utility>

#include <spdlog/spdlog.h>

#include "mgw/reconcile/conditions.h"

namespace mgw {
namespace {

using nlohmann::json;
using SystemTime = std::chrono::system_clock::time_point;

// Event names are DNS subdomains (253 bytes); reporting fields are capped at 128.
constexpr size_t kMaxNameLength = 253;
constexpr size_t kNameSuffixLength = 17;  // "." and 16 hex digits
constexpr size_t kMaxReportingLength = 128;

std::string MetaString(const json& object, const char* key) {
  if (!object.is_object() || !object.contains("metadata") || !object["metadata"].is_object()) {
    return "";
  }
  auto it = object["metadata"].find(key);
  return it != object["metadata"].end() && it->is_string() ? it->get<std::string>() : "";
}

std::string TopString(const json& object, const char* key) {
  if (!object.is_object()) return "";
  auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : "";
}

// What makes two Events the same occurrence repeated.
std::string AggregationKey(const ObjectRef& object, const Event& event) {
  std::string who =
      object.uid.empty() ? object.kind + "/" + object.ns + "/" + object.name : object.uid;
  return who + '\x1f' + event.type + '\x1f' + event.reason + '\x1f' + event.message;
}

std::string EventNamespace(const ObjectRef& object) {
  return object.ns.empty() ? "default" : object.ns;
}

}  // namespace

ObjectRef ObjectRefOf(const json& object) {
  return {TopString(object, "apiVersion"), TopString(object, "kind"),
          MetaString(object, "namespace"), MetaString(object, "name"),
          MetaString(object, "uid"),       MetaString(object, "resourceVersion")};
}

json BuildEvent(const ObjectRef& object, const Event& event, const std::string& name,
                std::string_view reporting_instance, SystemTime now) {
  json involved = json::object();
  auto put = [&](const char* key, const std::string& value) {
    if (!value.empty()) involved[key] = value;
  };
  put("apiVersion", object.api_version);
  put("kind", object.kind);
  put("namespace", object.ns);
  put("name", object.name);
  put("uid", object.uid);
  put("resourceVersion", object.resource_version);
  std::string instance = TruncateUtf8(reporting_instance, kMaxReportingLength);
  json source = {{"component", std::string(kEventSourceComponent)}};
  if (!instance.empty()) source["host"] = instance;
  std::string stamp = FormatRfc3339(now);
  return {{"apiVersion", "v1"},
          {"kind", "Event"},
          {"metadata", {{"name", name}, {"namespace", EventNamespace(object)}}},
          {"involvedObject", involved},
          {"type", event.type},
          {"reason", event.reason},
          {"message", TruncateUtf8(event.message, kMaxEventMessageLength)},
          {"source", source},
          {"firstTimestamp", stamp},
          {"lastTimestamp", stamp},
          {"count", 1},
          {"reportingComponent", std::string(kEventSourceComponent)},
          {"reportingInstance", instance}};
}

EventRecorder::EventRecorder(KubeClient& client, EventRecorderOptions options)
    : client_(client), options_(std::move(options)) {}

Status EventRecorder::Emit(const ObjectRef& object, const Event& event) {
  Event cut = event;
  cut.message = TruncateUtf8(event.message, kMaxEventMessageLength);
  SystemTime now = WallNow(options_.clock);
  std::string key = AggregationKey(object, cut);
  Seen seen;
  if (Lookup(key, now, seen)) {
    Status bumped = Bump(seen, key, now);
    if (bumped.ok()) return bumped;
    if (!IsNotFound(bumped)) return Fail(bumped, object, cut);
    // The Event expired or was deleted: record the occurrence afresh.
  }
  Status created = Create(object, cut, key, now);
  return created.ok() ? created : Fail(created, object, cut);
}

Status EventRecorder::Create(const ObjectRef& object, const Event& event, const std::string& key,
                             SystemTime now) {
  Status last;
  for (int attempt = 0; attempt < 2; ++attempt) {  // a second name if the first is taken
    std::string name = NextName(object, now);
    json body = BuildEvent(object, event, name, options_.reporting_instance, now);
    StatusOr<json> created = client_.Create(kEventGvr, EventNamespace(object), body);
    if (created.ok()) {
      Remember(key, {EventNamespace(object), name, 1, now});
      return Status::Ok();
    }
    last = created.status();
    if (!IsAlreadyExists(last)) break;
  }
  return last;
}

Status EventRecorder::Bump(const Seen& seen, const std::string& key, SystemTime now) {
  json patch = {{"count", seen.count + 1}, {"lastTimestamp", FormatRfc3339(now)}};
  StatusOr<json> patched =
      client_.Patch(kEventGvr, seen.ns, seen.name, PatchType::kMerge, patch, "");
  if (!patched.ok()) {
    if (IsNotFound(patched.status())) {
      std::lock_guard<std::mutex> lock(mu_);
      if (auto it = index_.find(key); it != index_.end()) {
        lru_.erase(it->second);
        index_.erase(it);
      }
    }
    return patched.status();
  }
  Seen next = seen;
  next.count = patched->is_object() ? patched->value("count", seen.count + 1) : seen.count + 1;
  next.last = now;
  Remember(key, std::move(next));
  return Status::Ok();
}

bool EventRecorder::Lookup(const std::string& key, SystemTime now, Seen& out) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = index_.find(key);
  if (it == index_.end()) return false;
  if (now - it->second->second.last >= kEventAggregationWindow) {
    lru_.erase(it->second);
    index_.erase(it);
    return false;
  }
  lru_.splice(lru_.begin(), lru_, it->second);
  out = it->second->second;
  return true;
}

void EventRecorder::Remember(const std::string& key, Seen seen) {
  std::lock_guard<std::mutex> lock(mu_);
  if (auto it = index_.find(key); it != index_.end()) {
    lru_.erase(it->second);
    index_.erase(it);
  }
  lru_.emplace_front(key, std::move(seen));
  index_[key] = lru_.begin();
  while (lru_.size() > std::max<size_t>(options_.max_remembered, 1)) {
    index_.erase(lru_.back().first);
    lru_.pop_back();
  }
}

std::string EventRecorder::NextName(const ObjectRef& object, SystemTime now) {
  uint64_t sequence = 0;
  {
    std::lock_guard<std::mutex> lock(mu_);
    sequence = sequence_++;
  }
  std::string prefix = object.name.empty() ? "object" : object.name;
  prefix.resize(std::min(prefix.size(), kMaxNameLength - kNameSuffixLength));
  while (!prefix.empty() && (prefix.back() == '-' || prefix.back() == '.')) prefix.pop_back();
  auto nanos = std::chrono::duration_cast<std::chrono::nanoseconds>(now.time_since_epoch());
  char suffix[kNameSuffixLength + 1];
  std::snprintf(suffix, sizeof suffix, ".%016llx",
                static_cast<unsigned long long>(nanos.count()) + sequence);
  return prefix + suffix;
}

Status EventRecorder::Fail(Status status, const ObjectRef& object, const Event& event) const {
  json fields = {{"object", object.ns.empty() ? object.name : object.ns + "/" + object.name},
                 {"kind", object.kind},
                 {"reason", event.reason},
                 {"error", status.ToString()}};
  LogTo(options_.log, spdlog::level::warn, "cannot record event", fields);
  return status;
}

}  // namespace mgw
