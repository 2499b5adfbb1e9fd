// The AdmissionReview response the apiserver accepts, and its JSON writer. Pure.
#ifndef MGW_ADMISSION_ADMISSION_RESPONSE_H_
#define MGW_ADMISSION_ADMISSION_RESPONSE_H_

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace mgw {

inline constexpr std::string_view kAdmissionV1 = "admission.k8s.io/v1";
inline constexpr std::string_view kAdmissionV1beta1 = "admission.k8s.io/v1beta1";
inline constexpr std::string_view kAdmissionReviewKind = "AdmissionReview";

struct AdmissionStatus {
  int code = 0;
  std::string reason;  // a metav1.StatusReason such as "Invalid" or "Forbidden"
  std::string message;
};

struct AdmissionResponse {
  std::string api_version = std::string(kAdmissionV1);
  std::string uid;
  bool allowed = false;
  std::optional<AdmissionStatus> status;  // set on denial
  nlohmann::json patch;                   // RFC 6902 array, or null for none
  std::vector<std::string> warnings;
  std::map<std::string, std::string> audit_annotations;
};

// Renders the response as compact JSON: an AdmissionReview in
// `response.api_version` (admission.k8s.io/v1 when empty) with response.uid and
// response.allowed always present. `status` appears only when set, with code,
// reason and message each omitted when zero or empty (Go's omitempty). The patch,
// when it is a non-empty array, is base64-encoded with patchType "JSONPatch";
// otherwise neither field is emitted. warnings and auditAnnotations appear only
// when non-empty. Invalid UTF-8 in any string becomes U+FFFD, so the output is
// always valid JSON.
std::string SerializeAdmissionReview(const AdmissionResponse& response);

}  // namespace mgw

#endif  // MGW_ADMISSION_ADMISSION_RESPONSE_H_
