// Admission decisions: an AdmissionRequest in, an AdmissionResponse out, for each
// of the three endpoints. No I/O; the allowlist comes from the source handed in.
#ifndef MGW_ADMISSION_HANDLER_H_
#define MGW_ADMISSION_HANDLER_H_

#include <string>

#include "mgw/admission_review.h"
#include "mgw/allowlist.h"

namespace mgw {

struct HandlerConfig {
  std::string default_image;
  const AllowlistSource* allowlist = nullptr;  // REQUIRES: non-null, outlives the calls
};

// POST /validate-mustgather: rules 1-8 on CREATE/UPDATE; everything else is allowed.
AdmissionResponse ValidateMustGather(const AdmissionRequest& request, const HandlerConfig& config);

// POST /mutate-mustgather: defaults spec.storage.type; never denies a well-formed request.
AdmissionResponse MutateMustGather(const AdmissionRequest& request, const HandlerConfig& config);

// POST /validate-mustgatherimage: the allowlist object's own rules on CREATE/UPDATE.
AdmissionResponse ValidateMustGatherImage(const AdmissionRequest& request,
                                          const HandlerConfig& config);

// The denial for a list of findings: 422 Invalid, or 403 Forbidden when all findings
// are policy findings. The message names the object and lists every finding.
AdmissionStatus DenialStatus(std::string_view kind, std::string_view object_name,
                             const FieldErrors& errors);

}  // namespace mgw

#endif  // MGW_ADMISSION_HANDLER_H_
