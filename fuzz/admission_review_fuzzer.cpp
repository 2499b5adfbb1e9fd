// Fuzzes the AdmissionReview codec as the server uses it: parse a body, then
// serialise a response built from what parsed (or from the parse error), and
// check that the output is JSON echoing the uid with a patch that decodes back.
// Also checks base64 round trips on the raw bytes. Any broken check aborts.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "mgw/admission/admission_review.h"
#include "mgw/base/json_patch.h"

namespace {

using ::nlohmann::json;

void Check(bool condition) {
  if (!condition) std::abort();
}

// Encoding must round-trip any bytes; strict decoding of arbitrary text must not
// crash, and whatever it accepts must be the one canonical encoding.
void CheckBase64(std::string_view bytes) {
  const mgw::StatusOr<std::string> round_trip = mgw::Base64Decode(mgw::Base64Encode(bytes));
  Check(round_trip.ok() && *round_trip == bytes);
  const mgw::StatusOr<std::string> direct = mgw::Base64Decode(bytes);
  if (direct.ok()) Check(mgw::Base64Encode(*direct) == bytes);
}

// A response that carries every parsed field somewhere, so all of them go
// through the serialiser (keys, pointer tokens, raw JSON values).
mgw::AdmissionResponse ResponseFor(const mgw::AdmissionRequest& req) {
  mgw::AdmissionResponse resp;
  resp.api_version = req.api_version;
  resp.uid = req.uid;
  resp.allowed = !req.dry_run;
  resp.status = mgw::AdmissionStatus{422, "Invalid", req.name + ": " + req.kind.kind};
  resp.patch = mgw::PatchBuilder()
                   .Add({"metadata", "annotations", req.namespace_}, req.object)
                   .Replace({req.sub_resource, req.operation}, req.old_object)
                   .Remove({req.resource.resource})
                   .ops();
  resp.warnings = req.user_info.groups;
  resp.audit_annotations[req.user_info.username] = req.user_info.uid;
  return resp;
}

void CheckSerialized(const mgw::AdmissionResponse& resp) {
  const json out = json::parse(mgw::SerializeAdmissionReview(resp), nullptr, false);
  Check(out.is_object() && out.contains("response"));
  // at() throws on a missing member; an uncaught exception aborts like Check.
  const json& response = out.at("response");
  Check(response.at("uid") == resp.uid && response.at("allowed") == resp.allowed);
  Check(response.contains("patch") == response.contains("patchType"));
  if (!response.contains("patch")) return;
  const mgw::StatusOr<std::string> patch =
      mgw::Base64Decode(response.at("patch").get<std::string>());
  Check(patch.ok());
  Check(json::parse(*patch, nullptr, false) == resp.patch);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  CheckBase64(body);
  const mgw::StatusOr<mgw::AdmissionRequest> req = mgw::ParseAdmissionReview(body);
  if (!req.ok()) {
    // The error path: the message goes into a denial, so it must serialise.
    Check(req.status().code() == mgw::StatusCode::kInvalidArgument);
    Check(!req.status().message().empty());
    mgw::AdmissionResponse resp;
    resp.status = mgw::AdmissionStatus{400, "BadRequest", req.status().message()};
    CheckSerialized(resp);
    return 0;
  }
  Check(!req->uid.empty() && !req->kind.kind.empty() && !req->operation.empty());
  CheckSerialized(ResponseFor(*req));
  return 0;
}
