#include "mgw/base/env.h"

#include <cstdlib>

namespace mgw {

EnvLookup ProcessEnv() {
  return [](std::string_view name) -> std::optional<std::string> {
    const char* v = std::getenv(std::string(name).c_str());
    if (v == nullptr) return std::nullopt;
    return std::string(v);
  };
}

std::string EnvValue(const EnvLookup& env, std::string_view name) { return env(name).value_or(""); }

}  // namespace mgw
