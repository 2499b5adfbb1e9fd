#include "mgw/manifest.h"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <system_error>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mgw/yaml_json.h"

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
    out.push_back({std::string(source), line, index, i, items[i]});
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
  out.push_back({std::string(source), doc.line, index, std::nullopt, std::move(doc.root)});
  return Status::Ok();
}

bool IsDirectory(const std::string& path) {
  std::error_code ec;
  return std::filesystem::is_directory(path, ec);
}

Status TooLargeError(const std::string& path) {
  return ResourceExhaustedError(path + ": larger than " +
                                std::to_string(kMaxManifestFileBytes >> 20) + " MiB");
}

// Reads `fd` to its end, or to just past kMaxManifestFileBytes; false on a read error.
// `expected` is the size of a regular file (else 0): one read then usually suffices,
// as a short read of a regular file means its end.
bool ReadAll(int fd, size_t expected, std::string& out) {
  out.resize(expected + 1);
  size_t len = 0;
  while (len <= kMaxManifestFileBytes) {
    if (len == out.size()) out.resize(std::min(2 * len, kMaxManifestFileBytes + 1));
    ssize_t n = ::read(fd, out.data() + len, out.size() - len);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return false;
    len += static_cast<size_t>(n);
    if (n == 0 || (expected > 0 && len < out.size())) break;
  }
  out.resize(len);
  return true;
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

StatusOr<std::string> ReadFileToString(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  const int open_errno = errno;
  struct stat st {};
  const bool is_dir = fd >= 0 ? ::fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)
                              : open_errno != ENOENT && IsDirectory(path);
  if (fd < 0 && !is_dir) {
    std::string msg = path + ": " + std::strerror(open_errno);
    return open_errno == ENOENT ? NotFoundError(msg) : PermissionDeniedError(msg);
  }
  if (is_dir || (S_ISREG(st.st_mode) && static_cast<size_t>(st.st_size) > kMaxManifestFileBytes)) {
    if (fd >= 0) ::close(fd);
    if (is_dir) return InvalidArgumentError(path + ": is a directory");
    return TooLargeError(path);
  }
  std::string out;
  const bool ok = ReadAll(fd, S_ISREG(st.st_mode) ? static_cast<size_t>(st.st_size) : 0, out);
  ::close(fd);
  if (!ok) return UnavailableError(path + ": read error");
  if (out.size() > kMaxManifestFileBytes) return TooLargeError(path);
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
