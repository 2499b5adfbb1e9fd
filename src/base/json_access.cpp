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

std::optional<int64_t> JsonIntAt(const json& root, std::initializer_list<std::string_view> path) {
  const json* v = JsonAt(root, path);
  if (v == nullptr || !v->is_number_integer()) return std::nullopt;
  return v->get<int64_t>();
}

json TakeJsonMember(json& object, std::string_view key) {
  if (!object.is_object()) return json();
  const auto it = object.find(key);
  return it == object.end() ? json() : std::move(*it);
}

const json* JsonAtField(const json& root, std::string_view field) {
  const json* cur = &root;
  while (!field.empty()) {
    size_t dot = field.find('.');
    std::string_view key = field.substr(0, dot);
    if (!cur->is_object()) return nullptr;
    auto it = cur->find(key);
    if (it == cur->end()) return nullptr;
    cur = &*it;
    field = dot == std::string_view::npos ? std::string_view() : field.substr(dot + 1);
  }
  return cur->is_null() ? nullptr : cur;
}

std::string JsonStringAtField(const json& root, std::string_view field) {
  const json* v = JsonAtField(root, field);
  return v != nullptr && v->is_string() ? v->get<std::string>() : std::string();
}

}  // namespace mgw
