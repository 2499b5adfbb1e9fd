#include "mgw/kube/kube_client.h"

#include <deque>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "support/status_matchers.h"

namespace mgw {
namespace {

using ::mgw::testing::IsOk;
using ::mgw::testing::StatusIs;
using nlohmann::json;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

const Gvr kPods{"", "v1", "pods"};
const Gvr kImages{"operator.openshift.io", "v1alpha1", "mustgatherimages"};

TEST(KubeClientTest, ResourcePathCoversCoreGroupsNamespacesAndSubresources) {
  struct Case {
    Gvr gvr;
    std::string ns, name, sub, want;
  };
  std::vector<Case> cases = {
      {kPods, "", "", "", "/api/v1/pods"},
      {kPods, "ns", "", "", "/api/v1/namespaces/ns/pods"},
      {kPods, "ns", "p", "", "/api/v1/namespaces/ns/pods/p"},
      {kPods, "ns", "p", "status", "/api/v1/namespaces/ns/pods/p/status"},
      {kImages, "", "cluster", "", "/apis/operator.openshift.io/v1alpha1/mustgatherimages/cluster"},
      {{"coordination.k8s.io", "v1", "leases"},
       "ns",
       "l",
       "",
       "/apis/coordination.k8s.io/v1/namespaces/ns/leases/l"},
      {kPods, "ns", "", "status", "/api/v1/namespaces/ns/pods"},  // no name: no subresource
      {kPods, "a b", "x/y", "", "/api/v1/namespaces/a%20b/pods/x%2Fy"},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(ResourcePath(c.gvr, c.ns, c.name, c.sub), c.want) << c.want;
  }
}

TEST(KubeClientTest, ListAndWatchTargetsCarryTheirParameters) {
  ListOptions list;
  list.ns = "ns";
  list.field_selector = "metadata.name=cluster";
  list.label_selector = "a=b,c!=d";
  list.limit = 50;
  list.continue_token = "tok/en";
  EXPECT_EQ(ListTarget(kPods, list),
            "/api/v1/namespaces/ns/pods?labelSelector=a%3Db%2Cc%21%3Dd"
            "&fieldSelector=metadata.name%3Dcluster&limit=50&continue=tok%2Fen");
  EXPECT_EQ(ListTarget(kPods, {}), "/api/v1/pods");

  WatchOptions watch;
  watch.resource_version = "42";
  watch.timeout = std::chrono::seconds(300);
  EXPECT_EQ(WatchTarget(kImages, watch),
            "/apis/operator.openshift.io/v1alpha1/mustgatherimages?watch=1&resourceVersion=42"
            "&allowWatchBookmarks=true&timeoutSeconds=300");
  watch.allow_bookmarks = false;
  watch.timeout = std::chrono::seconds(0);
  EXPECT_EQ(WatchTarget(kImages, watch),
            "/apis/operator.openshift.io/v1alpha1/mustgatherimages?watch=1&resourceVersion=42");
}

TEST(KubeClientTest, ApiErrorsMapToCanonicalCodes) {
  struct Case {
    int http;
    std::string reason;
    StatusCode want;
  };
  std::vector<Case> cases = {
      {400, "BadRequest", StatusCode::kInvalidArgument},
      {401, "Unauthorized", StatusCode::kUnauthenticated},
      {403, "Forbidden", StatusCode::kPermissionDenied},
      {404, "NotFound", StatusCode::kNotFound},
      {409, "Conflict", StatusCode::kAborted},
      {409, "AlreadyExists", StatusCode::kAlreadyExists},
      {410, "Expired", StatusCode::kOutOfRange},
      {422, "Invalid", StatusCode::kInvalidArgument},
      {429, "TooManyRequests", StatusCode::kUnavailable},
      {500, "InternalError", StatusCode::kUnavailable},
      {503, "ServiceUnavailable", StatusCode::kUnavailable},
      {504, "Timeout", StatusCode::kDeadlineExceeded},
      {418, "Teapot", StatusCode::kInternal},
  };
  for (const Case& c : cases) {
    json body = {{"kind", "Status"}, {"reason", c.reason}, {"message", "m"}, {"code", c.http}};
    Status s = ApiErrorToStatus(ParseApiError(c.http, body.dump(), ""));
    EXPECT_EQ(s.code(), c.want) << c.http << " " << c.reason;
    EXPECT_EQ(s.message(), c.reason + " (HTTP " + std::to_string(c.http) + "): m");
  }
}

TEST(KubeClientTest, PredicatesClassifyApiErrors) {
  auto status = [](int http, const char* reason) {
    return ApiErrorToStatus(ParseApiError(
        http, json{{"kind", "Status"}, {"reason", reason}, {"message", "m"}}.dump(), ""));
  };
  EXPECT_TRUE(IsNotFound(status(404, "NotFound")));
  EXPECT_TRUE(IsConflict(status(409, "Conflict")));
  EXPECT_FALSE(IsConflict(status(409, "AlreadyExists")));
  EXPECT_TRUE(IsAlreadyExists(status(409, "AlreadyExists")));
  EXPECT_TRUE(IsExpired(status(410, "Expired")));
  EXPECT_TRUE(IsInvalid(status(422, "Invalid")));
  EXPECT_TRUE(IsTransient(status(429, "TooManyRequests")));
  EXPECT_TRUE(IsTransient(status(503, "ServiceUnavailable")));
  EXPECT_FALSE(IsTransient(status(403, "Forbidden")));
}

TEST(KubeClientTest, ParseApiErrorCopesWithBodiesThatAreNotStatus) {
  ApiError plain = ParseApiError(502, "<html>bad gateway</html>\n", "");
  EXPECT_EQ(plain.reason, "HTTP502");
  EXPECT_EQ(plain.message, "<html>bad gateway</html>");
  ApiError empty = ParseApiError(404, "", "");
  EXPECT_EQ(empty.reason, "NotFound");
  EXPECT_EQ(empty.message, "no message");
  ApiError huge = ParseApiError(500, std::string(10000, 'x'), "");
  EXPECT_LE(huge.message.size(), 200u);
}

TEST(KubeClientTest, RetryAfterIsReadInSecondsAndReported) {
  ApiError e = ParseApiError(429, "", "7");
  ASSERT_TRUE(e.retry_after.has_value());
  EXPECT_EQ(*e.retry_after, std::chrono::seconds(7));
  EXPECT_THAT(ApiErrorToStatus(e).message(), HasSubstr("retry after 7s"));
  EXPECT_FALSE(ParseApiError(429, "", "Wed, 21 Oct 2015 07:28:00 GMT").retry_after.has_value());
  EXPECT_FALSE(ParseApiError(429, "", "-1").retry_after.has_value());
}

TEST(KubeClientTest, StatusObjectsOfWatchErrorsKeepTheirCode) {
  Status s = StatusFromStatusObject(
      {{"kind", "Status"}, {"code", 410}, {"reason", "Expired"}, {"message", "too old"}});
  EXPECT_TRUE(IsExpired(s));
  EXPECT_EQ(s.message(), "Expired (HTTP 410): too old");
  EXPECT_THAT(StatusFromStatusObject(json::array()), StatusIs(StatusCode::kUnavailable));
}

TEST(KubeClientTest, LineSplitterReassemblesEventsAcrossChunks) {
  WatchLineSplitter splitter;
  auto a = splitter.Append("{\"a\":1}\n{\"b\"");
  ASSERT_THAT(a, IsOk());
  EXPECT_THAT(*a, ElementsAre("{\"a\":1}"));
  auto b = splitter.Append(":2}\r\n\n");
  ASSERT_THAT(b, IsOk());
  EXPECT_THAT(*b, ElementsAre("{\"b\":2}"));
  auto c = splitter.Append("");
  ASSERT_THAT(c, IsOk());
  EXPECT_TRUE(c->empty());
}

TEST(KubeClientTest, LineSplitterRejectsAnEndlessLine) {
  WatchLineSplitter splitter(16);
  EXPECT_THAT(splitter.Append("0123456789"), IsOk());
  EXPECT_THAT(splitter.Append("0123456789"), StatusIs(StatusCode::kResourceExhausted));
}

TEST(KubeClientTest, ParseWatchEventReadsEveryType) {
  struct Case {
    std::string type;
    WatchEvent::Type want;
  };
  for (const Case& c : std::vector<Case>{{"ADDED", WatchEvent::Type::kAdded},
                                         {"MODIFIED", WatchEvent::Type::kModified},
                                         {"DELETED", WatchEvent::Type::kDeleted},
                                         {"BOOKMARK", WatchEvent::Type::kBookmark}}) {
    json line = {{"type", c.type}, {"object", {{"metadata", {{"name", "x"}}}}}};
    StatusOr<WatchEvent> e = ParseWatchEvent(line.dump());
    ASSERT_THAT(e, IsOk()) << c.type;
    EXPECT_EQ(e->type, c.want);
    EXPECT_EQ(e->object["metadata"]["name"], "x");
  }
}

TEST(KubeClientTest, ParseWatchEventTurnsErrorsIntoStatuses) {
  json error = {{"type", "ERROR"},
                {"object", {{"kind", "Status"}, {"code", 410}, {"reason", "Expired"}}}};
  EXPECT_TRUE(IsExpired(ParseWatchEvent(error.dump()).status()));
  EXPECT_THAT(ParseWatchEvent("not json"), StatusIs(StatusCode::kInternal));
  EXPECT_THAT(ParseWatchEvent(R"({"type":"ADDED"})"), StatusIs(StatusCode::kInternal));
  EXPECT_THAT(ParseWatchEvent(R"({"type":"WHAT","object":{}})"),
              StatusIs(StatusCode::kInternal, HasSubstr("WHAT")));
}

TEST(KubeClientTest, BackoffDoublesJittersAndCaps) {
  BackoffPolicy p{std::chrono::milliseconds(100), std::chrono::milliseconds(1000)};
  EXPECT_EQ(BackoffDelay(p, 0, 0.0), std::chrono::milliseconds(50));
  EXPECT_EQ(BackoffDelay(p, 0, 1.0), std::chrono::milliseconds(100));
  EXPECT_EQ(BackoffDelay(p, 2, 1.0), std::chrono::milliseconds(400));
  EXPECT_EQ(BackoffDelay(p, 3, 0.5), std::chrono::milliseconds(600));
  EXPECT_EQ(BackoffDelay(p, 10, 1.0), std::chrono::milliseconds(1000));
  EXPECT_EQ(BackoffDelay(p, 1000, 1.0), std::chrono::milliseconds(1000));
  EXPECT_EQ(BackoffDelay(p, 1000, 0.0), std::chrono::milliseconds(500));
}

TEST(KubeClientTest, DeleteOptionsBodyOnlyWhenAskedFor) {
  EXPECT_TRUE(DeleteOptionsBody({}).is_null());
  DeleteOptions o;
  o.propagation_policy = "Background";
  o.precondition_resource_version = "7";
  o.grace_period_seconds = 0;
  json body = DeleteOptionsBody(o);
  EXPECT_EQ(body["kind"], "DeleteOptions");
  EXPECT_EQ(body["propagationPolicy"], "Background");
  EXPECT_EQ(body["gracePeriodSeconds"], 0);
  EXPECT_EQ(body["preconditions"]["resourceVersion"], "7");
}

// Answers List calls from a script, recording the options it was given.
class ScriptedLister : public KubeClient {
 public:
  std::deque<StatusOr<json>> pages;
  std::vector<ListOptions> calls;

