#include "mgw/cmd/validate_cli.h"

#include <algorithm>
#include <istream>
#include <optional>
#include <ostream>
#include <set>

#include "mgw/base/quote.h"
#include "mgw/rules/mustgatherimage_rules.h"
#include "mgw/sources/allowlist_file.h"

namespace mgw {
namespace {

using nlohmann::json;

// The flag's canonical name for "-f", "--filename" etc.; "" when unknown.
std::string_view CanonicalFlag(std::string_view name) {
  if (name == "-f" || name == "--filename") return "filename";
  if (name == "-o" || name == "--output") return "output";
  if (name == "-n" || name == "--namespace") return "namespace";
  if (name == "--allowlist-file") return "allowlist-file";
  if (name == "--default-image") return "default-image";
  if (name == "--strict") return "strict";
  return "";
}

StatusOr<OutputFormat> ParseFormat(std::string_view value) {
  if (value == "text") return OutputFormat::kText;
  if (value == "json") return OutputFormat::kJson;
  if (value == "junit") return OutputFormat::kJunit;
  return InvalidArgumentError("unknown output format " + QuoteJson(value) +
                              "; use text, json or junit");
}

Status ApplyFlag(std::string_view flag, std::string_view name, const std::string& value,
                 ValidateOptions& o, std::optional<std::string>& default_image) {
  if (value.empty() && flag != "namespace") {
    return InvalidArgumentError("flag " + std::string(name) + " needs a non-empty value");
  }
  if (flag == "filename") {
    if (value == kStdinPath && std::find(o.paths.begin(), o.paths.end(), value) != o.paths.end()) {
      return InvalidArgumentError("stdin (-f -) can be read only once");
    }
    o.paths.push_back(value);
  } else if (flag == "output") {
    MGW_ASSIGN_OR_RETURN(o.output, ParseFormat(value));
  } else if (flag == "namespace") {
    o.fallback_namespace = value;
  } else if (flag == "allowlist-file") {
    o.allowlist_file = value;
  } else if (flag == "default-image") {
    default_image = value;
  }
  return Status::Ok();
}

// Parses args[i] (and its value, advancing i) into `o`.
Status ParseArg(const std::vector<std::string>& args, size_t& i, ValidateOptions& o,
                std::optional<std::string>& default_image) {
  std::string_view arg = args[i];
  if (arg == "-h" || arg == "--help") {
    o.help = true;
    return Status::Ok();
  }
  size_t eq = arg.find('=');
  std::string_view name = arg.substr(0, eq);
  std::string_view flag = CanonicalFlag(name);
  if (flag.empty()) {
    return InvalidArgumentError(arg.starts_with("-") && arg != "-"
                                    ? "unknown flag " + QuoteJson(name)
                                    : "unexpected argument " + QuoteJson(arg) +
                                          "; name inputs with -f PATH");
  }
  std::optional<std::string> value;
  if (eq != std::string_view::npos) value = std::string(arg.substr(eq + 1));
  if (flag == "strict") {
    if (value && *value != "true" && *value != "false") {
      return InvalidArgumentError("flag --strict takes true or false, not " + QuoteJson(*value));
    }
    o.strict = !value || *value == "true";
    return Status::Ok();
  }
  if (!value && i + 1 >= args.size()) {
    return InvalidArgumentError("flag " + std::string(name) + " needs a value");
  }
  if (!value) value = args[++i];
  return ApplyFlag(flag, name, *value, o, default_image);
}

std::string GroupOf(const std::string& api_version) {
  size_t slash = api_version.find('/');
  return slash == std::string::npos ? "" : api_version.substr(0, slash);
}

std::string StringAt(const json& obj, std::string_view key) {
  auto it = obj.find(key);
  return it != obj.end() && it->is_string() ? it->get<std::string>() : "";
}

// Why an object is not ours to check, or "" when it is.
std::string SkipReason(const ObjectResult& r) {
  if (r.kind != kMustGatherKind && r.kind != kMustGatherImageKind) {
    return r.kind.empty() ? "no kind" : "kind " + r.kind + " is not checked";
  }
  std::string want = std::string(kApiGroup) + "/" + std::string(kApiVersion);
  if (r.api_version.empty()) return "apiVersion is not set; expected " + want;
  if (GroupOf(r.api_version) != kApiGroup) {
    return "apiVersion " + QuoteJson(r.api_version) + " is not in group " + std::string(kApiGroup) +
           "; expected " + want;
  }
  return "";
}

ObjectResult Identify(const ManifestDocument& d, const std::string& fallback_namespace) {
  ObjectResult r;
  r.file = d.source;
  r.line = d.line;
  r.document_index = d.document_index;
  r.item_index = d.item_index;
  r.api_version = StringAt(d.object, "apiVersion");
  r.kind = StringAt(d.object, "kind");
  auto meta = d.object.find("metadata");
  if (meta != d.object.end() && meta->is_object()) {
    r.name = StringAt(*meta, "name");
    r.generate_name = StringAt(*meta, "generateName");
    r.namespace_ = StringAt(*meta, "namespace");
  }
  if (r.kind == kMustGatherKind) r.namespace_ = NamespaceOf(d.object, fallback_namespace);
  if (r.kind == kMustGatherImageKind) r.namespace_.clear();  // cluster-scoped
  return r;
}

// The object as the validating webhook sees it, after the mutating webhook's defaults;
// nullopt when no default applies, so the caller checks `object` itself, uncopied.
std::optional<json> Defaulted(const json& object) {
  json patch = DefaultingPatch(object);
  if (patch.empty()) return std::nullopt;
  try {
    return object.patch(patch);
  } catch (const json::exception&) {
    return std::nullopt;
  }
}

bool IsOurs(const json& object, std::string_view kind) {
  return StringAt(object, "kind") == kind && GroupOf(StringAt(object, "apiVersion")) == kApiGroup;
}

struct Inputs {
  ValidateReport report;
  std::vector<ManifestDocument> docs;
  std::set<std::string> seen;  // files already read, so overlapping -f paths count once
};

void AddText(const std::string& name, const StatusOr<std::string>& text, Inputs& inputs) {
  inputs.report.files.push_back(name);
  StatusOr<std::vector<ManifestDocument>> docs =
      text.ok() ? ParseManifests(*text, name)
                : StatusOr<std::vector<ManifestDocument>>(text.status());
  if (!docs.ok()) {
    inputs.report.input_errors.push_back({name, docs.status().message()});
    return;
  }
  for (ManifestDocument& d : *docs) inputs.docs.push_back(std::move(d));
}

void AddPath(const std::string& path, std::istream& in, Inputs& inputs, std::ostream& err) {
  if (path == kStdinPath)
    return AddText(std::string(kStdinName), ReadStreamToString(in, std::string(kStdinName)),
                   inputs);
  StatusOr<std::vector<std::string>> files = ListManifestFiles(path);
  if (!files.ok()) {
    inputs.report.files.push_back(path);
    inputs.report.input_errors.push_back({path, files.status().message()});
    return;
  }
  if (files->empty()) err << "warning: " << path << ": no .yaml, .yml or .json files found\n";
  for (const std::string& f : *files) {
    if (inputs.seen.insert(f).second) AddText(f, ReadFileToString(f), inputs);
  }
}

std::string DescribeAllowlist(const Allowlist& a) {
  return a.configured ? a.source : "not configured (" + a.source + ")";
}

std::string Render(const ValidateReport& report, OutputFormat format) {
  switch (format) {
    case OutputFormat::kJson:
      return RenderJson(report);
    case OutputFormat::kJunit:
      return RenderJunit(report);
    case OutputFormat::kText:
      break;
  }
  return RenderText(report);
}

}  // namespace

std::string ValidateUsage() {
  return "Usage: mustgather-webhook validate -f PATH [-f PATH ...] [flags]\n"
         "\n"
         "Checks MustGather and MustGatherImage manifests offline with the admission webhook's\n"
         "own rules and reports every object the webhook would reject, with its messages.\n"
         "Objects of other kinds are skipped and counted.\n"
         "\n"
         "Flags:\n"
         "  -f, --filename PATH      a file, a directory (searched recursively for .yaml, .yml\n"
         "                           and .json files) or - for stdin; repeatable\n"
         "      --allowlist-file F   the MustGatherImage allowlist for custom images (default:\n"
         "                           the MustGatherImage among the inputs, else none)\n"
         "      --default-image IMG  the gather image that is always allowed (default:\n"
         "                           $DEFAULT_MUST_GATHER_IMAGE, else " +
         std::string(kDefaultGatherImage) +
         ")\n"
         "  -n, --namespace NS       the namespace of objects without metadata.namespace\n"
         "                           (default: unknown, and namespace checks become warnings)\n"
         "  -o, --output FORMAT      text, json or junit (default: text)\n"
         "      --strict             treat warnings as failures\n"
         "  -h, --help               show this help\n"
         "\n"
         "Exit status: 0 every object passes, 1 at least one is rejected, 2 bad flags or an\n"
         "unreadable or unparseable input.\n";
}

StatusOr<ValidateOptions> ParseValidateArgs(const std::vector<std::string>& args,
                                            const EnvLookup& env) {
  ValidateOptions o;
  std::optional<std::string> default_image;
  for (size_t i = 0; i < args.size(); ++i) {
    MGW_RETURN_IF_ERROR(ParseArg(args, i, o, default_image));
  }
  if (o.paths.empty() && !o.help) {
    return InvalidArgumentError("no input; pass -f PATH (a file, a directory, or - for stdin)");
  }
  std::optional<std::string> from_env = env ? env("DEFAULT_MUST_GATHER_IMAGE") : std::nullopt;
  if (default_image) {
    o.default_image = *default_image;
  } else if (from_env && !from_env->empty()) {
    o.default_image = *from_env;
  }
  return o;
}

StatusOr<Allowlist> AllowlistFromInputs(const std::vector<ManifestDocument>& docs) {
  std::vector<const ManifestDocument*> all, named_cluster;
  for (const ManifestDocument& d : docs) {
    if (!IsOurs(d.object, kMustGatherImageKind)) continue;
    all.push_back(&d);
    auto meta = d.object.find("metadata");
    if (meta != d.object.end() && meta->is_object() &&
        StringAt(*meta, "name") == kAllowlistObjectName) {
      named_cluster.push_back(&d);
    }
  }
  if (all.empty()) return NotConfiguredAllowlist("no MustGatherImage among the inputs");
  if (named_cluster.size() > 1) {
    std::string where;
    for (const ManifestDocument* d : named_cluster) {
      where += (where.empty() ? "" : ", ") + d->source + ":" + std::to_string(d->line);
    }
    return InvalidArgumentError("several MustGatherImage objects named \"cluster\" (" + where +
                                "); keep one, or choose with --allowlist-file");
  }
  if (all.size() > 1 && named_cluster.empty()) {
    return NotConfiguredAllowlist(
        std::to_string(all.size()) +
        " MustGatherImage objects among the inputs, none named \"cluster\"");
  }
  const ManifestDocument& chosen = all.size() == 1 ? *all.front() : *named_cluster.front();
  std::string source = chosen.source + ":" + std::to_string(chosen.line);
  StatusOr<Allowlist> allowlist = AllowlistFromObject(chosen.object, source);
  if (!allowlist.ok()) return NotConfiguredAllowlist(source + " is malformed");
  return allowlist;
}

std::vector<ObjectResult> CheckDocuments(const std::vector<ManifestDocument>& docs,
                                         const RuleContext& ctx) {
  std::vector<ObjectResult> out;
  out.reserve(docs.size());
  for (const ManifestDocument& d : docs) {
    ObjectResult r = Identify(d, ctx.fallback_namespace);
    r.skip_reason = SkipReason(r);
    r.checked = r.skip_reason.empty();
    if (r.checked && r.kind == kMustGatherKind) {
      std::optional<json> defaulted = Defaulted(d.object);
      RuleResult result = CheckMustGather(defaulted ? *defaulted : d.object, ctx);
      r.errors = std::move(result.errors);
      r.warnings = std::move(result.warnings);
    } else if (r.checked) {
      r.errors = CheckMustGatherImage(d.object);
    }
    out.push_back(std::move(r));
  }
  return out;
}

int RunValidate(const ValidateOptions& options, std::istream& in, std::ostream& out,
                std::ostream& err) {
  Inputs inputs;
  inputs.report.strict = options.strict;
  for (const std::string& path : options.paths) AddPath(path, in, inputs, err);
  for (const InputError& e : inputs.report.input_errors) err << "error: " << e.message << "\n";
  StatusOr<Allowlist> allowlist = options.allowlist_file.empty()
                                      ? AllowlistFromInputs(inputs.docs)
                                      : LoadAllowlistFile(options.allowlist_file);
  if (!allowlist.ok()) {
    err << "error: " << allowlist.status().message() << "\n";
    return kValidateExitUsage;
  }
  inputs.report.allowlist = DescribeAllowlist(*allowlist);
  RuleContext ctx;
  ctx.fallback_namespace = options.fallback_namespace;
  ctx.default_image = options.default_image;
  ctx.allowlist = &*allowlist;
  inputs.report.objects = CheckDocuments(inputs.docs, ctx);
  out << Render(inputs.report, options.output);
  out.flush();
  return ExitCode(inputs.report);
}

int ValidateMain(const std::vector<std::string>& args, std::istream& in, std::ostream& out,
                 std::ostream& err) {
  StatusOr<ValidateOptions> options = ParseValidateArgs(args, ProcessEnv());
  if (!options.ok()) {
    err << "error: " << options.status().message() << "\n\n" << ValidateUsage();
    return kValidateExitUsage;
  }
  if (options->help) {
    out << ValidateUsage();
    return kValidateExitPassed;
  }
  return RunValidate(*options, in, out, err);
}

}  // namespace mgw
