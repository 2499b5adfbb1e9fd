// A client for test/support/kubectl_yaml_oracle (kubectl's own YAML to JSON converter,
// built from Debian's Go packages) and the comparison the differential test and the
// kubectl_yaml fuzzer make: ParseYamlStream must give the same JSON for every document,
// or refuse when kubectl refuses. Not thread-safe; one oracle process per object.
#ifndef MGW_TEST_SUPPORT_KUBECTL_YAML_ORACLE_H_
#define MGW_TEST_SUPPORT_KUBECTL_YAML_ORACLE_H_

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace mgw::testing {

class KubectlYamlOracle {
 public:
  // Starts the oracle at `path`; null when `path` is empty or cannot be run.
  static std::unique_ptr<KubectlYamlOracle> Start(const std::string& path);
  ~KubectlYamlOracle();
  KubectlYamlOracle(const KubectlYamlOracle&) = delete;
  KubectlYamlOracle& operator=(const KubectlYamlOracle&) = delete;

  // kubectl's result for each document of `text`: "ok <json>" or "error <message>".
  // Empty when the oracle has died.
  std::vector<std::string> Convert(std::string_view text);

 private:
  KubectlYamlOracle() = default;
  int pid_ = -1;
  int to_ = -1;
  FILE* from_ = nullptr;
};

// "" when ParseYamlStream(text) agrees with `oracle`, else what differs. Our two
// deliberate differences count as agreement: the nesting limit (kMaxYamlDepth), and
// refusing invalid UTF-8 or a lone surrogate escape in a JSON stream, which kubectl's
// JSON decoder replaces with U+FFFD.
std::string DifferenceFromKubectl(KubectlYamlOracle& oracle, std::string_view text);

// The oracle binary the build made, or "" when Go or the Debian packages are absent.
std::string KubectlYamlOraclePath();

}  // namespace mgw::testing

#endif  // MGW_TEST_SUPPORT_KUBECTL_YAML_ORACLE_H_
