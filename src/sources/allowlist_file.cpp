#include "mgw/sources/allowlist_file.h"

#include "mgw/base/json_access.h"
#include "mgw/rules/mustgather_rules.h"

namespace mgw {
namespace {

using nlohmann::json;

bool HasKind(const json& object, std::string_view kind) {
  return JsonStringAt(object, {"kind"}) == kind;
}

std::string Lines(const std::vector<const ManifestDocument*>& found) {
  std::string out;
  for (const ManifestDocument* d : found) {
    if (!out.empty()) out += ", ";
    out += std::to_string(d->line);
  }
  return out;
}

}  // namespace

bool IsMustGatherImage(const json& object) {
  if (!object.is_object() || !HasKind(object, kMustGatherImageKind)) return false;
  return !object.contains("apiVersion") ||
         GroupOf(JsonStringAt(object, {"apiVersion"})) == kApiGroup;
}

StatusOr<Allowlist> AllowlistFromDocuments(const std::vector<ManifestDocument>& docs,
                                           std::string_view path) {
  std::vector<const ManifestDocument*> found;
  for (const ManifestDocument& d : docs) {
    if (!HasKind(d.object, kMustGatherImageKind)) continue;
    if (!IsMustGatherImage(d.object)) {
      return InvalidArgumentError(
          std::string(path) + ":" + std::to_string(d.line) + ": MustGatherImage has apiVersion " +
          d.object.at("apiVersion").dump(-1, ' ', false, json::error_handler_t::replace) +
          "; expected " + std::string(kApiGroupVersion));
    }
    found.push_back(&d);
  }
  if (found.empty()) {
    return InvalidArgumentError(std::string(path) +
                                ": no MustGatherImage found; the allowlist file must hold one "
                                "object with kind: MustGatherImage");
  }
  if (found.size() > 1) {
    return InvalidArgumentError(std::string(path) + ": " + std::to_string(found.size()) +
                                " MustGatherImage objects found (lines " + Lines(found) +
                                "); the allowlist file must hold exactly one");
  }
  std::string source = std::string(path) + ":" + std::to_string(found[0]->line);
  StatusOr<Allowlist> allowlist = AllowlistFromObject(found[0]->object, source);
  if (!allowlist.ok()) return allowlist.status().WithContext(source);
  return allowlist;
}

StatusOr<Allowlist> LoadAllowlistFile(const std::string& path) {
  MGW_ASSIGN_OR_RETURN(std::string text, ReadFileToString(path));
  MGW_ASSIGN_OR_RETURN(std::vector<ManifestDocument> docs, ParseManifests(text, path));
  return AllowlistFromDocuments(docs, path);
}

}  // namespace mgw
