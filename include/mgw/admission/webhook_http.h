// The one place where an HTTP request to an admission endpoint becomes an HTTP
// reply: method, content type and body checks, the AdmissionReview codec, the
// handler, and the mapping of every failure to a well-formed answer. No sockets:
// the TLS server and the `review` command both call it. Thread-safe.
#ifndef MGW_ADMISSION_WEBHOOK_HTTP_H_
#define MGW_ADMISSION_WEBHOOK_HTTP_H_

#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include <nlohmann/json.hpp>

#include "mgw/admission/admission_handler.h"
#include "mgw/admission/review_deadline.h"
#include "mgw/base/json_fields.h"

namespace mgw {

enum class Endpoint { kValidateMustGather, kMutateMustGather, kValidateMustGatherImage };

// The URL path of an endpoint, e.g. "/validate-mustgather".
std::string_view EndpointPath(Endpoint endpoint);
// The endpoint served at `path`, if any.
std::optional<Endpoint> EndpointForPath(std::string_view path);

// controller-runtime's limit; the apiserver's own request limit is 3 MiB.
inline constexpr size_t kMaxBodyBytes = 7 * 1024 * 1024;

struct HttpExchange {
  std::string_view method;
  std::string_view content_type;
  std::string_view body;
  // When set, the review's budget (see review_deadline.h) and the moment it runs
  // out: the decoder stops there and the reply is the timeout answer.
  const ReviewDeadline* deadline = nullptr;
  std::chrono::steady_clock::time_point due{};
};

struct HttpReply {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  JsonFields log;  // fields for the decision's log line (uid, kind, name, allowed, ...)
};

// The three stages of ServeAdmission, for callers that run the handler under a
// deadline (the TLS server). DecodeAdmission does the HTTP checks and the codec:
// an error reply (405, 415, 413, 400, as ServeAdmission), the 200 timeout answer
// (DeadlineExceededResult) when exchange.deadline passes while the body is
// parsed, or the request.
std::variant<AdmissionRequest, HttpReply> DecodeAdmission(const HttpExchange& exchange);
// The endpoint's handler; an exception becomes allowed=false, code 500.
AdmissionResult EvaluateAdmission(Endpoint endpoint, const AdmissionRequest& request,
                                  const HandlerConfig& config);
// The 200 reply carrying `result` as an AdmissionReview; its log is left empty.
HttpReply EncodeAdmission(const AdmissionResult& result);
// The fields of a decision's log line: uid, kind, name, user, allowed, and the
// code, message, reasons, warnings and patch when there are any.
JsonFields AdmissionLogFields(Endpoint endpoint, const AdmissionRequest& request,
                              const AdmissionResult& result);

// Serves one admission call. 405 for a method other than POST, 415 for a content
// type other than application/json, 413 over kMaxBodyBytes, 400 (plain text) when
// the body is not an AdmissionReview; otherwise 200 with an AdmissionReview, also
// when the handler fails (allowed=false, code 500).
HttpReply ServeAdmission(Endpoint endpoint, const HttpExchange& exchange,
                         const HandlerConfig& config);

}  // namespace mgw

#endif  // MGW_ADMISSION_WEBHOOK_HTTP_H_
