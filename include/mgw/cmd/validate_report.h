// The outcome of `mustgather-webhook validate` as a value, and its three renderings:
// text for people, JSON for programs, JUnit XML for CI dashboards. Pure functions;
// thread-compatible.
#ifndef MGW_CMD_VALIDATE_REPORT_H_
#define MGW_CMD_VALIDATE_REPORT_H_

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "mgw/rules/field_error.h"

namespace mgw {

// One object read from the inputs: checked by the webhook's rules, or skipped.
struct ObjectResult {
  std::string file;
  int line = 0;                      // 1-based
  size_t document_index = 0;         // 0-based YAML document in the file
  std::optional<size_t> item_index;  // position in a List's items
  std::string api_version;
  std::string kind;
  std::string
      namespace_;    // metadata.namespace, else --namespace; "" when unknown or cluster-scoped
  std::string name;  // metadata.name
  std::string generate_name;  // metadata.generateName, shown when there is no name
  bool checked = false;       // false: skipped, for `skip_reason`
  std::string skip_reason;
  FieldErrors errors;  // the webhook would deny the object when non-empty
  std::vector<std::string> warnings;
};

// An input that could not be read or parsed. `message` names the file (and the line
// and column of a YAML error).
struct InputError {
  std::string file;
  std::string message;
};

struct ValidateReport {
  std::vector<std::string> files;  // every input file in order ("<stdin>" for -), failed ones too
  std::vector<ObjectResult> objects;  // checked and skipped, in input order
  std::vector<InputError> input_errors;
  std::string allowlist;  // where the allowlist came from, or why there is none
  bool strict = false;    // warnings fail objects
};

struct ReportSummary {
  size_t checked = 0;
  size_t rejected = 0;  // checked objects that fail: denied, or warned under strict
  size_t skipped = 0;
  size_t warnings = 0;
  size_t input_errors = 0;
};

// True when `r` was checked and the webhook would deny it, or it has warnings and
// `strict` is set.
bool Fails(const ObjectResult& r, bool strict);

ReportSummary Summarize(const ValidateReport& report);

// 2 when there is any input error, else 1 when any object fails, else 0.
int ExitCode(const ValidateReport& report);

// How an object is named in every format: "Kind/namespace/name", "Kind/name" without
// a namespace, "generateName*" in place of a missing name, "<unnamed>" with neither.
std::string ObjectId(const ObjectResult& r);

// One block per failing, warned or noteworthy skipped object (a MustGather or
// MustGatherImage with a foreign apiVersion), then "N checked, N rejected, N skipped"
// (plus ", N input errors" when there are some). A block is
// "FILE:LINE: ID: HEADLINE", then "  * <field error>" and "  warning: <text>" lines.
// Input errors are not included; the caller prints them to stderr.
std::string RenderText(const ValidateReport& report);

// One JSON object: strict, allowlist, results (checked objects with allowed, passed,
// errors [{field, type, value?, detail, reason, message}] and warnings), skipped,
// inputErrors and summary; two-space indented, invalid UTF-8 replaced.
std::string RenderJson(const ValidateReport& report);

// JUnit XML: one <testsuite> per input file, one <testcase> per object (skipped ones
// with <skipped/>), <failure> for failing objects, <error> for unreadable files,
// warnings in <system-out>. Text is XML-escaped, control characters and invalid UTF-8
// replaced so the document always parses.
std::string RenderJunit(const ValidateReport& report);

}  // namespace mgw

#endif  // MGW_CMD_VALIDATE_REPORT_H_
