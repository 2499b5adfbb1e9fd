// YAML streams converted to JSON exactly as kubectl converts them, with the position of
// each document's root. Pure; thread-compatible. The manifest loader builds on this.
//
// kubectl cuts a stream into documents at `---` lines (yaml_split.h) and converts each
// with sigs.k8s.io/yaml, that is go-yaml v2 and then JSON. This does the same with
// libyaml (go-yaml v2 is a port of it; yaml_events.h) and go-yaml's typing
// (yaml_scalar.h): YAML 1.1 booleans (`yes`, `off`, `Y`), nulls, integers in any base,
// floats, timestamps as strings, merge keys (`<<`, applied in place, earlier sources
// winning within one), anchors and aliases under go-yaml's alias budget. A key repeated
// in one mapping keeps its last value and gives a warning, as kubectl does. The test
// kubectl_yaml_oracle_test holds this to kubectl's own converter.
#ifndef MGW_MANIFEST_YAML_JSON_H_
#define MGW_MANIFEST_YAML_JSON_H_

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "mgw/base/status.h"

namespace mgw {

// Nested mappings and sequences allowed in one document. kubectl allows 10000; a
// Kubernetes object needs far fewer, and this one is ours.
inline constexpr size_t kMaxYamlDepth = 100;

struct YamlDocument {
  nlohmann::json root;  // null for an empty document (nothing, comments, `~`)
  int line = 1;         // 1-based position of the root node
  int column = 1;
  std::vector<int> item_lines;        // lines of root.items[i] when root is a mapping with an
                                      // `items` sequence written in place (not merged or aliased)
  std::vector<std::string> warnings;  // "<source>:LINE:COL: duplicate key ..." and the like
};

// Converts every document of `text`, one per `---`-separated chunk, empty ones
// included (as null); a stream whose first non-space byte is '{' is JSON to kubectl:
// one document per JSON value, no YAML syntax allowed (json_stream.h).
// INVALID_ARGUMENT "<source_name>:LINE:COL: <problem>" where kubectl refuses the
// document too: malformed YAML (libyaml's message, or go-yaml's reading where the two
// differ), an unknown alias or one inside its own anchor's node, a null, collection or
// out-of-range key, a merge (<<) value that is not a mapping or a list of them, a
// value that contradicts its core tag, .inf or .nan as a value (JSON has neither),
// excessive aliasing (go-yaml's rule). Also for nesting deeper than kMaxYamlDepth.
// Never throws.
StatusOr<std::vector<YamlDocument>> ParseYamlStream(std::string_view text,
                                                    std::string_view source_name);

}  // namespace mgw

#endif  // MGW_MANIFEST_YAML_JSON_H_
