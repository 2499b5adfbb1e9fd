#include "mgw/base/json_access.h"

namespace mgw {

using nlohmann::json;

const json* JsonAt(const json& root, std::initializer_list<std::string_view> path) {
  const json* cur = &root;
  for (std::string_view key : path) {
    if (!cur->is_object()) return nullptr;
    auto it = cur->find(key);
    if (it == cur->end()) return nullptr;
    cur = &*it;
  }
  return cur->is_null() ? nullptr : cur;
}

std::string JsonStringAt(const json& root, std::initializer_list<std::string_view> path) {
  const json* v = JsonAt(root, path);
  return v != nullptr && v->is_string() ? v->get<std::string>() : std::string();
}

}  // namespace mgw
