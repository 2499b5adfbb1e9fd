// The Kubernetes REST API as the webhook and the reconciler use it, generic over a
// group/version/resource and JSON objects. KubeClient is the I/O seam (HttpKubeClient
// speaks HTTPS; tests use the in-process fake API server or fakes of their own). The
// free functions are pure: request paths, error mapping, watch-stream framing and
// backoff. Errors are Status values; the Is* predicates classify them.
#ifndef MGW_KUBE_KUBE_CLIENT_H_
#define MGW_KUBE_KUBE_CLIENT_H_

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <stop_token>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "mgw/base/status.h"

namespace mgw {

// A resource type: group ("" for the core group), version and plural resource name.
struct Gvr {
  std::string group;
  std::string version;
  std::string resource;
};

// "/api/v1/namespaces/ns/pods/name/status", "/apis/g/v/things/name": empty namespace
// means cluster-scoped (or every namespace, for a list); empty name, a collection.
// Each segment is percent-encoded.
std::string ResourcePath(const Gvr& gvr, std::string_view ns, std::string_view name = "",
                         std::string_view subresource = "");

struct ListOptions {
  std::string ns;  // empty: cluster-scoped, or all namespaces
  std::string label_selector;
  std::string field_selector;  // e.g. "metadata.name=cluster"
  int64_t limit = 0;           // page size; 0 asks for everything at once
  std::string continue_token;  // from the previous page's metadata.continue
  std::string resource_version;
};

struct WatchOptions {
  std::string ns;
  std::string label_selector;
  std::string field_selector;
  std::string resource_version;  // events after this version; "" starts from now
  bool allow_bookmarks = true;
  std::chrono::seconds timeout{0};  // the server ends the stream after this; 0 = its default
};

// The path and query string of a list or watch request (base path not included).
std::string ListTarget(const Gvr& gvr, const ListOptions& options);
std::string WatchTarget(const Gvr& gvr, const WatchOptions& options);

// One event of a watch stream. ERROR events never reach callers: they end the
// watch with the Status they carry.
struct WatchEvent {
  enum class Type { kAdded, kModified, kDeleted, kBookmark };
  Type type = Type::kAdded;
  nlohmann::json object;
};

// Where a watch delivers. `opened` (optional) runs once the server accepted the
// watch; `event` returns false to end the watch early.
struct WatchSink {
  std::function<void()> opened;
  std::function<bool(const WatchEvent&)> event;
};

enum class PatchType {
  kMerge,  // RFC 7386, application/merge-patch+json
  kJson,   // RFC 6902, application/json-patch+json
};

// The media type of a patch request body.
std::string_view PatchContentType(PatchType type);

struct DeleteOptions {
  std::string propagation_policy;  // "", "Foreground", "Background" or "Orphan"
  std::optional<int64_t> grace_period_seconds;
  std::string precondition_resource_version;  // delete only this version, else 409
  std::string precondition_uid;
};

// The DeleteOptions body to send; null when `options` asks for nothing.
nlohmann::json DeleteOptionsBody(const DeleteOptions& options);

// What an API error response said: the HTTP status, and the reason and message of
// the metav1.Status body when there was one.
struct ApiError {
  int http_status = 0;
  std::string reason;   // e.g. "NotFound", "Conflict", "AlreadyExists", "Expired"
  std::string message;  // the server's words, or a summary of a non-Status body
  std::optional<std::chrono::seconds> retry_after;
};

// Reads an error response: `body` is usually a metav1.Status (whose code wins over a
// missing reason), but may be anything; `retry_after` is the header's value (seconds).
ApiError ParseApiError(int http_status, std::string_view body, std::string_view retry_after);

// The Status for an API error: 400 INVALID_ARGUMENT, 401 UNAUTHENTICATED, 403
// PERMISSION_DENIED, 404 NOT_FOUND, 409 ABORTED (conflict) or ALREADY_EXISTS (reason
// AlreadyExists), 410 OUT_OF_RANGE, 422 INVALID_ARGUMENT, 429 and 5xx UNAVAILABLE
// (504 DEADLINE_EXCEEDED); any other code INTERNAL. The message reads
// "<reason> (HTTP <code>): <message>" plus "; retry after Ns" when given.
Status ApiErrorToStatus(const ApiError& error);

// The Status a metav1.Status object stands for (e.g. a watch ERROR event).
Status StatusFromStatusObject(const nlohmann::json& object);

bool IsNotFound(const Status& s);       // 404
bool IsConflict(const Status& s);       // 409 Conflict: stale resourceVersion; re-read, retry
bool IsAlreadyExists(const Status& s);  // 409 AlreadyExists on create
bool IsExpired(const Status& s);        // 410 Gone/Expired: relist
bool IsInvalid(const Status& s);        // 400 or 422: the request itself is wrong
bool IsTransient(const Status& s);      // 429, 5xx or no answer: retrying may help

// Splits a watch response body into lines as chunks arrive. Not thread-safe.
class WatchLineSplitter {
 public:
  explicit WatchLineSplitter(size_t max_line = size_t{16} << 20) : max_line_(max_line) {}
  // Appends `chunk`; returns the lines it completed (without '\n', blank ones
  // dropped). RESOURCE_EXHAUSTED once an unfinished line passes max_line.
  StatusOr<std::vector<std::string>> Append(std::string_view chunk);

