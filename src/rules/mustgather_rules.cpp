#include "mgw/rules/mustgather_rules.h"

#include <set>

#include "mgw/base/go_duration.h"
#include "mgw/base/json_access.h"
#include "mgw/base/quote.h"
#include "mgw/rules/gather_options_rules.h"
#include "mgw/rules/image_ref.h"
#include "mgw/rules/k8s_names.h"

namespace mgw {
namespace {

using nlohmann::json;

constexpr size_t kMaxListedAllowlistEntries = 5;

// The member `key` of `obj`, or nullptr when `obj` is not an object or the member is
// absent or null (the API server treats these alike).
const json* Member(const json& obj, std::string_view key) { return JsonAt(obj, {key}); }

FieldError Policy(FieldError e, std::string_view reason) {
  e.kind = FindingKind::kPolicy;
  e.reason = std::string(reason);
  return e;
}

struct Checker {
  const RuleContext& ctx;
  std::string ns;
  RuleResult result;

  void Error(FieldError e) { result.errors.push_back(std::move(e)); }
  void Warn(std::string w) { result.warnings.push_back(std::move(w)); }

  // True when `value` has the JSON type `want`; otherwise records an Invalid finding.
  bool Expect(const json& value, json::value_t want, std::string_view field,
              std::string_view what) {
    bool ok = value.type() == want ||
              (want == json::value_t::number_integer && value.is_number_integer());
    if (!ok) Error(Invalid(std::string(field), value, "must be " + std::string(what)));
    return ok;
  }

