#include "admission/review_fast.h"

#include <utility>

#include "mgw/base/json_access.h"

namespace mgw {
namespace {

using ::nlohmann::json;

// A selector for the fields a reader names; each is kept whole.
JsonSelector Fields(std::initializer_list<const char*> keys) {
  JsonSelector s;
  for (const char* key : keys) s.members.emplace(key, JsonSelector::All());
  return s;
}

// What ParseReview and the handlers read of object and oldObject: metadata's
// name, namespace and generateName, and the whole spec (UPDATE compares it).
// Anything other than an object is kept whole, as messages quote it.
JsonSelector ObjectSelector() {
  JsonSelector s;
  s.members.emplace("metadata", Fields({"name", "namespace", "generateName"}));
  s.members.emplace("spec", JsonSelector::All());
  return s;
}

// The envelope's strings, which the fast path hands over (JsonCaptures)
// instead of building them into the tree.
enum Captured : int {
  kApiVersion,
  kReviewKindField,
  kUid,
  kKindGroup,
  kKindVersion,
  kKindKind,
  kResourceGroup,
  kResourceVersion,
  kResourceName,
  kSubResource,
  kName,
  kNamespace,
  kOperation,
  kUsername,
  kUserUid,
  kCapturedCount
};

// A member kept whole, and captured by the fast path when it is a string.
std::pair<const char*, JsonSelector> Capture(const char* key, Captured id) {
  JsonSelector s = JsonSelector::All();
  s.capture = id;
  return {key, std::move(s)};
}

JsonSelector Captures(std::initializer_list<std::pair<const char*, JsonSelector>> members) {
  JsonSelector s;
  for (const auto& [key, member] : members) s.members.emplace(key, member);
  return s;
}

}  // namespace

const JsonSelector& ReviewSelector() {
  static const JsonSelector* const kSelector = [] {
    JsonSelector request = Captures({Capture("uid", kUid), Capture("subResource", kSubResource),
                                     Capture("name", kName), Capture("namespace", kNamespace),
                                     Capture("operation", kOperation)});
    request.members.emplace("dryRun", JsonSelector::All());
    request.members.emplace(
        "kind", Captures({Capture("group", kKindGroup), Capture("version", kKindVersion),
                          Capture("kind", kKindKind)}));
    request.members.emplace("resource", Captures({Capture("group", kResourceGroup),
                                                  Capture("version", kResourceVersion),
                                                  Capture("resource", kResourceName)}));
    JsonSelector user = Captures({Capture("username", kUsername), Capture("uid", kUserUid)});
    user.members.emplace("groups", JsonSelector::All());
    request.members.emplace("userInfo", std::move(user));
    request.members.emplace("object", ObjectSelector());
    request.members.emplace("oldObject", ObjectSelector());
    auto* root = new JsonSelector(
        Captures({Capture("apiVersion", kApiVersion), Capture("kind", kReviewKindField)}));
    root->members.emplace("request", std::move(request));
    root->keep_other = false;
    return root;
  }();
  return *kSelector;
}

namespace {

bool NonEmpty(const std::optional<std::string>& text) { return text && !text->empty(); }

// groups is absent, null, or a list of strings, which it copies to `out`.
bool ReadGroups(const json& user, std::vector<std::string>& out) {
  const json* groups = JsonAt(user, {"groups"});
  if (groups == nullptr) return true;
  if (!groups->is_array()) return false;
  for (const json& g : *groups) {
    if (!g.is_string()) return false;
    out.push_back(g.get<std::string>());
  }
  return true;
}

// dryRun is absent, null or a boolean.
bool ReadDryRun(const json& request, bool& out) {
  const json* dry_run = JsonAt(request, {"dryRun"});
  if (dry_run == nullptr) return true;
  if (!dry_run->is_boolean()) return false;
  out = dry_run->get<bool>();
  return true;
}

// What ParseReview would make of a tree whose envelope strings are in `c`, or
// nullopt unless everything is plainly valid: the caller then runs ParseReview
// over SelectJson's tree, which says what is wrong in its own words.
std::optional<AdmissionRequest> ReadCaptured(json& review, JsonCaptures& c) {
  if (!review.is_object() || !c[kApiVersion] || c[kReviewKindField] != kAdmissionReviewKind) {
    return std::nullopt;
  }
  if (*c[kApiVersion] != kAdmissionV1 && *c[kApiVersion] != kAdmissionV1beta1) return std::nullopt;
  if (!NonEmpty(c[kUid]) || !NonEmpty(c[kKindKind]) || !NonEmpty(c[kOperation])) {
    return std::nullopt;
  }
  const auto request = review.find("request");
  if (request == review.end() || !request->is_object()) return std::nullopt;
  json& r = *request;
  const json* kind = JsonAt(r, {"kind"});
  const json* resource = JsonAt(r, {"resource"});
  const json* user = JsonAt(r, {"userInfo"});
  if (kind == nullptr || !kind->is_object() || (resource != nullptr && !resource->is_object()) ||
      (user != nullptr && !user->is_object())) {
    return std::nullopt;
  }
  AdmissionRequest out;
  if ((user != nullptr && !ReadGroups(*user, out.user_info.groups)) ||
      !ReadDryRun(r, out.dry_run)) {
    return std::nullopt;
  }
  std::string* const into[kCapturedCount] = {&out.api_version,
                                             nullptr,
                                             &out.uid,
                                             &out.kind.group,
                                             &out.kind.version,
                                             &out.kind.kind,
                                             &out.resource.group,
                                             &out.resource.version,
                                             &out.resource.resource,
                                             &out.sub_resource,
                                             &out.name,
                                             &out.namespace_,
                                             &out.operation,
                                             &out.user_info.username,
                                             &out.user_info.uid};
  for (size_t i = 0; i < kCapturedCount; ++i) {
    if (into[i] != nullptr && c[i]) *into[i] = std::move(*c[i]);
  }
  out.object = TakeJsonMember(r, "object");
  out.old_object = TakeJsonMember(r, "oldObject");
  return out;
}

}  // namespace

std::optional<AdmissionRequest> TryFastReview(std::string_view body,
                                              const JsonSelectLimits& limits) {
  JsonCaptures captures(kCapturedCount);
  json review;
  if (!TrySelectJsonFast(body, ReviewSelector(), limits, review, captures)) return std::nullopt;
  return ReadCaptured(review, captures);
}

}  // namespace mgw
