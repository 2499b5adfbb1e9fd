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
  struct Field {
    std::string key;
    std::string value;  // JSON text
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
    return Set(key, std::to_string(value));
  }

  const std::vector<Field>& fields() const { return fields_; }
  bool empty() const { return fields_.empty(); }
  // The JSON text of `key`'s value, or "" when there is none.
  std::string_view Find(std::string_view key) const;
  // The fields as one JSON object, e.g. {"uid":"a","allowed":false}.
  std::string ToJsonText() const;

 private:
  JsonFields& Set(std::string_view key, std::string text);

  std::vector<Field> fields_;
};

}  // namespace mgw

#endif  // MGW_BASE_JSON_FIELDS_H_
