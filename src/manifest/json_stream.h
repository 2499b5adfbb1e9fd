// A JSON stream read as kubectl reads it. kubectl takes a stream whose first
// non-space byte is '{' for JSON (k8s.io/apimachinery's YAMLOrJSONDecoder) and reads
// it with encoding/json's Decoder: one value after another, separated by white space
// or nothing (`{}{}`, `{} 0`), each a document, no YAML syntax at all. Numbers become
// int64 when they fit and float64 otherwise (so 9223372036854775808 is a float and
// 1e400 is refused); a repeated key keeps its last value. This reads the same with
// nlohmann's JSON parser and keeps the positions the manifest loader reports.
// Pure; thread-safe.
#ifndef MGW_MANIFEST_JSON_STREAM_H_
#define MGW_MANIFEST_JSON_STREAM_H_

#include <string_view>
#include <vector>

#include "mgw/base/status.h"
#include "mgw/manifest/yaml_json.h"

namespace mgw {

// Every JSON value of `text`, one YamlDocument each, with the position of its first
// byte, the lines of root.items[i] when the value is an object whose `items` is an
// array, and a warning per repeated key ("<source>:LINE:COL: duplicate key ...").
// INVALID_ARGUMENT "<source_name>:LINE:COL: <problem>" where kubectl refuses the
// stream too (malformed JSON, a number beyond float64), and, deliberately, for invalid
// UTF-8 or a lone surrogate escape in a string (kubectl would read U+FFFD) and for
// nesting deeper than kMaxYamlDepth. Never throws.
StatusOr<std::vector<YamlDocument>> ParseJsonStream(std::string_view text,
                                                    std::string_view source_name);

}  // namespace mgw

#endif  // MGW_MANIFEST_JSON_STREAM_H_
