#include "mgw/rules/mustgather_api.h"

#include "mgw/base/json_access.h"

namespace mgw {

using nlohmann::json;

std::vector<NamedImage> ImagesOf(const json& mustgather) {
  std::vector<NamedImage> out;
  if (std::string one = JsonStringAtField(mustgather, kMustGatherImageField); !one.empty()) {
    out.push_back({std::string(kMustGatherImageField), std::move(one)});
  }
  const json* list = JsonAtField(mustgather, kImagesField);
  if (list == nullptr || !list->is_array()) return out;
  for (size_t i = 0; i < list->size(); ++i) {
    if ((*list)[i].is_string()) {
      out.push_back({std::string(kImagesField) + "[" + std::to_string(i) + "]",
                     (*list)[i].get<std::string>()});
    }
  }
  return out;
}

std::string NamespaceOf(const json& object, const std::string& fallback) {
  std::string ns = JsonStringAt(object, {"metadata", "namespace"});
  return ns.empty() ? fallback : ns;
}

bool RetainsResources(const json& mustgather) {
  const json* retain = JsonAtField(mustgather, kRetainField);
  return retain != nullptr && *retain == true;
}

bool GathersAuditLogs(const json& mustgather) {
  const json* audit = JsonAtField(mustgather, kAuditField);
  return audit != nullptr && *audit == true;
}

bool UploadsToSftp(const json& mustgather) {
  const json* sftp = JsonAtField(mustgather, kSftpField);
  return JsonStringAtField(mustgather, kUploadTypeField) == kUploadTypeSftp && sftp != nullptr &&
         sftp->is_object();
}

std::string GroupOf(std::string_view api_version) {
  size_t slash = api_version.find('/');
  return slash == std::string_view::npos ? "" : std::string(api_version.substr(0, slash));
}

bool IsOurKind(const json& object, std::string_view kind) {
  return JsonStringAt(object, {"kind"}) == kind &&
         GroupOf(JsonStringAt(object, {"apiVersion"})) == kApiGroup;
}

}  // namespace mgw
