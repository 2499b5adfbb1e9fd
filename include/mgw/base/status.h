// Error values that cross module borders: a canonical code plus a message.
// Modelled on abseil's Status; library exceptions are converted to these at the
// parse boundary. Status and StatusOr are value types; not thread-safe to mutate.
#ifndef MGW_BASE_STATUS_H_
#define MGW_BASE_STATUS_H_

#include <cassert>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace mgw {

// Canonical codes (abseil semantics). Pick the most specific one that fits.
enum class StatusCode {
  kOk = 0,
  kInvalidArgument,     // the caller's input is malformed, whatever the system state
  kNotFound,            // the named entity does not exist
  kAlreadyExists,       // create of an entity that exists
  kPermissionDenied,    // authenticated but not allowed
  kUnauthenticated,     // no or bad credentials
  kFailedPrecondition,  // the system is not in a state that allows the operation
  kAborted,             // concurrency conflict (e.g. a stale resourceVersion); retry from the read
  kOutOfRange,          // a value past a valid range, e.g. an expired resourceVersion
  kResourceExhausted,   // a size or rate limit was hit
  kDeadlineExceeded,    // the operation ran out of time
  kUnavailable,         // transient; retrying may succeed
  kUnimplemented,       // not supported by this build or peer
  kInternal,            // an invariant broke
};

// Returns the code's name, e.g. "INVALID_ARGUMENT".
std::string_view StatusCodeName(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;  // OK
  Status(StatusCode code, std::string message);

  static Status Ok() { return Status(); }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }

  // "OK" or "<CODE_NAME>: <message>".
  std::string ToString() const;

  // Returns a copy whose message is "<context>: <message>"; OK stays OK.
  Status WithContext(std::string_view context) const;

  friend bool operator==(const Status&, const Status&) = default;

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

std::ostream& operator<<(std::ostream& os, const Status& status);

Status InvalidArgumentError(std::string message);
Status NotFoundError(std::string message);
Status AlreadyExistsError(std::string message);
Status PermissionDeniedError(std::string message);
Status UnauthenticatedError(std::string message);
Status FailedPreconditionError(std::string message);
Status AbortedError(std::string message);
Status OutOfRangeError(std::string message);
Status ResourceExhaustedError(std::string message);
Status DeadlineExceededError(std::string message);
Status UnavailableError(std::string message);
Status UnimplementedError(std::string message);
Status InternalError(std::string message);

// Either a value or a non-OK Status. Constructing one from an OK Status is a
// programming error and yields an INTERNAL status instead.
template <typename T>
class [[nodiscard]] StatusOr {
 public:
  StatusOr(const T& value) : rep_(value) {}        // NOLINT: implicit by design
  StatusOr(T&& value) : rep_(std::move(value)) {}  // NOLINT
  StatusOr(Status status)                          // NOLINT
      : rep_(status.ok() ? InternalError("StatusOr built from an OK status") : std::move(status)) {}

  bool ok() const { return std::holds_alternative<T>(rep_); }
  Status status() const { return ok() ? Status() : std::get<Status>(rep_); }

  // REQUIRES: ok().
  const T& value() const& { return std::get<T>(rep_); }
  T& value() & { return std::get<T>(rep_); }
  T&& value() && { return std::get<T>(std::move(rep_)); }
  const T& operator*() const& { return value(); }
  T& operator*() & { return value(); }
  const T* operator->() const { return &value(); }
  T* operator->() { return &value(); }

  template <typename U>
  T value_or(U&& fallback) const& {
    return ok() ? value() : static_cast<T>(std::forward<U>(fallback));
  }

 private:
  std::variant<Status, T> rep_;
};

}  // namespace mgw

#define MGW_STATUS_CONCAT_INNER_(a, b) a##b
#define MGW_STATUS_CONCAT_(a, b) MGW_STATUS_CONCAT_INNER_(a, b)

// Returns from the enclosing function if `expr` yields a non-OK Status.
#define MGW_RETURN_IF_ERROR(expr)              \
  do {                                         \
    ::mgw::Status mgw_status_ = (expr);        \
    if (!mgw_status_.ok()) return mgw_status_; \
  } while (0)

// `lhs = value of expr`, or returns its non-OK Status from the enclosing function.
#define MGW_ASSIGN_OR_RETURN(lhs, expr) \
  MGW_ASSIGN_OR_RETURN_IMPL_(MGW_STATUS_CONCAT_(mgw_statusor_, __LINE__), lhs, expr)
// `tmp` names a variable and `lhs` may declare one, so neither can be parenthesized.
// NOLINTBEGIN(bugprone-macro-parentheses)
#define MGW_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                               \
  if (!tmp.ok()) return tmp.status();              \
  lhs = std::move(tmp).value()
// NOLINTEND(bugprone-macro-parentheses)

#endif  // MGW_BASE_STATUS_H_
