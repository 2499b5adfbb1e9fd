// Differential fuzzing against kubectl's own YAML converter
// (test/support/kubectl_yaml_oracle): ParseYamlStream must give every document the
// JSON kubectl gives it, or refuse when kubectl refuses. The oracle is found through
// MGW_KUBECTL_YAML_ORACLE (environment, else the build's); without it every input
// passes. A disagreement prints both results and aborts.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>

#include "support/kubectl_yaml_oracle.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static std::unique_ptr<mgw::testing::KubectlYamlOracle> oracle =
      mgw::testing::KubectlYamlOracle::Start(mgw::testing::KubectlYamlOraclePath());
  if (oracle == nullptr) return 0;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  std::string difference = mgw::testing::DifferenceFromKubectl(*oracle, text);
  if (!difference.empty()) {
    std::fprintf(stderr, "kubectl and ParseYamlStream disagree: %s", difference.c_str());
    std::abort();
  }
  return 0;
}
