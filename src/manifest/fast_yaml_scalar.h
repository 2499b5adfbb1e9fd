// One-line scanners for the fast YAML path (fast_yaml.h): a scalar in block context
// (plain, 'single' or "double" quoted, possibly a mapping key) and a flow collection
// ([...] or {...}) that closes on the line it opens. Each accepts only a strict subset
// of YAML whose meaning under yaml-cpp 0.7 is known, and returns false for anything
// else (multi-line scalars, anchors, tags, unusual escapes, ...): the caller then
// hands the whole stream to yaml-cpp. Pure; thread-compatible.
#ifndef MGW_MANIFEST_FAST_YAML_SCALAR_H_
#define MGW_MANIFEST_FAST_YAML_SCALAR_H_

#include <cstddef>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace mgw {

// Flow collections nest at most this deep, so the total stays below kMaxYamlDepth.
inline constexpr int kMaxFastFlowDepth = 16;

struct LineScalar {
  std::string text;     // the scalar's value, quotes removed and escapes applied
  bool quoted = false;  // 'single' or "double" quoted (always a string)
  bool is_key = false;  // followed by ':' and a space or the end of the line
};

// Scans the block-context scalar that starts at line[pos] (not a space). On success
// `pos` is just past the scalar, or past the ':' for a key; a plain scalar stops at a
// " #" comment or the end of the line and loses its trailing spaces. False for a
// scalar that cannot start there (an indicator such as -, [, &, !, |) or that does not
// end on this line. `line` holds no line break.
bool ScanBlockScalar(std::string_view line, size_t& pos, LineScalar& out);

// True when a plain mapping key with text `key` means just its text: false for the
// keys yaml-cpp treats specially (empty, ~, null, Null, NULL, and the merge key <<).
bool IsOrdinaryPlainKey(std::string_view key);

// Scans the flow collection that opens at line[pos] ('[' or '{') into `out`, adding
// one to `nodes` per node (collections, keys and values), as the yaml-cpp path
// counts them. On success `pos` is just past the closing bracket. Entries are
// quoted or plain scalars and nested collections; mappings need `key: value` pairs
// with scalar keys. False for empty entries, a collection left open at the end of the
// line, nesting deeper than kMaxFastFlowDepth, duplicate keys, or anything else.
bool ScanFlowCollection(std::string_view line, size_t& pos, nlohmann::json& out, size_t& nodes);

}  // namespace mgw

#endif  // MGW_MANIFEST_FAST_YAML_SCALAR_H_
