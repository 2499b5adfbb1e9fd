#include "mgw/platform/logging.h"

#include <atomic>

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include "mgw/base/quote.h"

namespace mgw {
namespace {

using nlohmann::json;

std::atomic<LogFormat> g_format{LogFormat::kJson};

constexpr std::string_view kJsonPattern = R"({"ts":"%Y-%m-%dT%H:%M:%S.%fZ","level":"%l",%v})";
constexpr std::string_view kTextPattern = "%Y-%m-%dT%H:%M:%S.%fZ %-5l %v";

// `"msg":"...","k":v,...`: the body of a JSON object, for the pattern's %v. A
// field named "msg" would make a duplicate key, so it is logged as "data.msg".
std::string JsonBody(std::string_view msg, const JsonFields& fields) {
  std::string body = "\"msg\":";
  AppendQuotedJson(body, msg);
  for (size_t i = 0; i < fields.size(); ++i) {
    const JsonFields::Field f = fields.field(i);
    body += ',';
    AppendQuotedJson(body, f.key == "msg" ? "data.msg" : f.key);
    body += ':';
    body += f.value;
  }
  return body;
}

std::string TextBody(std::string_view msg, const JsonFields& fields) {
  std::string out(msg);
  for (size_t i = 0; i < fields.size(); ++i) {
    const JsonFields::Field f = fields.field(i);
    out += ' ';
    out += f.key;
    out += '=';
    out += f.value;
  }
  return out;
}

}  // namespace

StatusOr<spdlog::level::level_enum> ParseLogLevel(std::string_view text) {
  static constexpr std::pair<std::string_view, spdlog::level::level_enum> kLevels[] = {
      {"trace", spdlog::level::trace}, {"debug", spdlog::level::debug},
      {"info", spdlog::level::info},   {"warn", spdlog::level::warn},
      {"error", spdlog::level::err},   {"off", spdlog::level::off}};
  for (const auto& [name, level] : kLevels) {
    if (text == name) return level;
  }
  return InvalidArgumentError("unknown log level \"" + std::string(text) +
                              "\"; use trace, debug, info, warn, error or off");
}

StatusOr<LogFormat> ParseLogFormat(std::string_view text) {
  if (text == "json") return LogFormat::kJson;
  if (text == "text") return LogFormat::kText;
  return InvalidArgumentError("unknown log format \"" + std::string(text) + "\"; use json or text");
}

void ConfigureLogging(spdlog::level::level_enum level, LogFormat format,
                      std::shared_ptr<spdlog::sinks::sink> sink) {
  if (!sink) sink = std::make_shared<spdlog::sinks::stderr_sink_mt>();
  auto logger = std::make_shared<spdlog::logger>("mgw", std::move(sink));
  logger->set_pattern(std::string(format == LogFormat::kJson ? kJsonPattern : kTextPattern),
                      spdlog::pattern_time_type::utc);
  logger->set_level(level);
  logger->flush_on(spdlog::level::trace);  // one line per event; never lose the last ones
  g_format.store(format);
  spdlog::set_default_logger(std::move(logger));
}

bool LogEnabled(spdlog::level::level_enum level) {
  return spdlog::default_logger_raw()->should_log(level);
}

void LogEvent(spdlog::level::level_enum level, std::string_view msg, const JsonFields& fields) {
  auto logger = spdlog::default_logger_raw();
  if (!logger->should_log(level)) return;
  const std::string body =
      g_format.load() == LogFormat::kJson ? JsonBody(msg, fields) : TextBody(msg, fields);
  logger->log(level, spdlog::string_view_t(body.data(), body.size()));
}

void LogEvent(spdlog::level::level_enum level, std::string_view msg, const json& fields) {
  if (LogEnabled(level)) LogEvent(level, msg, JsonFields::FromJson(fields));
}

LogFn ProcessLog() {
  return [](spdlog::level::level_enum level, std::string_view msg, const json& fields) {
    LogEvent(level, msg, fields);
  };
}

void LogTo(const LogFn& log, spdlog::level::level_enum level, std::string_view msg,
           const nlohmann::json& fields) {
  if (log) {
    log(level, msg, fields);
  } else {
    LogEvent(level, msg, fields);
  }
}

}  // namespace mgw
