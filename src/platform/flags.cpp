#include "mgw/platform/flags.h"

namespace mgw {
namespace {

StatusOr<bool> ParseBool(std::string_view name, std::string_view text) {
  if (text == "true" || text == "1" || text == "yes") return true;
  if (text == "false" || text == "0" || text == "no") return false;
  return InvalidArgumentError("--" + std::string(name) + " takes true or false, not \"" +
                              std::string(text) + "\"");
}

}  // namespace

bool FlagValues::GetBool(const std::string& name) const {
  StatusOr<bool> v = ParseBool(name, Get(name));
  return v.ok() && *v;
}

FlagSet::FlagSet(std::string command, std::string summary)
    : command_(std::move(command)), summary_(std::move(summary)) {}

FlagSet& FlagSet::Add(FlagSpec spec) {
  specs_.push_back(std::move(spec));
  return *this;
}

const FlagSpec* FlagSet::Find(std::string_view name) const {
  for (const FlagSpec& s : specs_) {
    if (s.name == name) return &s;
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
    if (arg.rfind("--", 0) != 0 || arg == "--") {
      out.positional.push_back(arg);
      continue;
    }
    std::string name = arg.substr(2);
    std::optional<std::string> value;
    if (size_t eq = name.find('='); eq != std::string::npos) {
      value = name.substr(eq + 1);
      name.resize(eq);
    }
    const FlagSpec* spec = Find(name);
    if (spec == nullptr) {
      return InvalidArgumentError("unknown flag --" + name + " for \"" + command_ +
                                  "\"; see --help");
    }
    if (!value && spec->is_bool) value = "true";
    if (!value) {
      if (i + 1 >= args.size()) return InvalidArgumentError("flag --" + name + " needs a value");
      value = args[++i];
    }
    if (spec->is_bool) MGW_RETURN_IF_ERROR(ParseBool(name, *value).status());
    given[name] = *value;
  }
  for (const FlagSpec& s : specs_) {
    std::optional<std::string> env_value = s.env.empty() ? std::nullopt : env(s.env);
    if (auto it = given.find(s.name); it != given.end()) {
      out.values[s.name] = it->second;
    } else if (env_value.has_value()) {
      if (s.is_bool) {
        MGW_RETURN_IF_ERROR(ParseBool(s.name, *env_value).status().WithContext("$" + s.env));
      }
      out.values[s.name] = *env_value;
    } else {
      out.values[s.name] = s.default_value;
    }
  }
  return out;
}

std::string FlagSet::Usage() const {
  std::string out =
      "Usage: mustgather-webhook " + command_ + " [flags]\n\n" + summary_ + "\n\nFlags:\n";
  for (const FlagSpec& s : specs_) {
    out += "  --" + s.name + (s.is_bool ? "" : " VALUE") + "\n      " + s.help;
    if (!s.default_value.empty()) out += " (default \"" + s.default_value + "\")";
    if (!s.env.empty()) out += " [$" + s.env + "]";
    out += "\n";
  }
  out += "  -h, --help\n      Show this help.\n";
  return out;
}

}  // namespace mgw
