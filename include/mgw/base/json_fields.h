// The fields of one structured log line: named JSON values in the order they
// were added, each held as its JSON text. A decision's log line is built for
// every admission review, and this costs a string per field where a JSON tree
// costs a map node, a key and a value each, and a second pass to print.
#ifndef MGW_BASE_JSON_FIELDS_H_
#define MGW_BASE_JSON_FIELDS_H_

#include <concepts>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace mgw {

class JsonFields {
 public:
  // A view into the JsonFields it came from, valid until its next Add.
  struct Field {
    std::string_view key;
    std::string_view value;  // JSON text
  };

  JsonFields() = default;
  // The members of `object` in its order; any other value but null becomes "data".
  static JsonFields FromJson(const nlohmann::json& object);

  // Each Add sets `key`: a key added again keeps its place and takes the new value.
  JsonFields& Add(std::string_view key, std::string_view value);  // a JSON string
  JsonFields& Add(std::string_view key, const std::string& value);
  JsonFields& Add(std::string_view key, const char* value);
  JsonFields& Add(std::string_view key, bool value);
  JsonFields& Add(std::string_view key, double value);
  JsonFields& Add(std::string_view key, const std::vector<std::string>& values);
  JsonFields& Add(std::string_view key, const nlohmann::json& value);
  template <std::integral T>
  requires(!std::same_as<T, bool>) JsonFields& Add(std::string_view key, T value) {
    const size_t begin = Begin();
    text_ += std::to_string(value);
    return Set(key, begin);
  }

  size_t size() const { return entries_.size(); }
  bool empty() const { return entries_.empty(); }
  // The i-th field, in the order of first addition. REQUIRES: i < size().
  Field field(size_t i) const;
  // The JSON text of `key`'s value, or "" when there is none.
  std::string_view Find(std::string_view key) const;
  // The fields as one JSON object, e.g. {"uid":"a","allowed":false}.
  std::string ToJsonText() const;

 private:
  struct Entry {
    std::string key;
    size_t begin = 0;  // the value is text_[begin, end)
    size_t end = 0;
  };

  // Where the next value starts in text_, which holds every value's JSON text
  // back to back: one buffer for the line, not a string per field.
  size_t Begin();
  // Makes text_[begin, end of text_) the value of `key`.
  JsonFields& Set(std::string_view key, size_t begin);

  std::string text_;
  std::vector<Entry> entries_;
};

}  // namespace mgw

#endif  // MGW_BASE_JSON_FIELDS_H_