  void CheckStorage(const json& spec);
  void CheckClaim(const json& pv);
  void CheckClaimName(const json& claim);
  void CheckSubPath(const json& pv);
  void CheckImages(const json& spec);
  void CheckImage(const std::string& field, const std::string& image, bool in_list);
  void CheckServiceAccount(const json& spec);
  void CheckTimeout(const json& spec);
};

void Checker::CheckStorage(const json& spec) {
  const json* storage = Member(spec, "storage");
  if (storage == nullptr) {
    Error(Required(std::string(kStorageField),
                   "every MustGather writes to a PersistentVolumeClaim; set " +
                       std::string(kClaimNameField) + " to a PVC in namespace " +
                       QuoteJson(ns.empty() ? "<this namespace>" : ns)));
    return;
  }
  if (!Expect(*storage, json::value_t::object, kStorageField, "an object")) return;
  if (const json* type = Member(*storage, "type")) {
    if (!type->is_string()) {
      Error(Invalid(std::string(kStorageTypeField), *type, "must be a string"));
    } else if (*type != kStorageTypePersistentVolume) {
      Error(NotSupported(std::string(kStorageTypeField), *type,
                         {std::string(kStorageTypePersistentVolume)}));
    }
  }
  const json* pv = Member(*storage, "persistentVolume");
  if (pv == nullptr) {
    Error(Required(std::string(kPersistentVolumeField),
                   "set persistentVolume.claim.name to the PVC that will hold the gathered data"));
    return;
  }
  if (!Expect(*pv, json::value_t::object, kPersistentVolumeField, "an object")) return;
  CheckClaim(*pv);
  CheckSubPath(*pv);
}

void Checker::CheckClaim(const json& pv) {
  const json* claim = Member(pv, "claim");
  if (claim == nullptr) {
    Error(Required(std::string(kClaimField), "set claim.name to the name of an existing PVC"));
    return;
  }
  if (!Expect(*claim, json::value_t::object, kClaimField, "an object")) return;
  CheckClaimName(*claim);
  const json* claim_ns = Member(*claim, "namespace");
  if (claim_ns == nullptr) return;
  std::string field = Child(kClaimField, "namespace");
  if (!Expect(*claim_ns, json::value_t::string, field, "a string")) return;
  const std::string& want = claim_ns->get_ref<const std::string&>();
  if (want.empty() || want == ns) return;
  if (ns.empty()) {
    Warn(field + ": not checked, the MustGather's namespace is unknown");
    return;
  }
  Error(Policy(
      Forbidden(field, "the PVC must be in the MustGather's namespace " + QuoteJson(ns) + ", not " +
                           QuoteJson(want) + "; create the PVC in " + QuoteJson(ns) +
                           " and drop claim.namespace, or create the MustGather in " +
                           QuoteJson(want)),
      kReasonValidationFailed));
}

void Checker::CheckClaimName(const json& claim) {
  std::string field(kClaimNameField);
  const json* name = Member(claim, "name");
  if (name == nullptr || (name->is_string() && name->get_ref<const std::string&>().empty())) {
    Error(Required(field,
                   "name the PersistentVolumeClaim, in the MustGather's namespace, "
                   "that will hold the gathered data"));
    return;
  }
  if (!Expect(*name, json::value_t::string, field, "a string")) return;
  const std::string& s = name->get_ref<const std::string&>();
  if (s.size() > kDns1123SubdomainMaxLength) {
    Error(TooLong(field, *name, kDns1123SubdomainMaxLength));
  } else if (!IsDns1123Subdomain(s)) {
    Error(Invalid(field, *name, std::string(kDns1123SubdomainMessage) + " (e.g. 'mg-artifacts')"));
  }
}

void Checker::CheckSubPath(const json& pv) {
  const json* sub = Member(pv, "subPath");
  if (sub == nullptr) return;
  std::string field(kSubPathField);
  if (!Expect(*sub, json::value_t::string, field, "a string")) return;
  const std::string& s = sub->get_ref<const std::string&>();
  if (!s.empty() && s.front() == '/') {
    Error(Invalid(field, *sub,
                  "must be a relative path inside the PVC, e.g. 'runs/2025-09-01': the kubelet "
                  "refuses absolute subPaths and the gather pod would never start"));
    return;
  }
  size_t start = 0;
  while (start <= s.size()) {
    size_t end = s.find('/', start);
    if (end == std::string::npos) end = s.size();
    if (s.compare(start, end - start, "..") == 0) {
      Error(Invalid(field, *sub,
                    "must not contain a '..' element: the kubelet refuses subPaths that leave the "
                    "volume and the gather pod would never start"));
      return;
    }
    start = end + 1;
  }
}

void Checker::CheckImages(const json& spec) {
  if (const json* one = Member(spec, "mustGatherImage")) {
    std::string field(kMustGatherImageField);
    if (Expect(*one, json::value_t::string, field, "a string (an image reference)") &&
        !one->get_ref<const std::string&>().empty()) {
      CheckImage(field, one->get<std::string>(), false);
    }
  }
  const json* list = Member(spec, "images");
  if (list == nullptr) return;
  std::string list_field(kImagesField);
  if (!Expect(*list, json::value_t::array, list_field, "a list of image references")) return;
  std::set<std::string> seen;
  for (size_t i = 0; i < list->size(); ++i) {
    const json& item = (*list)[i];
    std::string field = Index(list_field, i);
    if (!Expect(item, json::value_t::string, field, "a string (an image reference)")) continue;
    if (!seen.insert(item.get<std::string>()).second) {
      Warn(field + ": listed twice; it runs once");
      continue;
    }
    CheckImage(field, item.get<std::string>(), true);
  }
}

std::string DescribeAllowlist(const Allowlist& list) {
  std::string out = "MustGatherImage \"cluster\" lists " + std::to_string(list.entries.size()) +
                    (list.entries.size() == 1 ? " image" : " images");
  if (list.entries.empty() || list.entries.size() > kMaxListedAllowlistEntries) {
    return out + " (kubectl get mustgatherimage cluster -o yaml)";
  }
  out += ": ";
  for (size_t i = 0; i < list.entries.size(); ++i) {
    if (i > 0) out += ", ";
    out += QuoteJson(list.entries[i]);
  }
  return out;
}

void Checker::CheckImage(const std::string& field, const std::string& image, bool in_list) {
  StatusOr<ImageRef> ref = ParseImageRef(image);
  if (!ref.ok()) {
    Error(Invalid(field, image,
                  "not a valid image reference: " + ref.status().message() +
                      "; a valid reference looks like quay.io/my-org/my-must-gather:v1.2"));
    return;
  }
  // Allowed images return before any message is built.
  const Allowlist& list = *ctx.allowlist;
  if (list.configured && list.Contains(*ref)) return;
  if (image == ctx.default_image) return;
  StatusOr<ImageRef> def = ParseImageRef(ctx.default_image);
  if (def.ok() && SameImage(*ref, *def)) return;
  std::string shown = QuoteJson(image);
  if (ref->ToString() != image) shown += " (" + ref->ToString() + ")";
  std::string remedy = in_list ? "remove it" : "remove spec.mustGatherImage";
  remedy += " to run the default image " + QuoteJson(ctx.default_image);
  if (!list.configured) {
    Error(
        Policy(Forbidden(field, "custom image " + shown +
                                    " cannot be used: no MustGatherImage named \"cluster\" exists, "
                                    "so no custom image is allowed (AllowlistNotConfigured); ask a "
                                    "cluster admin to create it listing this image, or " +
                                    remedy),
               kReasonAllowlistNotConfigured));
    return;
  }
  Error(Policy(Forbidden(field, "image " + shown + " is not in the allowlist (InvalidImage): " +
                                    DescribeAllowlist(list) +
                                    "; use a listed image, ask a cluster admin to add this one, "
                                    "or " +
                                    remedy),
               kReasonInvalidImage));
}

void Checker::CheckServiceAccount(const json& spec) {
  const json* ref = Member(spec, "serviceAccountRef");
  if (ref == nullptr) return;
  std::string field(kServiceAccountRefField);
  if (!Expect(*ref, json::value_t::object, field, "an object with a name")) return;
  const json* name = Member(*ref, "name");
  if (name == nullptr) return;
  field = kServiceAccountNameField;
  if (!Expect(*name, json::value_t::string, field, "a string")) return;
  const std::string& s = name->get_ref<const std::string&>();
  if (!s.empty() && !IsDns1123Subdomain(s)) {
    Error(
        Invalid(field, *name, std::string(kDns1123SubdomainMessage) + " (e.g. 'must-gather-sa')"));
  }
}

void Checker::CheckTimeout(const json& spec) {
  const json* t = Member(spec, "mustGatherTimeout");
  std::string field(kTimeoutField);
  if (t != nullptr &&
      Expect(*t, json::value_t::string, field, "a duration string such as \"30m\"")) {
    StatusOr<std::chrono::nanoseconds> d = ParseGoDuration(t->get<std::string>());
    if (!d.ok()) {
      Error(Invalid(field, *t, d.status().message()));
    } else if (d->count() <= 0) {
      Error(Invalid(field, *t, "must be positive; omit it for no time limit"));
    }
  }
  if (const json* retain = Member(spec, "retainResourcesOnCompletion")) {
    Expect(*retain, json::value_t::boolean, std::string(kRetainField), "true or false");
  }
}

// The spec with defaults applied, so a defaulted and an undefaulted copy compare equal.
json DefaultedSpec(const json& object) {
  const json* spec = Member(object, "spec");
  if (spec == nullptr) return json();
  json out = *spec;
  json patch = DefaultingPatch(object);
  if (!patch.empty()) {
    json wrapped = {{"spec", out}};
    out = wrapped.patch(patch)["spec"];
  }
  return out;
}

// "/storage/persistentVolume/claim/name" -> "spec.storage.persistentVolume.claim.name".
std::string FieldFromPointer(const std::string& pointer) {
  std::string out(kSpecField);
  size_t pos = 1;
  while (pos <= pointer.size() && pos > 0) {
    size_t end = pointer.find('/', pos);
    std::string token = pointer.substr(pos, end == std::string::npos ? end : end - pos);
    for (size_t i; (i = token.find("~1")) != std::string::npos;) token.replace(i, 2, "/");
    for (size_t i; (i = token.find("~0")) != std::string::npos;) token.replace(i, 2, "~");
    bool index = !token.empty() && token.find_first_not_of("0123456789") == std::string::npos;
    out += index ? "[" + token + "]" : (token.empty() ? "" : "." + token);
    if (end == std::string::npos) break;
    pos = end + 1;
  }
  return out;
}

}  // namespace

RuleResult CheckMustGather(const json& object, const RuleContext& ctx) {
  Checker c{ctx, NamespaceOf(object, ctx.fallback_namespace), {}};
  if (!object.is_object()) {
    c.Error(Invalid("", object, "a MustGather must be a JSON object"));
    return std::move(c.result);
  }
  const json* spec = Member(object, "spec");
  if (spec != nullptr && !spec->is_object()) {
    c.Error(Invalid(std::string(kSpecField), *spec, "must be an object"));
    return std::move(c.result);
  }
  static const json kEmpty = json::object();
  const json& s = spec != nullptr ? *spec : kEmpty;
  c.CheckStorage(s);
  c.CheckImages(s);
  c.CheckServiceAccount(s);
  c.CheckTimeout(s);
  CheckGatherOptions(s, c.result.errors);
  return std::move(c.result);
}

RuleResult CheckMustGatherUpdate(const json& old_object, const json& object,
                                 const RuleContext& ctx) {
  json old_spec = DefaultedSpec(old_object);
  if (old_spec.is_null()) return CheckMustGather(object, ctx);
  json new_spec = DefaultedSpec(object);
  if (old_spec == new_spec) return {};
  RuleResult immutable;
  std::set<std::string> seen;
  for (const json& op : json::diff(old_spec, new_spec)) {
    std::string field = FieldFromPointer(op.value("path", ""));
    if (!seen.insert(field).second) continue;
    immutable.errors.push_back(Forbidden(
        field, "spec is immutable once set; delete this MustGather and create a new one instead"));
  }
  RuleResult rest = CheckMustGather(object, ctx);
  immutable.errors.insert(immutable.errors.end(), rest.errors.begin(), rest.errors.end());
  immutable.warnings = std::move(rest.warnings);
  return immutable;
}

json DefaultingPatch(const json& object) {
  const json* spec = Member(object, "spec");
  const json* storage = spec ? Member(*spec, "storage") : nullptr;
  if (storage == nullptr || !storage->is_object() || Member(*storage, "type") != nullptr) {
    return json::array();
  }
  return json::array({{{"op", "add"},
                       {"path", "/spec/storage/type"},
                       {"value", std::string(kStorageTypePersistentVolume)}}});
}

}  // namespace mgw
