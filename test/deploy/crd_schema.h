// Test-only: a checker for the part of Kubernetes' structural OpenAPI v3 schemas
// that our CRDs use, so the manifest tests can run objects through a CRD's schema
// without an API server. Supported: type, properties, required, enum, pattern
// (ECMAScript; our patterns mean the same in the API server's RE2), minLength and
// maxLength (in characters, as the API server counts), minimum, items,
// x-kubernetes-list-type set/map, and default (applied first, as the API server
// does when it decodes a request). A null field is pruned, as in apiextensions/v1.
// CEL rules of the exact form self.matches('<regex>') are evaluated like `pattern`.
// Not checked: `format` (only status fields use one) and other CEL rules, which
// CelRules lists so tests can inspect their text. Pure; thread-compatible.
#ifndef MGW_TEST_CRD_SCHEMA_H_
#define MGW_TEST_CRD_SCHEMA_H_

#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "mgw/base/status.h"

namespace mgw::testing {

struct SchemaFinding {
  enum class Kind {
    kInvalid,  // the API server would refuse the object
    kPruned,   // the API server would silently drop the field
  };
  Kind kind = Kind::kInvalid;
  std::string path;    // e.g. "spec.storage.type", "spec.images[1]"
  std::string detail;  // e.g. "Unsupported value: \"Ephemeral\""
};

struct CelRule {
  std::string path;  // where the rule sits, "" for the root
  std::string rule;
  std::string message;
};

// The openAPIV3Schema of version `version` of the CustomResourceDefinition `crd`.
// NOT_FOUND when the CRD has no such version or it has no schema.
StatusOr<nlohmann::json> CrdVersionSchema(const nlohmann::json& crd, std::string_view version);

// Keywords in `schema` that this checker does not understand, as "path: keyword";
// empty when every keyword is checked (or, like description, needs no check).
std::vector<std::string> UnsupportedKeywords(const nlohmann::json& schema);

// `value` with every missing property that has a `default` filled in, wherever its
// parent object is present.
nlohmann::json ApplyDefaults(const nlohmann::json& schema, nlohmann::json value);

// Checks `value` against the root schema `schema` (apply defaults first). The root's
// metadata is left to the API server's own checks, as for a real CRD.
std::vector<SchemaFinding> Validate(const nlohmann::json& schema, const nlohmann::json& value);

// Every x-kubernetes-validations rule in `schema`, in document order.
std::vector<CelRule> CelRules(const nlohmann::json& schema);

// "<path>: <detail>", with " (pruned)" for a pruned field.
std::string ToString(const SchemaFinding& finding);

}  // namespace mgw::testing

#endif  // MGW_TEST_CRD_SCHEMA_H_
