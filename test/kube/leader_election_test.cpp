#include "mgw/kube/leader_election.h"

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <regex>
#include <thread>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "mgw/kube/http_kube_client.h"
#include "support/fake_apiserver.h"
#include "support/faulty_kube_client.h"
#include "support/status_matchers.h"
#include "support/wait_until.h"

namespace mgw {
namespace {

using ::mgw::testing::FakeApiServer;
using ::mgw::testing::FakeSteadyClock;
using ::mgw::testing::FaultyKubeClient;
using ::mgw::testing::IsOk;
using ::mgw::testing::StatusIs;
using ::mgw::testing::WaitUntil;
using nlohmann::json;
using std::chrono::milliseconds;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

const char kNs[] = "mgw";
const char kLease[] = "mustgather-reconciler";

// Records what the callbacks saw, in order, across candidates ("a:start", "a:stop").
class Journal {
 public:
  void Push(std::string entry) {
    std::lock_guard<std::mutex> lock(mu_);
    entries_.push_back(std::move(entry));
  }
  std::vector<std::string> entries() const {
    std::lock_guard<std::mutex> lock(mu_);
    return entries_;
  }
  int Count(const std::string& entry) const {
    std::lock_guard<std::mutex> lock(mu_);
    return static_cast<int>(std::count(entries_.begin(), entries_.end(), entry));
  }

 private:
  mutable std::mutex mu_;
  std::vector<std::string> entries_;
};

struct Candidate {
  std::string id;
  std::unique_ptr<FaultyKubeClient> client;
  std::unique_ptr<LeaderElector> elector;
  std::atomic<bool> work_stopped{false};  // the term's stop token fired in on_started_leading
  std::vector<std::string> new_leaders;
  std::mutex mu;
};

struct Fixture {
  FakeApiServer server;
  std::unique_ptr<HttpKubeClient> http;
  Journal journal;
  std::vector<std::unique_ptr<Candidate>> candidates;

  Fixture() {
    HttpKubeClientOptions options;
    options.max_read_attempts = 1;
    options.request_timeout = std::chrono::seconds(5);
    http = std::move(HttpKubeClient::Create(server.Config(), options).value());
  }
  ~Fixture() {
    for (auto& c : candidates) c->client->Hang(false);
    for (auto& c : candidates) c->elector.reset();
  }

  static LeaderElectionConfig Config(const std::string& id,
                                     const FakeSteadyClock* clock = nullptr) {
    LeaderElectionConfig config;
    config.lease_namespace = kNs;
    config.lease_name = kLease;
    config.identity = id;
    config.lease_duration = milliseconds(300);
    config.renew_deadline = milliseconds(200);
    config.retry_period = milliseconds(50);
    if (clock != nullptr) config.clock = [clock] { return clock->Now(); };
    return config;
  }

  Candidate& Add(LeaderElectionConfig config) {
    auto c = std::make_unique<Candidate>();
    c->id = config.identity;
    c->client = std::make_unique<FaultyKubeClient>(*http);
    Candidate* raw = c.get();
    LeaderCallbacks callbacks;
    callbacks.on_started_leading = [this, raw](std::stop_token stop) {
      journal.Push(raw->id + ":start");
      std::mutex m;
      std::condition_variable_any cv;
      std::unique_lock<std::mutex> lock(m);
      cv.wait(lock, stop, [] { return false; });  // "work" until the term ends
      raw->work_stopped = true;
    };
    callbacks.on_stopped_leading = [this, raw] { journal.Push(raw->id + ":stop"); };
    callbacks.on_new_leader = [raw](const std::string& who) {
      std::lock_guard<std::mutex> lock(raw->mu);
      raw->new_leaders.push_back(who);
    };
    c->elector = std::make_unique<LeaderElector>(*c->client, std::move(config), callbacks);
    candidates.push_back(std::move(c));
    return *raw;
  }

