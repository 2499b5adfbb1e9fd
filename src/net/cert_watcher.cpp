#include "mgw/net/cert_watcher.h"

#include <cerrno>
#include <set>
#include <vector>

#include <openssl/evp.h>
#include <openssl/x509.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <unistd.h>

#include "mgw/platform/logging.h"

namespace mgw {
namespace {

using TimePoint = std::chrono::system_clock::time_point;

// Writers often replace the certificate and the key in two steps; wait for the
// burst of events to settle before reading, so a half-done rotation is not
// reported as a mismatched pair.
constexpr int kSettleMillis = 100;
constexpr int kMaxSettleRounds = 20;
constexpr uint32_t kWatchMask = IN_CLOSE_WRITE | IN_MOVED_TO | IN_MOVED_FROM | IN_CREATE |
                                IN_DELETE | IN_ATTRIB | IN_DELETE_SELF | IN_MOVE_SELF;

std::string DirOf(const std::string& path) {
  size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

int64_t UnixSeconds(TimePoint t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

bool SamePair(const CertificatePair& a, const CertificatePair& b) {
  if (X509_cmp(a.leaf.get(), b.leaf.get()) != 0) return false;
  if (EVP_PKEY_eq(a.key.get(), b.key.get()) != 1) return false;
  if (a.chain.size() != b.chain.size()) return false;
  for (size_t i = 0; i < a.chain.size(); ++i) {
    if (X509_cmp(a.chain[i].get(), b.chain[i].get()) != 0) return false;
  }
  return true;
}

// Adds watches on the directories holding the files; false if none could be added.
bool AddWatches(int inotify_fd, const CertWatcherOptions& o) {
  bool any = false;
  for (const std::string& dir : std::set<std::string>{DirOf(o.cert_file), DirOf(o.key_file)}) {
    any |= inotify_add_watch(inotify_fd, dir.c_str(), kWatchMask) >= 0;
  }
  return any;
}

// Reads and discards pending events; true if there were any.
bool DrainEvents(int inotify_fd) {
  alignas(inotify_event) char buf[4096];
  bool any = false;
  while (::read(inotify_fd, buf, sizeof buf) > 0) any = true;
  return any;
}

// Waits until no event has arrived for kSettleMillis (bounded), or stop.
void Settle(int inotify_fd, int stop_fd) {
  for (int i = 0; i < kMaxSettleRounds; ++i) {
    pollfd fds[2] = {{inotify_fd, POLLIN, 0}, {stop_fd, POLLIN, 0}};
    if (::poll(fds, 2, kSettleMillis) <= 0 || (fds[1].revents & POLLIN)) return;
    DrainEvents(inotify_fd);
  }
}

}  // namespace

StatusOr<std::unique_ptr<CertificateWatcher>> CertificateWatcher::Start(
    CertWatcherOptions options) {
  TimePoint now = WallNow(options.now);
  MGW_ASSIGN_OR_RETURN(std::shared_ptr<const CertificatePair> pair,
                       LoadCertificatePair(options.cert_file, options.key_file, now));
  std::unique_ptr<CertificateWatcher> w(new CertificateWatcher(std::move(options), pair));
  w->stop_fd_ = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (w->stop_fd_ < 0) return InternalError("cannot create an eventfd for the certificate watcher");
  // Watch before returning, so no change made after Start can be missed.
  if (w->options_.watch_files) {
    w->inotify_fd_ = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    if (w->inotify_fd_ >= 0) AddWatches(w->inotify_fd_, w->options_);
  }
  if (w->options_.watch_files || w->options_.poll_interval.count() > 0) {
    w->thread_ = std::thread([raw = w.get()] { raw->WatchLoop(); });
  }
  return w;
}

CertificateWatcher::CertificateWatcher(CertWatcherOptions options,
                                       std::shared_ptr<const CertificatePair> pair)
    : options_(std::move(options)), current_(std::move(pair)) {}

CertificateWatcher::~CertificateWatcher() {
  if (stop_fd_ >= 0) {
    uint64_t one = 1;
    (void)!::write(stop_fd_, &one, sizeof one);
  }
  if (thread_.joinable()) thread_.join();
  if (stop_fd_ >= 0) ::close(stop_fd_);
  if (inotify_fd_ >= 0) ::close(inotify_fd_);
}

TimePoint CertificateWatcher::Now() const { return WallNow(options_.now); }

std::shared_ptr<const CertificatePair> CertificateWatcher::Current() const {
  std::lock_guard<std::mutex> lock(mu_);
  return current_;
}

void CertificateWatcher::Install(std::shared_ptr<const CertificatePair> pair) {
  LogEvent(spdlog::level::info, "serving certificate reloaded",
           {{"cert", pair->cert_source},
            {"subject", pair->subject},
            {"not_after", UnixSeconds(pair->not_after)}});
  {
    std::lock_guard<std::mutex> lock(mu_);
    current_.swap(pair);
    last_error_.clear();
    generation_.fetch_add(1);
  }
  changed_.notify_all();
}

void CertificateWatcher::Report(const Status& status) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (status.message() == last_error_) return;
    last_error_ = status.message();
  }
  LogEvent(spdlog::level::warn, "cannot use the new serving certificate; keeping the last good one",
           {{"cert", options_.cert_file}, {"key", options_.key_file}, {"error", status.message()}});
}

Status CertificateWatcher::Reload() {
  StatusOr<std::shared_ptr<const CertificatePair>> next =
      LoadCertificatePair(options_.cert_file, options_.key_file, Now());
  if (!next.ok()) {
    Report(next.status());
    if (options_.on_reload) options_.on_reload(next.status());
    return next.status();
  }
  if (SamePair(**next, *Current())) return Status::Ok();
  Install(std::move(next).value());
  if (options_.on_reload) options_.on_reload(Status::Ok());
  return Status::Ok();
}

uint64_t CertificateWatcher::WaitForChange(uint64_t seen, std::chrono::milliseconds timeout) const {
  std::unique_lock<std::mutex> lock(mu_);
  changed_.wait_for(lock, timeout, [&] { return generation_.load() > seen; });
  return generation_.load();
}

std::string CertificateWatcher::Problem() const {
  std::shared_ptr<const CertificatePair> pair = Current();
  TimePoint now = Now();
  if (now > pair->not_after) {
    return "the serving certificate " + pair->cert_source + " expired (not after " +
           std::to_string(UnixSeconds(pair->not_after)) +
           " unix time) and no valid one replaced it";
  }
  if (now < pair->not_before)
    return "the serving certificate " + pair->cert_source + " is not valid yet";
  return "";
}

void CertificateWatcher::WatchLoop() {
  const int inotify_fd = inotify_fd_;
  (void)Reload();  // catches a change between the first load and the watch
  int timeout_ms =
      options_.poll_interval.count() > 0 ? static_cast<int>(options_.poll_interval.count()) : -1;
  for (;;) {
    pollfd fds[2] = {{stop_fd_, POLLIN, 0}, {inotify_fd, POLLIN, 0}};
    int n = ::poll(fds, 2, timeout_ms);
    if (n < 0 && errno != EINTR) break;
    if (fds[0].revents & POLLIN) break;
    if (fds[1].revents & POLLIN) {
      DrainEvents(inotify_fd);
      Settle(inotify_fd, stop_fd_);
    }
    // A directory that was removed and created again lost its watch; renew it.
    if (inotify_fd >= 0) AddWatches(inotify_fd, options_);
    (void)Reload();
  }
}

}  // namespace mgw
