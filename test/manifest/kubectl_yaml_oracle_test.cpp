// ParseYamlStream against kubectl's own converter (test/support/kubectl_yaml_oracle,
// sigs.k8s.io/yaml from Debian): every file of examples/, test/testdata/ and the fuzz
// corpora, a table of tricky scalars and documents, and generated manifests must
// convert to the same JSON or be refused by both. Skips when Go is not installed.
#include "support/kubectl_yaml_oracle.h"

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "mgw/base/file.h"
#include "support/manifest_generator.h"

namespace mgw {
namespace {

namespace fs = std::filesystem;
using ::mgw::testing::DifferenceFromKubectl;
using ::mgw::testing::KubectlYamlOracle;

class KubectlYamlOracleTest : public ::testing::Test {
 protected:
  void SetUp() override {
    oracle_ = KubectlYamlOracle::Start(::mgw::testing::KubectlYamlOraclePath());
    if (oracle_ == nullptr) {
      GTEST_SKIP() << "no kubectl YAML oracle: install golang-go and golang-k8s-sigs-yaml-dev "
                      "and reconfigure";
    }
  }

  void ExpectSame(std::string_view text, const std::string& what) {
    std::string difference = DifferenceFromKubectl(*oracle_, text);
    EXPECT_EQ(difference, "") << what << "\n--- input ---\n" << text;
  }

  std::unique_ptr<KubectlYamlOracle> oracle_;
};

TEST_F(KubectlYamlOracleTest, EveryExampleTestdataAndCorpusFile) {
  size_t files = 0;
  for (const char* dir : {"examples", "test/testdata", "fuzz/corpus"}) {
    for (const auto& entry : fs::recursive_directory_iterator(fs::path(MGW_SOURCE_DIR) / dir)) {
      if (!entry.is_regular_file()) continue;
      StatusOr<std::string> text = ReadFileToString(entry.path().string());
      ASSERT_TRUE(text.ok()) << entry.path();
      ExpectSame(*text, entry.path().string());
      ++files;
    }
  }
  EXPECT_GT(files, 100u);
}

TEST_F(KubectlYamlOracleTest, TrickyScalars) {
  for (std::string_view s : {"yes",
                             "No",
                             "ON",
                             "off",
                             "y",
                             "N",
                             "~",
                             "null",
                             "NULL",
                             "",
                             "0x1F",
                             "0o17",
                             "017",
                             "08",
                             "0b101",
                             "-0b11",
                             "1_000",
                             "_1",
                             ".5",
                             "1e3",
                             "-1.5E-3",
                             ".inf",
                             "-.Inf",
                             ".nan",
                             "2001-12-14",
                             "2001-12-14t21:59:43.10-05:00",
                             "9223372036854775807",
                             "9223372036854775808",
                             "18446744073709551616",
                             "-9223372036854775809",
                             "0x",
                             "+",
                             "'yes'",
                             "\"0x1F\"",
                             "\"\\u00e9\\x41\"",
                             "'it''s'",
                             "!!str 5",
                             "!!int \"7\"",
                             "!!float 1",
                             "!!bool yes",
                             "!!int abc",
                             "!custom 3",
                             "!!binary aGk=",
                             "1e400",
                             "<<",
                             "!!null ~",
                             "!!timestamp 2001-12-14",
                             "3.",
                             "+.5",
                             "0.1e+2"}) {
    const std::string text(s);
    ExpectSame("a: " + text + "\n", "value " + text);
    ExpectSame("- " + text + "\n", "item " + text);
    ExpectSame(text + ": x\n", "key " + text);
  }
}

TEST_F(KubectlYamlOracleTest, TrickyDocuments) {
  for (std::string_view s : {
           "a: |\n  line 1\n  line 2\nb: >\n  folded\n  text\n\n  para\nc: |-\n  x\n",
           "a: plain\n  continued\n  lines\nb: \"quoted\n  over lines\"\n",
           "base: &b {x: 1, y: 2}\nother: &o {y: 3, z: 4}\none: {<<: *b, x: 9}\n"
           "two:\n  x: 0\n  <<: [*b, *o]\n",
           "a: {x: 1, <<: {x: 2}}\n",
           "a: &x [1, {b: 2}]\nc: *x\n&k d: e\nf: *k\n",
           "a: 1\na: 2\n",
           "a: 1\nb: *nope\n",
           "a: &x [1, *x]\n",
           "- a\nb: 1\n",
           "a: 1\n--- b\n",
           "? [a]\n: 1\n",
           "a: {<<: 5}\n",
           "\"<<\": {a: 1}\n",
           "spec:\n  retainResourcesOnCompletion: yes\n  storage:\n    persistentVolume:\n"
           "      claim: {name: no}\n      subPath: on\n",
           "a: b: c\n",
           "a:\n\t- b\n",
           "%YAML 1.1\n---\na: 1\n",
           "a: 1\n...\nb: 2\n",
           "1.5: a\n1e3: b\ntrue: c\n0x10: d\n",
           "a: \"\xFF\"\n",
           "\xEF\xBB\xBF"
           "a: 1\n",
           "a: 1\r\nb:\r\n  - x\r\n",
       }) {
    ExpectSame(s, "document");
  }
}

TEST_F(KubectlYamlOracleTest, AliasBudget) {
  std::string bomb = "a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n";
  for (int i = 1; i <= 9; ++i) {
    std::string prev = "*a" + std::to_string(i - 1);
    bomb += "a" + std::to_string(i) + ": &a" + std::to_string(i) + " [";
    for (int j = 0; j < 10; ++j) bomb += (j ? ", " : "") + prev;
    bomb += "]\n";
    ExpectSame(bomb, "alias levels " + std::to_string(i));
  }
}

TEST_F(KubectlYamlOracleTest, GeneratedManifestsAndMutations) {
  for (uint32_t seed = 1; seed <= 400; ++seed) {
    std::string text = ::mgw::testing::GenerateManifestYaml(seed);
    ExpectSame(text, "seed " + std::to_string(seed));
    ExpectSame(::mgw::testing::MutateYaml(text, seed), "mutated seed " + std::to_string(seed));
  }
}

}  // namespace
}  // namespace mgw
