#include "mgw/admission/admission_review.h"

#include <utility>

#include "admission/review_fast.h"
#include "mgw/base/json_access.h"
#include "mgw/base/json_select.h"
#include "mgw/base/quote.h"

namespace mgw {
namespace {

using ::nlohmann::json;

constexpr size_t kMaxQuotedValue = 64;
constexpr size_t kMaxParserMessage = 200;

// Shortens caller-controlled text for an error message and keeps it printable
// ASCII, so a huge or binary body yields a short, valid UTF-8 message.
std::string Printable(std::string_view text, size_t max_size) {
  std::string out;
  for (char c : text.substr(0, max_size)) out += (c >= 0x20 && c < 0x7F) ? c : '?';
  if (text.size() > max_size) out += "...";
  return out;
}

std::string Quote(const json& value) {
  return Printable(value.dump(-1, ' ', false, json::error_handler_t::replace), kMaxQuotedValue);
}

// Rejects bodies whose arrays and objects nest deeper than the limit. Counts
// brackets outside string literals exactly as the JSON lexer sees them, so for
// any input the parser would accept, this depth is the parsed depth.
Status CheckNesting(std::string_view body) {
  int depth = 0;
  bool in_string = false;
  bool escaped = false;
  for (char c : body) {
    if (in_string) {
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > kMaxAdmissionReviewDepth) {
        return InvalidArgumentError("request body nests arrays and objects deeper than " +
                                    std::to_string(kMaxAdmissionReviewDepth) + " levels");
      }
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
  return Status::Ok();
}

// nlohmann's message without its "[json.exception.parse_error.101] " prefix; it
// echoes the offending token, which may be long or not UTF-8.
std::string ExceptionText(std::string_view what) {
  const size_t end = what.find("] ");
  if (!what.empty() && what.front() == '[' && end != std::string_view::npos) {
    what.remove_prefix(end + 2);
  }
  return Printable(what, kMaxParserMessage);
}

StatusOr<json> ParseJson(std::string_view body) {
  MGW_RETURN_IF_ERROR(CheckNesting(body));
  try {
    return json::parse(body);
  } catch (const json::exception& e) {
    return InvalidArgumentError("request body is not valid JSON: " + ExceptionText(e.what()));
  }
}

// The member `key` of `obj`, or nullptr when it is absent or null.
const json* Member(const json& obj, std::string_view key) { return JsonAt(obj, {key}); }

std::string FieldPath(std::string_view parent, const char* key) {
  return parent.empty() ? std::string(key) : std::string(parent) + "." + key;
}

// Reads an optional string member: absent or null leaves `out` empty.
Status ReadString(const json& obj, std::string_view parent, const char* key, std::string& out) {
  const json* value = Member(obj, key);
  if (value == nullptr) return Status::Ok();
  if (!value->is_string()) {
    return InvalidArgumentError(FieldPath(parent, key) + " must be a string, got " + Quote(*value));
  }
  out = value->get<std::string>();
  return Status::Ok();
}

Status ReadRequiredString(const json& obj, std::string_view parent, const char* key,
                          std::string& out) {
  const json* value = Member(obj, key);
  if (value == nullptr) return InvalidArgumentError(FieldPath(parent, key) + " is required");
  if (!value->is_string() || value->get_ref<const std::string&>().empty()) {
    return InvalidArgumentError(FieldPath(parent, key) + " must be a non-empty string, got " +
                                Quote(*value));
  }
  out = value->get<std::string>();
  return Status::Ok();
}

// Reads an optional object member: nullptr when absent or null.
StatusOr<const json*> ReadObject(const json& obj, std::string_view parent, const char* key) {
  const json* value = Member(obj, key);
  if (value != nullptr && !value->is_object()) {
    return InvalidArgumentError(FieldPath(parent, key) + " must be an object, got " +
                                Quote(*value));
  }
  return value;
}

Status ReadBool(const json& obj, std::string_view parent, const char* key, bool& out) {
  const json* value = Member(obj, key);
  if (value == nullptr) return Status::Ok();
  if (!value->is_boolean()) {
    return InvalidArgumentError(FieldPath(parent, key) + " must be a boolean, got " +
                                Quote(*value));
  }
  out = value->get<bool>();
  return Status::Ok();
}

Status ReadStringArray(const json& obj, std::string_view parent, const char* key,
                       std::vector<std::string>& out) {
  const json* value = Member(obj, key);
  if (value == nullptr) return Status::Ok();
  const std::string path = FieldPath(parent, key);
  if (!value->is_array()) return InvalidArgumentError(path + " must be an array of strings");
  for (size_t i = 0; i < value->size(); ++i) {
    const json& item = (*value)[i];
    if (!item.is_string()) {
      return InvalidArgumentError(path + "[" + std::to_string(i) + "] must be a string, got " +
                                  Quote(item));
    }
    out.push_back(item.get<std::string>());
  }
  return Status::Ok();
}

Status ReadApiVersion(const json& review, std::string& out) {
  const json* value = Member(review, "apiVersion");
  if (value == nullptr) {
    return InvalidArgumentError("apiVersion is required; expected " + std::string(kAdmissionV1));
  }
  const std::string* text = value->get_ptr<const std::string*>();
  if (text == nullptr || (*text != kAdmissionV1 && *text != kAdmissionV1beta1)) {
    return InvalidArgumentError("apiVersion " + Quote(*value) + " is not supported; expected " +
                                std::string(kAdmissionV1) + " or " +
                                std::string(kAdmissionV1beta1));
  }
  out = *text;
  return Status::Ok();
}

Status CheckReviewKind(const json& review) {
  const json* value = Member(review, "kind");
  if (value == nullptr) return InvalidArgumentError("kind is required; expected AdmissionReview");
  const std::string* text = value->get_ptr<const std::string*>();
  if (text == nullptr || *text != kAdmissionReviewKind) {
    return InvalidArgumentError("kind must be AdmissionReview, got " + Quote(*value));
  }
  return Status::Ok();
}

Status ReadKind(const json& request, GroupVersionKind& out) {
  MGW_ASSIGN_OR_RETURN(const json* kind, ReadObject(request, "request", "kind"));
  if (kind == nullptr) return InvalidArgumentError("request.kind is required");
  MGW_RETURN_IF_ERROR(ReadString(*kind, "request.kind", "group", out.group));
  MGW_RETURN_IF_ERROR(ReadString(*kind, "request.kind", "version", out.version));
  return ReadRequiredString(*kind, "request.kind", "kind", out.kind);
}

Status ReadResource(const json& request, GroupVersionResource& out) {
  MGW_ASSIGN_OR_RETURN(const json* resource, ReadObject(request, "request", "resource"));
  if (resource == nullptr) return Status::Ok();
  MGW_RETURN_IF_ERROR(ReadString(*resource, "request.resource", "group", out.group));
  MGW_RETURN_IF_ERROR(ReadString(*resource, "request.resource", "version", out.version));
  return ReadString(*resource, "request.resource", "resource", out.resource);
}

Status ReadUserInfo(const json& request, UserInfo& out) {
  MGW_ASSIGN_OR_RETURN(const json* user, ReadObject(request, "request", "userInfo"));
  if (user == nullptr) return Status::Ok();
  MGW_RETURN_IF_ERROR(ReadString(*user, "request.userInfo", "username", out.username));
  MGW_RETURN_IF_ERROR(ReadString(*user, "request.userInfo", "uid", out.uid));
  return ReadStringArray(*user, "request.userInfo", "groups", out.groups);
}

Status ReadRequest(json& request, AdmissionRequest& out) {
  MGW_RETURN_IF_ERROR(ReadRequiredString(request, "request", "uid", out.uid));
  MGW_RETURN_IF_ERROR(ReadKind(request, out.kind));
  MGW_RETURN_IF_ERROR(ReadResource(request, out.resource));
  MGW_RETURN_IF_ERROR(ReadString(request, "request", "subResource", out.sub_resource));
  MGW_RETURN_IF_ERROR(ReadString(request, "request", "name", out.name));
  MGW_RETURN_IF_ERROR(ReadString(request, "request", "namespace", out.namespace_));
  MGW_RETURN_IF_ERROR(ReadRequiredString(request, "request", "operation", out.operation));
  MGW_RETURN_IF_ERROR(ReadUserInfo(request, out.user_info));
  MGW_RETURN_IF_ERROR(ReadBool(request, "request", "dryRun", out.dry_run));
  out.object = TakeJsonMember(request, "object");
  out.old_object = TakeJsonMember(request, "oldObject");
  return Status::Ok();
}

StatusOr<AdmissionRequest> ParseReview(json& review) {
  if (!review.is_object()) {
    return InvalidArgumentError("request body must be a JSON object holding an AdmissionReview");
  }
  AdmissionRequest out;
  MGW_RETURN_IF_ERROR(ReadApiVersion(review, out.api_version));
  MGW_RETURN_IF_ERROR(CheckReviewKind(review));
  const auto request = review.find("request");
  if (request == review.end() || request->is_null()) {
    return InvalidArgumentError("request is required");
  }
  if (!request->is_object()) {
    return InvalidArgumentError("request must be an object, got " + Quote(*request));
  }
  MGW_RETURN_IF_ERROR(ReadRequest(*request, out));
  return out;
}

JsonSelectLimits SelectLimits(const AdmissionParseLimits& limits) {
  JsonSelectLimits select_limits;
  select_limits.deadline = limits.deadline;
  select_limits.clock = limits.clock;
  // What the fast path accepts is valid JSON no deeper than the limit, so it
  // would pass CheckNesting; only the SAX path needs the pre-scan.
  select_limits.fast_max_depth = kMaxAdmissionReviewDepth;
  return select_limits;
}

// The apiVersion and uid found before a parse stopped, for a timeout answer.
void KeepEnvelope(const json& review, AdmissionRequest& partial) {
  partial.api_version = JsonStringAt(review, {"apiVersion"});
  partial.uid = JsonStringAt(review, {"request", "uid"});
}

StatusOr<json> SelectReview(std::string_view body, const AdmissionParseLimits& limits,
                            AdmissionRequest* partial) {
  const JsonSelectLimits select_limits = SelectLimits(limits);
  json review;
  if (limits.fast_path && TrySelectJsonFast(body, ReviewSelector(), select_limits, review)) {
    return review;
  }
  MGW_RETURN_IF_ERROR(CheckNesting(body));
  Status s = SelectJson(body, ReviewSelector(), select_limits, review);
  if (s.ok()) return review;
  switch (s.code()) {
    case StatusCode::kInvalidArgument:
      return InvalidArgumentError("request body is not valid JSON: " + ExceptionText(s.message()));
    case StatusCode::kDeadlineExceeded:
      if (partial != nullptr) KeepEnvelope(review, *partial);
      return s;
    default:
      return InvalidArgumentError("request body cannot be read: " + s.message());
  }
}

}  // namespace

StatusOr<AdmissionRequest> ParseAdmissionReview(std::string_view body,
                                                const AdmissionParseLimits& limits,
                                                AdmissionRequest* partial) {
  if (limits.fast_path) {
    if (std::optional<AdmissionRequest> request = TryFastReview(body, SelectLimits(limits))) {
      return std::move(*request);
    }
  }
  MGW_ASSIGN_OR_RETURN(json review, SelectReview(body, limits, partial));
  try {
    return ParseReview(review);
  } catch (const json::exception& e) {
    return InvalidArgumentError("malformed AdmissionReview: " + ExceptionText(e.what()));
  }
}

StatusOr<AdmissionRequest> ParseAdmissionReviewTree(std::string_view body) {
  MGW_ASSIGN_OR_RETURN(json review, ParseJson(body));
  // The readers only use non-throwing accessors; the catch is the boundary's
  // guarantee should one ever slip through.
  try {
    return ParseReview(review);
  } catch (const json::exception& e) {
    return InvalidArgumentError("malformed AdmissionReview: " + ExceptionText(e.what()));
  }
}

}  // namespace mgw
