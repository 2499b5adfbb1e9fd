#include "mgw/kube/kube_client.h"

#include <algorithm>
#include <cctype>
#include <cmath>

#include "mgw/base/json_access.h"
#include "mgw/base/number.h"

namespace mgw {
namespace {

using nlohmann::json;

constexpr size_t kMaxQuotedBody = 200;

std::string PercentEncode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

// Appends "&key=value" (or "?key=value" first) when value is non-empty.
void AddParam(std::string& target, std::string_view key, std::string_view value) {
  if (value.empty()) return;
  target += target.find('?') == std::string::npos ? '?' : '&';
  target += std::string(key) + "=" + PercentEncode(value);
}

std::string DefaultReason(int http_status) {
  switch (http_status) {
    case 400:
      return "BadRequest";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "NotFound";
    case 405:
      return "MethodNotAllowed";
    case 409:
      return "Conflict";
    case 410:
      return "Expired";
    case 415:
      return "UnsupportedMediaType";
    case 422:
      return "Invalid";
    case 429:
      return "TooManyRequests";
    case 500:
      return "InternalError";
    case 503:
      return "ServiceUnavailable";
    case 504:
      return "Timeout";
    default:
      return "HTTP" + std::to_string(http_status);
  }
}

StatusCode CodeFor(int http_status, std::string_view reason) {
  if (http_status == 409) {
    return reason == "AlreadyExists" ? StatusCode::kAlreadyExists : StatusCode::kAborted;
  }
  if (http_status == 504) return StatusCode::kDeadlineExceeded;
  if (http_status == 429 || http_status >= 500) return StatusCode::kUnavailable;
  switch (http_status) {
    case 400:
    case 422:
      return StatusCode::kInvalidArgument;
    case 401:
      return StatusCode::kUnauthenticated;
    case 403:
      return StatusCode::kPermissionDenied;
    case 404:
      return StatusCode::kNotFound;
    case 410:
      return StatusCode::kOutOfRange;
    default:
      return StatusCode::kInternal;
  }
}

std::optional<std::chrono::seconds> ParseRetryAfter(std::string_view text) {
  // The HTTP-date form is not used by kube-apiserver.
  std::optional<int64_t> seconds = ParseDecimal(text, 0, 999999);
  if (!seconds) return std::nullopt;
  return std::chrono::seconds(*seconds);
}

}  // namespace

std::string ResourcePath(const Gvr& gvr, std::string_view ns, std::string_view name,
                         std::string_view subresource) {
  std::string path = gvr.group.empty()
                         ? "/api/" + PercentEncode(gvr.version)
                         : "/apis/" + PercentEncode(gvr.group) + "/" + PercentEncode(gvr.version);
  if (!ns.empty()) path += "/namespaces/" + PercentEncode(ns);
  path += "/" + PercentEncode(gvr.resource);
  if (!name.empty()) path += "/" + PercentEncode(name);
  if (!name.empty() && !subresource.empty()) path += "/" + PercentEncode(subresource);
  return path;
}

std::string ListTarget(const Gvr& gvr, const ListOptions& options) {
  std::string target = ResourcePath(gvr, options.ns);
  AddParam(target, "labelSelector", options.label_selector);
  AddParam(target, "fieldSelector", options.field_selector);
  if (options.limit > 0) AddParam(target, "limit", std::to_string(options.limit));
  AddParam(target, "continue", options.continue_token);
  AddParam(target, "resourceVersion", options.resource_version);
  return target;
}

std::string WatchTarget(const Gvr& gvr, const WatchOptions& options) {
  std::string target = ResourcePath(gvr, options.ns);
  AddParam(target, "watch", "1");
  AddParam(target, "labelSelector", options.label_selector);
  AddParam(target, "fieldSelector", options.field_selector);
  AddParam(target, "resourceVersion", options.resource_version);
  if (options.allow_bookmarks) AddParam(target, "allowWatchBookmarks", "true");
  if (options.timeout.count() > 0) {
    AddParam(target, "timeoutSeconds", std::to_string(options.timeout.count()));
  }
  return target;
}

std::string_view PatchContentType(PatchType type) {
  return type == PatchType::kJson ? "application/json-patch+json" : "application/merge-patch+json";
}

json DeleteOptionsBody(const DeleteOptions& options) {
  json body = json::object();
  if (!options.propagation_policy.empty()) body["propagationPolicy"] = options.propagation_policy;
  if (options.grace_period_seconds) body["gracePeriodSeconds"] = *options.grace_period_seconds;
  if (!options.precondition_resource_version.empty()) {
    body["preconditions"]["resourceVersion"] = options.precondition_resource_version;
  }
  if (!options.precondition_uid.empty()) body["preconditions"]["uid"] = options.precondition_uid;
  if (body.empty()) return json();
  body["apiVersion"] = "v1";
  body["kind"] = "DeleteOptions";
  return body;
}

ApiError ParseApiError(int http_status, std::string_view body, std::string_view retry_after) {
  ApiError error;
  error.http_status = http_status;
  error.retry_after = ParseRetryAfter(retry_after);
  json parsed = json::parse(body, nullptr, false);
  if (parsed.is_object() && JsonStringAt(parsed, {"kind"}) == "Status") {
    error.reason = JsonStringAt(parsed, {"reason"});
    error.message = JsonStringAt(parsed, {"message"});
  } else if (!body.empty()) {
    error.message = std::string(body.substr(0, kMaxQuotedBody));
    while (!error.message.empty() && std::isspace(static_cast<unsigned char>(error.message.back())))
      error.message.pop_back();
  }
  if (error.reason.empty()) error.reason = DefaultReason(http_status);
  if (error.message.empty()) error.message = "no message";
  return error;
}

Status ApiErrorToStatus(const ApiError& error) {
  std::string message =
      error.reason + " (HTTP " + std::to_string(error.http_status) + "): " + error.message;
  if (error.retry_after) {
    message += "; retry after " + std::to_string(error.retry_after->count()) + "s";
  }
  return Status(CodeFor(error.http_status, error.reason), std::move(message));
}

Status StatusFromStatusObject(const json& object) {
  ApiError error;
  auto code = object.is_object() ? object.find("code") : object.end();
  error.http_status = code != object.end() && code->is_number_integer() ? code->get<int>() : 500;
  error.reason = object.is_object() ? JsonStringAt(object, {"reason"}) : "";
  error.message = object.is_object() ? JsonStringAt(object, {"message"}) : "";
  if (error.reason.empty()) error.reason = DefaultReason(error.http_status);
  if (error.message.empty()) error.message = "no message";
  return ApiErrorToStatus(error);
}

bool IsNotFound(const Status& s) { return s.code() == StatusCode::kNotFound; }
bool IsConflict(const Status& s) { return s.code() == StatusCode::kAborted; }
bool IsAlreadyExists(const Status& s) { return s.code() == StatusCode::kAlreadyExists; }
bool IsExpired(const Status& s) { return s.code() == StatusCode::kOutOfRange; }
bool IsInvalid(const Status& s) { return s.code() == StatusCode::kInvalidArgument; }
bool IsTransient(const Status& s) {
  return s.code() == StatusCode::kUnavailable || s.code() == StatusCode::kDeadlineExceeded;
}

StatusOr<std::vector<std::string>> WatchLineSplitter::Append(std::string_view chunk) {
  pending_.append(chunk);
  std::vector<std::string> lines;
  size_t start = 0;
  for (size_t nl = pending_.find('\n'); nl != std::string::npos; nl = pending_.find('\n', start)) {
    std::string line = pending_.substr(start, nl - start);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.find_first_not_of(" \t") != std::string::npos) lines.push_back(std::move(line));
    start = nl + 1;
  }
  pending_.erase(0, start);
  if (pending_.size() > max_line_) {
    return ResourceExhaustedError("a watch event exceeds " + std::to_string(max_line_) + " bytes");
  }
  return lines;
}

