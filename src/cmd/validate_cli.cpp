#include "mgw/cmd/validate_cli.h"

#include <algorithm>
#include <istream>
#include <optional>
#include <ostream>
#include <set>

#include "mgw/base/json_access.h"
#include "mgw/base/quote.h"
#include "mgw/platform/flags.h"
#include "mgw/rules/mustgatherimage_rules.h"
#include "mgw/sources/allowlist_file.h"

namespace mgw {
namespace {

using nlohmann::json;

StatusOr<OutputFormat> ParseFormat(std::string_view value) {
  if (value == "text") return OutputFormat::kText;
  if (value == "json") return OutputFormat::kJson;
  if (value == "junit") return OutputFormat::kJunit;
  return InvalidArgumentError("unknown output format " + QuoteJson(value) +
                              "; use text, json or junit");
}

FlagSet ValidateFlags() {
  FlagSet f("validate",
            "Checks MustGather and MustGatherImage manifests offline with the admission "
            "webhook's\nown rules and reports every object the webhook would reject, with its "
            "messages.\nObjects of other kinds are skipped and counted.",
            "-f PATH [-f PATH ...] [flags]",
            "Exit status: 0 every object passes, 1 at least one is rejected, 2 bad flags or an\n"
            "unreadable or unparseable input.\n");
  FlagSpec filename{"filename", "", "",
                    "A file, a directory (searched recursively for .yaml, .yml and .json "
                    "files) or - for stdin."};
  filename.short_name = "f";
  filename.repeated = true;
  filename.non_empty = true;
  f.Add(filename);
  FlagSpec allowlist{"allowlist-file", "", "",
                     "The MustGatherImage allowlist for custom images (default: the "
                     "MustGatherImage among the inputs, else none)."};
  allowlist.non_empty = true;
  f.Add(allowlist);
  FlagSpec image{"default-image", "DEFAULT_MUST_GATHER_IMAGE", std::string(kDefaultGatherImage),
                 "The gather image that is always allowed."};
  image.non_empty = true;
  f.Add(image);
  FlagSpec ns{"namespace", "", "",
              "The namespace of objects without metadata.namespace (default: unknown, and "
              "namespace checks become warnings)."};
  ns.short_name = "n";
  f.Add(ns);
  FlagSpec output{"output", "", "text", "text, json or junit."};
  output.short_name = "o";
  output.non_empty = true;
  f.Add(output);
  f.Add({"strict", "", "false", "Treat warnings as failures.", true});
  return f;
}

// Why an object is not ours to check, or "" when it is.
std::string SkipReason(const ObjectResult& r) {
  if (r.kind != kMustGatherKind && r.kind != kMustGatherImageKind) {
    return r.kind.empty() ? "no kind" : "kind " + r.kind + " is not checked";
  }
  std::string want(kApiGroupVersion);
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
  r.api_version = JsonStringAt(d.object, {"apiVersion"});
  r.kind = JsonStringAt(d.object, {"kind"});
  r.name = JsonStringAt(d.object, {"metadata", "name"});
  r.generate_name = JsonStringAt(d.object, {"metadata", "generateName"});
  r.namespace_ = JsonStringAt(d.object, {"metadata", "namespace"});
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

std::string ValidateUsage() { return ValidateFlags().Usage(); }

StatusOr<ValidateOptions> ParseValidateArgs(const std::vector<std::string>& args,
                                            const EnvLookup& env) {
  EnvLookup no_env = [](std::string_view) { return std::optional<std::string>(); };
  MGW_ASSIGN_OR_RETURN(FlagValues v, ValidateFlags().Parse(args, env ? env : no_env));
  if (!v.positional.empty()) {
    return InvalidArgumentError("unexpected argument " + QuoteJson(v.positional.front()) +
                                "; name inputs with -f PATH");
  }
  ValidateOptions o;
  o.help = v.help;
  o.paths = v.GetAll("filename");
  if (std::count(o.paths.begin(), o.paths.end(), kStdinPath) > 1) {
    return InvalidArgumentError("stdin (-f -) can be read only once");
  }
  if (o.paths.empty() && !o.help) {
    return InvalidArgumentError("no input; pass -f PATH (a file, a directory, or - for stdin)");
  }
  MGW_ASSIGN_OR_RETURN(o.output, ParseFormat(v.Get("output")));
  o.allowlist_file = v.Get("allowlist-file");
  o.fallback_namespace = v.Get("namespace");
  o.strict = v.GetBool("strict");
  // An empty $DEFAULT_MUST_GATHER_IMAGE means the built-in default.
  if (!v.Get("default-image").empty()) o.default_image = v.Get("default-image");
  return o;
}

StatusOr<Allowlist> AllowlistFromInputs(const std::vector<ManifestDocument>& docs) {
  std::vector<const ManifestDocument*> all, named_cluster;
  for (const ManifestDocument& d : docs) {
    if (!IsOurKind(d.object, kMustGatherImageKind)) continue;
    all.push_back(&d);
    if (JsonStringAt(d.object, {"metadata", "name"}) == kAllowlistObjectName) {
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
    if (r.checked) r.warnings.insert(r.warnings.begin(), d.warnings.begin(), d.warnings.end());
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
