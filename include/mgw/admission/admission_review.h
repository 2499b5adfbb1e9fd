// The AdmissionReview request codec (admission.k8s.io/v1, also v1beta1 which has
// the same shape): the request the apiserver sends, decoded reading only what the
// rules need. Absent and null fields read alike. Pure functions. The response and
// its writer are in admission_response.h.
#ifndef MGW_ADMISSION_ADMISSION_REVIEW_H_
#define MGW_ADMISSION_ADMISSION_REVIEW_H_

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "mgw/admission/admission_response.h"
#include "mgw/base/clock.h"
#include "mgw/base/status.h"

namespace mgw {

struct GroupVersionKind {
  std::string group, version, kind;
};
struct GroupVersionResource {
  std::string group, version, resource;
};

struct UserInfo {
  std::string username;
  std::string uid;
  std::vector<std::string> groups;
};

struct AdmissionRequest {
  std::string api_version;  // the review's apiVersion, echoed in the response
  std::string uid;
  GroupVersionKind kind;
  GroupVersionResource resource;
  std::string sub_resource;
  std::string name;        // empty on CREATE with generateName
  std::string namespace_;  // empty for cluster-scoped objects
  std::string operation;   // CREATE, UPDATE, DELETE, CONNECT
  UserInfo user_info;
  nlohmann::json object;      // null when absent
  nlohmann::json old_object;  // null when absent
  bool dry_run = false;
};

// Deepest nesting of arrays and objects a request body may have, counting the
// AdmissionReview envelope itself; deeper bodies are rejected before JSON parsing
// so that no recursive JSON operation can run out of stack.
inline constexpr int kMaxAdmissionReviewDepth = 256;

// Parses a request body. INVALID_ARGUMENT, with a message a person can act on, when
// the body is not JSON (including invalid UTF-8), nests deeper than
// kMaxAdmissionReviewDepth, is not an AdmissionReview, has an unknown apiVersion,
// lacks request, request.uid, request.kind.kind or request.operation (each a
// non-empty string), or has a field the codec reads with the wrong JSON type (the
// message names the field, e.g. "request.uid must be a non-empty string"). Absent
// and null are the same for every optional field; fields the codec does not read
// (options, requestKind, userInfo.extra, ...) are ignored. Never throws.
//
// It builds only what it reads: the envelope, and of request.object and
// request.oldObject metadata.name, metadata.namespace, metadata.generateName and
// spec (other members of those objects read as absent). So memory is the body plus
// the kept parts, at most 65,536 values (INVALID_ARGUMENT past that), whatever the
// shape of the rest. DEADLINE_EXCEEDED when `limits.deadline` passes during the
// parse; `partial`, when given, then gets the apiVersion and uid read so far.
//
// Bodies up to kMaxFastSelectBytes are first parsed with simdjson (json_select_fast.h),
// which yields the same result or declines; `fast_path` false always uses the
// nlohmann SAX parser (for the differential fuzzer).
struct AdmissionParseLimits {
  std::optional<std::chrono::steady_clock::time_point> deadline;
  SteadyClock clock;  // null: the system's
  bool fast_path = true;
};
StatusOr<AdmissionRequest> ParseAdmissionReview(std::string_view body,
                                                const AdmissionParseLimits& limits = {},
                                                AdmissionRequest* partial = nullptr);

// The same checks and messages over a full nlohmann tree of the body, with
// request.object and request.oldObject whole: the reference the selective
// decoder is tested and fuzzed against. Memory is tens of times the body.
StatusOr<AdmissionRequest> ParseAdmissionReviewTree(std::string_view body);

}  // namespace mgw

#endif  // MGW_ADMISSION_ADMISSION_REVIEW_H_
