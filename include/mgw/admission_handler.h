// Admission decisions: an AdmissionRequest in, an AdmissionResponse out, for each
// of the three endpoints. No I/O; the allowlist comes from the source handed in.
// Thread-safe when the AllowlistSource is.
#ifndef MGW_ADMISSION_HANDLER_H_
#define MGW_ADMISSION_HANDLER_H_

#include <string>
#include <string_view>

#include "mgw/admission_review.h"
#include "mgw/allowlist.h"
#include "mgw/field_error.h"

namespace mgw {

struct HandlerConfig {
  std::string default_image;
  const AllowlistSource* allowlist = nullptr;  // REQUIRES: non-null, outlives the calls
};

// A decision plus what the server logs about it.
struct AdmissionResult {
  AdmissionResponse response;
  FieldErrors findings;  // the rule findings behind a denial
  std::string skipped;   // non-empty when the request was let through unexamined, and why
};

// POST /validate-mustgather: the MustGather rules on CREATE and UPDATE; other
// operations, subresources and kinds are allowed (a misrouted webhook must not block
// the cluster).
AdmissionResult ValidateMustGather(const AdmissionRequest& request, const HandlerConfig& config);

// POST /mutate-mustgather: defaults spec.storage.type. Never denies a MustGather.
AdmissionResult MutateMustGather(const AdmissionRequest& request, const HandlerConfig& config);

// POST /validate-mustgatherimage: the allowlist object's own rules on CREATE/UPDATE.
AdmissionResult ValidateMustGatherImage(const AdmissionRequest& request,
                                        const HandlerConfig& config);

// The denial for findings about `object_desc` (e.g. `MustGather "x"`): 422 Invalid,
// or 403 Forbidden when every finding is a policy finding. The message lists every
// finding, one per line after the first when there are several.
AdmissionStatus DenialStatus(std::string_view object_desc, const FieldErrors& errors);

// The denial for a request the apiserver should never send (e.g. CREATE with no object).
AdmissionStatus BadRequestStatus(std::string message);

// The denial for a failure of our own: allowed=false, code 500.
AdmissionStatus InternalErrorStatus(std::string message);

}  // namespace mgw

#endif  // MGW_ADMISSION_HANDLER_H_
