// YAML scalars typed the way kubectl types them. kubectl converts YAML to JSON with
// sigs.k8s.io/yaml, which decodes with go-yaml v2 (YAML 1.1 flavoured) and then writes
// the result as JSON. This module reproduces both steps for one scalar: go-yaml's
// resolution (`yes`/`on`/`y` are true, `~` and `null` are null, `0x1F`, `0o17`, `017`,
// `0b11` and `1_000` are integers, `.5`, `1e3` and `.inf` are floats, timestamps stay
// strings) and sigs.k8s.io/yaml's spelling of mapping keys. The number rules are those
// of Go's strconv (base prefixes, signs, ranges), not the project's ParseDecimal, on
// purpose: they are what the cluster sees. Pure; thread-safe.
#ifndef MGW_MANIFEST_YAML_SCALAR_H_
#define MGW_MANIFEST_YAML_SCALAR_H_

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "mgw/base/status.h"

namespace mgw {

// The value go-yaml v2 gives the scalar `text` written with the tag `tag` (the full
// tag as libyaml reports it, e.g. "tag:yaml.org,2002:int", or empty for none).
// `plain` is true for a plain (unquoted, non-block) scalar without a tag, whose type
// comes from its text; quoted and block scalars without a tag are strings. Floats may
// be infinite or NaN here (they are valid keys); the caller refuses them as values.
// INVALID_ARGUMENT when the text does not fit its core tag ("cannot decode !!str `abc`
// as a !!int") or a !!binary scalar is not base64.
StatusOr<nlohmann::json> ResolveYamlScalar(std::string_view tag, std::string_view text, bool plain);

// True when ResolveYamlScalar(tag, text, plain) is the string `text` on sight (no tag,
// and quoted or starting with a character no other type starts with): a shortcut that
// spares building a value to take a key's text.
bool IsPlainString(std::string_view tag, std::string_view text, bool plain);

// The JSON object key sigs.k8s.io/yaml writes for the resolved key `key`: strings as
// they are, integers in decimal, booleans as true/false, floats as Go's
// FormatFloat(f, 'g', -1, 32) (".inf", "-.inf", ".nan" for the special values).
// INVALID_ARGUMENT for null, unsigned 64-bit values above INT64_MAX, and collections,
// which kubectl refuses as keys.
StatusOr<std::string> YamlKeyText(const nlohmann::json& key);

}  // namespace mgw

#endif  // MGW_MANIFEST_YAML_SCALAR_H_
