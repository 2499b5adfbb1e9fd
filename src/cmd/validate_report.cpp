#include "mgw/cmd/validate_report.h"

#include <map>

#include <nlohmann/json.hpp>

#include "mgw/base/quote.h"
#include "mgw/rules/mustgather_api.h"

namespace mgw {
namespace {

using ordered_json = nlohmann::ordered_json;

std::string Plural(size_t n, std::string_view word) {
  return std::to_string(n) + " " + std::string(word) + (n == 1 ? "" : "s");
}

// The webhook's denial headline, e.g. `MustGather "x" is invalid`.
std::string Headline(const ObjectResult& r, bool strict) {
  if (r.errors.empty()) {
    std::string w = Plural(r.warnings.size(), "warning");
    return strict ? w + ", which --strict treats as errors" : "allowed with " + w;
  }
  std::string out = r.kind;
  if (!r.name.empty()) {
    out += " " + QuoteJson(r.name);
  } else if (!r.generate_name.empty()) {
    out += " with generateName " + QuoteJson(r.generate_name);
  }
  return out + (OnlyPolicyFindings(r.errors) ? " is forbidden" : " is invalid");
}

// Skipped objects worth a line: ours by kind, but not by apiVersion group.
bool NoteworthySkip(const ObjectResult& r) {
  return !r.checked && (r.kind == kMustGatherKind || r.kind == kMustGatherImageKind);
}

// The lines under an object's headline.
std::string Details(const ObjectResult& r) {
  std::string out;
  for (const FieldError& e : r.errors) out += "  * " + ToString(e) + "\n";
  for (const std::string& w : r.warnings) out += "  warning: " + w + "\n";
  return out;
}

std::string_view CauseType(FieldErrorType type) {
  switch (type) {
    case FieldErrorType::kRequired:
      return "FieldValueRequired";
    case FieldErrorType::kInvalid:
      return "FieldValueInvalid";
    case FieldErrorType::kUnsupported:
      return "FieldValueNotSupported";
    case FieldErrorType::kForbidden:
      return "FieldValueForbidden";
    case FieldErrorType::kTooLong:
      return "FieldValueTooLong";
    case FieldErrorType::kDuplicate:
      return "FieldValueDuplicate";
  }
  return "FieldValueInvalid";
}

ordered_json Position(const ObjectResult& r) {
  ordered_json j;
  j["file"] = r.file;
  j["line"] = r.line;
  j["document"] = r.document_index;
  if (r.item_index) j["item"] = *r.item_index;
  j["apiVersion"] = r.api_version;
  j["kind"] = r.kind;
  return j;
}

ordered_json ErrorJson(const FieldError& e) {
  ordered_json j;
  j["field"] = e.field;
  j["type"] = CauseType(e.type);
  if (e.value) j["value"] = ordered_json(*e.value);
  j["detail"] = e.detail;
  j["reason"] = e.reason;
  j["message"] = ToString(e);
  return j;
}

ordered_json ResultJson(const ObjectResult& r, bool strict) {
  ordered_json j = Position(r);
  j["namespace"] = r.namespace_;
  j["name"] = r.name;
  if (r.name.empty() && !r.generate_name.empty()) j["generateName"] = r.generate_name;
  j["allowed"] = r.errors.empty();
  j["passed"] = !Fails(r, strict);
  j["errors"] = ordered_json::array();
  for (const FieldError& e : r.errors) j["errors"].push_back(ErrorJson(e));
  j["warnings"] = r.warnings;
  return j;
}

ordered_json SkippedJson(const ObjectResult& r) {
  ordered_json j = Position(r);
  j["namespace"] = r.namespace_;
  j["name"] = r.name;
  j["reason"] = r.skip_reason;
  return j;
}

// The byte length of the UTF-8 character at s[i] that XML 1.0 allows, or 0 when the
// bytes there are not valid UTF-8 or encode U+FFFE/U+FFFF.
size_t XmlCharLength(std::string_view s, size_t i) {
  auto at = [&](size_t k) -> unsigned char {
    return i + k < s.size() ? static_cast<unsigned char>(s[i + k]) : 0;
  };
  auto cont = [&](size_t k, unsigned char lo = 0x80, unsigned char hi = 0xBF) {
    return at(k) >= lo && at(k) <= hi;
  };
  const unsigned char c = at(0);
  if (c < 0x80) return 1;
  if (c >= 0xC2 && c <= 0xDF) return cont(1) ? 2 : 0;
  if (c >= 0xE0 && c <= 0xEF) {
    bool ok = c == 0xE0 ? cont(1, 0xA0) : c == 0xED ? cont(1, 0x80, 0x9F) : cont(1);
    if (!ok || !cont(2)) return 0;
    return c == 0xEF && at(1) == 0xBF && at(2) >= 0xBE ? 0 : 3;
  }
  if (c >= 0xF0 && c <= 0xF4) {
    bool ok = c == 0xF0 ? cont(1, 0x90) : c == 0xF4 ? cont(1, 0x80, 0x8F) : cont(1);
    return ok && cont(2) && cont(3) ? 4 : 0;
  }
  return 0;
}

constexpr std::string_view kReplacementChar = "\xEF\xBF\xBD";  // U+FFFD

// The escape for one ASCII character, or "" when it stands for itself.
std::string_view XmlEscape(char c, bool attribute) {
  switch (c) {
    case '&':
      return "&amp;";
    case '<':
      return "&lt;";
    case '>':
      return "&gt;";
    case '"':
      return attribute ? "&quot;" : "";
    case '\n':
      return attribute ? "&#10;" : "";
    case '\t':
      return attribute ? "&#9;" : "";
    case '\r':
      return "&#13;";
    default:
      return static_cast<unsigned char>(c) < 0x20 ? kReplacementChar : "";
  }
}

// `s` escaped for XML text or (with `attribute`) a double-quoted attribute value.
std::string Xml(std::string_view s, bool attribute = false) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size();) {
    size_t len = XmlCharLength(s, i);
    if (len == 0) {
      out += kReplacementChar;
      ++i;
      continue;
    }
    std::string_view escaped = len == 1 ? XmlEscape(s[i], attribute) : "";
    out += escaped.empty() ? s.substr(i, len) : escaped;
    i += len;
  }
  return out;
}