  json Lease() const { return server.Object(kLeaseGvr, kNs, kLease).value_or(json()); }
  std::string Holder() const {
    json lease = Lease();
    return lease.is_null() ? "<none>" : lease["spec"].value("holderIdentity", "");
  }
  int64_t Version() const {
    json lease = Lease();
    return lease.is_null() ? 0
                           : std::stoll(lease["metadata"]["resourceVersion"].get<std::string>());
  }
  int LeaseRequests(const std::string& method, int status) const {
    int n = 0;
    for (const auto& r : server.Requests()) {
      if (r.method == method && r.status == status && r.path.find("/leases") != std::string::npos) {
        ++n;
      }
    }
    return n;
  }
};

json ForeignLease(const std::string& holder) {
  return {{"apiVersion", "coordination.k8s.io/v1"},
          {"kind", "Lease"},
          {"metadata", {{"name", kLease}, {"namespace", kNs}}},
          {"spec",
           {{"holderIdentity", holder},
            {"leaseDurationSeconds", 1},
            {"acquireTime", "2024-01-01T00:00:00.000000Z"},
            {"renewTime", "2024-01-01T00:00:00.000000Z"},
            {"leaseTransitions", 4}}}};
}

TEST(LeaderElectionTest, FormatsMicroTime) {
  using std::chrono::microseconds;
  std::chrono::system_clock::time_point epoch;
  EXPECT_EQ(FormatMicroTime(epoch), "1970-01-01T00:00:00.000000Z");
  EXPECT_EQ(FormatMicroTime(epoch + std::chrono::seconds(1136214245) + microseconds(7)),
            "2006-01-02T15:04:05.000007Z");
  EXPECT_EQ(FormatMicroTime(epoch + microseconds(1500000) + std::chrono::nanoseconds(999)),
            "1970-01-01T00:00:01.500000Z");
  EXPECT_EQ(FormatMicroTime(epoch - microseconds(1)), "1969-12-31T23:59:59.999999Z");
}

TEST(LeaderElectionTest, ValidatesConfig) {
  EXPECT_THAT(ValidateLeaderElectionConfig(Fixture::Config("a")), IsOk());
  LeaderElectionConfig defaults;  // 15 s / 10 s / 2 s
  defaults.lease_namespace = "ns";
  defaults.lease_name = "name";
  defaults.identity = "id";
  EXPECT_THAT(ValidateLeaderElectionConfig(defaults), IsOk());
  struct Case {
    const char* what;
    std::function<void(LeaderElectionConfig&)> mutate;
  } cases[] = {
      {"namespace", [](auto& c) { c.lease_namespace = ""; }},
      {"name", [](auto& c) { c.lease_name = ""; }},
      {"identity", [](auto& c) { c.identity = ""; }},
      {"lease duration", [](auto& c) { c.lease_duration = c.renew_deadline; }},
      {"1.2", [](auto& c) { c.renew_deadline = milliseconds(60); }},
      {"retry period", [](auto& c) { c.retry_period = milliseconds(0); }},
  };
  for (const Case& c : cases) {
    LeaderElectionConfig config = Fixture::Config("a");
    c.mutate(config);
    EXPECT_THAT(ValidateLeaderElectionConfig(config), StatusIs(StatusCode::kInvalidArgument))
        << c.what;
  }
}

TEST(LeaderElectionTest, StartRejectsABadConfig) {
  Fixture fx;
  LeaderElectionConfig config = Fixture::Config("a");
  config.identity = "";
  Candidate& a = fx.Add(config);
  EXPECT_THAT(a.elector->Start(), StatusIs(StatusCode::kInvalidArgument, HasSubstr("identity")));
  EXPECT_FALSE(a.elector->IsLeader());
}

TEST(LeaderElectionTest, SingleCandidateCreatesTheLeaseAndLeads) {
  Fixture fx;
  Candidate& a = fx.Add(Fixture::Config("a"));
  ASSERT_THAT(a.elector->Start(), IsOk());
  ASSERT_TRUE(WaitUntil([&] { return fx.journal.Count("a:start") == 1; }));
  EXPECT_TRUE(a.elector->IsLeader());
  EXPECT_EQ(a.elector->Leader(), "a");
  json spec = fx.Lease()["spec"];
  EXPECT_EQ(spec["holderIdentity"], "a");
  EXPECT_EQ(spec["leaseDurationSeconds"], 1);  // 300 ms, rounded up to whole seconds
  EXPECT_EQ(spec["leaseTransitions"], 0);
  std::regex micro(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z)");
  EXPECT_TRUE(std::regex_match(spec["renewTime"].get<std::string>(), micro)) << spec;
  EXPECT_TRUE(std::regex_match(spec["acquireTime"].get<std::string>(), micro)) << spec;
  EXPECT_EQ(fx.LeaseRequests("POST", 201), 1);
  std::lock_guard<std::mutex> lock(a.mu);
  EXPECT_THAT(a.new_leaders, ElementsAre("a"));
}

TEST(LeaderElectionTest, LeaderRenewsKeepingAcquireTimeAndTransitions) {
  Fixture fx;
  FakeSteadyClock frozen;  // no stall of this machine can make it miss its renew deadline
  Candidate& a = fx.Add(Fixture::Config("a", &frozen));
  ASSERT_THAT(a.elector->Start(), IsOk());
  ASSERT_TRUE(WaitUntil([&] { return fx.journal.Count("a:start") == 1; }));
  json first = fx.Lease()["spec"];
  int64_t version = fx.Version();
  ASSERT_TRUE(WaitUntil([&] { return fx.Version() >= version + 3; }));
  json later = fx.Lease()["spec"];
  EXPECT_EQ(later["acquireTime"], first["acquireTime"]);
  EXPECT_EQ(later["leaseTransitions"], 0);
  EXPECT_EQ(later["holderIdentity"], "a");
  EXPECT_TRUE(a.elector->IsLeader());
  EXPECT_EQ(fx.journal.Count("a:stop"), 0);
}

TEST(LeaderElectionTest, TwoCandidatesElectExactlyOneLeader) {
  Fixture fx;
  FakeSteadyClock frozen;  // neither the lease nor the renew deadline can run out
  Candidate& a = fx.Add(Fixture::Config("a", &frozen));
  Candidate& b = fx.Add(Fixture::Config("b", &frozen));
  ASSERT_THAT(a.elector->Start(), IsOk());
  ASSERT_THAT(b.elector->Start(), IsOk());
  ASSERT_TRUE(WaitUntil([&] { return fx.journal.entries().size() == 1; }));
  // Several renewals later, still one leader and nobody stopped.
  int64_t version = fx.Version();
  ASSERT_TRUE(WaitUntil([&] { return fx.Version() >= version + 5; }));
  std::vector<std::string> entries = fx.journal.entries();
  ASSERT_EQ(entries.size(), 1u) << ::testing::PrintToString(entries);
  std::string leader = entries[0].substr(0, 1);
  EXPECT_EQ(fx.Holder(), leader);
  EXPECT_NE(a.elector->IsLeader(), b.elector->IsLeader());
  EXPECT_EQ(a.elector->Leader(), leader);
  EXPECT_EQ(b.elector->Leader(), leader);
}

// The successor's clock is frozen, so it can never see the lease expire: taking over
// proves the release, not the lease duration, let it in.
TEST(LeaderElectionTest, StopReleasesTheLeaseAndTheOtherTakesOverAtOnce) {
  Fixture fx;
  FakeSteadyClock frozen;
  Candidate& a = fx.Add(Fixture::Config("a", &frozen));
  Candidate& b = fx.Add(Fixture::Config("b", &frozen));
  ASSERT_THAT(a.elector->Start(), IsOk());
  ASSERT_TRUE(WaitUntil([&] { return fx.journal.Count("a:start") == 1; }));
  ASSERT_THAT(b.elector->Start(), IsOk());
  ASSERT_TRUE(WaitUntil([&] { return b.elector->Leader() == "a"; }));
  a.elector->Stop();
  EXPECT_TRUE(a.work_stopped);
  EXPECT_FALSE(a.elector->IsLeader());
  ASSERT_TRUE(WaitUntil([&] { return fx.journal.Count("b:start") == 1; }));
  EXPECT_THAT(fx.journal.entries(), ElementsAre("a:start", "a:stop", "b:start"));
  json spec = fx.Lease()["spec"];
  EXPECT_EQ(spec["holderIdentity"], "b");
  EXPECT_EQ(spec["leaseTransitions"], 1);
  EXPECT_EQ(spec["leaseDurationSeconds"], 1);
  a.elector->Stop();  // idempotent
}

TEST(LeaderElectionTest, ReleaseWritesAnEmptyHolder) {
  Fixture fx;
  LeaderElectionConfig config = Fixture::Config("a");
  config.lease_duration = std::chrono::seconds(15);
  config.renew_deadline = std::chrono::seconds(10);
  Candidate& a = fx.Add(config);
  ASSERT_THAT(a.elector->Start(), IsOk());
  ASSERT_TRUE(WaitUntil([&] { return fx.journal.Count("a:start") == 1; }));
  EXPECT_EQ(fx.Lease()["spec"]["leaseDurationSeconds"], 15);
  a.elector->Stop();
  json spec = fx.Lease()["spec"];
  EXPECT_EQ(spec["holderIdentity"], "");
  EXPECT_EQ(spec["leaseDurationSeconds"], 1);
  EXPECT_EQ(spec["leaseTransitions"], 0);
}

TEST(LeaderElectionTest, StopWithoutLeadingLeavesTheLeaseAlone) {
  Fixture fx;
  FakeSteadyClock frozen;
  fx.server.Apply(kLeaseGvr, ForeignLease("other"));
  Candidate& a = fx.Add(Fixture::Config("a", &frozen));
  ASSERT_THAT(a.elector->Start(), IsOk());
  ASSERT_TRUE(WaitUntil([&] { return fx.LeaseRequests("GET", 200) >= 2; }));
  int64_t version = fx.Version();
  a.elector->Stop();
  EXPECT_EQ(fx.Version(), version);
  EXPECT_EQ(fx.Holder(), "other");
  EXPECT_TRUE(fx.journal.entries().empty());
}

TEST(LeaderElectionTest, LeaderStepsDownAtOnceWhenAnotherHolderAppears) {
  Fixture fx;
  FakeSteadyClock frozen;  // the admin's holder never looks expired: no retaking
  Candidate& a = fx.Add(Fixture::Config("a", &frozen));
  ASSERT_THAT(a.elector->Start(), IsOk());
  ASSERT_TRUE(WaitUntil([&] { return fx.journal.Count("a:start") == 1; }));
  fx.server.Apply(kLeaseGvr, ForeignLease("admin"));
  ASSERT_TRUE(WaitUntil([&] { return fx.journal.Count("a:stop") == 1; }));
  EXPECT_FALSE(a.elector->IsLeader());
  EXPECT_TRUE(WaitUntil([&] { return a.work_stopped.load(); }));
  EXPECT_EQ(a.elector->Leader(), "admin");
  EXPECT_EQ(fx.Holder(), "admin");
  a.elector->Stop();
  EXPECT_EQ(fx.Holder(), "admin") << "a lease held by another is not released";
  EXPECT_EQ(fx.journal.Count("a:stop"), 1);
}

TEST(LeaderElectionTest, LeaderStepsDownWhenRenewalsFailThenRejoins) {
  Fixture fx;
  FakeSteadyClock clock;
  Candidate& a = fx.Add(Fixture::Config("a", &clock));
  ASSERT_THAT(a.elector->Start(), IsOk());
  ASSERT_TRUE(WaitUntil([&] { return fx.journal.Count("a:start") == 1; }));
  a.client->Cut(true);
  ASSERT_TRUE(WaitUntil([&] { return a.client->faults() >= 2; }));
  clock.Advance(milliseconds(199));  // renew_deadline is 200 ms
  ASSERT_TRUE(WaitUntil([&] { return a.client->faults() >= 4; }));
  EXPECT_TRUE(a.elector->IsLeader()) << "failures within the renew deadline are tolerated";
  clock.Advance(milliseconds(1));
  ASSERT_TRUE(WaitUntil([&] { return fx.journal.Count("a:stop") == 1; }));
  EXPECT_FALSE(a.elector->IsLeader());
  a.client->Cut(false);
  // The lease still names us: a new term starts without a transition.
  ASSERT_TRUE(WaitUntil([&] { return fx.journal.Count("a:start") == 2; }));
  EXPECT_THAT(fx.journal.entries(), ElementsAre("a:start", "a:stop", "a:start"));
  EXPECT_EQ(fx.Lease()["spec"]["leaseTransitions"], 0);
}

TEST(LeaderElectionTest, LeaderStepsDownWhileARenewalHangs) {
  Fixture fx;
  FakeSteadyClock clock;
  Candidate& a = fx.Add(Fixture::Config("a", &clock));
  ASSERT_THAT(a.elector->Start(), IsOk());
  ASSERT_TRUE(WaitUntil([&] { return fx.journal.Count("a:start") == 1; }));
  a.client->Hang(true);
  ASSERT_TRUE(WaitUntil([&] { return a.client->hung() >= 1; }));
  clock.Advance(milliseconds(200));
  ASSERT_TRUE(WaitUntil([&] { return fx.journal.Count("a:stop") == 1; }));
  EXPECT_EQ(a.client->hung(), 1) << "the step-down did not wait for the hung call";
  EXPECT_TRUE(WaitUntil([&] { return a.work_stopped.load(); }));
  a.client->Hang(false);
}

TEST(LeaderElectionTest, WithoutRejoinALostLeaderStaysDown) {
  Fixture fx;
  FakeSteadyClock clock;
  LeaderElectionConfig config = Fixture::Config("a", &clock);
  config.rejoin_after_loss = false;
  Candidate& a = fx.Add(config);
  ASSERT_THAT(a.elector->Start(), IsOk());
  ASSERT_TRUE(WaitUntil([&] { return fx.journal.Count("a:start") == 1; }));
  fx.server.Apply(kLeaseGvr, ForeignLease("admin"));
  ASSERT_TRUE(WaitUntil([&] { return fx.journal.Count("a:stop") == 1; }));
  fx.server.Remove(kLeaseGvr, kNs, kLease);  // free for the taking
  int calls = a.client->calls();
  Candidate& b = fx.Add(Fixture::Config("b", &clock));
  ASSERT_THAT(b.elector->Start(), IsOk());
  ASSERT_TRUE(WaitUntil([&] { return fx.journal.Count("b:start") == 1; }));
  int64_t version = fx.Version();
  ASSERT_TRUE(WaitUntil([&] { return fx.Version() >= version + 10; }));  // >= 10 retry periods
  EXPECT_LE(a.client->calls(), calls + 2) << "at most the attempt in flight at the loss";
  EXPECT_EQ(fx.journal.Count("a:start"), 1);
}

TEST(LeaderElectionTest, CrashedLeaderIsReplacedOnlyAfterTheLeaseDuration) {
  Fixture fx;
  FakeSteadyClock clock;
  fx.server.Apply(kLeaseGvr, ForeignLease("crashed"));
  Candidate& b = fx.Add(Fixture::Config("b", &clock));
  ASSERT_THAT(b.elector->Start(), IsOk());
  ASSERT_TRUE(WaitUntil([&] { return fx.LeaseRequests("GET", 200) >= 3; }));
  EXPECT_FALSE(b.elector->IsLeader());
  EXPECT_EQ(fx.Holder(), "crashed");
  EXPECT_EQ(b.elector->Leader(), "crashed");
  clock.Advance(milliseconds(999));  // leaseDurationSeconds is 1: not yet
  int gets = fx.LeaseRequests("GET", 200);
  ASSERT_TRUE(WaitUntil([&] { return fx.LeaseRequests("GET", 200) >= gets + 2; }));
  EXPECT_FALSE(b.elector->IsLeader());
  clock.Advance(milliseconds(1));
  ASSERT_TRUE(WaitUntil([&] { return fx.journal.Count("b:start") == 1; }));
  json spec = fx.Lease()["spec"];
  EXPECT_EQ(spec["holderIdentity"], "b");
  EXPECT_EQ(spec["leaseTransitions"], 5);
  EXPECT_NE(spec["acquireTime"], "2024-01-01T00:00:00.000000Z");
}

TEST(LeaderElectionTest, ExpiryCountsFromTheLastChangeWeObserved) {
  Fixture fx;
  FakeSteadyClock clock;
  fx.server.Apply(kLeaseGvr, ForeignLease("alive"));
  Candidate& b = fx.Add(Fixture::Config("b", &clock));
  ASSERT_THAT(b.elector->Start(), IsOk());
  ASSERT_TRUE(WaitUntil([&] { return fx.LeaseRequests("GET", 200) >= 2; }));
  clock.Advance(milliseconds(900));
  // The holder renews (its renewTime is in the past by our clock: irrelevant).
  json renewed = ForeignLease("alive");
  renewed["spec"]["renewTime"] = "2000-01-01T00:00:00.000000Z";
  fx.server.Apply(kLeaseGvr, renewed);
  int gets = fx.LeaseRequests("GET", 200);
  ASSERT_TRUE(WaitUntil([&] { return fx.LeaseRequests("GET", 200) >= gets + 2; }));
  clock.Advance(milliseconds(900));  // 1.8 s since the start, 0.9 s since the renewal
  gets = fx.LeaseRequests("GET", 200);
  ASSERT_TRUE(WaitUntil([&] { return fx.LeaseRequests("GET", 200) >= gets + 2; }));
  EXPECT_FALSE(b.elector->IsLeader());
  EXPECT_EQ(fx.Holder(), "alive");
  clock.Advance(milliseconds(100));
  ASSERT_TRUE(WaitUntil([&] { return fx.journal.Count("b:start") == 1; }));
}

// Real clocks: a partitioned leader stops its work before the other starts.
TEST(LeaderElectionTest, PartitionedLeaderIsReplacedAfterExpiryAndStopsFirst) {
  Fixture fx;
  Candidate& a = fx.Add(Fixture::Config("a"));
  ASSERT_THAT(a.elector->Start(), IsOk());
  ASSERT_TRUE(WaitUntil([&] { return fx.journal.Count("a:start") == 1; }));
  Candidate& b = fx.Add(Fixture::Config("b"));
  ASSERT_THAT(b.elector->Start(), IsOk());
  ASSERT_TRUE(WaitUntil([&] { return b.elector->Leader() == "a"; }));
  a.client->Cut(true);
  ASSERT_TRUE(WaitUntil([&] { return fx.journal.Count("b:start") == 1; }));
  // A stalled machine may have made `a` step down and rejoin before the cut; what
  // matters is that every term of `a` ended before `b` began.
  std::vector<std::string> entries = fx.journal.entries();
  ASSERT_EQ(entries.back(), "b:start") << ::testing::PrintToString(entries);
  EXPECT_EQ(fx.journal.Count("a:start"), fx.journal.Count("a:stop"));
  EXPECT_TRUE(a.work_stopped);
  EXPECT_EQ(fx.Lease()["spec"]["leaseTransitions"], 1);
}

TEST(LeaderElectionTest, ConflictOnRenewalIsRetriedWithoutSteppingDown) {
  Fixture fx;
  FakeSteadyClock frozen;
  Candidate& a = fx.Add(Fixture::Config("a", &frozen));
  ASSERT_THAT(a.elector->Start(), IsOk());
  ASSERT_TRUE(WaitUntil([&] { return fx.journal.Count("a:start") == 1; }));
  a.client->BeforeNextUpdate([&] {  // the next renewal loses a race with an admin's write
    json admin = fx.Lease();
    admin["metadata"]["annotations"]["touched"] = "by an admin";
    fx.server.Apply(kLeaseGvr, admin);
  });
  ASSERT_TRUE(WaitUntil([&] { return fx.LeaseRequests("PUT", 409) == 1; }));
  int renewals = fx.LeaseRequests("PUT", 200);
  ASSERT_TRUE(WaitUntil([&] { return fx.LeaseRequests("PUT", 200) > renewals; }));
  EXPECT_TRUE(a.elector->IsLeader());
  EXPECT_EQ(fx.journal.Count("a:stop"), 0) << "a lost race on renewal is not a lost lease";
  EXPECT_EQ(fx.Lease()["metadata"]["annotations"]["touched"], "by an admin");
}

TEST(LeaderElectionTest, TransientErrorsDelayButDoNotPreventAcquiring) {
  Fixture fx;
  fx.server.FailNext(3, 500);
  Candidate& a = fx.Add(Fixture::Config("a"));
  ASSERT_THAT(a.elector->Start(), IsOk());
  ASSERT_TRUE(WaitUntil([&] { return fx.journal.Count("a:start") == 1; }));
  EXPECT_EQ(fx.LeaseRequests("GET", 500), 3);
}

TEST(LeaderElectionTest, RacingCreatorsLeaveOneLeader) {
  Fixture fx;
  FakeSteadyClock frozen;
  for (const char* id : {"a", "b", "c"}) {
    ASSERT_THAT(fx.Add(Fixture::Config(id, &frozen)).elector->Start(), IsOk());
  }
  ASSERT_TRUE(WaitUntil([&] { return fx.journal.entries().size() == 1; }));
  int64_t version = fx.Version();
  ASSERT_TRUE(WaitUntil([&] { return fx.Version() >= version + 3; }));
  EXPECT_EQ(fx.journal.entries().size(), 1u);
  EXPECT_EQ(fx.LeaseRequests("POST", 201), 1);
}

}  // namespace
}  // namespace mgw
