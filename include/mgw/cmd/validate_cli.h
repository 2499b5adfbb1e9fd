// `mustgather-webhook validate`: the webhook's admission rules run offline over
// manifest files, for CI. Argument parsing and checking are pure; RunValidate and
// ValidateMain own the I/O (files, stdin, the process environment). Thread-compatible.
#ifndef MGW_CMD_VALIDATE_CLI_H_
#define MGW_CMD_VALIDATE_CLI_H_

#include <functional>
#include <iosfwd>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mgw/base/env.h"
#include "mgw/base/status.h"
#include "mgw/cmd/validate_report.h"
#include "mgw/manifest/manifest.h"
#include "mgw/rules/allowlist.h"
#include "mgw/rules/mustgather_rules.h"

namespace mgw {

inline constexpr int kValidateExitPassed = 0;
inline constexpr int kValidateExitRejected = 1;
inline constexpr int kValidateExitUsage = 2;  // also unreadable or unparseable input

inline constexpr std::string_view kStdinPath = "-";
inline constexpr std::string_view kStdinName = "<stdin>";

enum class OutputFormat { kText, kJson, kJunit };

struct ValidateOptions {
  std::vector<std::string> paths;  // files, directories, or "-" for stdin; in order
  std::string allowlist_file;      // empty: use the MustGatherImage objects among the inputs
  std::string default_image = std::string(kDefaultGatherImage);
  std::string fallback_namespace;  // for objects without metadata.namespace; "" = unknown
  OutputFormat output = OutputFormat::kText;
  bool strict = false;  // warnings fail objects
  bool help = false;    // -h/--help: print usage, check nothing
};

// The flags, for --help and usage errors.
std::string ValidateUsage();

// Parses the arguments after `validate`: -f/--filename PATH (repeatable),
// --allowlist-file F, --default-image IMG, -n/--namespace NS, -o/--output
// text|json|junit, --strict, -h/--help; values as "--flag V" or "--flag=V". The default
// image is --default-image, else $DEFAULT_MUST_GATHER_IMAGE (via `env`), else
// kDefaultGatherImage. INVALID_ARGUMENT naming the problem for an unknown flag, a
// positional argument, a missing or empty value, an unknown output format, stdin
// given twice, or no -f at all (unless --help).
StatusOr<ValidateOptions> ParseValidateArgs(const std::vector<std::string>& args,
                                            const EnvLookup& env);

// The allowlist the inputs imply: their only MustGatherImage, or the one named
// "cluster" when there are several; not configured when there is none, several
// without a "cluster", or the chosen one is malformed (the webhook would not have
// admitted it). INVALID_ARGUMENT when several are named "cluster".
StatusOr<Allowlist> AllowlistFromInputs(const std::vector<ManifestDocument>& docs);

// Runs the webhook's rules over every document, in order: MustGather objects through
// CheckMustGather with `ctx`, MustGatherImage objects through CheckMustGatherImage;
// other kinds, and our kinds with an apiVersion outside operator.openshift.io, are
// skipped with a reason. REQUIRES: ctx.allowlist is non-null.
std::vector<ObjectResult> CheckDocuments(const std::vector<ManifestDocument>& docs,
                                         const RuleContext& ctx);

// Reads every input (`in` for "-"), checks it and writes the report in the chosen
// format to `out`; unreadable or unparseable inputs are reported to `err` as well and
// the others are still checked. An unusable --allowlist-file or an ambiguous
// allowlist among the inputs stops before checking. Returns the exit status: 0 all
// pass, 1 any rejected, 2 input errors.
int RunValidate(const ValidateOptions& options, std::istream& in, std::ostream& out,
                std::ostream& err);

// The `validate` subcommand: ParseValidateArgs with the process environment, then
// RunValidate; usage errors print the problem and the usage to `err` and return 2.
int ValidateMain(const std::vector<std::string>& args, std::istream& in, std::ostream& out,
                 std::ostream& err);

}  // namespace mgw

#endif  // MGW_CMD_VALIDATE_CLI_H_
