// Typing of YAML scalars under the YAML 1.2 core schema (YAML 1.2.2, 10.3.2), the
// rules kubectl's YAML decoding follows: plain null, booleans, integers (decimal,
// 0o octal, 0x hex; a decimal beyond 64 bits becomes a float) and floats (including
// .inf and .nan), with YAML 1.1 spellings such as `yes` or `on` left as strings.
// Pure; shared by the yaml-cpp path (yaml_json.h) and the fast path (fast_yaml.h).
#ifndef MGW_MANIFEST_YAML_CORE_SCHEMA_H_
#define MGW_MANIFEST_YAML_CORE_SCHEMA_H_

#include <string_view>

#include <nlohmann/json.hpp>

#include "mgw/base/status.h"

namespace mgw {

// The core-schema value of the plain scalar `text`, e.g. "0x1F" -> 31, "~" -> null,
// "30m" -> "30m".
nlohmann::json ResolvePlainScalar(std::string_view text);

// The value of a scalar that yaml-cpp reports with `tag`: "?" for plain (typed as
// above), "!" for quoted and block scalars (a string), a core tag such as
// "tag:yaml.org,2002:int" (the text must be of that type: INVALID_ARGUMENT
// "\"abc\" is not a valid !!int" otherwise), or any other tag (the text, as a string).
StatusOr<nlohmann::json> ResolveTaggedScalar(std::string_view tag, std::string_view text);

}  // namespace mgw

#endif  // MGW_MANIFEST_YAML_CORE_SCHEMA_H_
