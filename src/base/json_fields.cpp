#include "mgw/base/json_fields.h"

#include "mgw/base/quote.h"

namespace mgw {
namespace {

using nlohmann::json;

std::string Dump(const json& value) {
  return value.dump(-1, ' ', false, json::error_handler_t::replace);
}

}  // namespace

JsonFields JsonFields::FromJson(const json& object) {
  JsonFields fields;
  if (object.is_object()) {
    for (const auto& [key, value] : object.items()) fields.Add(key, value);
  } else if (!object.is_null()) {
    fields.Add("data", object);
  }
  return fields;
}

JsonFields& JsonFields::Add(std::string_view key, std::string_view value) {
  return Set(key, QuoteJson(value));
}

JsonFields& JsonFields::Add(std::string_view key, const std::string& value) {
  return Add(key, std::string_view(value));
}

JsonFields& JsonFields::Add(std::string_view key, const char* value) {
  return Add(key, std::string_view(value));
}

JsonFields& JsonFields::Add(std::string_view key, bool value) {
  return Set(key, value ? "true" : "false");
}

JsonFields& JsonFields::Add(std::string_view key, double value) {
  return Set(key, Dump(json(value)));
}

JsonFields& JsonFields::Add(std::string_view key, const std::vector<std::string>& values) {
  std::string text = "[";
  for (const std::string& v : values) {
    if (text.size() > 1) text += ',';
    AppendQuotedJson(text, v);
  }
  return Set(key, text + "]");
}

JsonFields& JsonFields::Add(std::string_view key, const json& value) {
  return Set(key, Dump(value));
}

std::string_view JsonFields::Find(std::string_view key) const {
  for (const Field& f : fields_) {
    if (f.key == key) return f.value;
  }
  return {};
}

std::string JsonFields::ToJsonText() const {
  std::string text = "{";
  for (const Field& f : fields_) {
    if (text.size() > 1) text += ',';
    AppendQuotedJson(text, f.key);
    text += ':';
    text += f.value;
  }
  return text + "}";
}

JsonFields& JsonFields::Set(std::string_view key, std::string text) {
  for (Field& f : fields_) {
    if (f.key == key) {
      f.value = std::move(text);
      return *this;
    }
  }
  if (fields_.empty()) fields_.reserve(12);  // a decision line's usual count, one allocation
  fields_.push_back({std::string(key), std::move(text)});
  return *this;
}

}  // namespace mgw
