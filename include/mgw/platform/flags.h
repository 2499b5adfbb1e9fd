// Command-line flags with environment-variable twins: a flag beats its env var,
// which beats the default. Pure: the environment is passed in as a lookup.
#ifndef MGW_PLATFORM_FLAGS_H_
#define MGW_PLATFORM_FLAGS_H_

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mgw/base/env.h"
#include "mgw/base/status.h"

namespace mgw {

struct FlagSpec {
  std::string name;           // without dashes, e.g. "tls-cert-file"
  std::string env;            // e.g. "MGW_TLS_CERT_FILE"; empty for none
  std::string default_value;  // used when neither flag nor env is set
  std::string help;
  bool is_bool = false;      // "--flag" alone means true
  std::string short_name{};  // e.g. "f" for "-f"; empty for none
  bool repeated = false;     // each use adds a value (FlagValues::GetAll); no env twin
  bool non_empty = false;    // a value given on the command line must not be ""
};

// The parsed values: every declared flag has an entry.
struct FlagValues {
  std::map<std::string, std::string> values;
  std::map<std::string, std::vector<std::string>> lists;  // repeated flags, in order
  std::vector<std::string> positional;
  bool help = false;  // -h or --help was given

  const std::string& Get(const std::string& name) const { return values.at(name); }
  const std::vector<std::string>& GetAll(const std::string& name) const { return lists.at(name); }
  bool GetBool(const std::string& name) const;
  // The flag's value as a whole number in [min, max]. INVALID_ARGUMENT
  // "--<name> must be a number from <min> to <max>" otherwise.
  StatusOr<int64_t> GetInt(const std::string& name, int64_t min, int64_t max) const;
};

class FlagSet {
 public:
  // `synopsis` follows the command in the usage line ("[flags]" when empty);
  // `epilogue` ends the usage text (e.g. the exit statuses).
  FlagSet(std::string command, std::string summary, std::string synopsis = "",
          std::string epilogue = "");

  FlagSet& Add(FlagSpec spec);

  // Parses `args` (without the program and command names): "--name value",
  // "--name=value", "-s value" for a short name, bool flags alone; "-" alone and
  // arguments not starting with '-' are positional. INVALID_ARGUMENT naming the flag
  // as given for an unknown flag, a missing or (non_empty) empty value, or a bad bool.
  StatusOr<FlagValues> Parse(const std::vector<std::string>& args, const EnvLookup& env) const;

  // Usage text listing every flag with its env twin and default.
  std::string Usage() const;

 private:
  const FlagSpec* Find(std::string_view name) const;

  std::string command_;
  std::string summary_;
  std::string synopsis_;
  std::string epilogue_;
  std::vector<FlagSpec> specs_;
};

}  // namespace mgw

#endif  // MGW_PLATFORM_FLAGS_H_
