#include "mgw/admission/webhook_http.h"

#include <algorithm>
#include <cctype>
#include <exception>

namespace mgw {
namespace {

using nlohmann::json;

HttpReply PlainError(int status, std::string message) {
  HttpReply r;
  r.status = status;
  r.content_type = "text/plain; charset=utf-8";
  r.body = message + "\n";
  r.log.Add("http_status", status).Add("error", message);
  return r;
}

bool IsJsonContentType(std::string_view value) {
  std::string lower(value.substr(0, value.find(';')));
  lower.erase(
      std::remove_if(lower.begin(), lower.end(), [](unsigned char c) { return std::isspace(c); }),
      lower.end());
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return lower == "application/json";
}

AdmissionResult Dispatch(Endpoint endpoint, const AdmissionRequest& request,
                         const HandlerConfig& config) {
  switch (endpoint) {
    case Endpoint::kValidateMustGather:
      return ValidateMustGather(request, config);
    case Endpoint::kMutateMustGather:
      return MutateMustGather(request, config);
    case Endpoint::kValidateMustGatherImage:
      return ValidateMustGatherImage(request, config);
  }
  return ValidateMustGather(request, config);
}

// Runs the handler; any exception becomes an explicit denial, never a dropped call.
AdmissionResult SafeDispatch(Endpoint endpoint, const AdmissionRequest& request,
                             const HandlerConfig& config) {
  try {
    return Dispatch(endpoint, request, config);
  } catch (const std::exception& e) {
    AdmissionResult r;
    r.response.api_version = request.api_version;
    r.response.uid = request.uid;
    r.response.allowed = false;
    r.response.status =
        InternalErrorStatus(std::string("the webhook failed to evaluate the request: ") + e.what() +
                            "; retry, and report it if it persists");
    return r;
  }
}

// The timeout answer for a review whose parse outlived its budget; `partial`
// holds the apiVersion and uid read before the parse stopped.
HttpReply TimedOut(const AdmissionRequest& partial, const ReviewDeadline& deadline) {
  AdmissionResult result = DeadlineExceededResult(partial, deadline);
  HttpReply reply;
  reply.body = SerializeAdmissionReview(result.response);
  reply.log.Add("uid", partial.uid)
      .Add("allowed", false)
      .Add("code", result.response.status->code)
      .Add("message", "the deadline passed while the body was parsed")
      .Add("budget", FormatDuration(deadline.budget))
      .Add("limit", deadline.explanation());
  return reply;
}

}  // namespace

std::string_view EndpointPath(Endpoint endpoint) {
  switch (endpoint) {
    case Endpoint::kValidateMustGather:
      return "/validate-mustgather";
    case Endpoint::kMutateMustGather:
      return "/mutate-mustgather";
    case Endpoint::kValidateMustGatherImage:
      return "/validate-mustgatherimage";
  }
  return "/validate-mustgather";
}

std::optional<Endpoint> EndpointForPath(std::string_view path) {
  for (Endpoint e : {Endpoint::kValidateMustGather, Endpoint::kMutateMustGather,
                     Endpoint::kValidateMustGatherImage}) {
    if (EndpointPath(e) == path) return e;
  }
  return std::nullopt;
}

std::variant<AdmissionRequest, HttpReply> DecodeAdmission(const HttpExchange& exchange) {
  if (exchange.method != "POST") {
    return PlainError(405, "method " + std::string(exchange.method) +
                               " is not allowed: admission endpoints take POST");
  }
  if (!IsJsonContentType(exchange.content_type)) {
    return PlainError(415, "unsupported Content-Type \"" + std::string(exchange.content_type) +
                               "\": send an AdmissionReview as application/json");
  }
  if (exchange.body.size() > kMaxBodyBytes) {
    return PlainError(413, "request body of " + std::to_string(exchange.body.size()) +
                               " bytes exceeds the limit of " + std::to_string(kMaxBodyBytes));
  }
  AdmissionParseLimits limits;
  if (exchange.deadline != nullptr) limits.deadline = exchange.due;
  AdmissionRequest partial;
  StatusOr<AdmissionRequest> request = ParseAdmissionReview(exchange.body, limits, &partial);
  if (request.status().code() == StatusCode::kDeadlineExceeded) {
    return TimedOut(partial, *exchange.deadline);
  }
  if (!request.ok())
    return PlainError(400, "not an AdmissionReview: " + request.status().message());
  return std::move(request).value();
}

AdmissionResult EvaluateAdmission(Endpoint endpoint, const AdmissionRequest& request,
                                  const HandlerConfig& config) {
  return SafeDispatch(endpoint, request, config);
}

HttpReply EncodeAdmission(const AdmissionResult& result) {
  HttpReply reply;
  reply.body = SerializeAdmissionReview(result.response);
  return reply;
}

JsonFields AdmissionLogFields(Endpoint endpoint, const AdmissionRequest& req,
                              const AdmissionResult& result) {
  JsonFields log;
  log.Add("webhook", EndpointPath(endpoint).substr(1))
      .Add("uid", req.uid)
      .Add("kind", req.kind.kind)
      .Add("namespace", req.namespace_)
      .Add("name", req.name)
      .Add("operation", req.operation)
      .Add("user", req.user_info.username)
      .Add("dry_run", req.dry_run)
      .Add("allowed", result.response.allowed);
  if (result.response.status) {
    log.Add("code", result.response.status->code).Add("message", result.response.status->message);
  }
  if (!result.findings.empty()) {
    std::vector<std::string> reasons;
    reasons.reserve(result.findings.size());
    for (const FieldError& e : result.findings) reasons.push_back(e.field + ": " + e.reason);
    log.Add("reasons", reasons);
  }
  if (!result.skipped.empty()) log.Add("skipped", result.skipped);
  if (!result.response.patch.is_null()) log.Add("patched", true);
  if (!result.response.warnings.empty()) log.Add("warnings", result.response.warnings);
  return log;
}

HttpReply ServeAdmission(Endpoint endpoint, const HttpExchange& exchange,
                         const HandlerConfig& config) {
  std::variant<AdmissionRequest, HttpReply> decoded = DecodeAdmission(exchange);
  if (HttpReply* error = std::get_if<HttpReply>(&decoded)) return std::move(*error);
  const AdmissionRequest& request = std::get<AdmissionRequest>(decoded);
  AdmissionResult result = EvaluateAdmission(endpoint, request, config);
  HttpReply reply = EncodeAdmission(result);
  reply.log = AdmissionLogFields(endpoint, request, result);
  return reply;
}

}  // namespace mgw
