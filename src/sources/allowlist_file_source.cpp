#include "mgw/sources/allowlist_file_source.h"

#include <sys/stat.h>

#include "mgw/platform/logging.h"
#include "mgw/sources/allowlist_file.h"

namespace mgw {
namespace {

// Identifies a version of the file cheaply; empty when it cannot be stat'ed.
std::string Fingerprint(const std::string& path) {
  struct stat st {};
  if (stat(path.c_str(), &st) != 0) return "";
  return std::to_string(st.st_size) + "/" + std::to_string(st.st_mtim.tv_sec) + "." +
         std::to_string(st.st_mtim.tv_nsec) + "/" + std::to_string(st.st_ino);
}

}  // namespace

StatusOr<std::unique_ptr<AllowlistFileSource>> AllowlistFileSource::Open(
    std::string path, std::chrono::milliseconds poll) {
  if (path.empty()) {
    return std::unique_ptr<AllowlistFileSource>(
        new AllowlistFileSource("", NotConfiguredAllowlist("no --allowlist-file given")));
  }
  std::string fingerprint = Fingerprint(path);
  MGW_ASSIGN_OR_RETURN(Allowlist initial, LoadAllowlistFile(path));
  std::unique_ptr<AllowlistFileSource> source(new AllowlistFileSource(path, std::move(initial)));
  source->fingerprint_ = std::move(fingerprint);
  if (poll.count() > 0) {
    AllowlistFileSource* raw = source.get();
    source->poller_ = std::thread([raw, poll] { raw->PollLoop(poll); });
  }
  return source;
}

AllowlistFileSource::AllowlistFileSource(std::string path, Allowlist initial)
    : path_(std::move(path)), current_(std::move(initial)) {}

AllowlistFileSource::~AllowlistFileSource() {
  {
    std::lock_guard<std::mutex> lock(poll_mu_);
    stopping_ = true;
  }
  poll_cv_.notify_all();
  if (poller_.joinable()) poller_.join();
}

std::shared_ptr<const Allowlist> AllowlistFileSource::Current() const { return current_.Current(); }

std::optional<std::chrono::system_clock::time_point> AllowlistFileSource::LastUpdated() const {
  return current_.LastUpdated();
}

bool AllowlistFileSource::Refresh() {
  if (path_.empty()) return false;
  std::string fingerprint = Fingerprint(path_);
  if (fingerprint.empty() || fingerprint == fingerprint_) return false;
  StatusOr<Allowlist> next = LoadAllowlistFile(path_);
  fingerprint_ = fingerprint;  // do not retry a broken version until it changes again
  if (!next.ok()) {
    LogEvent(spdlog::level::warn, "allowlist file unusable; keeping the last good one",
             {{"path", path_}, {"error", next.status().message()}});
    return false;
  }
  LogEvent(spdlog::level::info, "allowlist reloaded",
           {{"path", path_}, {"images", next->entries.size()}});
  current_.Set(std::move(next).value());
  return true;
}

void AllowlistFileSource::PollLoop(std::chrono::milliseconds every) {
  std::unique_lock<std::mutex> lock(poll_mu_);
  while (!poll_cv_.wait_for(lock, every, [this] { return stopping_; })) {
    lock.unlock();
    Refresh();
    lock.lock();
  }
}

}  // namespace mgw
