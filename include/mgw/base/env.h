// Environment lookups as a value, so flag parsing and cluster configuration can
// be tested with a map instead of the process environment.
#ifndef MGW_BASE_ENV_H_
#define MGW_BASE_ENV_H_

#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace mgw {

// Looks up an environment variable; nullopt when it is unset (set but empty is "").
using EnvLookup = std::function<std::optional<std::string>(std::string_view name)>;

// Reads the process environment at the time of each call.
EnvLookup ProcessEnv();

// The variable's value, "" when it is unset.
std::string EnvValue(const EnvLookup& env, std::string_view name);

}  // namespace mgw

#endif  // MGW_BASE_ENV_H_