StatusOr<WatchEvent> ParseWatchEvent(std::string_view line) {
  json parsed = json::parse(line, nullptr, false);
  if (!parsed.is_object()) return InternalError("malformed watch event (not a JSON object)");
  std::string type = JsonStringAt(parsed, {"type"});
  auto object = parsed.find("object");
  if (object == parsed.end() || !object->is_object()) {
    return InternalError("malformed watch event: no object");
  }
  if (type == "ERROR") return StatusFromStatusObject(*object);
  WatchEvent event;
  if (type == "ADDED") {
    event.type = WatchEvent::Type::kAdded;
  } else if (type == "MODIFIED") {
    event.type = WatchEvent::Type::kModified;
  } else if (type == "DELETED") {
    event.type = WatchEvent::Type::kDeleted;
  } else if (type == "BOOKMARK") {
    event.type = WatchEvent::Type::kBookmark;
  } else {
    return InternalError("unknown watch event type \"" + type + "\"");
  }
  event.object = std::move(*object);
  return event;
}

std::chrono::milliseconds BackoffDelay(const BackoffPolicy& policy, int attempt, double random01) {
  double base = static_cast<double>(policy.base.count());
  double cap = static_cast<double>(policy.cap.count());
  double d = std::min(cap, base * std::pow(2.0, std::clamp(attempt, 0, 62)));
  double r = std::clamp(random01, 0.0, 1.0);
  return std::chrono::milliseconds(static_cast<int64_t>(d / 2 + r * d / 2));
}

StatusOr<ObjectList> ListAll(KubeClient& client, const Gvr& gvr, ListOptions options) {
  ObjectList out;
  bool restarted = false;
  while (true) {
    StatusOr<json> page = client.List(gvr, options);
    if (!page.ok() && IsExpired(page.status()) && !options.continue_token.empty() && !restarted) {
      restarted = true;  // the snapshot behind the token is gone: one consistent full list
      out.items.clear();
      options.continue_token.clear();
      options.limit = 0;
      continue;
    }
    if (!page.ok()) return page.status();
    if (!page->is_object()) return InternalError("a list response is not a JSON object");
    auto items = page->find("items");
    if (items != page->end() && items->is_array()) {
      for (json& item : *items) out.items.push_back(std::move(item));
    }
    const json& meta = page->value("metadata", json::object());
    out.resource_version = JsonStringAt(meta, {"resourceVersion"});
    options.continue_token = JsonStringAt(meta, {"continue"});
    if (options.continue_token.empty()) return out;
  }
}

}  // namespace mgw
