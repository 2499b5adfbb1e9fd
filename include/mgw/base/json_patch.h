// RFC 6902 JSON Patch building, RFC 6901 pointer escaping and RFC 4648 base64,
// for the mutating webhook's response.patch. Pure functions.
#ifndef MGW_BASE_JSON_PATCH_H_
#define MGW_BASE_JSON_PATCH_H_

#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "mgw/base/status.h"

namespace mgw {

// Escapes one reference token: "~" -> "~0", "/" -> "~1" (RFC 6901 §3).
std::string EscapePointerToken(std::string_view token);

// Joins unescaped tokens into a JSON Pointer (RFC 6901 §3), escaping each one:
// {"spec","storage"} -> "/spec/storage"; {} -> "" (the whole document).
std::string JsonPointer(const std::vector<std::string>& tokens);

// Collects operations in order and renders them as an RFC 6902 array. Paths are
// given as unescaped tokens (array indices as decimal strings, "-" to append);
// the builder escapes them. It does not check that the ops apply to any document.
class PatchBuilder {
 public:
  PatchBuilder& Add(const std::vector<std::string>& path, nlohmann::json value);
  PatchBuilder& Replace(const std::vector<std::string>& path, nlohmann::json value);
  PatchBuilder& Remove(const std::vector<std::string>& path);

  bool empty() const { return ops_.empty(); }
  // The operations as a JSON array, e.g. [{"op":"add","path":"/a","value":1}].
  const nlohmann::json& ops() const { return ops_; }

 private:
  nlohmann::json ops_ = nlohmann::json::array();
};

// Standard base64 with padding (RFC 4648 §4), as Go's []byte JSON encoding uses.
std::string Base64Encode(std::string_view bytes);

// Decodes standard padded base64. INVALID_ARGUMENT when the length is not a
// multiple of 4, a character is outside the alphabet (whitespace and the URL-safe
// "-_" included), '=' appears other than as one or two final characters, or the
// final fill bits are not zero (RFC 4648 §3.5), so each output has one encoding.
StatusOr<std::string> Base64Decode(std::string_view text);

}  // namespace mgw

#endif  // MGW_BASE_JSON_PATCH_H_
