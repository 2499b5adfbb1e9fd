#include "mgw/reconcile/event_recorder.h"

#include <atomic>
#include <memory>
#include <mutex>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "mgw/kube/http_kube_client.h"
#include "support/fake_apiserver.h"
#include "support/status_matchers.h"

namespace mgw {
namespace {

using ::mgw::testing::FakeApiServer;
using ::mgw::testing::IsOk;
using ::mgw::testing::StatusIs;
using nlohmann::json;
using std::chrono::minutes;
using std::chrono::seconds;
using ::testing::HasSubstr;
using ::testing::SizeIs;
using ::testing::StartsWith;

// 2026-06-17T14:30:25Z
const std::chrono::system_clock::time_point kT0{seconds(1781706625)};

json MustGather(const std::string& name, const std::string& uid) {
  return {{"apiVersion", "operator.openshift.io/v1alpha1"},
          {"kind", "MustGather"},
          {"metadata",
           {{"name", name}, {"namespace", "team"}, {"uid", uid}, {"resourceVersion", "42"}}}};
}

const Event kCreated{"Normal", "JobCreated", "created Job mg-a-gather"};

struct Fixture {
  FakeApiServer server;
  std::unique_ptr<HttpKubeClient> client;
  std::atomic<int64_t> now_s{0};  // seconds after kT0
  std::mutex log_mu;
  std::vector<std::pair<spdlog::level::level_enum, json>> logs;
  std::unique_ptr<EventRecorder> recorder;

  explicit Fixture(size_t max_remembered = 4096) {
    HttpKubeClientOptions options;
    options.max_read_attempts = 1;
    client = std::move(HttpKubeClient::Create(server.Config(), options).value());
    EventRecorderOptions ro;
    ro.reporting_instance = "reconciler-0";
    ro.max_remembered = max_remembered;
    ro.clock = [this] { return kT0 + seconds(now_s.load()); };
    ro.log = [this](spdlog::level::level_enum level, std::string_view msg, const json& fields) {
      std::lock_guard<std::mutex> lock(log_mu);
      json entry = fields;
      entry["msg"] = std::string(msg);
      logs.emplace_back(level, entry);
    };
    recorder = std::make_unique<EventRecorder>(*client, ro);
  }

