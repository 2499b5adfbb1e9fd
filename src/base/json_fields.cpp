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
  const size_t begin = Begin();
  AppendQuotedJson(text_, value);
  return Set(key, begin);
}

JsonFields& JsonFields::Add(std::string_view key, const std::string& value) {
  return Add(key, std::string_view(value));
}

JsonFields& JsonFields::Add(std::string_view key, const char* value) {
  return Add(key, std::string_view(value));
}

JsonFields& JsonFields::Add(std::string_view key, bool value) {
  const size_t begin = Begin();
  text_ += value ? "true" : "false";
  return Set(key, begin);
}

JsonFields& JsonFields::Add(std::string_view key, double value) { return Add(key, json(value)); }

JsonFields& JsonFields::Add(std::string_view key, const std::vector<std::string>& values) {
  const size_t begin = Begin();
  text_ += '[';
  for (size_t i = 0; i < values.size(); ++i) {
    if (i > 0) text_ += ',';
    AppendQuotedJson(text_, values[i]);
  }
  text_ += ']';
  return Set(key, begin);
}

JsonFields& JsonFields::Add(std::string_view key, const json& value) {
  const size_t begin = Begin();
  text_ += Dump(value);
  return Set(key, begin);
}

JsonFields::Field JsonFields::field(size_t i) const {
  const Entry& e = entries_[i];
  return {e.key, std::string_view(text_).substr(e.begin, e.end - e.begin)};
}

std::string_view JsonFields::Find(std::string_view key) const {
  for (size_t i = 0; i < entries_.size(); ++i) {
    if (entries_[i].key == key) return field(i).value;
  }
  return {};
}

std::string JsonFields::ToJsonText() const {
  std::string text = "{";
  for (size_t i = 0; i < entries_.size(); ++i) {
    if (i > 0) text += ',';
    const Field f = field(i);
    AppendQuotedJson(text, f.key);
    text += ':';
    text += f.value;
  }
  return text + "}";
}

size_t JsonFields::Begin() {
  if (text_.empty()) text_.reserve(512);  // a decision line's values, one allocation
  return text_.size();
}

JsonFields& JsonFields::Set(std::string_view key, size_t begin) {
  const size_t end = text_.size();
  for (Entry& e : entries_) {
    if (e.key == key) {
      // The old value's bytes stay behind, unused: replacing is rare.
      e.begin = begin;
      e.end = end;
      return *this;
    }
  }
  if (entries_.empty()) entries_.reserve(12);
  entries_.push_back({std::string(key), begin, end});
  return *this;
}

}  // namespace mgw
