// Progress of a long upload: one log line with the bytes sent and the rate at a steady
// interval, and one at the end. Driven by the writer's calls, so it needs no thread.
// Not thread-safe.
#ifndef MGW_UPLOAD_PROGRESS_H_
#define MGW_UPLOAD_PROGRESS_H_

#include <chrono>
#include <cstdint>
#include <string>

#include "mgw/base/clock.h"
#include "mgw/platform/logging.h"

namespace mgw {

class ProgressLog {
 public:
  // Logs through `log` (null: LogEvent) about the file `name`, at most once per
  // `interval` as read from `clock` (null: the system's).
  ProgressLog(std::string name, std::chrono::milliseconds interval, SteadyClock clock = nullptr,
              LogFn log = nullptr);

  // Counts `bytes` more sent; logs "upload progress" {file, bytes, bytes_per_second}
  // when `interval` has passed since the start or the last such line.
  void Add(uint64_t bytes);

  // Logs "upload finished" {file, bytes, seconds, bytes_per_second}.
  void Finish();

  uint64_t bytes() const { return bytes_; }

 private:
  double RateSince(std::chrono::steady_clock::time_point since, uint64_t bytes_then) const;

  std::string name_;
  std::chrono::milliseconds interval_;
  SteadyClock clock_;
  LogFn log_;
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point last_line_;
  uint64_t bytes_ = 0;
  uint64_t bytes_at_last_line_ = 0;
};

}  // namespace mgw

#endif  // MGW_UPLOAD_PROGRESS_H_
