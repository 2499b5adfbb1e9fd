#include "mgw/cmd/validate_cli.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "support/status_matchers.h"

namespace mgw {
namespace {

using ::mgw::testing::IsOk;
using ::mgw::testing::StatusIs;
using nlohmann::json;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using ::testing::StartsWith;

const std::string kSourceDir = MGW_SOURCE_DIR "/";
const std::string kData = kSourceDir + "test/testdata/validate/";

struct CliRun {
  int exit_code = -1;
  std::string out;
  std::string err;
};

// Runs `validate` with `args`, paths in the output made relative to the source tree.
CliRun Validate(std::vector<std::string> args, const std::string& stdin_text = "") {
  std::istringstream in(stdin_text);
  std::ostringstream out, err;
  CliRun r;
  r.exit_code = ValidateMain(args, in, out, err);
  auto relative = [](std::string s) {
    for (size_t i; (i = s.find(kSourceDir)) != std::string::npos;) s.erase(i, kSourceDir.size());
    return s;
  };
  r.out = relative(out.str());
  r.err = relative(err.str());
  return r;
}

// Compares with test/testdata/validate/golden/NAME; MGW_UPDATE_GOLDENS=1 rewrites it.
void ExpectGolden(const std::string& actual, const std::string& name) {
  std::string path = kData + "golden/" + name;
  if (std::getenv("MGW_UPDATE_GOLDENS") != nullptr) {
    std::ofstream(path, std::ios::binary) << actual;
    return;
  }
  std::ifstream file(path, std::ios::binary);
  ASSERT_TRUE(file.good()) << "missing golden " << path << "; run with MGW_UPDATE_GOLDENS=1";
  std::stringstream expected;
  expected << file.rdbuf();
  EXPECT_EQ(actual, expected.str()) << "golden " << path << " differs; if the change is intended, "
                                    << "regenerate with MGW_UPDATE_GOLDENS=1";
}

EnvLookup NoEnv() {
  return [](std::string_view) { return std::nullopt; };
}

// ---- Argument parsing ----

TEST(ValidateCliTest, ParsesEveryFlagForm) {
  StatusOr<ValidateOptions> o =
      ParseValidateArgs({"-f", "a.yaml", "--filename=dir", "-f=-", "--allowlist-file", "al.yaml",
                         "--default-image=img", "-n", "ns", "-o", "junit", "--strict"},
                        NoEnv());
  ASSERT_THAT(o, IsOk());
  EXPECT_THAT(o->paths, ElementsAre("a.yaml", "dir", "-"));
  EXPECT_EQ(o->allowlist_file, "al.yaml");
  EXPECT_EQ(o->default_image, "img");
  EXPECT_EQ(o->fallback_namespace, "ns");
  EXPECT_EQ(o->output, OutputFormat::kJunit);
  EXPECT_TRUE(o->strict);
  EXPECT_FALSE(o->help);
  EXPECT_EQ(ParseValidateArgs({"-f", "x", "--output=json", "--strict=false"}, NoEnv())->output,
            OutputFormat::kJson);
  EXPECT_FALSE(ParseValidateArgs({"-f", "x", "--strict=false"}, NoEnv())->strict);
}

TEST(ValidateCliTest, DefaultImagePrecedence) {
  EnvLookup env = [](std::string_view name) -> std::optional<std::string> {
    if (name == "DEFAULT_MUST_GATHER_IMAGE") return "quay.io/env/image:1";
    return std::nullopt;
  };
  EXPECT_EQ(ParseValidateArgs({"-f", "x"}, NoEnv())->default_image, kDefaultGatherImage);
  EXPECT_EQ(ParseValidateArgs({"-f", "x"}, env)->default_image, "quay.io/env/image:1");
  EXPECT_EQ(
      ParseValidateArgs({"-f", "x", "--default-image", "quay.io/flag/image:2"}, env)->default_image,
      "quay.io/flag/image:2");
  EnvLookup empty = [](std::string_view) { return std::optional<std::string>(""); };
  EXPECT_EQ(ParseValidateArgs({"-f", "x"}, empty)->default_image, kDefaultGatherImage);
}

TEST(ValidateCliTest, RejectsBadArguments) {
  const std::map<std::vector<std::string>, std::string> cases = {
      {{}, "no input; pass -f PATH"},
      {{"-f"}, "flag -f needs a value"},
      {{"-f", ""}, "flag -f needs a non-empty value"},
      {{"-f", "x", "--bogus"}, "unknown flag \"--bogus\""},
      {{"-f", "x", "-x=1"}, "unknown flag \"-x\""},
      {{"-f", "x", "extra.yaml"}, "unexpected argument \"extra.yaml\"; name inputs with -f PATH"},
      {{"-f", "x", "-"}, "unexpected argument \"-\""},
      {{"-f", "x", "-o", "yaml"}, "unknown output format \"yaml\"; use text, json or junit"},
      {{"-f", "-", "-f", "-"}, "stdin (-f -) can be read only once"},
      {{"-f", "x", "--strict=maybe"}, "flag --strict takes true or false"},
      {{"-f", "x", "--default-image="}, "flag --default-image needs a non-empty value"},
  };
  for (const auto& [args, message] : cases) {
    EXPECT_THAT(ParseValidateArgs(args, NoEnv()),
                StatusIs(StatusCode::kInvalidArgument, HasSubstr(message)))
        << ::testing::PrintToString(args);
  }
}

TEST(ValidateCliTest, UsageErrorsExitTwoWithUsage) {
  CliRun r = Validate({"-f", kData + "all-good.yaml", "--frobnicate"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, StartsWith("error: unknown flag \"--frobnicate\"\n\nUsage: "));
  EXPECT_THAT(r.out, IsEmpty());
}

TEST(ValidateCliTest, HelpPrintsUsageAndChecksNothing) {
  CliRun r = Validate({"--help"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_THAT(r.out, StartsWith("Usage: mustgather-webhook validate -f PATH"));
  EXPECT_THAT(r.out, HasSubstr("--allowlist-file"));
  EXPECT_THAT(r.err, IsEmpty());
}

// ---- Golden outputs ----

TEST(ValidateCliTest, GoldenMixedDirectory) {
  const std::pair<std::string, std::string> formats[] = {
      {"text", "mixed.txt"}, {"json", "mixed.json"}, {"junit", "mixed.xml"}};
  for (const auto& [format, golden] : formats) {
    CliRun r = Validate({"-f", kData + "mixed", "-o", format});
    EXPECT_EQ(r.exit_code, 1) << format;
    EXPECT_THAT(r.err, IsEmpty()) << format;
    ExpectGolden(r.out, golden);
  }
}

TEST(ValidateCliTest, GoldenMixedDirectoryStrictWithNamespace) {
  CliRun r = Validate({"-f", kData + "mixed", "--strict", "-n", "team-c"});
  EXPECT_EQ(r.exit_code, 1);
  ExpectGolden(r.out, "mixed-strict.txt");
}

TEST(ValidateCliTest, GoldenInputErrors) {
  const std::pair<std::string, std::string> formats[] = {
      {"text", "input-errors.txt"}, {"json", "input-errors.json"}, {"junit", "input-errors.xml"}};
  for (const auto& [format, golden] : formats) {
    CliRun r = Validate({"-f", kData + "malformed.yaml", "-f", kData + "all-good.yaml", "-f",
                         kData + "missing.yaml", "-o", format});
    EXPECT_EQ(r.exit_code, 2) << format;
    EXPECT_EQ(
        r.err,
        "error: test/testdata/validate/malformed.yaml:10:1: found unexpected end of stream (while "
        "scanning a quoted scalar at line 9)\n"
        "error: test/testdata/validate/missing.yaml: no such file or directory\n");
    ExpectGolden(r.out, golden);
  }
}

TEST(ValidateCliTest, GoldenExamples) {
  if (!std::filesystem::is_directory(kSourceDir + "examples/bad")) GTEST_SKIP() << "no examples/";
  const std::pair<std::string, std::string> formats[] = {
      {"text", "examples.txt"}, {"json", "examples.json"}, {"junit", "examples.xml"}};
  for (const auto& [format, golden] : formats) {
    CliRun r = Validate({"-f", kSourceDir + "examples", "-o", format});
    EXPECT_EQ(r.exit_code, 1) << format;
    ExpectGolden(r.out, golden);
  }
}

// ---- Behaviour ----

// Good examples pass and every examples/bad/* object is rejected, whatever the messages.
TEST(ValidateCliTest, ExamplesGoodPassBadFail) {
  if (!std::filesystem::is_directory(kSourceDir + "examples/bad")) GTEST_SKIP() << "no examples/";
  CliRun r = Validate({"-f", kSourceDir + "examples", "-o", "json"});
  ASSERT_EQ(r.exit_code, 1) << r.err;
  json report = json::parse(r.out);
  size_t bad = 0, good = 0;
  for (const json& result : report["results"]) {
    std::string file = result["file"];
    bool expect_reject = file.starts_with("examples/bad/");
    EXPECT_EQ(result["passed"], !expect_reject) << file;
    (expect_reject ? bad : good) += 1;
  }
  EXPECT_GT(bad, 0u);
  EXPECT_GT(good, 0u);
  EXPECT_EQ(report["summary"]["rejected"], bad);
}

TEST(ValidateCliTest, AllPassExitsZero) {
  CliRun r = Validate({"-f", kData + "all-good.yaml"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out, "1 checked, 0 rejected, 0 skipped\n");
}

TEST(ValidateCliTest, EmptyFileAndEmptyStdinPass) {
  CliRun file = Validate({"-f", kData + "mixed/nested/empty.yaml"});
  EXPECT_EQ(file.exit_code, 0);
  EXPECT_EQ(file.out, "0 checked, 0 rejected, 0 skipped\n");
  CliRun in = Validate({"-f", "-", "-o", "json"}, "");
  EXPECT_EQ(in.exit_code, 0);
  EXPECT_EQ(json::parse(in.out)["summary"]["checked"], 0);
}

TEST(ValidateCliTest, ReadsStdinWithListsAndNamesIt) {
  const std::string text =
      "apiVersion: v1\nkind: List\nitems:\n"
      "- apiVersion: operator.openshift.io/v1alpha1\n  kind: MustGather\n"
      "  metadata: {name: from-stdin, namespace: ns}\n  spec: {}\n";
  CliRun r = Validate({"-f", "-"}, text);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.out, StartsWith("<stdin>:4: MustGather/ns/from-stdin: MustGather \"from-stdin\" is "
                                "invalid\n  * spec.storage: Required value: "));
  CliRun bad = Validate({"-f", "-"}, "a: [1\n");
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_THAT(bad.err, StartsWith("error: <stdin>:2:1: "));
}

TEST(ValidateCliTest, StrictTurnsWarningsIntoFailures) {
  const std::string warned = kData + "mixed/nested/warnings.yml";
  CliRun lax = Validate({"-f", warned});
  EXPECT_EQ(lax.exit_code, 0);
  EXPECT_THAT(lax.out, HasSubstr("allowed with 2 warnings\n  warning: "));
  CliRun strict = Validate({"-f", warned, "--strict"});
  EXPECT_EQ(strict.exit_code, 1);
  EXPECT_THAT(strict.out, HasSubstr("2 warnings, which --strict treats as errors"));
}

TEST(ValidateCliTest, YamlReadAsKubectlReadsIt) {
  // kubectl reads yes/on as true and no as false (YAML 1.1): the first object is
  // accepted, and the claim name `no` is the boolean false, which is refused.
  const std::string text =
      "apiVersion: operator.openshift.io/v1alpha1\nkind: MustGather\n"
      "metadata: {name: yes-no, namespace: ns}\nspec:\n  retainResourcesOnCompletion: yes\n"
      "  storage:\n    type: PersistentVolume\n    persistentVolume:\n"
      "      claim: {name: no}\n      subPath: on\n";
  CliRun r = Validate({"-f", "-"}, text);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.out, Not(HasSubstr("retainResourcesOnCompletion")));
  EXPECT_THAT(r.out, HasSubstr("spec.storage.persistentVolume.claim.name"));
  EXPECT_THAT(r.out, HasSubstr("spec.storage.persistentVolume.subPath"));
}

TEST(ValidateCliTest, DuplicateKeysWarnWithTheirPositionAndFailUnderStrict) {
  const std::string text =
      "apiVersion: operator.openshift.io/v1alpha1\nkind: MustGather\n"
      "metadata: {name: dup, namespace: ns}\nspec:\n  storage:\n    type: PersistentVolume\n"
      "    persistentVolume:\n      claim: {name: first}\n      claim: {name: mg}\n";
  CliRun lax = Validate({"-f", "-"}, text);
  EXPECT_EQ(lax.exit_code, 0);
  EXPECT_THAT(lax.out, HasSubstr("  warning: <stdin>:9:7: duplicate key \"claim\": kubectl keeps "
                                 "the last value\n"));
  CliRun strict = Validate({"-f", "-", "--strict"}, text);
  EXPECT_EQ(strict.exit_code, 1);
}

TEST(ValidateCliTest, NamespaceFlagIsTheFallbackNamespace) {
  const std::string warned = kData + "mixed/nested/warnings.yml";  // claim.namespace: team-c
  CliRun same = Validate({"-f", warned, "-n", "team-c", "-o", "json"});
  EXPECT_EQ(same.exit_code, 0);
  EXPECT_EQ(json::parse(same.out)["results"][0]["namespace"], "team-c");
  CliRun other = Validate({"-f", warned, "-n", "team-d"});
  EXPECT_EQ(other.exit_code, 1);
  EXPECT_THAT(other.out, HasSubstr("MustGather/team-d/warned: MustGather \"warned\" is forbidden"));
}

TEST(ValidateCliTest, AllowlistPrecedence) {
  const std::string custom = kData + "mixed/custom-image.yaml";
  // No allowlist anywhere: custom images are refused (AllowlistNotConfigured).
  CliRun none = Validate({"-f", custom, "-o", "json"});
  EXPECT_EQ(none.exit_code, 1);
  json j = json::parse(none.out);
  EXPECT_EQ(j["results"][0]["errors"][0]["reason"], "AllowlistNotConfigured");
  EXPECT_THAT(j["allowlist"].get<std::string>(), StartsWith("not configured"));
  // A MustGatherImage among the inputs is the allowlist.
  EXPECT_EQ(Validate({"-f", custom, "-f", kData + "mixed/allowlist.yaml"}).exit_code, 0);
  // --allowlist-file wins over the inputs.
  CliRun file = Validate({"-f", custom, "-f", kData + "mixed/allowlist.yaml", "--allowlist-file",
                          kSourceDir + "test/testdata/allowlist_file/two.yaml"});
  EXPECT_EQ(file.exit_code, 2);
  EXPECT_THAT(file.err, HasSubstr("2 MustGatherImage objects found"));
  CliRun other = Validate(
      {"-f", custom, "--allowlist-file", kSourceDir + "test/testdata/allowlist_file/cluster.yaml"});
  EXPECT_EQ(other.exit_code, 0) << other.out;
}

TEST(ValidateCliTest, SeveralAllowlistsNamedClusterIsAnInputError) {
  CliRun r = Validate({"-f", kData + "mixed/allowlist.yaml", "-f",
                       kSourceDir + "test/testdata/allowlist_file/cluster.json"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("several MustGatherImage objects named \"cluster\""));
}

TEST(ValidateCliTest, DefaultImageIsAlwaysAllowed) {
  const std::string custom = kData + "mixed/custom-image.yaml";
  EXPECT_EQ(
      Validate({"-f", custom, "--default-image", "quay.io/my-org/my-custom-must-gather:latest"})
          .exit_code,
      0);
}

TEST(ValidateCliTest, OverlappingPathsAreReadOnce) {
  CliRun r = Validate({"-f", kData + "mixed", "-f", kData + "mixed/good.yaml", "-o", "json"});
  json j = json::parse(r.out);
  EXPECT_EQ(j["summary"]["checked"], 8);
}

TEST(ValidateCliTest, WarnsAboutADirectoryWithoutManifests) {
  std::filesystem::path dir = std::filesystem::path(MGW_BINARY_DIR) / "validate_cli_test_empty";
  std::filesystem::create_directories(dir);
  CliRun r = Validate({"-f", dir.string()});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_THAT(r.err, HasSubstr("no .yaml, .yml or .json files found"));
}

TEST(ValidateCliTest, AllowlistFromInputsRules) {
  auto mgi = [](std::string name, int line) {
    return ManifestDocument{"f",
                            line,
                            0,
                            std::nullopt,
                            {{"apiVersion", "operator.openshift.io/v1alpha1"},
                             {"kind", "MustGatherImage"},
                             {"metadata", {{"name", name}}},
                             {"spec", {{"images", {"quay.io/a/" + name + ":1"}}}}}};
  };
  EXPECT_FALSE(AllowlistFromInputs({})->configured);
  EXPECT_THAT(AllowlistFromInputs({mgi("solo", 1)})->entries, ElementsAre("quay.io/a/solo:1"));
  EXPECT_THAT(AllowlistFromInputs({mgi("x", 1), mgi("cluster", 9)})->source, "f:9");
  EXPECT_FALSE(AllowlistFromInputs({mgi("x", 1), mgi("y", 9)})->configured);
  EXPECT_THAT(AllowlistFromInputs({mgi("cluster", 1), mgi("cluster", 9)}),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("f:1, f:9")));
  ManifestDocument malformed = mgi("cluster", 4);
  malformed.object["spec"]["images"] = "not a list";
  StatusOr<Allowlist> a = AllowlistFromInputs({malformed});
  ASSERT_THAT(a, IsOk());
  EXPECT_FALSE(a->configured);
}

TEST(ValidateCliTest, CheckDocumentsSkipsOtherKindsAndGroups) {
  Allowlist allowlist = NotConfiguredAllowlist("none");
  RuleContext ctx;
  ctx.allowlist = &allowlist;
  std::vector<ManifestDocument> docs = {
      {"f", 1, 0, std::nullopt, json::parse(R"({"kind":"ConfigMap","apiVersion":"v1"})")},
      {"f", 2, 1, std::nullopt, json::parse(R"({"kind":"MustGather"})")},
      {"f", 3, 2, std::nullopt, json::parse(R"({"apiVersion":"v1"})")},
      {"f", 4, 3, std::nullopt,
       json::parse(R"({"kind":"MustGather","apiVersion":"operator.openshift.io/v1alpha1"})")},
  };
  std::vector<ObjectResult> results = CheckDocuments(docs, ctx);
  ASSERT_EQ(results.size(), 4u);
  EXPECT_EQ(results[0].skip_reason, "kind ConfigMap is not checked");
  EXPECT_EQ(results[1].skip_reason,
            "apiVersion is not set; expected operator.openshift.io/v1alpha1");
  EXPECT_EQ(results[2].skip_reason, "no kind");
  EXPECT_TRUE(results[3].checked);
  EXPECT_EQ(results[3].errors.size(), 1u);  // spec.storage is required
}

}  // namespace
}  // namespace mgw
