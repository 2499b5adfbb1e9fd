// An AllowlistSource backed by a MustGatherImage manifest on disk (serve
// --allowlist-file), re-read when the file changes so admins can edit it, or a
// mounted ConfigMap can be updated, without a restart. Thread-safe.
#ifndef MGW_SOURCES_ALLOWLIST_FILE_SOURCE_H_
#define MGW_SOURCES_ALLOWLIST_FILE_SOURCE_H_

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "mgw/base/status.h"
#include "mgw/rules/allowlist.h"

namespace mgw {

class AllowlistFileSource : public AllowlistSource {
 public:
  // Loads `path` now; an error (unreadable, not a MustGatherImage) is returned so a
  // bad flag fails at startup. An empty `path` yields a source that is never
  // configured. A positive `poll` starts a thread that calls Refresh that often.
  static StatusOr<std::unique_ptr<AllowlistFileSource>> Open(
      std::string path, std::chrono::milliseconds poll = std::chrono::seconds(2));
  ~AllowlistFileSource() override;

  std::shared_ptr<const Allowlist> Current() const override;
  // When the file was last (re)loaded into a new snapshot.
  std::optional<std::chrono::system_clock::time_point> LastUpdated() const override;

  // Re-reads the file if its size, modification time or inode changed. A file that
  // no longer loads is logged and the last good allowlist stays. Returns true when a
  // new allowlist was installed.
  bool Refresh();

 private:
  AllowlistFileSource(std::string path, Allowlist initial);
  void PollLoop(std::chrono::milliseconds every);

  const std::string path_;
  MutableAllowlistSource current_;
  std::string fingerprint_;  // size/mtime/inode of the last file read
  std::mutex poll_mu_;
  std::condition_variable poll_cv_;
  bool stopping_ = false;
  std::thread poller_;
};

}  // namespace mgw

#endif  // MGW_SOURCES_ALLOWLIST_FILE_SOURCE_H_
