// The trusted CA bundle: the flag's form, the Job's volume and mounts, the copy's shape
// (pure), and the executor making and sharing the copy against the fake API server.
#include "mgw/reconcile/trusted_ca.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "mgw/reconcile/job_template.h"
#include "mgw/reconcile/plan_executor.h"
#include "mgw/sources/cluster_allowlist_source.h"
#include "mgw/sources/pvc_cache.h"
#include "support/fake_apiserver.h"
#include "support/reconcile_fixtures.h"
#include "support/status_matchers.h"

namespace mgw {
namespace {

using ::mgw::testing::FakeApiServer;
using ::mgw::testing::IsOk;
using ::mgw::testing::kTestNamespace;
using ::mgw::testing::MustGatherObject;
using ::mgw::testing::PvcObject;
using ::mgw::testing::StatusIs;
using nlohmann::json;
using ::testing::HasSubstr;

constexpr char kHome[] = "mustgather-webhook";
constexpr char kBundle[] = "trusted-ca-bundle";

json SourceConfigMap(const std::string& pem = "-----BEGIN CERTIFICATE-----\n...") {
  return {{"apiVersion", "v1"},
          {"kind", "ConfigMap"},
          {"metadata",
           {{"name", kBundle},
            {"namespace", kHome},
            {"labels", {{"config.openshift.io/inject-trusted-cabundle", "true"}}}}},
          {"data", {{"ca-bundle.crt", pem}}}};
}

json WithUid(json mg, const std::string& uid) {
  mg["metadata"]["uid"] = uid;
  return mg;
}

TEST(TrustedCaTest, SourceIsNamespaceSlashName) {
  StatusOr<TrustedCaSource> s = ParseTrustedCaSource("mustgather-webhook/trusted-ca-bundle");
  ASSERT_THAT(s, IsOk());
  EXPECT_EQ(s->ns, kHome);
  EXPECT_EQ(s->name, kBundle);
  EXPECT_FALSE(ParseTrustedCaSource("")->Enabled());
  for (const char* bad : {"trusted-ca-bundle", "/name", "ns/", "NS/name", "ns/a/b", "ns/Bad"}) {
    EXPECT_THAT(ParseTrustedCaSource(bad),
                StatusIs(StatusCode::kInvalidArgument, HasSubstr("NAMESPACE/NAME")))
        << bad;
  }
}

TEST(TrustedCaTest, EveryContainerMountsTheBundleAndOnlyTheUploadIsToldToTrustIt) {
  json pod = {{"containers",
               {{{"name", "gather"}, {"volumeMounts", json::array()}},
                {{"name", "upload"}, {"volumeMounts", json::array()}}}},
              {"volumes", json::array()}};
  MountTrustedCa(pod, kBundle);
  EXPECT_EQ(pod["volumes"].back(),
            json({{"name", "trusted-ca"}, {"configMap", {{"name", kBundle}, {"optional", true}}}}));
  json mount = {{"name", "trusted-ca"}, {"mountPath", "/etc/pki/tls/certs"}, {"readOnly", true}};
  for (const json& c : pod["containers"]) EXPECT_EQ(c["volumeMounts"].back(), mount);
  EXPECT_FALSE(pod["containers"][0].contains("env"));
  EXPECT_EQ(
      pod["containers"][1]["env"],
      json::parse(R"([{"name":"SSL_CERT_FILE","value":"/etc/pki/tls/certs/ca-bundle.crt"}])"));
}

TEST(TrustedCaTest, TheCopyIsOwnedByEachMustGatherThatUsesIt) {
  json first = WithUid(MustGatherObject("mg-1"), "uid-1");
  std::optional<json> copy = TrustedCaCopy(SourceConfigMap(), nullptr, first);
  ASSERT_TRUE(copy.has_value());
  EXPECT_EQ((*copy)["metadata"]["namespace"], kTestNamespace);
  EXPECT_EQ((*copy)["metadata"]["name"], kBundle);
  EXPECT_EQ((*copy)["metadata"]["labels"],
            json({{"config.openshift.io/inject-trusted-cabundle", "true"},
                  {"app.kubernetes.io/managed-by", "mustgather-webhook"}}));
  EXPECT_EQ((*copy)["data"], SourceConfigMap()["data"]);
  json owner = {{"apiVersion", "operator.openshift.io/v1alpha1"},
                {"kind", "MustGather"},
                {"name", "mg-1"},
                {"uid", "uid-1"}};
  EXPECT_EQ((*copy)["metadata"]["ownerReferences"], json::array({owner}));
  // Nothing to write again for the same MustGather and bundle.
  EXPECT_FALSE(TrustedCaCopy(SourceConfigMap(), &*copy, first).has_value());
  // A second MustGather is added as an owner; a new bundle replaces the data.
  std::optional<json> shared =
      TrustedCaCopy(SourceConfigMap("new"), &*copy, WithUid(MustGatherObject("mg-2"), "uid-2"));
  ASSERT_TRUE(shared.has_value());
  EXPECT_EQ((*shared)["metadata"]["ownerReferences"].size(), 2u);
  EXPECT_EQ((*shared)["data"]["ca-bundle.crt"], "new");
}

TEST(TrustedCaTest, AConfigMapWeDidNotMakeIsLeftAlone) {
  json foreign = SourceConfigMap("someone else's");
  foreign["metadata"]["namespace"] = kTestNamespace;
  EXPECT_FALSE(TrustedCaCopy(SourceConfigMap(), &foreign, MustGatherObject("mg")).has_value());
}

// The executor: the copy is made before the Job, which mounts it.
class TrustedCaExecutorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    client_ = testing::ClientFor(server_);
    server_.Apply(PersistentVolumeClaimsGvr(), PvcObject("mg-artifacts", "Bound"));
  }

