// Command-line flags with environment-variable twins: a flag beats its env var,
// which beats the default. Pure: the environment is passed in as a lookup.
#ifndef MGW_PLATFORM_FLAGS_H_
#define MGW_PLATFORM_FLAGS_H_

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
  bool is_bool = false;  // "--flag" alone means true
};

// The parsed values: every declared flag has an entry.
struct FlagValues {
  std::map<std::string, std::string> values;
  std::vector<std::string> positional;
  bool help = false;  // -h or --help was given

  const std::string& Get(const std::string& name) const { return values.at(name); }
  bool GetBool(const std::string& name) const;
};

class FlagSet {
 public:
  FlagSet(std::string command, std::string summary);

  FlagSet& Add(FlagSpec spec);

  // Parses `args` (without the program and command names): "--name value",
  // "--name=value", bool flags alone. INVALID_ARGUMENT for an unknown flag, a
  // missing value, or a bad bool, naming the flag.
  StatusOr<FlagValues> Parse(const std::vector<std::string>& args, const EnvLookup& env) const;

  // Usage text listing every flag with its env twin and default.
  std::string Usage() const;

 private:
  const FlagSpec* Find(std::string_view name) const;

  std::string command_;
  std::string summary_;
  std::vector<FlagSpec> specs_;
};

}  // namespace mgw

#endif  // MGW_PLATFORM_FLAGS_H_
