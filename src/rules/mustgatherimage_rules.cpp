#include "mgw/rules/mustgatherimage_rules.h"

#include <string>
#include <unordered_map>

#include "mgw/base/json_access.h"
#include "mgw/rules/allowlist.h"
#include "mgw/rules/image_ref.h"

namespace mgw {
namespace {

using json = nlohmann::json;

constexpr std::string_view kImagesHint =
    "list the allowed must-gather images, e.g. spec.images: "
    "[\"quay.io/my-org/my-must-gather:v1.2\"]";
constexpr std::string_view kValidForms =
    "a valid reference looks like quay.io/my-org/my-must-gather:v1.2 or "
    "quay.io/my-org/my-must-gather@sha256:<64 lowercase hex digits>";

void CheckName(const json& object, FieldErrors& errors) {
  const std::string hint = "set metadata.name to \"" + std::string(kAllowlistObjectName) + "\"";
  const json* metadata = JsonAt(object, {"metadata"});
  if (metadata != nullptr && !metadata->is_object()) {
    errors.push_back(Invalid("metadata", *metadata, "must be an object; " + hint));
    return;
  }
  const json* name = metadata == nullptr ? nullptr : JsonAt(*metadata, {"name"});
  if (name == nullptr) {
    errors.push_back(Required("metadata.name", hint));
  } else if (!name->is_string() || *name != kAllowlistObjectName) {
    errors.push_back(Invalid(
        "metadata.name", *name,
        "the webhook and the operator read only the MustGatherImage named \"cluster\", so one "
        "with any other name has no effect; rename it to \"cluster\""));
  }
}

// Returns spec.images when it is a non-empty list; otherwise records why not.
const json* FindImages(const json& object, FieldErrors& errors) {
  const json* spec = JsonAt(object, {"spec"});
  if (spec != nullptr && !spec->is_object()) {
    errors.push_back(Invalid("spec", *spec, "must be an object; " + std::string(kImagesHint)));
    return nullptr;
  }
  const json* images = spec == nullptr ? nullptr : JsonAt(*spec, {"images"});
  if (images == nullptr) {
    errors.push_back(Required("spec.images", std::string(kImagesHint)));
    return nullptr;
  }
  if (!images->is_array()) {
    errors.push_back(Invalid("spec.images", *images,
                             "must be a list of image references; " + std::string(kImagesHint)));
    return nullptr;
  }
  if (images->empty()) {
    errors.push_back(Invalid("spec.images", *images,
                             "must name at least one image; to allow no custom images, delete "
                             "this MustGatherImage instead"));
    return nullptr;
  }
  return images;
}

void CheckEntries(const json& images, FieldErrors& errors) {
  std::unordered_map<std::string, size_t> first_index;  // IdentityKey -> first entry naming it
  for (size_t i = 0; i < images.size(); ++i) {
    const json& entry = images[i];
    const std::string field = Index("spec.images", i);
    if (!entry.is_string()) {
      errors.push_back(Invalid(field, entry, "must be a string; " + std::string(kValidForms)));
      continue;
    }
    StatusOr<ImageRef> ref = ParseImageRef(entry.get_ref<const std::string&>());
    if (!ref.ok()) {
      errors.push_back(
          Invalid(field, entry, ref.status().message() + "; " + std::string(kValidForms)));
      continue;
    }
    const std::string key = ref->IdentityKey();
    auto [it, inserted] = first_index.emplace(key, i);
    if (!inserted) {
      errors.push_back(Duplicate(field, entry,
                                 "names the same image as " + Index("spec.images", it->second) +
                                     " (both are " + key + "); remove one of them"));
    }
  }
}

}  // namespace

FieldErrors CheckMustGatherImage(const json& object) {
  FieldErrors errors;
  if (!object.is_object()) {
    errors.push_back(Invalid("", object, "a MustGatherImage must be a JSON object"));
    return errors;
  }
  CheckName(object, errors);
  if (const json* images = FindImages(object, errors)) CheckEntries(*images, errors);
  return errors;
}

}  // namespace mgw
