#include "mgw/manifest/manifest.h"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <system_error>

#include "mgw/manifest/yaml_json.h"

namespace mgw {
namespace {

using nlohmann::json;

std::string_view TypeName(const json& v) {
  if (v.is_string()) return "a string";
  if (v.is_array()) return "a sequence";
  if (v.is_boolean()) return "a boolean";
  if (v.is_number()) return "a number";
  return "null";
}

bool IsList(const json& object) {
  auto kind = object.find("kind");
  return kind != object.end() && kind->is_string() &&
         kind->get_ref<const std::string&>().ends_with("List") && object.contains("items");
}

Status AppendItems(const YamlDocument& doc, std::string_view source, size_t index,
                   std::vector<ManifestDocument>& out) {
  const json& items = doc.root["items"];
  std::string at = std::string(source) + ":" + std::to_string(doc.line) + ":" +
                   std::to_string(doc.column) + ": ";
  if (items.is_null()) return Status::Ok();
  if (!items.is_array()) return InvalidArgumentError(at + "List items must be a sequence");
  for (size_t i = 0; i < items.size(); ++i) {
    int line = doc.item_lines.size() == items.size() ? doc.item_lines[i] : doc.line;
    if (!items[i].is_object()) {
      return InvalidArgumentError(std::string(source) + ":" + std::to_string(line) +
                                  ": List item " + std::to_string(i) + " is " +
                                  std::string(TypeName(items[i])) + ", not a mapping");
    }
    out.push_back({std::string(source), line, index, i, items[i],
                   i == 0 ? doc.warnings : std::vector<std::string>{}});
  }
  return Status::Ok();
}

Status AppendDocument(YamlDocument& doc, std::string_view source, size_t index,
                      std::vector<ManifestDocument>& out) {
  if (doc.root.is_null()) return Status::Ok();
  if (!doc.root.is_object()) {
    return InvalidArgumentError(
        std::string(source) + ":" + std::to_string(doc.line) + ":" + std::to_string(doc.column) +
        ": document " + std::to_string(index + 1) + " is " + std::string(TypeName(doc.root)) +
        ", not a mapping (a Kubernetes object)");
  }
  if (IsList(doc.root)) return AppendItems(doc, source, index, out);
  out.push_back({std::string(source), doc.line, index, std::nullopt, std::move(doc.root),
                 std::move(doc.warnings)});
  return Status::Ok();
}

}  // namespace

StatusOr<std::vector<ManifestDocument>> ParseManifests(std::string_view text,
                                                       std::string_view source_name) {
  MGW_ASSIGN_OR_RETURN(std::vector<YamlDocument> docs, ParseYamlStream(text, source_name));
  std::vector<ManifestDocument> out;
  out.reserve(docs.size());
  for (size_t i = 0; i < docs.size(); ++i) {
    MGW_RETURN_IF_ERROR(AppendDocument(docs[i], source_name, i, out));
  }
  return out;
}

bool IsManifestFileName(std::string_view name) {
  std::string lower(name);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return lower.ends_with(".yaml") || lower.ends_with(".yml") || lower.ends_with(".json");
}

StatusOr<std::vector<std::string>> ListManifestFiles(const std::string& path) {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::file_status st = fs::status(path, ec);
  if (ec && ec != std::errc::no_such_file_or_directory) {
    return UnavailableError(path + ": " + ec.message());
  }
  if (!fs::exists(st)) return NotFoundError(path + ": no such file or directory");
  if (!fs::is_directory(st)) return std::vector<std::string>{path};
  std::vector<std::string> files;
  fs::recursive_directory_iterator it(path, ec);
  for (; !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    std::error_code file_ec;
    if (it->is_regular_file(file_ec) && IsManifestFileName(it->path().filename().string())) {
      files.push_back(it->path().generic_string());
    }
  }
  if (ec) return UnavailableError(path + ": " + ec.message());
  std::sort(files.begin(), files.end());
  return files;
}

}  // namespace mgw