struct Suite {
  std::vector<const ObjectResult*> objects;
  std::vector<const InputError*> errors;
};

std::string Counts(size_t tests, size_t failures, size_t errors, size_t skipped) {
  return "tests=\"" + std::to_string(tests) + "\" failures=\"" + std::to_string(failures) +
         "\" errors=\"" + std::to_string(errors) + "\" skipped=\"" + std::to_string(skipped) + "\"";
}

std::string FailureType(const ObjectResult& r) {
  if (r.errors.empty()) return "Warning";
  return OnlyPolicyFindings(r.errors) ? "Forbidden" : "Invalid";
}

std::string Testcase(const ObjectResult& r, bool strict) {
  std::string out = "    <testcase name=\"" + Xml(ObjectId(r), true) + "\" classname=\"" +
                    Xml(r.file, true) + "\" file=\"" + Xml(r.file, true) + "\" line=\"" +
                    std::to_string(r.line) + "\"";
  if (!r.checked)
    return out + ">\n      <skipped message=\"" + Xml(r.skip_reason, true) +
           "\"/>\n    </testcase>\n";
  if (!Fails(r, strict) && r.warnings.empty()) return out + "/>\n";
  out += ">\n";
  if (Fails(r, strict)) {
    std::string headline = Headline(r, strict);
    out += "      <failure message=\"" + Xml(headline, true) + "\" type=\"" + FailureType(r) +
           "\">" +
           Xml(r.file + ":" + std::to_string(r.line) + ": " + ObjectId(r) + ": " + headline + "\n" +
               Details(r)) +
           "</failure>\n";
  } else {
    out += "      <system-out>" + Xml(Details(r)) + "</system-out>\n";
  }
  return out + "    </testcase>\n";
}

std::string Testsuite(const std::string& file, const Suite& suite, bool strict) {
  size_t failures = 0, skipped = 0;
  for (const ObjectResult* r : suite.objects) {
    failures += Fails(*r, strict) ? 1 : 0;
    skipped += r->checked ? 0 : 1;
  }
  std::string out =
      "  <testsuite name=\"" + Xml(file, true) + "\" " +
      Counts(suite.objects.size() + suite.errors.size(), failures, suite.errors.size(), skipped) +
      ">\n";
  for (const InputError* e : suite.errors) {
    out += "    <testcase name=\"read and parse\" classname=\"" + Xml(file, true) +
           "\">\n      <error message=\"" + Xml(e->message, true) +
           "\" type=\"InputError\"/>\n    </testcase>\n";
  }
  for (const ObjectResult* r : suite.objects) out += Testcase(*r, strict);
  return out + "  </testsuite>\n";
}

}  // namespace

