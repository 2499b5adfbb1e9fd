#include "mgw/rules/field_error.h"

#include <algorithm>

namespace mgw {
namespace {

constexpr size_t kMaxRenderedValue = 256;

// Renders a value as Go's %q/%v would in a field error: strings quoted, others as JSON.
std::string RenderValue(const nlohmann::json& value) {
  std::string out = value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  if (out.size() <= kMaxRenderedValue) return out;
  const size_t keep = kMaxRenderedValue / 2;
  return out.substr(0, keep) + "...(" + std::to_string(out.size() - 2 * keep) +
         " bytes omitted)..." + out.substr(out.size() - keep);
}

std::string_view TypeLabel(FieldErrorType type) {
  switch (type) {
    case FieldErrorType::kRequired:
      return "Required value";
    case FieldErrorType::kInvalid:
      return "Invalid value";
    case FieldErrorType::kUnsupported:
      return "Unsupported value";
    case FieldErrorType::kForbidden:
      return "Forbidden";
    case FieldErrorType::kTooLong:
      return "Too long";
    case FieldErrorType::kDuplicate:
      return "Duplicate value";
  }
  return "Invalid value";
}

bool ShowsValue(FieldErrorType type) {
  return type == FieldErrorType::kInvalid || type == FieldErrorType::kUnsupported ||
         type == FieldErrorType::kDuplicate;
}

}  // namespace

FieldError Required(std::string field, std::string detail) {
  return {FieldErrorType::kRequired, std::move(field), std::nullopt, std::move(detail)};
}

FieldError Invalid(std::string field, nlohmann::json value, std::string detail) {
  return {FieldErrorType::kInvalid, std::move(field), std::move(value), std::move(detail)};
}

FieldError NotSupported(std::string field, nlohmann::json value,
                        const std::vector<std::string>& supported) {
  std::string detail = "supported values: ";
  for (size_t i = 0; i < supported.size(); ++i) {
    if (i > 0) detail += ", ";
    detail += nlohmann::json(supported[i]).dump();
  }
  return {FieldErrorType::kUnsupported, std::move(field), std::move(value), std::move(detail)};
}

FieldError Forbidden(std::string field, std::string detail) {
  return {FieldErrorType::kForbidden, std::move(field), std::nullopt, std::move(detail)};
}

FieldError TooLong(std::string field, nlohmann::json value, size_t max_bytes) {
  (void)value;  // Kubernetes does not echo an over-long value; neither do we.
  return {FieldErrorType::kTooLong, std::move(field), std::nullopt,
          "may not be more than " + std::to_string(max_bytes) + " bytes"};
}

FieldError Duplicate(std::string field, nlohmann::json value, std::string detail) {
  return {FieldErrorType::kDuplicate, std::move(field), std::move(value), std::move(detail)};
}

std::string ToString(const FieldError& error) {
  std::string out = error.field.empty() ? std::string("<object>") : error.field;
  out += ": ";
  out += TypeLabel(error.type);
  if (ShowsValue(error.type) && error.value.has_value()) {
    out += ": ";
    out += RenderValue(*error.value);
  }
  if (!error.detail.empty()) {
    out += ": ";
    out += error.detail;
  }
  return out;
}

std::string JoinFieldErrors(const FieldErrors& errors) {
  std::string out;
  for (const FieldError& e : errors) {
    if (!out.empty()) out += '\n';
    out += ToString(e);
  }
  return out;
}

bool OnlyPolicyFindings(const FieldErrors& errors) {
  return !errors.empty() && std::all_of(errors.begin(), errors.end(), [](const FieldError& e) {
    return e.kind == FindingKind::kPolicy;
  });
}

std::string Child(std::string_view path, std::string_view name) {
  std::string out(path);
  if (!out.empty()) out += '.';
  out += name;
  return out;
}

std::string Index(std::string_view path, size_t i) {
  return std::string(path) + "[" + std::to_string(i) + "]";
}

}  // namespace mgw
