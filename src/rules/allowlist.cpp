#include "mgw/rules/allowlist.h"

#include <algorithm>
#include <utility>

#include "mgw/base/json_access.h"

namespace mgw {
namespace {

// spec.images, or an empty list when spec or images is absent or null (as Go decodes it).
StatusOr<const nlohmann::json*> AllowlistImages(const nlohmann::json& object) {
  static const nlohmann::json* const kNone = new nlohmann::json(nlohmann::json::array());
  auto spec = object.find("spec");
  if (spec == object.end() || spec->is_null()) return kNone;
  if (!spec->is_object()) return InvalidArgumentError("MustGatherImage spec is not an object");
  auto images = spec->find("images");
  if (images == spec->end() || images->is_null()) return kNone;
  if (!images->is_array()) return InvalidArgumentError("MustGatherImage spec.images is not a list");
  return &*images;
}

}  // namespace

bool Allowlist::Contains(const ImageRef& image) const {
  return std::find(keys.begin(), keys.end(), image.IdentityKey()) != keys.end();
}

Allowlist NotConfiguredAllowlist(std::string source) {
  Allowlist out;
  out.source = std::move(source);
  return out;
}

StatusOr<Allowlist> AllowlistFromObject(const nlohmann::json& object, std::string source) {
  if (!object.is_object()) return InvalidArgumentError("a MustGatherImage must be a JSON object");
  if (JsonStringAt(object, {"kind"}) != kMustGatherImageKind) {
    return InvalidArgumentError(
        "object is not a MustGatherImage: kind must be \"MustGatherImage\"");
  }
  MGW_ASSIGN_OR_RETURN(const nlohmann::json* images_ptr, AllowlistImages(object));
  const nlohmann::json& images = *images_ptr;
  Allowlist out;
  out.configured = true;
  out.source = std::move(source);
  for (size_t i = 0; i < images.size(); ++i) {
    if (!images[i].is_string()) {
      return InvalidArgumentError("MustGatherImage spec.images[" + std::to_string(i) +
                                  "] is not a string");
    }
    const std::string& text = images[i].get_ref<const std::string&>();
    StatusOr<ImageRef> ref = ParseImageRef(text);
    if (!ref.ok()) continue;  // admission rejects these; a stale one must not block the rest
    out.entries.push_back(text);
    out.keys.push_back(ref->IdentityKey());
  }
  return out;
}

MutableAllowlistSource::MutableAllowlistSource(Allowlist initial)
    : current_(std::make_shared<const Allowlist>(std::move(initial))) {}

std::shared_ptr<const Allowlist> MutableAllowlistSource::Current() const {
  std::lock_guard<std::mutex> lock(mu_);
  return current_;
}

std::optional<std::chrono::system_clock::time_point> MutableAllowlistSource::LastUpdated() const {
  std::lock_guard<std::mutex> lock(mu_);
  return updated_;
}

void MutableAllowlistSource::Set(Allowlist next) {
  auto fresh = std::make_shared<const Allowlist>(std::move(next));
  {
    std::lock_guard<std::mutex> lock(mu_);
    current_.swap(fresh);
    updated_ = std::chrono::system_clock::now();
  }
  // `fresh` now holds the old snapshot; it is released here, outside the lock.
}

}  // namespace mgw