bool Fails(const ObjectResult& r, bool strict) {
  return r.checked && (!r.errors.empty() || (strict && !r.warnings.empty()));
}

ReportSummary Summarize(const ValidateReport& report) {
  ReportSummary s;
  for (const ObjectResult& r : report.objects) {
    if (!r.checked) {
      ++s.skipped;
      continue;
    }
    ++s.checked;
    s.warnings += r.warnings.size();
    if (Fails(r, report.strict)) ++s.rejected;
  }
  s.input_errors = report.input_errors.size();
  return s;
}

int ExitCode(const ValidateReport& report) {
  ReportSummary s = Summarize(report);
  if (s.input_errors > 0) return 2;
  return s.rejected > 0 ? 1 : 0;
}

std::string ObjectId(const ObjectResult& r) {
  std::string name = !r.name.empty()            ? r.name
                     : !r.generate_name.empty() ? r.generate_name + "*"
                                                : "<unnamed>";
  std::string kind = r.kind.empty() ? "<no kind>" : r.kind;
  return kind + "/" + (r.namespace_.empty() ? "" : r.namespace_ + "/") + name;
}

std::string RenderText(const ValidateReport& report) {
  std::string out;
  for (const ObjectResult& r : report.objects) {
    std::string where = r.file + ":" + std::to_string(r.line) + ": " + ObjectId(r) + ": ";
    if (NoteworthySkip(r)) {
      out += where + "skipped: " + r.skip_reason + "\n";
    } else if (r.checked && (!r.errors.empty() || !r.warnings.empty())) {
      out += where + Headline(r, report.strict) + "\n" + Details(r);
    }
  }
  ReportSummary s = Summarize(report);
  out += std::to_string(s.checked) + " checked, " + std::to_string(s.rejected) + " rejected, " +
         std::to_string(s.skipped) + " skipped";
  if (s.input_errors > 0) out += ", " + Plural(s.input_errors, "input error");
  return out + "\n";
}

std::string RenderJson(const ValidateReport& report) {
  ordered_json j;
  j["strict"] = report.strict;
  j["allowlist"] = report.allowlist;
  j["results"] = ordered_json::array();
  j["skipped"] = ordered_json::array();
  for (const ObjectResult& r : report.objects) {
    if (r.checked) {
      j["results"].push_back(ResultJson(r, report.strict));
    } else {
      j["skipped"].push_back(SkippedJson(r));
    }
  }
  j["inputErrors"] = ordered_json::array();
  for (const InputError& e : report.input_errors) {
    j["inputErrors"].push_back({{"file", e.file}, {"message", e.message}});
  }
  ReportSummary s = Summarize(report);
  j["summary"] = {{"checked", s.checked},          {"rejected", s.rejected},
                  {"skipped", s.skipped},          {"warnings", s.warnings},
                  {"inputErrors", s.input_errors}, {"exitCode", ExitCode(report)}};
  return j.dump(2, ' ', false, ordered_json::error_handler_t::replace) + "\n";
}

std::string RenderJunit(const ValidateReport& report) {
  std::vector<std::string> order = report.files;
  std::map<std::string, Suite> suites;
  for (const std::string& f : report.files) suites[f];
  auto suite_of = [&](const std::string& file) -> Suite& {
    if (suites.find(file) == suites.end()) order.push_back(file);
    return suites[file];
  };
  for (const InputError& e : report.input_errors) suite_of(e.file).errors.push_back(&e);
  for (const ObjectResult& r : report.objects) suite_of(r.file).objects.push_back(&r);
  ReportSummary s = Summarize(report);
  std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  out += "<testsuites name=\"mustgather-webhook validate\" " +
         Counts(s.checked + s.skipped + s.input_errors, s.rejected, s.input_errors, s.skipped) +
         ">\n";
  for (const std::string& file : order) {
    if (suites.count(file) != 0) out += Testsuite(file, suites[file], report.strict);
    suites.erase(file);  // a file listed twice gets one suite
  }
  return out + "</testsuites>\n";
}

}  // namespace mgw
