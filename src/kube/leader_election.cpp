#include "mgw/kube/leader_election.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <utility>

#include <spdlog/spdlog.h>

#include "mgw/base/json_access.h"

namespace mgw {
namespace {

using nlohmann::json;
using std::chrono::milliseconds;

// client-go's JitterFactor for the candidates' retries, and its config sanity factor.
constexpr double kJitterFactor = 1.2;

json SpecOf(const json& lease) {
  return lease.is_object() && lease.contains("spec") && lease["spec"].is_object() ? lease["spec"]
                                                                                  : json::object();
}

std::string HolderOf(const json& lease) { return JsonStringAt(SpecOf(lease), {"holderIdentity"}); }

int64_t WholeSecondsUp(milliseconds d) { return std::max<int64_t>(1, (d.count() + 999) / 1000); }

}  // namespace

Status ValidateLeaderElectionConfig(const LeaderElectionConfig& config) {
  if (config.lease_namespace.empty() || config.lease_name.empty()) {
    return InvalidArgumentError("leader election: the Lease namespace and name are required");
  }
  if (config.identity.empty()) return InvalidArgumentError("leader election: identity is required");
  if (config.retry_period.count() <= 0) {
    return InvalidArgumentError("leader election: retry period must be positive");
  }
  if (config.lease_duration <= config.renew_deadline) {
    return InvalidArgumentError("leader election: lease duration must exceed the renew deadline");
  }
  if (static_cast<double>(config.renew_deadline.count()) <=
      kJitterFactor * static_cast<double>(config.retry_period.count())) {
    return InvalidArgumentError(
        "leader election: renew deadline must exceed the retry period times 1.2");
  }
  return Status::Ok();
}

std::string FormatMicroTime(std::chrono::system_clock::time_point t) {
  auto micros = std::chrono::floor<std::chrono::microseconds>(t).time_since_epoch().count();
  std::time_t secs =
      static_cast<std::time_t>(micros >= 0 ? micros / 1000000 : (micros - 999999) / 1000000);
  int64_t frac = micros - static_cast<int64_t>(secs) * 1000000;
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char head[32];
  std::strftime(head, sizeof head, "%Y-%m-%dT%H:%M:%S", &tm);
  char micro[16];
  std::snprintf(micro, sizeof micro, ".%06dZ", static_cast<int>(frac));
  return std::string(head) + micro;
}

LeaderElector::LeaderElector(KubeClient& client, LeaderElectionConfig config,
                             LeaderCallbacks callbacks)
    : client_(client), config_(std::move(config)), callbacks_(std::move(callbacks)) {}

LeaderElector::~LeaderElector() { Stop(); }

Status LeaderElector::Start() {
  MGW_RETURN_IF_ERROR(ValidateLeaderElectionConfig(config_));
  std::lock_guard<std::mutex> lock(mu_);
  if (stopped_ || campaign_.joinable()) return FailedPreconditionError("leader election: started");
  watchdog_ = std::jthread([this](std::stop_token stop) { Watchdog(stop); });
  campaign_ = std::jthread([this](std::stop_token stop) { Campaign(stop); });
  return Status::Ok();
}

void LeaderElector::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopped_) return;
    stopped_ = true;
  }
  campaign_.request_stop();
  watchdog_.request_stop();
  cv_.notify_all();
  if (campaign_.joinable()) campaign_.join();
  if (watchdog_.joinable()) watchdog_.join();
  uint64_t term = 0;
  {
    std::lock_guard<std::mutex> lock(mu_);
    term = term_;
  }
  StepDown(term, "stopping");
  if (worker_.joinable()) worker_.join();
  if (config_.release_on_cancel) Release();
}

bool LeaderElector::IsLeader() const {
  std::lock_guard<std::mutex> lock(mu_);
  return leading_;
}

std::string LeaderElector::Leader() const {
  std::lock_guard<std::mutex> lock(mu_);
  return leader_;
}

void LeaderElector::Campaign(std::stop_token stop) {
  while (!stop.stop_requested()) {
    bool was_leading = false;
    uint64_t term = 0;
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (!config_.rejoin_after_loss && term_ > 0 && !leading_) return;
      was_leading = leading_;
      term = term_;
    }
    SteadyTime started = Now();
    Outcome outcome = TryAcquireOrRenew();
    if (stop.stop_requested()) return;
    if (outcome != Outcome::kFailed) ClearError();
    if (outcome == Outcome::kHeld) {
      if (!Renewed(term, started)) BecomeLeader(started);
    } else if (outcome == Outcome::kHeldByOther && was_leading) {
      StepDown(term, "the lease is held by another candidate");
    }
    Sleep(stop, IsLeader() ? config_.retry_period : Jittered(config_.retry_period));
  }
}

