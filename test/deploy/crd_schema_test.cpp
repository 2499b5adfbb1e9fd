// The CRD schemas in manifests/ against the examples in examples/, through the
// test-only structural-schema checker in crd_schema.h (which is tested here too).
#include "deploy/crd_schema.h"

#include <set>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "mgw/manifest/manifest.h"
#include "mgw/rules/gather_options_rules.h"
#include "mgw/rules/k8s_names.h"
#include "mgw/rules/mustgather_rules.h"
#include "mgw/sources/allowlist_file.h"
#include "support/status_matchers.h"

namespace mgw::testing {
namespace {

using nlohmann::json;
using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::UnorderedElementsAreArray;

const std::string kSource = MGW_SOURCE_DIR;
const std::string kCrdDir = kSource + "/manifests/base/crds";

std::vector<ManifestDocument> Load(const std::string& path) {
  StatusOr<std::string> text = ReadFileToString(path);
  EXPECT_THAT(text, IsOk());
  if (!text.ok()) return {};
  StatusOr<std::vector<ManifestDocument>> docs = ParseManifests(*text, path);
  EXPECT_THAT(docs, IsOk());
  return docs.ok() ? *std::move(docs) : std::vector<ManifestDocument>{};
}

json SchemaOf(const std::string& crd_file) {
  std::vector<ManifestDocument> docs = Load(kCrdDir + "/" + crd_file);
  EXPECT_EQ(docs.size(), 1u) << crd_file;
  if (docs.size() != 1) return json::object();
  StatusOr<json> schema = CrdVersionSchema(docs[0].object, "v1alpha1");
  EXPECT_THAT(schema, IsOk()) << crd_file;
  return schema.ok() ? *schema : json::object();
}

const json& MustGatherSchema() {
  static const json kSchema = SchemaOf("mustgathers.operator.openshift.io.yaml");
  return kSchema;
}

const json& MustGatherImageSchema() {
  static const json kSchema = SchemaOf("mustgatherimages.operator.openshift.io.yaml");
  return kSchema;
}

// The schema's verdict on `object` as the API server reaches it: defaults applied.
std::vector<std::string> FindingsFor(const json& schema, const json& object) {
  std::vector<std::string> out;
  for (const SchemaFinding& f : Validate(schema, ApplyDefaults(schema, object))) {
    out.push_back(ToString(f));
  }
  return out;
}

// The paths of the schema's kInvalid findings for `object`, defaults applied.
std::set<std::string> InvalidPathsOf(const json& schema, const json& object) {
  std::set<std::string> out;
  for (const SchemaFinding& f : Validate(schema, ApplyDefaults(schema, object))) {
    if (f.kind == SchemaFinding::Kind::kInvalid) out.insert(f.path);
  }
  return out;
}

// InvalidPathsOf the one MustGather in `file`.
std::set<std::string> InvalidPaths(const std::string& file) {
  std::vector<ManifestDocument> docs = Load(file);
  EXPECT_EQ(docs.size(), 1u) << file;
  if (docs.empty()) return {};
  return InvalidPathsOf(MustGatherSchema(), docs[0].object);
}

json Example(std::string_view claim_name) {
  return {{"apiVersion", "operator.openshift.io/v1alpha1"},
          {"kind", "MustGather"},
          {"metadata", {{"name", "x"}, {"namespace", "ns"}}},
          {"spec", {{"storage", {{"persistentVolume", {{"claim", {{"name", claim_name}}}}}}}}}};
}

TEST(CrdSchemaTest, CheckerReportsEachKeyword) {
  const json schema = json::parse(R"({
    "type": "object", "required": ["a"],
    "properties": {
      "a": {"type": "string", "enum": ["x", "yy"], "maxLength": 1},
      "b": {"type": "string", "pattern": "^[a-z]+$", "minLength": 2},
      "c": {"type": "array", "x-kubernetes-list-type": "set", "items": {"type": "integer"}},
      "d": {"type": "integer", "minimum": 0},
      "e": {"type": "string", "default": "dflt"}}})");
  EXPECT_THAT(FindingsFor(schema, {{"a", "x"}, {"b", "ok"}, {"c", {1, 2}}, {"d", 0}}), IsEmpty());
  EXPECT_THAT(
      FindingsFor(schema, {{"b", "Q"}, {"c", {1, "2", 1}}, {"d", -1}, {"z", 1}}),
      UnorderedElementsAreArray(
          {"a: Required value", "b: Invalid value: \"Q\": should match '^[a-z]+$'",
           "b: Invalid value: should be at least 2 chars long",
           "c[1]: Invalid value: \"2\": must be of type integer", "c[2]: Duplicate value: 1",
           "d: Invalid value: -1: should be >= 0", "z: unknown field (pruned)"}));
  EXPECT_THAT(FindingsFor(schema, {{"a", "yy"}}),
              ElementsAre("a: Too long: may not be longer than 1"));
  EXPECT_THAT(FindingsFor(schema, {{"a", "q"}, {"e", nullptr}}),
              ElementsAre("a: Unsupported value: \"q\": supported values: [\"x\",\"yy\"]"));
  EXPECT_EQ(ApplyDefaults(schema, {{"a", "x"}})["e"], "dflt");
}

TEST(CrdSchemaTest, MaxLengthCountsCharactersNotBytes) {
  const json schema = {{"type", "string"}, {"maxLength", 2}};
  EXPECT_THAT(FindingsFor(schema, "µs"), IsEmpty());  // 3 bytes, 2 characters
  EXPECT_THAT(FindingsFor(schema, "abc"), ElementsAre(": Too long: may not be longer than 2"));
}

TEST(CrdSchemaTest, SchemasUseOnlyCheckedKeywords) {
  EXPECT_THAT(UnsupportedKeywords(MustGatherSchema()), IsEmpty());
  EXPECT_THAT(UnsupportedKeywords(MustGatherImageSchema()), IsEmpty());
}

// A 1.26 API server has base CEL only: no format library (`format.`, hasValue), no
// optionals, no quantity/IP/CIDR libraries. It refuses the whole CRD otherwise.
TEST(CrdSchemaTest, CelRulesUseOnlyWhatKubernetes126Compiles) {
  std::vector<CelRule> rules = CelRules(MustGatherSchema());
  for (const CelRule& r : CelRules(MustGatherImageSchema())) rules.push_back(r);
  std::vector<std::string> paths;
  for (const CelRule& r : rules) {
    for (std::string_view banned : {"format.", "hasValue", "optional", "?.", ".?", "isQuantity",
                                    "quantity(", "ip(", "cidr(", "isSemver"}) {
      EXPECT_EQ(r.rule.find(banned), std::string::npos) << r.rule << " uses " << banned;
    }
    // A backslash inside a CEL string literal is an escape CEL may refuse ("\.").
    EXPECT_EQ(r.rule.find('\\'), std::string::npos) << r.rule;
    EXPECT_FALSE(r.message.empty()) << r.rule;
    paths.push_back(r.path);
  }
  EXPECT_THAT(paths, ElementsAre("", "spec", "spec.storage.persistentVolume.claim.name",
                                 "spec.uploadTarget", "spec.uploadTarget.sftp.caseID",
                                 "spec.uploadTarget.sftp.caseManagementAccountSecretRef.name", ""));
  EXPECT_EQ(rules[0].rule, "!has(oldSelf.spec) || self.spec == oldSelf.spec");
  EXPECT_EQ(rules[3].rule,
            "has(self.type) && self.type == 'SFTP' ? has(self.sftp) : !has(self.sftp)");
  EXPECT_EQ(rules[3].message, kUploadUnionMessage);
  EXPECT_EQ(rules.back().rule, "self.metadata.name == 'cluster'");
}

// kubectl prints the proposal's sentence for a bad claim name, not a regular expression.
TEST(CrdSchemaTest, ClaimNameRuleSaysTheProposalsSentence) {
  EXPECT_THAT(FindingsFor(MustGatherSchema(), Example("MG_Artifacts")),
              ElementsAre("spec.storage.persistentVolume.claim.name: Invalid value: \"string\": "
                          "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric "
                          "characters, '-' or '.', and must start and end with an alphanumeric "
                          "character."));
}

json WithUpload(json sftp) {
  json object = Example("mg-artifacts");
  object["spec"]["uploadTarget"] = {{"type", "SFTP"}, {"sftp", std::move(sftp)}};
  return object;
}

TEST(CrdSchemaTest, UploadTargetIsDeclaredAndDefaulted) {
  json object = WithUpload(
      {{"caseID", "01234567"}, {"caseManagementAccountSecretRef", {{"name", "case-creds"}}}});
  object["spec"]["additionalConfig"] = {{"audit", true}};
  object["spec"]["proxyConfig"] = {
      {"httpProxy", "http://p:3128"}, {"httpsProxy", "http://p:3128"}, {"noProxy", ".svc"}};
  EXPECT_THAT(FindingsFor(MustGatherSchema(), object), IsEmpty());
  json defaulted = ApplyDefaults(MustGatherSchema(), object);
  EXPECT_EQ(defaulted["spec"]["uploadTarget"]["sftp"]["host"], kDefaultSftpHost);
  EXPECT_EQ(defaulted["spec"]["uploadTarget"]["sftp"]["internalUser"], false);
}

TEST(CrdSchemaTest, CaseIdAndSecretNameRulesAgreeWithTheWebhook) {
  for (const std::string& id :
       {std::string("01234567"), std::string("a-B-9"), std::string(""), std::string("a/b"),
        std::string("a b"), std::string(64, '1'), std::string(65, '1')}) {
    json object = WithUpload({{"caseID", id}, {"caseManagementAccountSecretRef", {{"name", "c"}}}});
    FieldErrors webhook;
    CheckGatherOptions(object["spec"], webhook);
    EXPECT_EQ(InvalidPathsOf(MustGatherSchema(), object).empty(), webhook.empty()) << id;
  }
  for (const char* name : {"case-creds", "a.b", "Case", "a_b", "-a", ""}) {
    json object =
        WithUpload({{"caseID", "1"}, {"caseManagementAccountSecretRef", {{"name", name}}}});
    EXPECT_EQ(InvalidPathsOf(MustGatherSchema(), object).empty(), IsDns1123Subdomain(name)) << name;
  }
}

TEST(CrdSchemaTest, EveryExampleObjectPassesItsSchema) {
  int checked = 0;
  StatusOr<std::vector<std::string>> files = ListManifestFiles(kSource + "/examples");
  ASSERT_THAT(files, IsOk());
  for (const std::string& file : *files) {
    if (file.find("/examples/bad/") != std::string::npos) continue;
    for (const ManifestDocument& d : Load(file)) {
      const std::string kind = d.object.value("kind", "");
      if (kind != "MustGather" && kind != "MustGatherImage") continue;
      const json& schema = kind == "MustGather" ? MustGatherSchema() : MustGatherImageSchema();
      EXPECT_THAT(FindingsFor(schema, d.object), IsEmpty()) << file << ":" << d.line;
      ++checked;
    }
  }
  EXPECT_GE(checked, 3);  // two MustGathers and the allowlist
}

// Which bad example the schema refuses, and at which fields. The rest of what these
// files get wrong (subPath, the timeout, the image allowlist) only the webhook sees.
TEST(CrdSchemaTest, SchemaRefusesTheBadExamplesItCan) {
  const std::string bad = kSource + "/examples/bad/";
  const std::string claim = "spec.storage.persistentVolume.claim.name";
  EXPECT_THAT(InvalidPaths(bad + "bad-claim-name.yaml"), ElementsAre(claim));
  EXPECT_THAT(InvalidPaths(bad + "missing-storage.yaml"), ElementsAre("spec.storage"));
  EXPECT_THAT(InvalidPaths(bad + "many-problems.yaml"), ElementsAre(claim, "spec.storage.type"));
}

TEST(CrdSchemaTest, OnlyTheWebhookRefusesPolicyExamples) {
  StatusOr<Allowlist> allowlist = LoadAllowlistFile(kSource + "/examples/allowlist.yaml");
  ASSERT_THAT(allowlist, IsOk());
  RuleContext ctx;
  ctx.allowlist = &*allowlist;
  for (const char* name : {"claim-in-other-namespace.yaml", "image-not-allowed.yaml"}) {
    const std::string file = kSource + "/examples/bad/" + name;
    EXPECT_THAT(InvalidPaths(file), IsEmpty()) << name;
    std::vector<ManifestDocument> docs = Load(file);
    ASSERT_EQ(docs.size(), 1u);
    EXPECT_FALSE(CheckMustGather(docs[0].object, ctx).errors.empty()) << name;
  }
}

TEST(CrdSchemaTest, EveryBadExampleIsClassified) {
  StatusOr<std::vector<std::string>> files = ListManifestFiles(kSource + "/examples/bad");
  ASSERT_THAT(files, IsOk());
  std::set<std::string> names;
  for (const std::string& f : *files) names.insert(f.substr(f.rfind('/') + 1));
  EXPECT_THAT(names,
              ElementsAre("bad-claim-name.yaml", "claim-in-other-namespace.yaml",
                          "image-not-allowed.yaml", "many-problems.yaml", "missing-storage.yaml"))
      << "classify a new bad example in SchemaRefusesTheBadExamplesItCan or "
         "OnlyTheWebhookRefusesPolicyExamples";
}

TEST(CrdSchemaTest, ClaimNamePatternAgreesWithTheWebhook) {
  const json& schema = MustGatherSchema();
  for (const std::string& name :
       {std::string("a"), std::string("mg-artifacts"), std::string("a.b-c.d"), std::string("0"),
        std::string("-a"), std::string("a-"), std::string("A"), std::string("a_b"),
        std::string("a..b"), std::string(".a"), std::string("a."), std::string(""),
        std::string(253, 'a'), std::string(254, 'a'), std::string(63, 'a') + "." + "b"}) {
    const bool schema_ok = InvalidPathsOf(schema, Example(name)).empty();
    EXPECT_EQ(schema_ok, IsDns1123Subdomain(name)) << "\"" << name << "\"";
  }
}

// mustGatherTimeout has no pattern, so the webhook's explanation reaches the user.
TEST(CrdSchemaTest, TimeoutIsLeftToTheWebhook) {
  json object = Example("mg-artifacts");
  for (const char* t : {"30m", "1h30m", "soon", "5d", "-5m"}) {
    object["spec"]["mustGatherTimeout"] = t;
    EXPECT_THAT(InvalidPathsOf(MustGatherSchema(), object), IsEmpty()) << t;
  }
  object["spec"]["mustGatherTimeout"] = 30;
  EXPECT_THAT(InvalidPathsOf(MustGatherSchema(), object), ElementsAre("spec.mustGatherTimeout"));
}

TEST(CrdSchemaTest, StorageTypeIsDefaultedLikeTheMutatingWebhook) {
  const json object = Example("mg-artifacts");
  const json defaulted = ApplyDefaults(MustGatherSchema(), object);
  EXPECT_EQ(defaulted["spec"]["storage"]["type"], kStorageTypePersistentVolume);
  EXPECT_EQ(defaulted, object.patch(DefaultingPatch(object)));
}

TEST(CrdSchemaTest, MustGatherImageSchemaRefusesDuplicatesAndMissingImages) {
  json mgi = {{"apiVersion", "operator.openshift.io/v1alpha1"},
              {"kind", "MustGatherImage"},
              {"metadata", {{"name", "cluster"}}},
              {"spec", {{"images", {"quay.io/a/b:1", "quay.io/a/b:1"}}}}};
  EXPECT_THAT(FindingsFor(MustGatherImageSchema(), mgi),
              ElementsAre("spec.images[1]: Duplicate value: \"quay.io/a/b:1\""));
  mgi["spec"] = json::object();
  EXPECT_THAT(FindingsFor(MustGatherImageSchema(), mgi),
              ElementsAre("spec.images: Required value"));
}

}  // namespace
}  // namespace mgw::testing
