// Exception-free reads of nested members of Kubernetes objects held as JSON. Every
// module that looks inside an object it did not build goes through these, so a
// wrong type anywhere reads as "absent" instead of throwing.
#ifndef MGW_BASE_JSON_ACCESS_H_
#define MGW_BASE_JSON_ACCESS_H_

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace mgw {

// The member reached by following `path` (object keys) from `root`, or nullptr when
// a step is missing, a step is not an object, or the member is null.
const nlohmann::json* JsonAt(const nlohmann::json& root,
                             std::initializer_list<std::string_view> path);

// The string at `path`, or "" when it is absent or not a string.
std::string JsonStringAt(const nlohmann::json& root, std::initializer_list<std::string_view> path);

// The integer at `path`, or nullopt when it is absent or not an integer.
std::optional<int64_t> JsonIntAt(const nlohmann::json& root,
                                 std::initializer_list<std::string_view> path);

// Moves the member `key` out of `object` and returns it (the member stays, now
// null); null when there is no such member or `object` is not an object.
nlohmann::json TakeJsonMember(nlohmann::json& object, std::string_view key);

// JsonAt and JsonStringAt for a field spelled as field errors spell it, keys joined by
// '.' ("spec.storage.type"), so one constant names a field for both reading and messages.
// REQUIRES: no key on the path contains '.'.
const nlohmann::json* JsonAtField(const nlohmann::json& root, std::string_view field);
std::string JsonStringAtField(const nlohmann::json& root, std::string_view field);

}  // namespace mgw

#endif  // MGW_BASE_JSON_ACCESS_H_
