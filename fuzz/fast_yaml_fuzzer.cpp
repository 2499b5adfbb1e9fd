// Differential fuzzing of the fast YAML path (fast_yaml.h): whenever
// FastParseYamlStream accepts an input, yaml-cpp alone must accept it too and give the
// same documents (values with their JSON types, positions, item lines), and
// ParseYamlStream must return them. Inputs the fast path declines need no check here:
// they take the yaml-cpp path, which manifest_fuzzer covers. Any disagreement prints
// both results and aborts.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "manifest/fast_yaml.h"
#include "mgw/manifest/yaml_json.h"

namespace {

constexpr std::string_view kSource = "fuzz.yaml";
constexpr std::string_view kByteOrderMark = "\xEF\xBB\xBF";

std::string Show(const std::vector<mgw::YamlDocument>& docs) {
  std::string out;
  for (const mgw::YamlDocument& d : docs) {
    out += std::to_string(d.line) + ":" + std::to_string(d.column) + " " +
           d.root.dump(-1, ' ', true, nlohmann::json::error_handler_t::replace) + " items:";
    for (int line : d.item_lines) out += " " + std::to_string(line);
    out += "\n";
  }
  return out;
}

void Disagree(const std::vector<mgw::YamlDocument>& fast,
              const mgw::StatusOr<std::vector<mgw::YamlDocument>>& other, const char* what) {
  std::fprintf(stderr, "fast path and %s disagree\nfast path:\n%s%s:\n%s", what, Show(fast).c_str(),
               what, other.ok() ? Show(*other).c_str() : other.status().ToString().c_str());
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  std::string_view body = text.starts_with(kByteOrderMark) ? text.substr(3) : text;
  std::optional<std::vector<mgw::YamlDocument>> fast = mgw::FastParseYamlStream(body);
  if (!fast) return 0;
  mgw::StatusOr<std::vector<mgw::YamlDocument>> reference =
      mgw::ParseYamlStreamWithYamlCpp(text, kSource);
  if (!reference.ok() || !mgw::SameYamlDocuments(*fast, *reference)) {
    Disagree(*fast, reference, "yaml-cpp");
  }
  mgw::StatusOr<std::vector<mgw::YamlDocument>> combined = mgw::ParseYamlStream(text, kSource);
  if (!combined.ok() || !mgw::SameYamlDocuments(*fast, *combined)) {
    Disagree(*fast, combined, "ParseYamlStream");
  }
  return 0;
}