void LeaderElector::ClearError() {
  std::lock_guard<std::mutex> lock(mu_);
  last_error_.clear();
}

bool LeaderElector::Renewed(uint64_t term, SteadyTime started) {
  std::lock_guard<std::mutex> lock(mu_);
  if (!leading_ || term_ != term) return false;
  last_renew_ = started;
  return true;
}

void LeaderElector::Watchdog(std::stop_token stop) {
  std::unique_lock<std::mutex> lock(mu_);
  while (!stop.stop_requested()) {
    if (!leading_) {
      cv_.wait(lock, stop, [&] { return leading_; });
      continue;
    }
    SteadyTime deadline = last_renew_ + config_.renew_deadline;
    SteadyTime now = Now();
    if (now >= deadline) {
      uint64_t term = term_;
      lock.unlock();
      StepDown(term, "could not renew the lease within the renew deadline");
      lock.lock();
      continue;
    }
    // Poll at least every retry period: the clock may be a test's, not real time.
    auto wait = std::min<std::chrono::steady_clock::duration>(deadline - now, config_.retry_period);
    cv_.wait_for(lock, stop, wait, [] { return false; });
  }
}

LeaderElector::Outcome LeaderElector::TryAcquireOrRenew() {
  StatusOr<json> got = client_.Get(kLeaseGvr, config_.lease_namespace, config_.lease_name);
  if (!got.ok() && IsNotFound(got.status())) return Create();
  if (!got.ok()) return Failed("leader election: cannot read the lease", got.status());
  Observe(*got);
  std::string holder = HolderOf(*got);
  if (!holder.empty() && holder != config_.identity && !Expired(SpecOf(*got))) {
    return Outcome::kHeldByOther;
  }
  json next = *got;
  next["spec"] = NextRecord(SpecOf(*got));
  StatusOr<json> updated = client_.Update(kLeaseGvr, config_.lease_namespace, next);
  if (!updated.ok()) return Failed("leader election: cannot update the lease", updated.status());
  Observe(*updated);
  return Outcome::kHeld;
}

LeaderElector::Outcome LeaderElector::Create() {
  json lease = {
      {"apiVersion", "coordination.k8s.io/v1"},
      {"kind", "Lease"},
      {"metadata", {{"name", config_.lease_name}, {"namespace", config_.lease_namespace}}},
      {"spec", NextRecord(json::object())}};
  lease["spec"]["leaseTransitions"] = 0;
  StatusOr<json> created = client_.Create(kLeaseGvr, config_.lease_namespace, lease);
  if (!created.ok()) return Failed("leader election: cannot create the lease", created.status());
  Observe(*created);
  return Outcome::kHeld;
}

LeaderElector::Outcome LeaderElector::Failed(std::string_view what, const Status& status) {
  // Losing a race is routine; an outage is worth one warning, not one per retry.
  bool repeat = false;
  {
    std::lock_guard<std::mutex> lock(mu_);
    repeat = status.ToString() == last_error_;
    last_error_ = status.ToString();
  }
  bool race = IsConflict(status) || IsAlreadyExists(status);
  Log(race || repeat ? spdlog::level::debug : spdlog::level::warn, what,
      {{"lease", config_.lease_namespace + "/" + config_.lease_name},
       {"identity", config_.identity},
       {"error", status.ToString()}});
  return Outcome::kFailed;
}

json LeaderElector::NextRecord(const json& old) const {
  std::string now = FormatMicroTime(WallNow());
  bool ours = JsonStringAt(old, {"holderIdentity"}) == config_.identity;
  json spec = old.is_object() ? old : json::object();
  spec["holderIdentity"] = config_.identity;
  spec["leaseDurationSeconds"] = WholeSecondsUp(config_.lease_duration);
  spec["renewTime"] = now;
  if (!ours) {
    spec["acquireTime"] = now;
    spec["leaseTransitions"] = JsonIntAt(old, {"leaseTransitions"}).value_or(0) + 1;
  }
  return spec;
}

bool LeaderElector::Expired(const json& spec) const {
  int64_t seconds = JsonIntAt(spec, {"leaseDurationSeconds"}).value_or(0);
  milliseconds duration = seconds > 0 ? milliseconds(seconds * 1000) : config_.lease_duration;
  std::lock_guard<std::mutex> lock(mu_);
  return observed_time_ + duration <= Now();
}