  StatusOr<std::optional<std::chrono::seconds>> Reconcile(const std::string& name) {
    auto frozen = [this](Gvr gvr, std::function<json(json)> transform, std::string labels) {
      return testing::FrozenInformer(*client_, std::move(gvr), std::move(transform),
                                     std::move(labels));
    };
    mustgathers_ = frozen(MustGathersGvr(), NormalizeMustGather, "");
    jobs_ = frozen(JobsGvr(), TrimJob, "app.kubernetes.io/managed-by=mustgather-webhook");
    pvcs_ = frozen(PersistentVolumeClaimsGvr(), TrimClaim, "");
    ExecutorOptions o;
    o.trusted_ca = {kHome, kBundle};
    o.job_config.trusted_ca_configmap = kBundle;
    o.log = [this](spdlog::level::level_enum, std::string_view msg, const json&) {
      log_ += std::string(msg) + "\n";
    };
    PlanExecutor executor(
        *client_,
        ReconcileCaches{mustgathers_.get(), jobs_.get(), pvcs_.get(), nullptr, &allowlist_}, o);
    return executor.Reconcile(kTestNamespace, name);
  }

  std::optional<json> Copy() const {
    return server_.Object(ConfigMapsGvr(), kTestNamespace, kBundle);
  }

  std::optional<json> Job(const std::string& name) const {
    return server_.Object(JobsGvr(), kTestNamespace, name);
  }

  FakeApiServer server_;
  std::unique_ptr<HttpKubeClient> client_;
  std::unique_ptr<Informer> mustgathers_, jobs_, pvcs_;
  MutableAllowlistSource allowlist_{NotConfiguredAllowlist("no MustGatherImage (test)")};
  std::string log_;
};

TEST_F(TrustedCaExecutorTest, CopiesTheBundleForEachMustGatherAndMountsIt) {
  server_.Apply(ConfigMapsGvr(), SourceConfigMap());
  server_.Apply(MustGathersGvr(), MustGatherObject("mg-1"));
  server_.Apply(MustGathersGvr(), MustGatherObject("mg-2"));
  ASSERT_THAT(Reconcile("mg-1"), IsOk());
  std::optional<json> copy = Copy();
  ASSERT_TRUE(copy.has_value());
  EXPECT_EQ((*copy)["data"], SourceConfigMap()["data"]);
  EXPECT_EQ((*copy)["metadata"]["ownerReferences"].size(), 1u);
  std::optional<json> job = Job("mg-1");
  ASSERT_TRUE(job.has_value());
  EXPECT_THAT((*job)["spec"]["template"]["spec"]["volumes"].dump(),
              HasSubstr(R"({"configMap":{"name":"trusted-ca-bundle","optional":true})"));
  ASSERT_THAT(Reconcile("mg-2"), IsOk());
  EXPECT_EQ((*Copy())["metadata"]["ownerReferences"].size(), 2u);
  EXPECT_TRUE(Job("mg-2").has_value());
}

TEST_F(TrustedCaExecutorTest, WithoutTheSourceTheJobIsStillMade) {
  server_.Apply(MustGathersGvr(), MustGatherObject("mg"));
  ASSERT_THAT(Reconcile("mg"), IsOk());
  EXPECT_FALSE(Copy().has_value());
  EXPECT_TRUE(Job("mg").has_value());
  EXPECT_THAT(log_, HasSubstr("trusted CA ConfigMap not found"));
}

TEST_F(TrustedCaExecutorTest, AForeignConfigMapOfThatNameIsNotTouched) {
  server_.Apply(ConfigMapsGvr(), SourceConfigMap());
  json foreign = SourceConfigMap("someone else's");
  foreign["metadata"]["namespace"] = kTestNamespace;
  foreign["metadata"].erase("labels");
  server_.Apply(ConfigMapsGvr(), foreign);
  server_.Apply(MustGathersGvr(), MustGatherObject("mg"));
  ASSERT_THAT(Reconcile("mg"), IsOk());
  EXPECT_EQ((*Copy())["data"]["ca-bundle.crt"], "someone else's");
  EXPECT_FALSE((*Copy())["metadata"].contains("ownerReferences"));
  EXPECT_TRUE(Job("mg").has_value());
  EXPECT_THAT(log_, HasSubstr("left as it is"));
}

}  // namespace
}  // namespace mgw
