// Keeps the serving certificate current without a restart. Watches the
// directories of the certificate and key files with inotify (which catches a
// Kubernetes Secret volume's atomic "..data" symlink swap as well as in-place
// writes and renames) and also re-reads both files periodically, in case an event
// is missed. A new pair is installed only when both files parse, the key matches
// and the certificate is valid now; otherwise the problem is logged (once per
// distinct problem) and the last good pair stays. Thread-safe.
#ifndef MGW_NET_CERT_WATCHER_H_
#define MGW_NET_CERT_WATCHER_H_

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "mgw/base/clock.h"
#include "mgw/base/status.h"
#include "mgw/net/tls_credentials.h"

namespace mgw {

struct CertWatcherOptions {
  std::string cert_file;
  std::string key_file;
  std::chrono::milliseconds poll_interval = std::chrono::seconds(10);  // 0: no periodic check
  bool watch_files = true;  // inotify; false: only the periodic check (and Reload)
  WallClock now;            // empty: the system clock
  // Called after each reload attempt that changed the pair or failed: OK with the
  // new pair installed, or the error (the old pair stays). On the watcher thread.
  std::function<void(const Status&)> on_reload;
};

class CertificateWatcher {
 public:
  // Loads the pair (errors as LoadCertificatePair: the server must not start
  // without a valid certificate) and starts watching.
  static StatusOr<std::unique_ptr<CertificateWatcher>> Start(CertWatcherOptions options);
  ~CertificateWatcher();
  CertificateWatcher(const CertificateWatcher&) = delete;
  CertificateWatcher& operator=(const CertificateWatcher&) = delete;

  // The pair new handshakes use; never null.
  std::shared_ptr<const CertificatePair> Current() const;

  // Re-reads both files now. OK when the files hold the current pair or a new
  // valid pair (then installed); otherwise the load error, and nothing changes.
  Status Reload();

  // 1 after Start, plus one per pair installed since.
  uint64_t generation() const { return generation_.load(); }
  // Blocks until generation() > `seen` or `timeout` passes; returns generation().
  uint64_t WaitForChange(uint64_t seen, std::chrono::milliseconds timeout) const;

  // "" while the current certificate is valid now; otherwise why it is not
  // (expired, or not valid yet), for /readyz.
  std::string Problem() const;

 private:
  explicit CertificateWatcher(CertWatcherOptions options,
                              std::shared_ptr<const CertificatePair> pair);
  std::chrono::system_clock::time_point Now() const;
  void Install(std::shared_ptr<const CertificatePair> pair);
  void Report(const Status& status);
  void WatchLoop();

  const CertWatcherOptions options_;
  mutable std::mutex mu_;
  mutable std::condition_variable changed_;
  std::shared_ptr<const CertificatePair> current_;
  std::atomic<uint64_t> generation_{1};
  std::string last_error_;  // the last problem logged; guarded by mu_
  int stop_fd_ = -1;        // an eventfd that ends WatchLoop
  int inotify_fd_ = -1;     // -1 when not watching files
  std::thread thread_;
};

}  // namespace mgw

#endif  // MGW_NET_CERT_WATCHER_H_
