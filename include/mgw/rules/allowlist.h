// The custom-image allowlist: the MustGatherImage named "cluster", as a value, and
// sources that hand out its current version to concurrent readers.
#ifndef MGW_RULES_ALLOWLIST_H_
#define MGW_RULES_ALLOWLIST_H_

#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "mgw/base/status.h"
#include "mgw/rules/image_ref.h"
#include "mgw/rules/mustgather_api.h"

namespace mgw {

// An immutable snapshot. `configured` is false when no MustGatherImage "cluster"
// exists, which is distinct from one that exists and lists nothing acceptable.
struct Allowlist {
  bool configured = false;
  std::vector<std::string> entries;  // as written in spec.images, parseable ones only
  std::vector<std::string> keys;     // entries[i]'s IdentityKey, made once per snapshot
  std::string source;                // where it came from, for messages and logs

  // True when `image` is on the list (same IdentityKey as an entry).
  bool Contains(const ImageRef& image) const;
};

// An allowlist of nothing: no MustGatherImage "cluster" exists.
Allowlist NotConfiguredAllowlist(std::string source);

// Builds a configured Allowlist from a MustGatherImage object. Entries that do not parse
// are skipped (the MustGatherImage validator rejects them at admission); an absent or null
// spec or spec.images gives an empty list, as Go's decoder would. INVALID_ARGUMENT when
// `object` is not an object with kind "MustGatherImage", spec is not an object, or
// spec.images is not a list of strings. metadata.name is not checked here.
StatusOr<Allowlist> AllowlistFromObject(const nlohmann::json& object, std::string source);

// Where the rules read the allowlist from. Implementations are thread-safe:
// Current() may be called from any thread while the source is being updated.
class AllowlistSource {
 public:
  virtual ~AllowlistSource() = default;
  // The latest snapshot; never null.
  virtual std::shared_ptr<const Allowlist> Current() const = 0;
  // The last time the snapshot was known to match its origin (for the
  // allowlist-age metric), or nullopt when the source does not know.
  virtual std::optional<std::chrono::system_clock::time_point> LastUpdated() const {
    return std::nullopt;
  }
};

// A source whose snapshot is replaced explicitly (from a file, or by a watch).
class MutableAllowlistSource : public AllowlistSource {
 public:
  explicit MutableAllowlistSource(Allowlist initial);
  std::shared_ptr<const Allowlist> Current() const override;
  // The time of construction or of the last Set.
  std::optional<std::chrono::system_clock::time_point> LastUpdated() const override;
  void Set(Allowlist next);

 private:
  mutable std::mutex mu_;
  std::shared_ptr<const Allowlist> current_;
  std::chrono::system_clock::time_point updated_ = std::chrono::system_clock::now();
};

}  // namespace mgw

#endif  // MGW_RULES_ALLOWLIST_H_
