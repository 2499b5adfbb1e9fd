// The upload itself: DIR as a streamed tar.gz to the support case's SFTP server,
// written under a temporary name and renamed when complete, the whole try repeated
// with backoff when the connection drops or is refused. Not thread-safe.
#ifndef MGW_UPLOAD_UPLOADER_H_
#define MGW_UPLOAD_UPLOADER_H_

#include <chrono>
#include <functional>
#include <optional>
#include <string>

#include "mgw/base/clock.h"
#include "mgw/base/status.h"
#include "mgw/platform/logging.h"
#include "mgw/upload/proxy_url.h"
#include "mgw/upload/retry_policy.h"
#include "mgw/upload/sftp_client.h"

namespace mgw {

struct UploadRequest {
  std::string source_dir;
  std::string remote_name;  // the final name, e.g. "01234567_run.tar.gz"
  SftpLogin login;
  std::optional<ProxyUrl> proxy;  // tunnel through it when set
  std::string proxy_ca_file{};    // trust for an https:// proxy; empty: the system's
  RetryPolicy retry;
  std::chrono::milliseconds progress_interval{30000};
};

// The seams: where log lines go (null: LogEvent), the clock for progress (null: the
// system's), and how to wait between tries (null: sleep).
struct UploadSeams {
  LogFn log{};
  SteadyClock clock{};
  std::function<void(std::chrono::milliseconds)> sleep{};
};

// Uploads `request.source_dir` (entries under "must-gather/") to
// `request.remote_name`. Returns the bytes sent, or the last try's failure (see
// sftp_status for the codes), its message saying what failed.
StatusOr<uint64_t> UploadDirectory(const UploadRequest& request, const UploadSeams& seams = {});

}  // namespace mgw

#endif  // MGW_UPLOAD_UPLOADER_H_
