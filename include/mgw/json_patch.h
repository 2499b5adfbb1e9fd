// RFC 6902 JSON Patch building, RFC 6901 pointer escaping and RFC 4648 base64,
// for the mutating webhook's response.patch. Pure functions.
#ifndef MGW_JSON_PATCH_H_
#define MGW_JSON_PATCH_H_

#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "mgw/status.h"

namespace mgw {

// Escapes one reference token: "~" -> "~0", "/" -> "~1" (RFC 6901 §3).
std::string EscapePointerToken(std::string_view token);

// Joins tokens into a JSON Pointer: {"spec","storage"} -> "/spec/storage".
std::string JsonPointer(const std::vector<std::string>& tokens);

// Collects operations in order and renders them as an RFC 6902 array.
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

// Decodes standard padded base64; INVALID_ARGUMENT on bad length or characters.
StatusOr<std::string> Base64Decode(std::string_view text);

}  // namespace mgw

#endif  // MGW_JSON_PATCH_H_
