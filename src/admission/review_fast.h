// The AdmissionReview decoder's selection, and its fastest path: simdjson's DOM
// with the envelope's strings captured straight into an AdmissionRequest, so the
// only JSON tree built is request.object and request.oldObject's kept parts.
// Pure; thread-safe.
#ifndef MGW_ADMISSION_REVIEW_FAST_H_
#define MGW_ADMISSION_REVIEW_FAST_H_

#include <optional>
#include <string_view>

#include "mgw/admission/admission_review.h"
#include "mgw/base/json_select.h"
#include "mgw/base/json_select_fast.h"

namespace mgw {

// What the decoder keeps of a review, for SelectJson and both fast paths: the
// envelope's members (their strings marked for capture), and of request.object
// and request.oldObject metadata.name, .namespace, .generateName and the whole
// spec (UPDATE compares it); anything but an object there is kept whole, as
// messages quote it. The root keeps only its type when it is not an object.
const JsonSelector& ReviewSelector();

// The request ParseAdmissionReview would return for `body`, when the body is
// plainly valid: every field the codec reads present with its type (strings,
// not null), no member repeated on the envelope's levels, and the fast path's
// limits met. nullopt otherwise, and the caller decodes the slow way, which
// says what is wrong. Never throws.
std::optional<AdmissionRequest> TryFastReview(std::string_view body,
                                              const JsonSelectLimits& limits);

}  // namespace mgw

#endif  // MGW_ADMISSION_REVIEW_FAST_H_
