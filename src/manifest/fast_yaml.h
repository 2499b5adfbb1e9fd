// A fast path for ParseYamlStream (yaml_json.h): a hand-written parser for the subset
// of YAML that Kubernetes manifests are written in, several times faster than
// yaml-cpp. It produces exactly what the yaml-cpp path produces (same values, typing,
// positions and recorded item lines) or declines, and the caller then parses the
// whole stream with yaml-cpp, which also reports any error. Pure; thread-compatible.
//
// The subset: documents separated by `---` (and ended by `...`), block mappings and
// sequences laid out by spaces (including `key:` followed by a sequence at the same
// indent and compact `- key: value` items), plain scalars and 'single' / "double"
// quoted scalars on one line, literal block scalars (`|` and `|-`), comments, and flow
// collections that close on the line they open. Declined: anchors, aliases, tags,
// directives, folded (>) and other block scalar forms, multi-line plain and quoted
// scalars and flows, complex (?) and merge (<<) keys, null keys, empty sequence items,
// tabs and control characters anywhere, a repeated key, and anything malformed.
#ifndef MGW_MANIFEST_FAST_YAML_H_
#define MGW_MANIFEST_FAST_YAML_H_

#include <optional>
#include <string_view>
#include <vector>

#include "mgw/manifest/yaml_json.h"

namespace mgw {

// Block collections nest at most this deep on the fast path.
inline constexpr int kMaxFastBlockDepth = 64;

// The documents of `text` (UTF-8 without a byte order mark), or nullopt when the text
// is outside the subset above or malformed.
std::optional<std::vector<YamlDocument>> FastParseYamlStream(std::string_view text);

// True when `a` and `b` hold the same documents: values of the same JSON types (1 and
// 1.0 differ; NaN equals NaN), positions and item lines. For differential checks.
bool SameYamlDocuments(const std::vector<YamlDocument>& a, const std::vector<YamlDocument>& b);

}  // namespace mgw

#endif  // MGW_MANIFEST_FAST_YAML_H_
