#include "mgw/sources/cluster_allowlist_source.h"

#include "mgw/rules/mustgather_rules.h"

namespace mgw {
namespace {

using nlohmann::json;

constexpr char kObjectDesc[] = "MustGatherImage \"cluster\"";

InformerOptions ForAllowlist(InformerOptions options) {
  options.gvr = MustGatherImagesGvr();
  options.ns.clear();
  options.field_selector = "metadata.name=" + std::string(kAllowlistObjectName);
  if (options.name.empty()) options.name = "mustgatherimage/cluster";
  return options;
}

std::string VersionOf(const json& object) {
  const json* meta = object.contains("metadata") ? &object["metadata"] : nullptr;
  if (meta == nullptr || !meta->is_object()) return "";
  auto rv = meta->find("resourceVersion");
  return rv != meta->end() && rv->is_string() ? rv->get<std::string>() : "";
}

}  // namespace

Gvr MustGatherImagesGvr() {
  return Gvr{std::string(kApiGroup), std::string(kApiVersion),
             std::string(kMustGatherImageResource)};
}

ClusterAllowlistSource::ClusterAllowlistSource(KubeClient& client, InformerOptions options)
    : informer_(client, ForAllowlist(options)),
      current_(NotConfiguredAllowlist(std::string(kObjectDesc) + " does not exist")),
      log_(options.log),
      clock_(options.clock) {
  InformerHandler handler;
  handler.on_add = [this](const json& object) { Install(object); };
  handler.on_update = [this](const json&, const json& object) { Install(object); };
  handler.on_delete = [this](const json&) { Uninstall(); };
  informer_.AddHandler(std::move(handler));
}

// The informer's thread calls into current_, so it must end before members go.
ClusterAllowlistSource::~ClusterAllowlistSource() { informer_.Stop(); }

std::shared_ptr<const Allowlist> ClusterAllowlistSource::Current() const {
  return current_.Current();
}

void ClusterAllowlistSource::Install(const json& object) {
  json copy = object;
  if (copy.is_object() && !copy.contains("kind")) copy["kind"] = kMustGatherImageKind;
  std::string source = std::string(kObjectDesc) + " (resourceVersion " + VersionOf(object) + ")";
  StatusOr<Allowlist> next = AllowlistFromObject(copy, source);
  if (!next.ok()) {
    // Fail closed: an unusable allowlist admits no custom image, rather than an old one.
    Allowlist none;
    none.configured = true;
    none.source = source + ", unusable: " + next.status().message();
    current_.Set(std::move(none));
    LogTo(log_, spdlog::level::err, "allowlist unusable; no custom image is allowed",
          {{"source", source}, {"error", next.status().message()}});
    return;
  }
  LogTo(log_, spdlog::level::info, "allowlist updated",
        {{"source", source}, {"images", next->entries.size()}});
  current_.Set(std::move(next).value());
}

void ClusterAllowlistSource::Uninstall() {
  current_.Set(NotConfiguredAllowlist(std::string(kObjectDesc) + " was deleted"));
  LogTo(log_, spdlog::level::warn, "allowlist deleted; custom images are rejected", json::object());
}

std::string ClusterAllowlistSource::NotReadyReason() const {
  if (informer_.HasSynced()) return "";
  std::string why = "the " + std::string(kObjectDesc) + " allowlist has not been read yet";
  std::string error = informer_.Health().last_error;
  return error.empty() ? why : why + ": " + error;
}

std::optional<std::chrono::seconds> ClusterAllowlistSource::Age() const {
  InformerHealth health = informer_.Health();
  if (!health.synced) return std::nullopt;
  if (health.watching || !health.last_contact) return std::chrono::seconds(0);
  auto now = WallNow(clock_);
  auto age = std::chrono::duration_cast<std::chrono::seconds>(now - *health.last_contact);
  return std::max(age, std::chrono::seconds(0));
}

std::optional<std::chrono::system_clock::time_point> ClusterAllowlistSource::LastUpdated() const {
  std::optional<std::chrono::seconds> age = Age();
  if (!age) return std::nullopt;
  return (WallNow(clock_)) - *age;
}

}  // namespace mgw