  StatusOr<json> List(const Gvr&, const ListOptions& options) override {
    calls.push_back(options);
    StatusOr<json> next = pages.front();
    pages.pop_front();
    return next;
  }
  StatusOr<json> Get(const Gvr&, const std::string&, const std::string&) override {
    return UnimplementedError("");
  }
  Status Watch(const Gvr&, const WatchOptions&, const WatchSink&, std::stop_token) override {
    return UnimplementedError("");
  }
  StatusOr<json> Create(const Gvr&, const std::string&, const json&) override {
    return UnimplementedError("");
  }
  StatusOr<json> Update(const Gvr&, const std::string&, const json&) override {
    return UnimplementedError("");
  }
  StatusOr<json> UpdateStatus(const Gvr&, const std::string&, const json&) override {
    return UnimplementedError("");
  }
  StatusOr<json> Patch(const Gvr&, const std::string&, const std::string&, PatchType, const json&,
                       const std::string&) override {
    return UnimplementedError("");
  }
  StatusOr<json> Delete(const Gvr&, const std::string&, const std::string&,
                        const DeleteOptions&) override {
    return UnimplementedError("");
  }
};

json Page(std::vector<std::string> names, std::string rv, std::string cont) {
  json items = json::array();
  for (const std::string& n : names) items.push_back({{"metadata", {{"name", n}}}});
  json meta = {{"resourceVersion", rv}};
  if (!cont.empty()) meta["continue"] = cont;
  return {{"items", items}, {"metadata", meta}};
}

TEST(KubeClientTest, ListAllFollowsContinueTokens) {
  ScriptedLister client;
  client.pages = {Page({"a", "b"}, "10", "t1"), Page({"c"}, "10", "")};
  ListOptions o;
  o.limit = 2;
  StatusOr<ObjectList> all = ListAll(client, kPods, o);
  ASSERT_THAT(all, IsOk());
  ASSERT_EQ(all->items.size(), 3u);
  EXPECT_EQ(all->items[2]["metadata"]["name"], "c");
  EXPECT_EQ(all->resource_version, "10");
  ASSERT_EQ(client.calls.size(), 2u);
  EXPECT_EQ(client.calls[1].continue_token, "t1");
  EXPECT_EQ(client.calls[1].limit, 2);
}

TEST(KubeClientTest, ListAllStartsOverUnpagedWhenTheTokenExpires) {
  ScriptedLister client;
  client.pages = {Page({"a"}, "10", "t1"), OutOfRangeError("Expired (HTTP 410): too old"),
                  Page({"a", "b"}, "12", "")};
  ListOptions o;
  o.limit = 1;
  StatusOr<ObjectList> all = ListAll(client, kPods, o);
  ASSERT_THAT(all, IsOk());
  EXPECT_EQ(all->items.size(), 2u);
  EXPECT_EQ(all->resource_version, "12");
  ASSERT_EQ(client.calls.size(), 3u);
  EXPECT_EQ(client.calls[2].limit, 0);
  EXPECT_EQ(client.calls[2].continue_token, "");
}

TEST(KubeClientTest, ListAllReturnsOtherErrors) {
  ScriptedLister client;
  client.pages = {PermissionDeniedError("Forbidden (HTTP 403): no")};
  EXPECT_THAT(ListAll(client, kPods, {}), StatusIs(StatusCode::kPermissionDenied));
  client.pages = {json::array()};
  EXPECT_THAT(ListAll(client, kPods, {}), StatusIs(StatusCode::kInternal));
}

}  // namespace
}  // namespace mgw
