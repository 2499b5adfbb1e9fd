// YAML streams converted to JSON values, with the position of each document's root.
// Pure; thread-compatible. The manifest loader builds on this.
//
// Scalars are typed by the YAML 1.2 core schema (yaml_core_schema.h); quoted and
// block scalars are always strings, and explicit core tags (!!str, !!int, ...) are
// honoured. Mapping keys are always strings (their text). Merge keys (`<<`) are
// honoured and explicit keys win over merged ones. A key repeated in one mapping is
// an error, as in kubectl.
#ifndef MGW_MANIFEST_YAML_JSON_H_
#define MGW_MANIFEST_YAML_JSON_H_

#include <cstddef>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "mgw/base/status.h"

namespace mgw {

// Limits against pathological input.
inline constexpr size_t kMaxYamlDepth = 100;                   // nested mappings/sequences
inline constexpr size_t kMinYamlNodeBudget = size_t{1} << 20;  // nodes after alias expansion

struct YamlDocument {
  nlohmann::json root;  // null for an empty document (nothing, comments, `~`)
  int line = 1;         // 1-based position of the root node
  int column = 1;
  std::vector<int> item_lines;  // lines of root.items[i] when root is a mapping with an
                                // `items` sequence written in place (not merged or aliased)
};

// Converts every document of the UTF-8 stream `text` (a leading BOM is skipped).
// INVALID_ARGUMENT "<source_name>:LINE:COL: <problem>" for malformed YAML (including
// an unterminated quoted string and content after a top-level sequence that does not
// start a new document with `---`, which yaml-cpp 0.7 would accept), duplicate or
// non-scalar keys, an alias to a node that contains it, a value that contradicts its
// core tag, nesting deeper than kMaxYamlDepth, more than max(kMinYamlNodeBudget,
// text.size()) nodes once aliases are expanded (an "alias bomb"), or UTF-16/32 input.
// Never throws. Manifest-style YAML takes the fast path of fast_yaml.h; everything
// else, and every error, goes through yaml-cpp.
StatusOr<std::vector<YamlDocument>> ParseYamlStream(std::string_view text,
                                                    std::string_view source_name);

// ParseYamlStream with yaml-cpp alone, never the fast path: the reference that the
// differential tests and fuzzer hold the fast path to. Same contract.
StatusOr<std::vector<YamlDocument>> ParseYamlStreamWithYamlCpp(std::string_view text,
                                                               std::string_view source_name);

}  // namespace mgw

#endif  // MGW_MANIFEST_YAML_JSON_H_
