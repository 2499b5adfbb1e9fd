// Leader election among reconciler replicas over a coordination.k8s.io/v1 Lease, with
// client-go's semantics. A candidate creates the Lease when absent, or takes it once
// the holder has not renewed for leaseDurationSeconds as measured by OUR clock since we
// last saw the record change (clocks differ between nodes, so the remote renewTime is
// never compared with local time); a takeover increments leaseTransitions. Every write
// carries the resourceVersion read, so of two racing candidates one gets a conflict.
// The leader renews every retry_period; it steps down AT ONCE when it has not renewed
// for renew_deadline (even while a request hangs: a watchdog thread keeps the time) or
// when it sees another holder. Stop() releases a held Lease (ReleaseOnCancel) so a
// successor need not wait for it to expire. Thread-safe.
#ifndef MGW_KUBE_LEADER_ELECTION_H_
#define MGW_KUBE_LEADER_ELECTION_H_

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <random>
#include <stop_token>
#include <string>
#include <string_view>
#include <thread>

#include <nlohmann/json.hpp>
#include <spdlog/common.h>

#include "mgw/base/clock.h"
#include "mgw/base/status.h"
#include "mgw/kube/kube_client.h"
#include "mgw/platform/logging.h"

namespace mgw {

inline const Gvr kLeaseGvr{"coordination.k8s.io", "v1", "leases"};

struct LeaderElectionConfig {
  std::string lease_namespace;
  std::string lease_name;
  std::string identity;  // unique per replica, e.g. the pod name
  // How long a non-renewed Lease stays valid (written as leaseDurationSeconds,
  // rounded up to whole seconds), how long the leader keeps trying to renew before it
  // steps down, and the pause between attempts. Milliseconds so tests can be fast.
  std::chrono::milliseconds lease_duration{std::chrono::seconds(15)};
  std::chrono::milliseconds renew_deadline{std::chrono::seconds(10)};
  std::chrono::milliseconds retry_period{std::chrono::seconds(2)};
  bool release_on_cancel = true;  // Stop() hands the Lease back
  // After losing the lease, go back to being a candidate (else stay stopped).
  bool rejoin_after_loss = true;
  // The clock for every expiry decision (observed times, the renew deadline); the
  // pauses between attempts are real time. steady_clock when null. Tests freeze it.
  SteadyClock clock;
  // Stamps acquireTime/renewTime. system_clock when null.
  WallClock wall_clock;
  std::function<double()> random;  // uniform in [0, 1) for retry jitter; a PRNG when null
  LogFn log;                       // LogEvent when null
};

// INVALID_ARGUMENT unless namespace, name and identity are set and lease_duration >
// renew_deadline > retry_period * 1.2 > 0 (client-go's checks).
Status ValidateLeaderElectionConfig(const LeaderElectionConfig& config);

// `t` as a metav1.MicroTime: RFC 3339 in UTC with microseconds
// ("2006-01-02T15:04:05.000000Z").
std::string FormatMicroTime(std::chrono::system_clock::time_point t);

// Called without the elector's locks held.
struct LeaderCallbacks {
  // Runs on a thread of its own for each term; `stop` is requested the moment the term
  // ends. REQUIRES: returns promptly once `stop` is requested.
  std::function<void(std::stop_token stop)> on_started_leading;
  // Runs once at the end of each term, at once (on the elector's thread, its watchdog's,
  // or Stop()'s caller), right after `stop` was requested. REQUIRES: does not call Stop().
  std::function<void()> on_stopped_leading;
  // The holder changed as observed (our own identity included); optional.
  std::function<void(const std::string& identity)> on_new_leader;
};

class LeaderElector {
 public:
  // `client` must outlive the elector.
  LeaderElector(KubeClient& client, LeaderElectionConfig config, LeaderCallbacks callbacks);
  ~LeaderElector();  // Stop()
  LeaderElector(const LeaderElector&) = delete;
  LeaderElector& operator=(const LeaderElector&) = delete;

  // Starts campaigning on background threads. INVALID_ARGUMENT (and nothing started)
  // when ValidateLeaderElectionConfig fails. REQUIRES: called at most once.
  Status Start();
  // Ends campaigning. When leading: requests the term's stop, calls on_stopped_leading,
  // waits for on_started_leading to return, then releases the Lease (holderIdentity
  // "", leaseDurationSeconds 1, with the resourceVersion last written; a conflict means
  // someone else holds it already, which is fine). Waits for an API call in flight.
  // Idempotent. REQUIRES: not called from the callbacks.
  void Stop();

  bool IsLeader() const;
  // The holder last observed ("" when unknown or released).
  std::string Leader() const;

 private:
  using SteadyTime = std::chrono::steady_clock::time_point;
  enum class Outcome { kHeld, kHeldByOther, kFailed };

  void Campaign(std::stop_token stop);
  void Watchdog(std::stop_token stop);
  // One try: read the Lease, then create, take or renew it.
  Outcome TryAcquireOrRenew();
  Outcome Create();
  // Logs a failed call: a warning the first time, debug while the same error repeats.
  Outcome Failed(std::string_view what, const Status& status);
  void ClearError();
  // The spec to write over `old`: ours, renewed now; a takeover also stamps
  // acquireTime and counts a transition.
  nlohmann::json NextRecord(const nlohmann::json& old) const;
  // The holder has not renewed for its leaseDurationSeconds since observed_time_.
  bool Expired(const nlohmann::json& spec) const;
  void Observe(const nlohmann::json& lease);
  // Extends the current term when it is still `term`; false when none is running.
  bool Renewed(uint64_t term, SteadyTime started);
  void BecomeLeader(SteadyTime renewed);
  // Ends the current term if it is still `term`: stop token, on_stopped_leading.
  void StepDown(uint64_t term, std::string_view why);
  void Release();
  void Sleep(std::stop_token stop, std::chrono::milliseconds d);
  std::chrono::milliseconds Jittered(std::chrono::milliseconds d);
  SteadyTime Now() const;
  std::chrono::system_clock::time_point WallNow() const;
  void Log(spdlog::level::level_enum level, std::string_view msg, nlohmann::json fields) const;

  KubeClient& client_;
  const LeaderElectionConfig config_;
  const LeaderCallbacks callbacks_;

  mutable std::mutex mu_;
  std::condition_variable_any cv_;  // wakes sleeps, the watchdog and BecomeLeader
  bool leading_ = false;
  bool stepping_down_ = false;  // an on_stopped_leading call is running
  bool stopped_ = false;
  uint64_t term_ = 0;             // increments when a term starts
  SteadyTime last_renew_{};       // when the last successful write of this term was sent
  nlohmann::json observed_spec_;  // the Lease spec last read or written
  SteadyTime observed_time_{};    // when observed_spec_ last changed, by our clock
  nlohmann::json last_lease_;     // the Lease last read or written (for Release)
  std::string leader_;            // the holder last observed
  std::string last_error_;        // the last failure logged as a warning; "" after a success
  std::stop_source term_stop_;
  std::mt19937_64 prng_{std::random_device{}()};

  std::jthread worker_;  // on_started_leading of the current or last term
  std::jthread watchdog_;
  std::jthread campaign_;
};

}  // namespace mgw

#endif  // MGW_KUBE_LEADER_ELECTION_H_
