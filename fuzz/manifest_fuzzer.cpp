// Fuzzes the offline path of `validate`: arbitrary bytes as a manifest file through
// ParseManifests, then the webhook's rules and all three report renderers. Checks
// the contracts the headers state: no exceptions escape, every document is an object
// with a position, errors name the source, JSON reports parse back and JUnit reports
// hold no raw control characters. Any broken check aborts.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "mgw/cmd/validate_cli.h"
#include "mgw/cmd/validate_report.h"
#include "mgw/manifest/manifest.h"

namespace {

constexpr std::string_view kSource = "fuzz.yaml";

void Check(bool condition) {
  if (!condition) std::abort();
}

void CheckDocuments(const std::vector<mgw::ManifestDocument>& docs) {
  size_t last_index = 0;
  for (const mgw::ManifestDocument& d : docs) {
    Check(d.object.is_object());
    Check(d.line >= 1);
    Check(d.source == kSource);
    Check(d.document_index >= last_index);
    last_index = d.document_index;
  }
}

void CheckReports(const std::vector<mgw::ManifestDocument>& docs) {
  mgw::StatusOr<mgw::Allowlist> allowlist = mgw::AllowlistFromInputs(docs);
  mgw::Allowlist fallback = mgw::NotConfiguredAllowlist("fuzz");
  mgw::RuleContext ctx;
  ctx.allowlist = allowlist.ok() ? &*allowlist : &fallback;
  mgw::ValidateReport report;
  report.files = {std::string(kSource)};
  report.objects = mgw::CheckDocuments(docs, ctx);
  Check(report.objects.size() == docs.size());
  Check(!mgw::RenderText(report).empty());
  Check(!nlohmann::json::parse(mgw::RenderJson(report), nullptr, false).is_discarded());
  for (char c : mgw::RenderJunit(report)) {
    Check(static_cast<unsigned char>(c) >= 0x20 || c == '\n' || c == '\t');
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  mgw::StatusOr<std::vector<mgw::ManifestDocument>> docs = mgw::ParseManifests(text, kSource);
  if (!docs.ok()) {
    Check(docs.status().message().starts_with(kSource));
    return 0;
  }
  CheckDocuments(*docs);
  CheckReports(*docs);
  return 0;
}