  std::vector<json> Events(const std::string& ns = "team") {
    ListOptions options;
    options.ns = ns;
    StatusOr<ObjectList> listed = ListAll(*client, kEventGvr, options);
    return listed.ok() ? listed->items : std::vector<json>{};
  }
  int Requests(const std::string& method) const {
    int n = 0;
    for (const auto& r : server.Requests()) n += r.method == method ? 1 : 0;
    return n;
  }
};

TEST(EventRecorderTest, ObjectRefOfReadsTheReferenceFields) {
  ObjectRef ref = ObjectRefOf(MustGather("a", "uid-a"));
  EXPECT_EQ(ref.api_version, "operator.openshift.io/v1alpha1");
  EXPECT_EQ(ref.kind, "MustGather");
  EXPECT_EQ(ref.ns, "team");
  EXPECT_EQ(ref.name, "a");
  EXPECT_EQ(ref.uid, "uid-a");
  EXPECT_EQ(ref.resource_version, "42");
  ObjectRef empty = ObjectRefOf(json::parse(R"({"metadata": {"name": 7}, "kind": null})"));
  EXPECT_EQ(empty.name, "");
  EXPECT_EQ(empty.kind, "");
  EXPECT_EQ(ObjectRefOf(json("not an object")).name, "");
}

TEST(EventRecorderTest, BuildsACoreV1Event) {
  json event = BuildEvent(ObjectRefOf(MustGather("a", "uid-a")), kCreated, "a.1", "pod-1", kT0);
  json want = {
      {"apiVersion", "v1"},
      {"kind", "Event"},
      {"metadata", {{"name", "a.1"}, {"namespace", "team"}}},
      {"involvedObject",
       {{"apiVersion", "operator.openshift.io/v1alpha1"},
        {"kind", "MustGather"},
        {"name", "a"},
        {"namespace", "team"},
        {"uid", "uid-a"},
        {"resourceVersion", "42"}}},
      {"type", "Normal"},
      {"reason", "JobCreated"},
      {"message", "created Job mg-a-gather"},
      {"source", {{"component", "mustgather-reconciler"}, {"host", "pod-1"}}},
      {"firstTimestamp", "2026-06-17T14:30:25Z"},
      {"lastTimestamp", "2026-06-17T14:30:25Z"},
      {"count", 1},
      {"reportingComponent", "mustgather-reconciler"},
      {"reportingInstance", "pod-1"},
  };
  EXPECT_EQ(event, want) << event.dump(2);
}

TEST(EventRecorderTest, BuildEventCutsTheMessageOnACharacterBoundary) {
  std::string message(kMaxEventMessageLength - 1, 'x');
  message += "\xc3\xa9tail";  // a two-byte character straddling the limit
  json event = BuildEvent(ObjectRef{"v1", "Node", "", "n", "u", ""}, Event{"Warning", "R", message},
                          "n.1", "", kT0);
  EXPECT_EQ(event["message"].get<std::string>(), std::string(kMaxEventMessageLength - 1, 'x'));
  EXPECT_EQ(event["metadata"]["namespace"], "default") << "cluster-scoped objects";
  EXPECT_FALSE(event["involvedObject"].contains("namespace"));
  EXPECT_FALSE(event["source"].contains("host"));
}

TEST(EventRecorderTest, EmitCreatesTheEventInTheObjectsNamespace) {
  Fixture fx;
  ASSERT_THAT(fx.recorder->Emit(ObjectRefOf(MustGather("a", "uid-a")), kCreated), IsOk());
  std::vector<json> events = fx.Events();
  ASSERT_THAT(events, SizeIs(1));
  EXPECT_THAT(events[0]["metadata"]["name"].get<std::string>(), StartsWith("a."));
  EXPECT_EQ(events[0]["involvedObject"]["uid"], "uid-a");
  EXPECT_EQ(events[0]["reason"], "JobCreated");
  EXPECT_EQ(events[0]["count"], 1);
  EXPECT_EQ(events[0]["reportingInstance"], "reconciler-0");
}

TEST(EventRecorderTest, RepeatWithinTheWindowPatchesCountAndLastTimestamp) {
  Fixture fx;
  ObjectRef ref = ObjectRefOf(MustGather("a", "uid-a"));
  ASSERT_THAT(fx.recorder->Emit(ref, kCreated), IsOk());
  fx.now_s = 60;
  ASSERT_THAT(fx.recorder->Emit(ref, kCreated), IsOk());
  fx.now_s = 60 + 9 * 60;  // 9 minutes after the last one: still the same Event
  ASSERT_THAT(fx.recorder->Emit(ref, kCreated), IsOk());
  std::vector<json> events = fx.Events();
  ASSERT_THAT(events, SizeIs(1));
  EXPECT_EQ(events[0]["count"], 3);
  EXPECT_EQ(events[0]["firstTimestamp"], "2026-06-17T14:30:25Z");
  EXPECT_EQ(events[0]["lastTimestamp"], "2026-06-17T14:40:25Z");
  EXPECT_EQ(fx.Requests("POST"), 1);
  EXPECT_EQ(fx.Requests("PATCH"), 2);
  for (const auto& r : fx.server.Requests()) {
    if (r.method == "PATCH") {
      EXPECT_EQ(r.content_type, "application/merge-patch+json");
    }
  }
}

TEST(EventRecorderTest, AfterTheWindowANewEventIsCreated) {
  Fixture fx;
  ObjectRef ref = ObjectRefOf(MustGather("a", "uid-a"));
  ASSERT_THAT(fx.recorder->Emit(ref, kCreated), IsOk());
  fx.now_s = std::chrono::duration_cast<seconds>(kEventAggregationWindow).count();
  ASSERT_THAT(fx.recorder->Emit(ref, kCreated), IsOk());
  std::vector<json> events = fx.Events();
  ASSERT_THAT(events, SizeIs(2));
  EXPECT_EQ(events[0]["count"], 1);
  EXPECT_EQ(events[1]["count"], 1);
}

TEST(EventRecorderTest, AnythingDifferentIsADifferentEvent) {
  Fixture fx;
  ObjectRef a = ObjectRefOf(MustGather("a", "uid-a"));
  ObjectRef b = ObjectRefOf(MustGather("b", "uid-b"));
  ASSERT_THAT(fx.recorder->Emit(a, kCreated), IsOk());
  ASSERT_THAT(fx.recorder->Emit(b, kCreated), IsOk());
  ASSERT_THAT(fx.recorder->Emit(a, Event{"Normal", "JobCreated", "other message"}), IsOk());
  ASSERT_THAT(fx.recorder->Emit(a, Event{"Normal", "JobCleanedUp", kCreated.message}), IsOk());
  ASSERT_THAT(fx.recorder->Emit(a, Event{"Warning", "JobCreated", kCreated.message}), IsOk());
  EXPECT_THAT(fx.Events(), SizeIs(5));
  EXPECT_EQ(fx.Requests("PATCH"), 0);
}

TEST(EventRecorderTest, MessagesEqualAfterTheCutAggregate) {
  Fixture fx;
  ObjectRef a = ObjectRefOf(MustGather("a", "uid-a"));
  std::string base(kMaxEventMessageLength, 'm');
  ASSERT_THAT(fx.recorder->Emit(a, Event{"Warning", "R", base + "one"}), IsOk());
  ASSERT_THAT(fx.recorder->Emit(a, Event{"Warning", "R", base + "two"}), IsOk());
  std::vector<json> events = fx.Events();
  ASSERT_THAT(events, SizeIs(1));
  EXPECT_EQ(events[0]["count"], 2);
  EXPECT_EQ(events[0]["message"].get<std::string>().size(), kMaxEventMessageLength);
}

TEST(EventRecorderTest, AVanishedEventIsCreatedAgain) {
  Fixture fx;
  ObjectRef ref = ObjectRefOf(MustGather("a", "uid-a"));
  ASSERT_THAT(fx.recorder->Emit(ref, kCreated), IsOk());
  std::string name = fx.Events()[0]["metadata"]["name"];
  ASSERT_TRUE(fx.server.Remove(kEventGvr, "team", name));  // expired by the server's TTL
  fx.now_s = 5;
  ASSERT_THAT(fx.recorder->Emit(ref, kCreated), IsOk());
  std::vector<json> events = fx.Events();
  ASSERT_THAT(events, SizeIs(1));
  EXPECT_NE(events[0]["metadata"]["name"], name);
  EXPECT_EQ(events[0]["count"], 1);
  fx.now_s = 6;
  ASSERT_THAT(fx.recorder->Emit(ref, kCreated), IsOk());
  EXPECT_EQ(fx.Events()[0]["count"], 2) << "the new Event is the one remembered";
}

TEST(EventRecorderTest, FailuresAreReturnedAndLoggedNotFatal) {
  Fixture fx;
  ObjectRef ref = ObjectRefOf(MustGather("a", "uid-a"));
  fx.server.FailNext(1, 403, "POST");
  EXPECT_THAT(fx.recorder->Emit(ref, kCreated), StatusIs(StatusCode::kPermissionDenied));
  {
    std::lock_guard<std::mutex> lock(fx.log_mu);
    ASSERT_THAT(fx.logs, SizeIs(1));
    EXPECT_EQ(fx.logs[0].first, spdlog::level::warn);
    EXPECT_EQ(fx.logs[0].second["msg"], "cannot record event");
    EXPECT_EQ(fx.logs[0].second["object"], "team/a");
    EXPECT_EQ(fx.logs[0].second["reason"], "JobCreated");
    EXPECT_THAT(fx.logs[0].second["error"].get<std::string>(), HasSubstr("PERMISSION_DENIED"));
  }
  EXPECT_THAT(fx.recorder->Emit(ref, kCreated), IsOk());
  fx.server.FailNext(1, 500, "PATCH");
  EXPECT_THAT(fx.recorder->Emit(ref, kCreated), StatusIs(StatusCode::kUnavailable));
  EXPECT_THAT(fx.recorder->Emit(ref, kCreated), IsOk());
  std::vector<json> events = fx.Events();
  ASSERT_THAT(events, SizeIs(1));
  EXPECT_EQ(events[0]["count"], 2);
}

TEST(EventRecorderTest, RemembersABoundedNumberOfEvents) {
  Fixture fx(/*max_remembered=*/2);
  ObjectRef a = ObjectRefOf(MustGather("a", "uid-a"));
  ObjectRef b = ObjectRefOf(MustGather("b", "uid-b"));
  ObjectRef c = ObjectRefOf(MustGather("c", "uid-c"));
  for (const ObjectRef* ref : {&a, &b, &a, &c}) {
    ASSERT_THAT(fx.recorder->Emit(*ref, kCreated), IsOk());  // a is used, so b is evicted
  }
  EXPECT_EQ(fx.Requests("PATCH"), 1);
  ASSERT_THAT(fx.recorder->Emit(a, kCreated), IsOk());
  EXPECT_EQ(fx.Requests("PATCH"), 2);
  ASSERT_THAT(fx.recorder->Emit(b, kCreated), IsOk());
  EXPECT_EQ(fx.Requests("PATCH"), 2) << "b was forgotten: a new Event";
  EXPECT_THAT(fx.Events(), SizeIs(4));
}

TEST(EventRecorderTest, NamesStayValidForLongObjectNames) {
  Fixture fx;
  std::string long_name = std::string(240, 'n') + "-x";
  ASSERT_THAT(fx.recorder->Emit(ObjectRefOf(MustGather(long_name, "uid-l")), kCreated), IsOk());
  std::vector<json> events = fx.Events();
  ASSERT_THAT(events, SizeIs(1));
  std::string name = events[0]["metadata"]["name"];
  EXPECT_LE(name.size(), 253u);
  EXPECT_EQ(name.find(".."), std::string::npos);
  EXPECT_EQ(events[0]["involvedObject"]["name"], long_name);
}

TEST(EventRecorderTest, EventsInTheSameInstantGetDistinctNames) {
  Fixture fx;  // the clock does not move
  for (int i = 0; i < 3; ++i) {
    ObjectRef ref = ObjectRefOf(MustGather("a", "uid-" + std::to_string(i)));
    ASSERT_THAT(fx.recorder->Emit(ref, kCreated), IsOk());
  }
  EXPECT_THAT(fx.Events(), SizeIs(3));
}

TEST(EventRecorderTest, WorksThroughTheSinkInterface) {
  Fixture fx;
  EventSink& sink = *fx.recorder;
  EXPECT_THAT(sink.Emit(ObjectRefOf(MustGather("a", "uid-a")), kCreated), IsOk());
  EXPECT_THAT(fx.Events(), SizeIs(1));
}

}  // namespace
}  // namespace mgw
