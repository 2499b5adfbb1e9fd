// Admission decisions: an AdmissionRequest in, an AdmissionResponse out, for each
// of the three endpoints. No I/O; the allowlist comes from the source handed in.
// Thread-safe when the AllowlistSource is.
#ifndef MGW_ADMISSION_ADMISSION_HANDLER_H_
#define MGW_ADMISSION_ADMISSION_HANDLER_H_

#include <memory>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "mgw/admission/admission_review.h"
#include "mgw/rules/allowlist.h"
#include "mgw/rules/field_error.h"

namespace mgw {

// A cached, read-only view of PersistentVolumeClaims, for advisory warnings only.
// Implementations are thread-safe and never block on I/O.
class PvcLookup {
 public:
  virtual ~PvcLookup() = default;
  // The claim `name` in namespace `ns`: the object; NOT_FOUND when the cache is in sync
  // and has no such claim; any other error when the cache cannot tell (then nothing
  // is warned about).
  virtual StatusOr<std::shared_ptr<const nlohmann::json>> Find(const std::string& ns,
                                                               const std::string& name) const = 0;
};

struct HandlerConfig {
  std::string default_image;
  const AllowlistSource* allowlist = nullptr;  // REQUIRES: non-null, outlives the calls
  // Optional: when set, an allowed MustGather gets warnings about its PVC (see
  // pvc_warnings.h). Outlives the calls.
  const PvcLookup* pvcs = nullptr;
};

// A decision plus what the server logs about it.
struct AdmissionResult {
  AdmissionResponse response;
  FieldErrors findings;  // the rule findings behind a denial
  std::string skipped;   // non-empty when the request was let through unexamined, and why
};

// POST /validate-mustgather: the MustGather rules on CREATE and UPDATE; other
// operations, subresources and kinds are allowed (a misrouted webhook must not block
// the cluster). With config.pvcs, an allowed CREATE also carries the PVC warnings of
// PvcWarnings (not UPDATE: the spec is immutable, and controllers update often).
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

#endif  // MGW_ADMISSION_ADMISSION_HANDLER_H_
