// metav1.Condition helpers over a status JSON object, and the MustGather's condition
// vocabulary. Pure functions; the clock is passed in. Thread-compatible.
//
// Condition types have positive polarity, like batch/v1 Job's Complete and Failed, so
// `kubectl wait --for=condition=Completed` (or `=Failed`) works:
//   Running    Present from the first reconcile. True while the gather Job exists and has
//              not finished (reason JobRunning). False otherwise, and the reason says why:
//              PVCNotBound or JobNotOwned while waiting, or the final reason once the run
//              has ended.
//   Completed  Set only when the gather Job succeeded (with an upload target: the gather
//              and the upload both did): True, reason JobSucceeded.
//   Failed     Set only when the run ended without success: True, with the reason
//              ValidationFailed, InvalidImage or AllowlistNotConfigured (the spec was
//              rejected and no Job was made), the Job's own failure reason passed through
//              (DeadlineExceeded, BackoffLimitExceeded, ...; JobFailed when it gives none),
//              or JobDeleted (the Job vanished before it finished). With an upload
//              target, GatherFailed or UploadFailed says which step failed.
// A finished MustGather has exactly one of Completed/Failed True and status.completed true.
#ifndef MGW_RECONCILE_CONDITIONS_H_
#define MGW_RECONCILE_CONDITIONS_H_

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace mgw {

// Condition types.
inline constexpr std::string_view kConditionRunning = "Running";
inline constexpr std::string_view kConditionCompleted = "Completed";
inline constexpr std::string_view kConditionFailed = "Failed";

// metav1.ConditionStatus values.
inline constexpr std::string_view kConditionTrue = "True";
inline constexpr std::string_view kConditionFalse = "False";
inline constexpr std::string_view kConditionUnknown = "Unknown";

// Reasons. The three validation reasons equal field_error.h's kReason* constants.
inline constexpr std::string_view kReasonPVCNotBound = "PVCNotBound";
inline constexpr std::string_view kReasonJobNotOwned = "JobNotOwned";
inline constexpr std::string_view kReasonJobRunning = "JobRunning";
inline constexpr std::string_view kReasonJobSucceeded = "JobSucceeded";
inline constexpr std::string_view kReasonJobFailed = "JobFailed";
inline constexpr std::string_view kReasonJobDeleted = "JobDeleted";
// With an upload target: which step of the run failed (run_outcome.h).
inline constexpr std::string_view kReasonGatherFailed = "GatherFailed";
inline constexpr std::string_view kReasonUploadFailed = "UploadFailed";
// Job failure reasons kube-controller-manager writes on a Job's Failed condition.
inline constexpr std::string_view kReasonDeadlineExceeded = "DeadlineExceeded";
inline constexpr std::string_view kReasonBackoffLimitExceeded = "BackoffLimitExceeded";

// Length limits of the metav1.Condition schema.
inline constexpr size_t kMaxConditionReasonLength = 1024;
inline constexpr size_t kMaxConditionMessageLength = 32768;

// One condition to set; lastTransitionTime is managed by SetCondition.
struct Condition {
  std::string type;
  std::string status;  // kConditionTrue, kConditionFalse or kConditionUnknown
  std::string reason;  // REQUIRES: IsValidConditionReason(reason)
  std::string message;
  std::optional<int64_t> observed_generation;
};

// What SetCondition changed, from least to most significant.
enum class ConditionChange {
  kNone,     // identical; nothing to write
  kDetails,  // message or observedGeneration only
  kReason,   // the reason (same status)
  kStatus,   // the status, or the condition is new
};

// Adds or updates the condition of `c.type` in status["conditions"]. lastTransitionTime
// is set to `now` when the condition is new or its status changes, and kept otherwise.
// A `status` that is not an object becomes one; a "conditions" that is not an array is
// replaced. The message is cut to kMaxConditionMessageLength bytes (UTF-8 safe); an
// absent observed_generation removes the field. Returns the most significant change.
ConditionChange SetCondition(nlohmann::json& status, const Condition& c,
                             std::chrono::system_clock::time_point now);

// The condition object of `type` in status["conditions"], or nullptr.
const nlohmann::json* FindCondition(const nlohmann::json& status, std::string_view type);

// True when the condition of `type` exists and its status is "True".
bool IsConditionTrue(const nlohmann::json& status, std::string_view type);

// True when `reason` matches the metav1.Condition reason grammar
// ^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$ and is at most kMaxConditionReasonLength bytes.
bool IsValidConditionReason(std::string_view reason);

// `t` as RFC 3339 in UTC with whole seconds ("2026-06-17T14:30:25Z"), as metav1.Time is
// serialised. Sub-second parts are truncated toward the past.
std::string FormatRfc3339(std::chrono::system_clock::time_point t);

// `text` cut to at most `max_bytes` without splitting a UTF-8 sequence.
std::string TruncateUtf8(std::string_view text, size_t max_bytes);

}  // namespace mgw

#endif  // MGW_RECONCILE_CONDITIONS_H_
