#include "deploy/crd_schema.h"

#include <algorithm>
#include <regex>
#include <set>

namespace mgw::testing {
namespace {

using nlohmann::json;

// Keywords the checker evaluates, plus the ones that need no evaluation.
const std::set<std::string>& KnownKeywords() {
  static const std::set<std::string> kKnown = {"type",
                                               "properties",
                                               "required",
                                               "enum",
                                               "pattern",
                                               "minLength",
                                               "maxLength",
                                               "minimum",
                                               "items",
                                               "x-kubernetes-list-type",
                                               "default",
                                               "description",
                                               "format",
                                               "x-kubernetes-list-map-keys",
                                               "x-kubernetes-validations"};
  return kKnown;
}

// The schema's properties, or an empty object (a reference, so items() never dangles).
const json& PropertiesOf(const json& schema) {
  static const json kNone = json::object();
  auto it = schema.find("properties");
  return it != schema.end() && it->is_object() ? *it : kNone;
}

std::string Child(const std::string& path, const std::string& name) {
  return path.empty() ? name : path + "." + name;
}

std::string Index(const std::string& path, size_t i) {
  return path + "[" + std::to_string(i) + "]";
}

// Characters, not bytes: the API server counts runes.
size_t CountCharacters(const std::string& s) {
  return static_cast<size_t>(std::count_if(
      s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

bool TypeMatches(const std::string& type, const json& value) {
  if (type == "object") return value.is_object();
  if (type == "array") return value.is_array();
  if (type == "string") return value.is_string();
  if (type == "boolean") return value.is_boolean();
  if (type == "integer") return value.is_number_integer();
  if (type == "number") return value.is_number();
  return false;
}

class Checker {
 public:
  void Check(const json& schema, const json& value, const std::string& path);
  std::vector<SchemaFinding> findings;

 private:
  void Invalid(const std::string& path, std::string detail) {
    findings.push_back({SchemaFinding::Kind::kInvalid, path, std::move(detail)});
  }
  void CheckString(const json& schema, const std::string& s, const std::string& path);
  void CheckMatchesRules(const json& schema, const std::string& s, const std::string& path);
  void CheckObject(const json& schema, const json& value, const std::string& path);
  void CheckArray(const json& schema, const json& value, const std::string& path);
};

void Checker::Check(const json& schema, const json& value, const std::string& path) {
  if (value.is_null()) {
    findings.push_back({SchemaFinding::Kind::kPruned, path, "null"});
    return;
  }
  const std::string type = schema.value("type", "");
  if (!type.empty() && !TypeMatches(type, value)) {
    Invalid(path, "Invalid value: " + value.dump() + ": must be of type " + type);
    return;
  }
  if (auto e = schema.find("enum");
      e != schema.end() && std::find(e->begin(), e->end(), value) == e->end()) {
    Invalid(path, "Unsupported value: " + value.dump() + ": supported values: " + e->dump());
  }
  if (auto min = schema.find("minimum");
      min != schema.end() && value.is_number() && value.get<double>() < min->get<double>()) {
    Invalid(path, "Invalid value: " + value.dump() + ": should be >= " + min->dump());
  }
  if (value.is_string()) CheckString(schema, value.get_ref<const std::string&>(), path);
  if (value.is_object()) CheckObject(schema, value, path);
  if (value.is_array()) CheckArray(schema, value, path);
}

void Checker::CheckString(const json& schema, const std::string& s, const std::string& path) {
  const size_t chars = CountCharacters(s);
  if (auto max = schema.find("maxLength"); max != schema.end() && chars > max->get<size_t>()) {
    Invalid(path, "Too long: may not be longer than " + max->dump());
  }
  if (auto min = schema.find("minLength"); min != schema.end() && chars < min->get<size_t>()) {
    Invalid(path, "Invalid value: should be at least " + min->dump() + " chars long");
  }
  if (auto p = schema.find("pattern"); p != schema.end()) {
    // OpenAPI patterns are unanchored searches, as Go's regexp.MatchString.
    const std::regex re(p->get<std::string>(), std::regex::ECMAScript);
    if (!std::regex_search(s, re)) {
      Invalid(path, "Invalid value: " + json(s).dump() + ": should match '" +
                        p->get<std::string>() + "'");
    }
  }
  CheckMatchesRules(schema, s, path);
}

// The one CEL form the checker evaluates: a rule that is exactly self.matches('<re>'),
// an unanchored RE2 search like `pattern`. The API server reports a failed rule as
// `Invalid value: "string": <message>`, without the value.
void Checker::CheckMatchesRules(const json& schema, const std::string& s, const std::string& path) {
  static constexpr std::string_view kPrefix = "self.matches('";
  static constexpr std::string_view kSuffix = "')";
  for (const json& r : schema.value("x-kubernetes-validations", json::array())) {
    const std::string rule = r.value("rule", "");
    if (rule.size() < kPrefix.size() + kSuffix.size() || rule.rfind(kPrefix, 0) != 0 ||
        rule.compare(rule.size() - kSuffix.size(), kSuffix.size(), kSuffix) != 0) {
      continue;
    }
    const std::string re_text =
        rule.substr(kPrefix.size(), rule.size() - kPrefix.size() - kSuffix.size());
    if (!std::regex_search(s, std::regex(re_text, std::regex::ECMAScript))) {
      Invalid(path, "Invalid value: \"string\": " + r.value("message", ""));
    }
  }
}

void Checker::CheckObject(const json& schema, const json& value, const std::string& path) {
  for (const json& r : schema.value("required", json::array())) {
    const std::string name = r.get<std::string>();
    if (!value.contains(name) || value[name].is_null())
      Invalid(Child(path, name), "Required value");
  }
  const json& props = PropertiesOf(schema);
  for (const auto& [key, child] : value.items()) {
    if (path.empty() && key == "metadata") continue;  // the API server checks metadata itself
    if (auto s = props.find(key); s != props.end()) {
      Check(*s, child, Child(path, key));
    } else {
      findings.push_back({SchemaFinding::Kind::kPruned, Child(path, key), "unknown field"});
    }
  }
}

void Checker::CheckArray(const json& schema, const json& value, const std::string& path) {
  const std::string list_type = schema.value("x-kubernetes-list-type", "atomic");
  const json keys = schema.value("x-kubernetes-list-map-keys", json::array());
  std::set<std::string> seen;
  for (size_t i = 0; i < value.size(); ++i) {
    if (auto items = schema.find("items"); items != schema.end()) {
      Check(*items, value[i], Index(path, i));
    }
    std::string identity;
    if (list_type == "set") identity = value[i].dump();
    if (list_type == "map" && value[i].is_object()) {
      for (const json& k : keys) identity += value[i].value(k.get<std::string>(), json()).dump();
    }
    if (!identity.empty() && !seen.insert(identity).second) {
      Invalid(Index(path, i), "Duplicate value: " + value[i].dump());
    }
  }
}

void CollectUnsupported(const json& schema, const std::string& path,
                        std::vector<std::string>& out) {
  for (const auto& [key, child] : schema.items()) {
    if (!KnownKeywords().contains(key))
      out.push_back((path.empty() ? "<root>" : path) + ": " + key);
  }
  for (const auto& [name, child] : PropertiesOf(schema).items()) {
    CollectUnsupported(child, Child(path, name), out);
  }
  if (auto items = schema.find("items"); items != schema.end()) {
    CollectUnsupported(*items, path + "[]", out);
  }
}

void CollectCel(const json& schema, const std::string& path, std::vector<CelRule>& out) {
  for (const json& r : schema.value("x-kubernetes-validations", json::array())) {
    out.push_back({path, r.value("rule", ""), r.value("message", "")});
  }
  for (const auto& [name, child] : PropertiesOf(schema).items()) {
    CollectCel(child, Child(path, name), out);
  }
  if (auto items = schema.find("items"); items != schema.end())
    CollectCel(*items, path + "[]", out);
}

}  // namespace

StatusOr<json> CrdVersionSchema(const json& crd, std::string_view version) {
  const json versions = crd.value("spec", json::object()).value("versions", json::array());
  for (const json& v : versions) {
    if (v.value("name", "") != version) continue;
    const json schema = v.value("schema", json::object()).value("openAPIV3Schema", json());
    if (schema.is_object()) return schema;
  }
  return NotFoundError("no openAPIV3Schema for version " + std::string(version));
}

std::vector<std::string> UnsupportedKeywords(const json& schema) {
  std::vector<std::string> out;
  CollectUnsupported(schema, "", out);
  return out;
}

json ApplyDefaults(const json& schema, json value) {
  if (value.is_object()) {
    for (const auto& [name, child] : PropertiesOf(schema).items()) {
      const bool missing = !value.contains(name) || value[name].is_null();
      if (missing && child.contains("default")) value[name] = child["default"];
      if (value.contains(name)) value[name] = ApplyDefaults(child, std::move(value[name]));
    }
  } else if (value.is_array() && schema.contains("items")) {
    for (json& item : value) item = ApplyDefaults(schema["items"], std::move(item));
  }
  return value;
}

std::vector<SchemaFinding> Validate(const json& schema, const json& value) {
  Checker checker;
  checker.Check(schema, value, "");
  return std::move(checker.findings);
}

std::vector<CelRule> CelRules(const json& schema) {
  std::vector<CelRule> out;
  CollectCel(schema, "", out);
  return out;
}

std::string ToString(const SchemaFinding& finding) {
  return finding.path + ": " + finding.detail +
         (finding.kind == SchemaFinding::Kind::kPruned ? " (pruned)" : "");
}

}  // namespace mgw::testing