 private:
  size_t max_line_;
  std::string pending_;
};

// Parses one line of a watch stream ({"type":...,"object":{...}}). An ERROR event
// yields StatusFromStatusObject of its object; a malformed line or unknown type,
// INTERNAL.
StatusOr<WatchEvent> ParseWatchEvent(std::string_view line);

// Capped exponential backoff with jitter.
struct BackoffPolicy {
  std::chrono::milliseconds base{200};
  std::chrono::milliseconds cap{std::chrono::seconds(30)};
};

// Delay before retry number `attempt` (0-based): d = min(cap, base * 2^attempt),
// then d/2 + random01 * d/2, so concurrent clients spread out.
std::chrono::milliseconds BackoffDelay(const BackoffPolicy& policy, int attempt, double random01);

// The API verbs. Implementations are thread-safe. Namespaces are "" for
// cluster-scoped resources. Objects and results are JSON as the server sends them.
class KubeClient {
 public:
  virtual ~KubeClient() = default;

  virtual StatusOr<nlohmann::json> Get(const Gvr& gvr, const std::string& ns,
                                       const std::string& name) = 0;
  // One page: a list object with items and metadata.resourceVersion/continue.
  virtual StatusOr<nlohmann::json> List(const Gvr& gvr, const ListOptions& options) = 0;
  // Streams one watch until the server ends it (OK), the sink returns false (OK),
  // `stop` is requested (OK, promptly), the stream breaks (UNAVAILABLE) or the server
  // reports an error (its Status; IsExpired means relist). Reconnecting is the
  // caller's job (see Informer).
  virtual Status Watch(const Gvr& gvr, const WatchOptions& options, const WatchSink& sink,
                       std::stop_token stop) = 0;
  // The created object. ALREADY_EXISTS when the name is taken.
  virtual StatusOr<nlohmann::json> Create(const Gvr& gvr, const std::string& ns,
                                          const nlohmann::json& object) = 0;
  // Replaces the object named in object.metadata.name; ABORTED (IsConflict) when its
  // metadata.resourceVersion is stale. The server ignores status changes here.
  virtual StatusOr<nlohmann::json> Update(const Gvr& gvr, const std::string& ns,
                                          const nlohmann::json& object) = 0;
  // As Update, on the status subresource: only status changes are kept.
  virtual StatusOr<nlohmann::json> UpdateStatus(const Gvr& gvr, const std::string& ns,
                                                const nlohmann::json& object) = 0;
  // Patches `name` (or its `subresource`, e.g. "status", when non-empty).
  virtual StatusOr<nlohmann::json> Patch(const Gvr& gvr, const std::string& ns,
                                         const std::string& name, PatchType type,
                                         const nlohmann::json& patch,
                                         const std::string& subresource) = 0;
  // Deletes `name`; returns what the server returned (the object, or a Status).
  virtual StatusOr<nlohmann::json> Delete(const Gvr& gvr, const std::string& ns,
                                          const std::string& name,
                                          const DeleteOptions& options) = 0;
};

// Every item of a (possibly paged) list, and the resourceVersion to watch from.
struct ObjectList {
  std::vector<nlohmann::json> items;
  std::string resource_version;
};

// Lists page by page (options.limit per page; 0 for one request). When a continue
// token expires mid-way (IsExpired), starts over once with a single unpaged request,
// as client-go's pager does. Errors are the client's.
StatusOr<ObjectList> ListAll(KubeClient& client, const Gvr& gvr, ListOptions options);

}  // namespace mgw

#endif  // MGW_KUBE_KUBE_CLIENT_H_
