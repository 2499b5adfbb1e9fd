// Kubernetes manifests as JSON objects with their source positions: multi-document
// YAML, or a stream of JSON values when it starts with '{' (as kubectl reads it), with
// `kind: List` (any kind ending in "List") expanded into its items. Reading files and
// walking directories (I/O) is kept apart from parsing (pure). Typing, limits and
// duplicate-key handling are kubectl's, as in yaml_json.h. Thread-compatible.
#ifndef MGW_MANIFEST_MANIFEST_H_
#define MGW_MANIFEST_MANIFEST_H_

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "mgw/base/file.h"
#include "mgw/base/status.h"

namespace mgw {

// One Kubernetes object read from a manifest stream.
struct ManifestDocument {
  std::string source;                      // the file name as given, or "<stdin>"
  int line = 0;                            // 1-based line where the object starts
  size_t document_index = 0;               // 0-based document in the stream as kubectl cuts it
                                           // (at --- lines), blank and comment-only ones counted
  std::optional<size_t> item_index;        // position in the enclosing List's items, if any
  nlohmann::json object;                   // always a JSON object
  std::vector<std::string> warnings = {};  // "<source>:LINE:COL: duplicate key ..." from the
                                           // YAML (a List's go with its first item)
};

// Parses every document in `text`. Empty documents (nothing, comments, `~`) are
// skipped. A document whose kind ends in "List" and that has an `items` key yields
// one document per item (none when items is null), each with its own line.
// INVALID_ARGUMENT "<source_name>:LINE:COL: <problem>" (just LINE for a List item)
// for anything ParseYamlStream rejects, a document or List item that is not a
// mapping, or List items that are not a sequence. Never throws.
StatusOr<std::vector<ManifestDocument>> ParseManifests(std::string_view text,
                                                       std::string_view source_name);

// True for names ending in .yaml, .yml or .json (case-insensitive).
bool IsManifestFileName(std::string_view name);

// The files `path` stands for: itself when it is not a directory (whatever its
// name), or every regular file below it whose name passes IsManifestFileName,
// recursively, following symlinked files but not symlinked directories, sorted.
// Each is `path` joined with the relative name. NOT_FOUND when `path` does not
// exist; UNAVAILABLE when a directory cannot be read.
StatusOr<std::vector<std::string>> ListManifestFiles(const std::string& path);

}  // namespace mgw

#endif  // MGW_MANIFEST_MANIFEST_H_
