// Structured logging: one line per event, JSON (default) or key=value text, on
// stderr through spdlog. Thread-safe after ConfigureLogging.
#ifndef MGW_PLATFORM_LOGGING_H_
#define MGW_PLATFORM_LOGGING_H_

#include <functional>
#include <memory>
#include <string_view>

#include <nlohmann/json.hpp>
#include <spdlog/common.h>

#include "mgw/base/json_fields.h"
#include "mgw/base/status.h"

namespace spdlog::sinks {
class sink;
}

namespace mgw {

enum class LogFormat { kJson, kText };

// "trace", "debug", "info", "warn", "error", "off"; INVALID_ARGUMENT otherwise.
StatusOr<spdlog::level::level_enum> ParseLogLevel(std::string_view text);
// "json" or "text"; INVALID_ARGUMENT otherwise.
StatusOr<LogFormat> ParseLogFormat(std::string_view text);

// Installs the process logger. `sink` defaults to stderr; tests pass their own.
void ConfigureLogging(spdlog::level::level_enum level, LogFormat format,
                      std::shared_ptr<spdlog::sinks::sink> sink = nullptr);

// Whether LogEvent at `level` would emit a line, so a caller can skip building
// fields nobody will read.
bool LogEnabled(spdlog::level::level_enum level);

// Emits `msg` with `fields`, in their order. JSON lines look like
// {"ts":"...","level":"info","msg":"...",<fields>}; a field named "msg" is
// written as "data.msg".
void LogEvent(spdlog::level::level_enum level, std::string_view msg, const JsonFields& fields);
// The same with the members of a JSON object (other values are logged under "data").
void LogEvent(spdlog::level::level_enum level, std::string_view msg,
              const nlohmann::json& fields = nlohmann::json::object());

// Where a component sends its log lines, so tests can capture them; LogEvent fits.
using LogFn = std::function<void(spdlog::level::level_enum level, std::string_view msg,
                                 const nlohmann::json& fields)>;

// LogEvent as a LogFn, for the components that take one.
LogFn ProcessLog();

// Sends one line to `log`, or to LogEvent when `log` is null.
void LogTo(const LogFn& log, spdlog::level::level_enum level, std::string_view msg,
           const nlohmann::json& fields);

}  // namespace mgw

#endif  // MGW_PLATFORM_LOGGING_H_
