#include "mgw/upload/progress.h"

#include <utility>

namespace mgw {

ProgressLog::ProgressLog(std::string name, std::chrono::milliseconds interval, SteadyClock clock,
                         LogFn log)
    : name_(std::move(name)),
      interval_(interval),
      clock_(std::move(clock)),
      log_(std::move(log)),
      start_(SteadyNow(clock_)),
      last_line_(start_) {}

double ProgressLog::RateSince(std::chrono::steady_clock::time_point since,
                              uint64_t bytes_then) const {
  double seconds = std::chrono::duration<double>(SteadyNow(clock_) - since).count();
  if (seconds <= 0) return 0;
  return static_cast<double>(bytes_ - bytes_then) / seconds;
}

void ProgressLog::Add(uint64_t bytes) {
  bytes_ += bytes;
  std::chrono::steady_clock::time_point now = SteadyNow(clock_);
  if (now - last_line_ < interval_) return;
  LogTo(log_, spdlog::level::info, "upload progress",
        {{"file", name_},
         {"bytes", bytes_},
         {"bytes_per_second", static_cast<uint64_t>(RateSince(last_line_, bytes_at_last_line_))}});
  last_line_ = now;
  bytes_at_last_line_ = bytes_;
}

void ProgressLog::Finish() {
  double seconds = std::chrono::duration<double>(SteadyNow(clock_) - start_).count();
  LogTo(log_, spdlog::level::info, "upload finished",
        {{"file", name_},
         {"bytes", bytes_},
         {"seconds", seconds},
         {"bytes_per_second", static_cast<uint64_t>(RateSince(start_, 0))}});
}

}  // namespace mgw
