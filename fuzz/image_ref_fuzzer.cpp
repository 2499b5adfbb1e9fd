// Fuzzes the image reference parser the allowlist and the MustGather image rules
// depend on: arbitrary bytes as a reference. Checks the header's contracts: errors
// are INVALID_ARGUMENT with a short message, a parsed reference has a host, a path
// and a tag or digest, its canonical form parses back to itself (normalisation is
// idempotent), and an allowlist holding it contains it. Any broken check aborts.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "mgw/rules/allowlist.h"
#include "mgw/rules/image_ref.h"

namespace {

// Messages quote the input cut short, so even a megabyte reference gives a short one.
constexpr size_t kMaxMessage = 1024;

void Check(bool condition) {
  if (!condition) std::abort();
}

void CheckAllowlisted(const std::string& canonical, const mgw::ImageRef& ref) {
  const nlohmann::json object = {{"apiVersion", "operator.openshift.io/v1alpha1"},
                                 {"kind", "MustGatherImage"},
                                 {"metadata", {{"name", "cluster"}}},
                                 {"spec", {{"images", {canonical}}}}};
  const mgw::StatusOr<mgw::Allowlist> list = mgw::AllowlistFromObject(object, "fuzz");
  Check(list.ok() && list->Contains(ref));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const mgw::StatusOr<mgw::ImageRef> ref = mgw::ParseImageRef(text);
  if (!ref.ok()) {
    Check(ref.status().code() == mgw::StatusCode::kInvalidArgument);
    Check(!ref.status().message().empty() && ref.status().message().size() < kMaxMessage);
    return 0;
  }
  Check(!ref->domain.empty() && !ref->path.empty());
  Check(!ref->tag.empty() || !ref->digest.empty());
  const std::string canonical = ref->ToString();
  const mgw::StatusOr<mgw::ImageRef> again = mgw::ParseImageRef(canonical);
  Check(again.ok());
  Check(again->ToString() == canonical);
  Check(mgw::SameImage(*ref, *again));
  Check(ref->IdentityKey().rfind(ref->Name(), 0) == 0);
  CheckAllowlisted(canonical, *ref);
  return 0;
}
