#include "mgw/kube/http_kube_client.h"

#include <condition_variable>
#include <future>
#include <map>
#include <mutex>
#include <thread>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "support/fake_apiserver.h"
#include "support/status_matchers.h"
#include "support/test_certs.h"

namespace mgw {
namespace {

using ::mgw::testing::FakeApiServer;
using ::mgw::testing::FakeApiServerOptions;
using ::mgw::testing::FakeRequest;
using ::mgw::testing::IsOk;
using ::mgw::testing::StatusIs;
using nlohmann::json;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::StartsWith;

using std::chrono::milliseconds;
constexpr auto kDeadline = std::chrono::seconds(10);

const Gvr kConfigMaps{"", "v1", "configmaps"};
const Gvr kImages{"operator.openshift.io", "v1alpha1", "mustgatherimages"};

json ConfigMap(const std::string& name, const std::string& value) {
  return {{"apiVersion", "v1"},
          {"kind", "ConfigMap"},
          {"metadata", {{"name", name}, {"namespace", "ns"}}},
          {"spec", {{"value", value}}}};
}

std::string Rv(const json& object) { return object["metadata"]["resourceVersion"]; }

// Options whose waits are recorded instead of slept, with fixed jitter.
struct RecordedSleeps {
  std::vector<milliseconds> sleeps;
  HttpKubeClientOptions Options() {
    HttpKubeClientOptions o;
    o.sleep = [this](milliseconds d) { sleeps.push_back(d); };
    o.random = [] { return 0.5; };
    o.backoff = {milliseconds(100), milliseconds(1000)};
    return o;
  }
};

std::unique_ptr<HttpKubeClient> Client(const KubeConfig& config,
                                       HttpKubeClientOptions options = {}) {
  StatusOr<std::unique_ptr<HttpKubeClient>> client = HttpKubeClient::Create(config, options);
  EXPECT_THAT(client, IsOk());
  return client.ok() ? std::move(client).value() : nullptr;
}

TEST(HttpKubeClientTest, CreateGetUpdateAndDeleteRoundTrip) {
  FakeApiServer server;
  auto client = Client(server.Config());
  StatusOr<json> created = client->Create(kConfigMaps, "ns", ConfigMap("a", "1"));
  ASSERT_THAT(created, IsOk());
  EXPECT_EQ((*created)["metadata"]["generation"], 1);
  StatusOr<json> got = client->Get(kConfigMaps, "ns", "a");
  ASSERT_THAT(got, IsOk());
  EXPECT_EQ(Rv(*got), Rv(*created));

  json next = *got;
  next["spec"]["value"] = "2";
  StatusOr<json> updated = client->Update(kConfigMaps, "ns", next);
  ASSERT_THAT(updated, IsOk());
  EXPECT_NE(Rv(*updated), Rv(*got));
  EXPECT_EQ((*updated)["metadata"]["generation"], 2);

  json stale = *got;  // still carries the first resourceVersion
  stale["spec"]["value"] = "3";
  Status conflict = client->Update(kConfigMaps, "ns", stale).status();
  EXPECT_TRUE(IsConflict(conflict)) << conflict;
  EXPECT_THAT(conflict.message(), HasSubstr("the object has been modified"));

  DeleteOptions opts;
  opts.propagation_policy = "Background";
  EXPECT_THAT(client->Delete(kConfigMaps, "ns", "a", opts), IsOk());
  EXPECT_EQ(json::parse(server.Requests().back().body)["propagationPolicy"], "Background");
  Status gone = client->Get(kConfigMaps, "ns", "a").status();
  EXPECT_TRUE(IsNotFound(gone)) << gone;
  EXPECT_THAT(gone.message(), HasSubstr("NotFound (HTTP 404)"));
  EXPECT_TRUE(IsNotFound(client->Delete(kConfigMaps, "ns", "a", {}).status()));
}

TEST(HttpKubeClientTest, DeleteHonoursPreconditionsAndFinalizers) {
  FakeApiServer server;
  auto client = Client(server.Config());
  json object = ConfigMap("a", "1");
  object["metadata"]["finalizers"] = {"mgw/cleanup"};
  ASSERT_THAT(client->Create(kConfigMaps, "ns", object), IsOk());
  DeleteOptions stale;
  stale.precondition_resource_version = "1";
  EXPECT_TRUE(IsConflict(client->Delete(kConfigMaps, "ns", "a", stale).status()));

  StatusOr<json> deleting = client->Delete(kConfigMaps, "ns", "a", {});
  ASSERT_THAT(deleting, IsOk());
  EXPECT_TRUE((*deleting)["metadata"].contains("deletionTimestamp"));
  json last = *client->Get(kConfigMaps, "ns", "a");
  last["metadata"]["finalizers"] = json::array();
  EXPECT_THAT(client->Update(kConfigMaps, "ns", last), IsOk());
  EXPECT_TRUE(IsNotFound(client->Get(kConfigMaps, "ns", "a").status()));
}

TEST(HttpKubeClientTest, CreateWithGenerateNamePicksAName) {
  FakeApiServer server;
  auto client = Client(server.Config());
  json object = ConfigMap("", "1");
  object["metadata"].erase("name");
  object["metadata"]["generateName"] = "mg-";
  StatusOr<json> created = client->Create(kConfigMaps, "ns", object);
  ASSERT_THAT(created, IsOk());
  EXPECT_THAT((*created)["metadata"]["name"].get<std::string>(), StartsWith("mg-"));
  object["metadata"].erase("generateName");
  EXPECT_TRUE(IsInvalid(client->Create(kConfigMaps, "ns", object).status()));
}

TEST(HttpKubeClientTest, CreateOfATakenNameIsAlreadyExists) {
  FakeApiServer server;
  auto client = Client(server.Config());
  ASSERT_THAT(client->Create(kConfigMaps, "ns", ConfigMap("a", "1")), IsOk());
  Status again = client->Create(kConfigMaps, "ns", ConfigMap("a", "1")).status();
  EXPECT_TRUE(IsAlreadyExists(again)) << again;
  EXPECT_FALSE(IsConflict(again));
}

TEST(HttpKubeClientTest, InvalidObjectsAreInvalidArgumentWithTheServersMessage) {
  FakeApiServer server;
  server.SetValidator(kConfigMaps, [](const json& o) {
    return o["spec"]["value"] == "bad" ? std::string("spec.value: Invalid value: \"bad\"") : "";
  });
  auto client = Client(server.Config());
  Status s = client->Create(kConfigMaps, "ns", ConfigMap("a", "bad")).status();
  EXPECT_TRUE(IsInvalid(s));
  EXPECT_THAT(s.message(), HasSubstr("Invalid (HTTP 422): spec.value: Invalid value"));
  EXPECT_THAT(client->Update(kConfigMaps, "ns", json::object()),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("no metadata.name")));
}

TEST(HttpKubeClientTest, StatusSubresourceAndMainUpdatesTouchOnlyTheirPart) {
  FakeApiServer server;
  auto client = Client(server.Config());
  json object = *client->Create(kConfigMaps, "ns", ConfigMap("a", "1"));
  object["status"] = {{"phase", "Done"}};
  object["spec"]["value"] = "ignored";
  StatusOr<json> with_status = client->UpdateStatus(kConfigMaps, "ns", object);
  ASSERT_THAT(with_status, IsOk());
  EXPECT_EQ((*with_status)["status"]["phase"], "Done");
  EXPECT_EQ((*with_status)["spec"]["value"], "1");
  EXPECT_EQ((*with_status)["metadata"]["generation"], 1);

  json main = *with_status;
  main["status"] = {{"phase", "Overwritten"}};
  main["metadata"]["labels"] = {{"l", "v"}};
  StatusOr<json> updated = client->Update(kConfigMaps, "ns", main);
  ASSERT_THAT(updated, IsOk());
  EXPECT_EQ((*updated)["status"]["phase"], "Done");
  EXPECT_EQ((*updated)["metadata"]["labels"]["l"], "v");
  EXPECT_EQ((*updated)["metadata"]["generation"], 1);  // spec unchanged
}

TEST(HttpKubeClientTest, PatchesMergeAndJsonWithConcurrencyChecks) {
  FakeApiServer server;
  auto client = Client(server.Config());
  json created = *client->Create(kConfigMaps, "ns", ConfigMap("a", "1"));
  StatusOr<json> merged = client->Patch(kConfigMaps, "ns", "a", PatchType::kMerge,
                                        {{"metadata", {{"labels", {{"x", "y"}}}}}}, "");
  ASSERT_THAT(merged, IsOk());
  EXPECT_EQ((*merged)["metadata"]["labels"]["x"], "y");
  EXPECT_EQ(server.Requests().back().content_type, "application/merge-patch+json");

  json ops = json::array({{{"op", "test"}, {"path", "/spec/value"}, {"value", "1"}},
                          {{"op", "replace"}, {"path", "/spec/value"}, {"value", "2"}}});
  StatusOr<json> patched = client->Patch(kConfigMaps, "ns", "a", PatchType::kJson, ops, "");
  ASSERT_THAT(patched, IsOk());
  EXPECT_EQ((*patched)["spec"]["value"], "2");
  EXPECT_EQ(server.Requests().back().content_type, "application/json-patch+json");
  EXPECT_TRUE(IsInvalid(client->Patch(kConfigMaps, "ns", "a", PatchType::kJson, ops, "").status()));

  json stale = {{"metadata", {{"resourceVersion", Rv(created)}}}, {"spec", {{"value", "9"}}}};
  EXPECT_TRUE(
      IsConflict(client->Patch(kConfigMaps, "ns", "a", PatchType::kMerge, stale, "").status()));
  StatusOr<json> status =
      client->Patch(kConfigMaps, "ns", "a", PatchType::kMerge,
                    {{"status", {{"phase", "P"}}}, {"spec", {{"value", "x"}}}}, "status");
  ASSERT_THAT(status, IsOk());
  EXPECT_EQ((*status)["status"]["phase"], "P");
  EXPECT_EQ((*status)["spec"]["value"], "2");
}

TEST(HttpKubeClientTest, ListPagesWithLimitAndContinue) {
  FakeApiServer server;
  auto client = Client(server.Config());
  for (const char* name : {"a", "b", "c", "d", "e"}) {
    ASSERT_THAT(client->Create(kConfigMaps, "ns", ConfigMap(name, "v")), IsOk());
  }
  json elsewhere = ConfigMap("z", "v");
  elsewhere["metadata"].erase("namespace");
  ASSERT_THAT(client->Create(kConfigMaps, "other", elsewhere), IsOk());
  ListOptions page;
  page.ns = "ns";
  page.limit = 2;
  StatusOr<json> first = client->List(kConfigMaps, page);
  ASSERT_THAT(first, IsOk());
  EXPECT_EQ((*first)["items"].size(), 2u);
  EXPECT_FALSE((*first)["metadata"]["continue"].get<std::string>().empty());

  int before = server.CountRequests("GET", false);
  StatusOr<ObjectList> all = ListAll(*client, kConfigMaps, page);
  ASSERT_THAT(all, IsOk());
  ASSERT_EQ(all->items.size(), 5u);
  EXPECT_EQ(all->items[4]["metadata"]["name"], "e");
  EXPECT_EQ(server.CountRequests("GET", false) - before, 3);

  StatusOr<ObjectList> everywhere = ListAll(*client, kConfigMaps, {});
  ASSERT_THAT(everywhere, IsOk());
  EXPECT_EQ(everywhere->items.size(), 6u);
  ListOptions one;
  one.field_selector = "metadata.name=z";
  EXPECT_EQ(ListAll(*client, kConfigMaps, one)->items.size(), 1u);
}

TEST(HttpKubeClientTest, ReadsRetryOn503And429WithJitteredBackoffAndRetryAfter) {
  FakeApiServer server;
  server.Apply(kImages, {{"kind", "MustGatherImage"}, {"metadata", {{"name", "cluster"}}}});
  RecordedSleeps rec;
  auto client = Client(server.Config(), rec.Options());
  server.FailNext(2, 503);
  EXPECT_THAT(client->Get(kImages, "", "cluster"), IsOk());
  EXPECT_THAT(rec.sleeps, ElementsAre(milliseconds(75), milliseconds(150)));
  server.FailNext(1, 429, "", 3);
  EXPECT_THAT(client->List(kImages, {}), IsOk());
  EXPECT_EQ(rec.sleeps.back(), milliseconds(3000));
}

TEST(HttpKubeClientTest, ReadsGiveUpAfterTheLastAttemptAndOtherErrorsAreNotRetried) {
  FakeApiServer server;
  RecordedSleeps rec;
  HttpKubeClientOptions options = rec.Options();
  options.max_read_attempts = 3;
  auto client = Client(server.Config(), options);
  server.FailNext(10, 503);
  Status s = client->Get(kImages, "", "cluster").status();
  EXPECT_TRUE(IsTransient(s)) << s;
  EXPECT_EQ(server.CountRequests("GET", false), 3);
  EXPECT_EQ(rec.sleeps.size(), 2u);
  server.FailNext(1, 500);
  EXPECT_THAT(client->Get(kImages, "", "cluster"), StatusIs(StatusCode::kUnavailable));
  EXPECT_EQ(server.CountRequests("GET", false), 4);
}

TEST(HttpKubeClientTest, WritesAreNeverRetried) {
  FakeApiServer server;
  RecordedSleeps rec;
  auto client = Client(server.Config(), rec.Options());
  server.FailNext(1, 503, "POST");
  EXPECT_TRUE(IsTransient(client->Create(kConfigMaps, "ns", ConfigMap("a", "1")).status()));
  EXPECT_EQ(server.CountRequests("POST", false), 1);
  EXPECT_TRUE(rec.sleeps.empty());
  EXPECT_FALSE(server.Object(kConfigMaps, "ns", "a").has_value());
}

TEST(HttpKubeClientTest, AnUnreachableServerIsUnavailableAfterRetries) {
  int port = 0;
  KubeConfig config;
  {
    FakeApiServer gone;
    port = gone.port();
    config = gone.Config();
  }
  RecordedSleeps rec;
  auto client = Client(config, rec.Options());
  EXPECT_THAT(client->Get(kImages, "", "cluster"),
              StatusIs(StatusCode::kUnavailable,
                       HasSubstr("cannot reach the API server at https://127.0.0.1:" +
                                 std::to_string(port))));
  EXPECT_EQ(rec.sleeps.size(), 4u);  // five attempts
}

TEST(HttpKubeClientTest, TheServerCertificateMustChainToTheCaAndNameTheHost) {
  FakeApiServer server;
  KubeConfig wrong_ca = server.Config();
  wrong_ca.ca_pem = mgw::testing::TestCa::CreateRoot("another CA").cert_pem();
  RecordedSleeps rec;
  auto untrusted = Client(wrong_ca, rec.Options());
  EXPECT_THAT(untrusted->Get(kImages, "", "cluster"),
              StatusIs(StatusCode::kUnavailable, HasSubstr("TLS handshake failed")));

  FakeApiServerOptions other_name;
  other_name.server_cert.dns_names = {"api.example"};
  other_name.server_cert.ip_addresses = {};
  FakeApiServer misnamed(other_name);
  auto client = Client(misnamed.Config(), rec.Options());
  EXPECT_THAT(client->Get(kImages, "", "cluster"),
              StatusIs(StatusCode::kUnavailable, HasSubstr("TLS handshake failed")));
  EXPECT_EQ(misnamed.Requests().size(), 0u);
}

TEST(HttpKubeClientTest, SendsTheBearerToken) {
  FakeApiServerOptions options;
  options.bearer_token = "secret";
  FakeApiServer server(options);
  auto good = Client(server.Config("secret"));
  EXPECT_TRUE(IsNotFound(good->Get(kImages, "", "cluster").status()));
  EXPECT_EQ(server.Requests().back().authorization, "Bearer secret");
  auto bad = Client(server.Config("wrong"));
  EXPECT_THAT(bad->Get(kImages, "", "cluster"), StatusIs(StatusCode::kUnauthenticated));
}

TEST(HttpKubeClientTest, RereadsARotatedTokenFileAfterA401) {
  FakeApiServerOptions options;
  options.bearer_token = "one";
  FakeApiServer server(options);
  std::map<std::string, std::string> files = {{"/token", "one\n"}};
  KubeConfig config = server.Config();
  config.token_file = "/token";
  HttpKubeClientOptions client_options;
  client_options.files = [&](const std::string& p) -> StatusOr<std::string> { return files[p]; };
  client_options.token_clock = [] { return std::chrono::steady_clock::time_point(); };
  auto client = Client(config, client_options);
  EXPECT_TRUE(IsNotFound(client->Get(kImages, "", "cluster").status()));
  server.SetBearerToken("two");
  files["/token"] = "two\n";
  EXPECT_THAT(client->Create(kConfigMaps, "ns", ConfigMap("a", "1")), IsOk());
  std::vector<FakeRequest> requests = server.Requests();
  ASSERT_EQ(requests.size(), 3u);
  EXPECT_EQ(requests[1].status, 401);
  EXPECT_EQ(requests[2].authorization, "Bearer two");
}

TEST(HttpKubeClientTest, PresentsAClientCertificate) {
  FakeApiServerOptions options;
  options.require_client_cert = true;
  FakeApiServer server(options);
  mgw::testing::LeafSpec spec;
  spec.common_name = "system:serviceaccount:mgw:webhook";
  mgw::testing::Credential cred = server.ca().IssueClient(spec);
  KubeConfig config = server.Config();
  config.client_cert_pem = cred.cert_pem;
  config.client_key_pem = cred.key_pem;
  auto client = Client(config);
  EXPECT_TRUE(IsNotFound(client->Get(kImages, "", "cluster").status()));
  RecordedSleeps rec;
  auto anonymous = Client(server.Config(), rec.Options());
  EXPECT_THAT(anonymous->Get(kImages, "", "cluster"), StatusIs(StatusCode::kUnavailable));
}

TEST(HttpKubeClientTest, CreateRejectsUnusableTlsMaterial) {
  KubeConfig config;
  config.server = "https://127.0.0.1:1";
  config.ca_pem = "not a certificate";
  EXPECT_THAT(HttpKubeClient::Create(config),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("no PEM certificate")));
  mgw::testing::TestCa ca = mgw::testing::TestCa::CreateRoot();
  config.ca_pem = ca.cert_pem();
  config.client_cert_pem = ca.IssueClient({}).cert_pem;
  config.client_key_pem = ca.IssueClient({}).key_pem;
  EXPECT_THAT(HttpKubeClient::Create(config),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("does not belong")));
  config.server = "http://127.0.0.1";
  EXPECT_THAT(HttpKubeClient::Create(config), StatusIs(StatusCode::kInvalidArgument));
}

TEST(HttpKubeClientTest, PrefixesRequestsWithTheServersBasePath) {
  FakeApiServer server;
  KubeConfig config = server.Config();
  config.server += "/k8s/clusters/c1";
  auto client = Client(config);
  EXPECT_TRUE(IsNotFound(client->Get(kImages, "", "cluster").status()));
  EXPECT_THAT(server.Requests().back().path, StartsWith("/k8s/clusters/c1/apis/"));
}

}  // namespace
}  // namespace mgw
