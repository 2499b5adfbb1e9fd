#include "mgw/platform/flags.h"

#include "mgw/base/number.h"

namespace mgw {
namespace {

StatusOr<bool> ParseBool(std::string_view shown, std::string_view text) {
  if (text == "true" || text == "1" || text == "yes") return true;
  if (text == "false" || text == "0" || text == "no") return false;
  return InvalidArgumentError("flag " + std::string(shown) + " takes true or false, not \"" +
                              std::string(text) + "\"");
}

// One command-line occurrence: the flag as typed ("-f", "--output") and its value.
struct Given {
  std::string shown;
  std::optional<std::string> value;
};

// Splits "--name=value" / "-n=value" / "--name"; `name` loses its dashes.
Given SplitArg(const std::string& arg, std::string& name) {
  size_t dashes = arg.rfind("--", 0) == 0 ? 2 : 1;
  Given g;
  size_t eq = arg.find('=');
  g.shown = arg.substr(0, eq);
  name = g.shown.substr(dashes);
  if (eq != std::string::npos) g.value = arg.substr(eq + 1);
  return g;
}

}  // namespace

bool FlagValues::GetBool(const std::string& name) const {
  StatusOr<bool> v = ParseBool("--" + name, Get(name));
  return v.ok() && *v;
}

StatusOr<int64_t> FlagValues::GetInt(const std::string& name, int64_t min, int64_t max) const {
  std::optional<int64_t> v = ParseDecimal(Get(name), min, max);
  if (!v) {
    return InvalidArgumentError("--" + name + " must be a number from " + std::to_string(min) +
                                " to " + std::to_string(max));
  }
  return *v;
}

FlagSet::FlagSet(std::string command, std::string summary, std::string synopsis,
                 std::string epilogue)
    : command_(std::move(command)),
      summary_(std::move(summary)),
      synopsis_(std::move(synopsis)),
      epilogue_(std::move(epilogue)) {}

FlagSet& FlagSet::Add(FlagSpec spec) {
  specs_.push_back(std::move(spec));
  return *this;
}

const FlagSpec* FlagSet::Find(std::string_view name) const {
  for (const FlagSpec& s : specs_) {
    if (s.name == name || (!s.short_name.empty() && s.short_name == name)) return &s;
  }
  return nullptr;
}

StatusOr<FlagValues> FlagSet::Parse(const std::vector<std::string>& args,
                                    const EnvLookup& env) const {
  FlagValues out;
  std::map<std::string, std::string> given;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg == "-h" || arg == "--help") {
      out.help = true;
      continue;
    }
    if (arg.empty() || arg[0] != '-' || arg == "-" || arg == "--") {
      out.positional.push_back(arg);
      continue;
    }
    std::string name;
    Given g = SplitArg(arg, name);
    const FlagSpec* spec = Find(name);
    if (spec == nullptr) {
      return InvalidArgumentError("unknown flag \"" + g.shown + "\"");
    }
    if (!g.value && spec->is_bool) g.value = "true";
    if (!g.value) {
      if (i + 1 >= args.size()) return InvalidArgumentError("flag " + g.shown + " needs a value");
      g.value = args[++i];
    }
    if (spec->non_empty && g.value->empty()) {
      return InvalidArgumentError("flag " + g.shown + " needs a non-empty value");
    }
    if (spec->is_bool) MGW_RETURN_IF_ERROR(ParseBool(g.shown, *g.value).status());
    if (spec->repeated) {
      out.lists[spec->name].push_back(*g.value);
    } else {
      given[spec->name] = *g.value;
    }
  }
  for (const FlagSpec& s : specs_) {
    std::optional<std::string> env_value = s.env.empty() ? std::nullopt : env(s.env);
    if (s.repeated) {
      out.lists[s.name];  // present, possibly empty
    } else if (auto it = given.find(s.name); it != given.end()) {
      out.values[s.name] = it->second;
    } else if (env_value.has_value()) {
      if (s.is_bool) {
        MGW_RETURN_IF_ERROR(ParseBool("--" + s.name, *env_value).status().WithContext("$" + s.env));
      }
      out.values[s.name] = *env_value;
    } else {
      out.values[s.name] = s.default_value;
    }
  }
  return out;
}

std::string FlagSet::Usage() const {
  std::string out = "Usage: mustgather-webhook " + command_ + " " +
                    (synopsis_.empty() ? "[flags]" : synopsis_) + "\n\n" + summary_ +
                    "\n\nFlags:\n";
  for (const FlagSpec& s : specs_) {
    out += "  " + (s.short_name.empty() ? "" : "-" + s.short_name + ", ") + "--" + s.name +
           (s.is_bool ? "" : " VALUE") + "\n      " + s.help;
    if (!s.default_value.empty()) out += " (default \"" + s.default_value + "\")";
    if (!s.env.empty()) out += " [$" + s.env + "]";
    if (s.repeated) out += " (repeatable)";
    out += "\n";
  }
  out += "  -h, --help\n      Show this help.\n";
  if (!epilogue_.empty()) out += "\n" + epilogue_;
  return out;
}

}  // namespace mgw
