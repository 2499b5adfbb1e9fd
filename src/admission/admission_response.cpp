#include "mgw/admission/admission_response.h"

#include "mgw/base/json_patch.h"
#include "mgw/base/quote.h"

namespace mgw {
namespace {

using ::nlohmann::json;

// The writers below append JSON text straight to `out`, in the order the
// apiserver's own types use; once per review, so no intermediate tree.
void AppendKey(std::string& out, std::string_view key) {
  out += '"';
  out += key;  // our own constants: nothing to escape
  out += "\":";
}

void AppendStatus(std::string& out, const AdmissionStatus& status) {
  out += ",\"status\":{";
  const size_t start = out.size();
  auto comma = [&] {
    if (out.size() > start) out += ',';
  };
  if (status.code != 0) {
    AppendKey(out, "code");
    out += std::to_string(status.code);
  }
  if (!status.reason.empty()) {
    comma();
    AppendKey(out, "reason");
    out += QuoteJson(status.reason);
  }
  if (!status.message.empty()) {
    comma();
    AppendKey(out, "message");
    out += QuoteJson(status.message);
  }
  out += '}';
}

void AppendResponse(std::string& out, const AdmissionResponse& response) {
  out += "{\"uid\":" + QuoteJson(response.uid);
  out += response.allowed ? ",\"allowed\":true" : ",\"allowed\":false";
  if (response.status) AppendStatus(out, *response.status);
  if (response.patch.is_array() && !response.patch.empty()) {
    out += ",\"patch\":\"";
    out += Base64Encode(response.patch.dump(-1, ' ', false, json::error_handler_t::replace));
    out += "\",\"patchType\":\"JSONPatch\"";
  }
  if (!response.warnings.empty()) {
    out += ",\"warnings\":[";
    for (size_t i = 0; i < response.warnings.size(); ++i) {
      if (i > 0) out += ',';
      out += QuoteJson(response.warnings[i]);
    }
    out += ']';
  }
  if (!response.audit_annotations.empty()) {
    out += ",\"auditAnnotations\":{";
    bool first = true;
    for (const auto& [key, value] : response.audit_annotations) {
      if (!first) out += ',';
      first = false;
      out += QuoteJson(key) + ":" + QuoteJson(value);
    }
    out += '}';
  }
  out += '}';
}

}  // namespace

std::string SerializeAdmissionReview(const AdmissionResponse& response) {
  std::string out;
  out.reserve(160 + response.uid.size() + (response.status ? response.status->message.size() : 0));
  out += "{\"apiVersion\":";
  out += QuoteJson(response.api_version.empty() ? kAdmissionV1 : response.api_version);
  out += ",\"kind\":";
  out += QuoteJson(kAdmissionReviewKind);
  out += ",\"response\":";
  AppendResponse(out, response);
  out += '}';
  return out;
}

}  // namespace mgw