void LeaderElector::Observe(const json& lease) {
  json spec = SpecOf(lease);
  std::string holder = JsonStringAt(spec, {"holderIdentity"});
  bool report = false;
  {
    std::lock_guard<std::mutex> lock(mu_);
    last_lease_ = lease;
    if (spec != observed_spec_) {
      observed_spec_ = spec;
      observed_time_ = Now();
    }
    report = holder != leader_;
    leader_ = holder;
  }
  if (!report || holder.empty()) return;
  Log(spdlog::level::info, "leader election: new leader observed",
      {{"lease", config_.lease_namespace + "/" + config_.lease_name}, {"leader", holder}});
  if (callbacks_.on_new_leader) callbacks_.on_new_leader(holder);
}

void LeaderElector::BecomeLeader(SteadyTime renewed) {
  std::jthread previous;
  std::stop_token token;
  {
    std::unique_lock<std::mutex> lock(mu_);
    // A term's on_stopped_leading (maybe on the watchdog) finishes before the next starts.
    cv_.wait(lock, [&] { return !stepping_down_; });
    if (stopped_ || (!config_.rejoin_after_loss && term_ > 0)) return;
    // A write that took the whole renew deadline to land starts no term: the watchdog
    // would end it at once. The next attempt decides afresh.
    if (Now() - renewed >= config_.renew_deadline) return;
    ++term_;
    leading_ = true;
    last_renew_ = renewed;
    term_stop_ = std::stop_source();
    token = term_stop_.get_token();
    previous = std::move(worker_);
  }
  cv_.notify_all();
  if (previous.joinable()) previous.join();
  Log(spdlog::level::info, "leader election: became leader",
      {{"lease", config_.lease_namespace + "/" + config_.lease_name},
       {"identity", config_.identity}});
  if (callbacks_.on_started_leading) {
    worker_ = std::jthread([this, token] { callbacks_.on_started_leading(token); });
  }
}

void LeaderElector::StepDown(uint64_t term, std::string_view why) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!leading_ || term_ != term) return;
    leading_ = false;
    stepping_down_ = true;
    term_stop_.request_stop();
  }
  cv_.notify_all();
  Log(why == "stopping" ? spdlog::level::info : spdlog::level::warn,
      "leader election: stopped leading",
      {{"lease", config_.lease_namespace + "/" + config_.lease_name},
       {"identity", config_.identity},
       {"reason", std::string(why)}});
  if (callbacks_.on_stopped_leading) callbacks_.on_stopped_leading();
  {
    std::lock_guard<std::mutex> lock(mu_);
    stepping_down_ = false;
  }
  cv_.notify_all();
}

void LeaderElector::Release() {
  json lease;
  {
    std::lock_guard<std::mutex> lock(mu_);
    lease = last_lease_;
  }
  if (HolderOf(lease) != config_.identity) return;
  std::string now = FormatMicroTime(WallNow());
  json& spec = lease["spec"];
  spec["holderIdentity"] = "";
  spec["leaseDurationSeconds"] = 1;
  spec["acquireTime"] = now;
  spec["renewTime"] = now;
  StatusOr<json> updated = client_.Update(kLeaseGvr, config_.lease_namespace, lease);
  if (!updated.ok()) {
    Failed("leader election: cannot release the lease", updated.status());
    return;
  }
  Observe(*updated);
  Log(spdlog::level::info, "leader election: released the lease",
      {{"lease", config_.lease_namespace + "/" + config_.lease_name},
       {"identity", config_.identity}});
}

void LeaderElector::Sleep(std::stop_token stop, milliseconds d) {
  std::unique_lock<std::mutex> lock(mu_);
  cv_.wait_for(lock, stop, d, [] { return false; });
}

milliseconds LeaderElector::Jittered(milliseconds d) {
  double r = 0;
  if (config_.random) {
    r = config_.random();
  } else {
    std::lock_guard<std::mutex> lock(mu_);
    r = std::uniform_real_distribution<double>(0.0, 1.0)(prng_);
  }
  return d + milliseconds(static_cast<int64_t>(kJitterFactor * r * static_cast<double>(d.count())));
}

LeaderElector::SteadyTime LeaderElector::Now() const { return SteadyNow(config_.clock); }

std::chrono::system_clock::time_point LeaderElector::WallNow() const {
  return mgw::WallNow(config_.wall_clock);
}

void LeaderElector::Log(spdlog::level::level_enum level, std::string_view msg, json fields) const {
  LogTo(config_.log, level, msg, fields);
}

}  // namespace mgw
