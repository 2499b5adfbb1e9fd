#include "mgw/reconcile/job_template.h"

#include <cctype>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "mgw/manifest/manifest.h"
#include "mgw/rules/k8s_names.h"
#include "support/status_matchers.h"

namespace mgw {
namespace {

using ::mgw::testing::IsOk;
using ::mgw::testing::StatusIs;
using nlohmann::json;
using ::testing::HasSubstr;

const std::string kData = std::string(MGW_SOURCE_DIR) + "/test/testdata/job_template/";
const std::string kExampleUid = "1b4e28ba-2fa1-11d2-883f-0016d3cca427";
const std::string kRunDir = "must-gather.local.3f0f5e7d2a11.20260617T143025Z.000042";
const RunSettings kRun{kRunDir, {}};

JobConfig Config() {
  JobConfig config;
  config.self_image = "quay.io/example/mustgather-webhook:0.1.0";
  return config;
}

bool UpdatingGoldens() { return std::getenv("MGW_UPDATE_GOLDENS") != nullptr; }

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

json MustGather() {
  return json::parse(R"({
    "apiVersion": "operator.openshift.io/v1alpha1",
    "kind": "MustGather",
    "metadata": {"name": "network-debug", "namespace": "must-gather",
                 "uid": "0b9d2c4e-5a4f-4a43-9b1c-3f0f5e7d2a11", "generation": 1},
    "spec": {
      "serviceAccountRef": {"name": "must-gather-admin"},
      "mustGatherTimeout": "30m",
      "storage": {"type": "PersistentVolume",
                  "persistentVolume": {"claim": {"name": "mg-artifacts"},
                                       "subPath": "runs/2025-09-01T12-00Z"}}
    }
  })");
}

json With(const json& merge_patch) {
  json mg = MustGather();
  mg.merge_patch(merge_patch);
  return mg;
}

json Render(const json& mg) {
  StatusOr<json> job = RenderGatherJob(mg, Config(), kRun);
  EXPECT_THAT(job, IsOk());
  return job.ok() ? *job : json();
}

const json& Pod(const json& job) { return job["spec"]["template"]["spec"]; }

// ---- Golden documents: test/testdata/job_template/<case>.{mustgather,job}.json ----

// Compares `actual` with the golden at `path`; MGW_UPDATE_GOLDENS=1 rewrites it.
void ExpectGoldenJson(const json& actual, const std::string& path) {
  if (UpdatingGoldens()) {
    std::ofstream(path, std::ios::binary) << actual.dump(2) << "\n";
    return;
  }
  std::string text = ReadFile(path);
  ASSERT_FALSE(text.empty()) << "missing golden " << path << "; run with MGW_UPDATE_GOLDENS=1";
  EXPECT_EQ(actual, json::parse(text))
      << "golden " << path << " differs; if intended, regenerate with MGW_UPDATE_GOLDENS=1\n"
      << actual.dump(2);
}

TEST(JobTemplateTest, MatchesGoldenDocuments) {
  for (std::string name : {"subpath", "no-subpath", "custom-image-timeout", "long-name",
                           "several-images", "audit", "upload", "upload-several-images"}) {
    SCOPED_TRACE(name);
    json mg = json::parse(ReadFile(kData + name + ".mustgather.json"));
    StatusOr<json> job =
        RenderGatherJob(mg, Config(), {kRunDir, ResolveProxy(mg, nullptr, ProxySettings{})});
    ASSERT_THAT(job, IsOk());
    ExpectGoldenJson(*job, kData + name + ".job.json");
  }
  // The proxy golden: the resolved proxy reaches every container.
  json mg = json::parse(ReadFile(kData + "proxy.mustgather.json"));
  const json cluster = {{"status",
                         {{"httpProxy", "http://proxy.internal:3128"},
                          {"httpsProxy", "http://proxy.internal:3128"},
                          {"noProxy", ".cluster.local,.svc,10.0.0.0/16"}}}};
  RunSettings run{kRunDir, ResolveProxy(mg, &cluster, ProxySettings{})};
  StatusOr<json> job = RenderGatherJob(mg, Config(), run);
  ASSERT_THAT(job, IsOk());
  ExpectGoldenJson(*job, kData + "proxy.job.json");
  // The trusted CA golden: the upload MustGather with --trusted-ca-configmap.
  JobConfig with_ca = Config();
  with_ca.trusted_ca_configmap = "trusted-ca-bundle";
  mg = json::parse(ReadFile(kData + "upload.mustgather.json"));
  job = RenderGatherJob(mg, with_ca, {kRunDir, ResolveProxy(mg, nullptr, ProxySettings{})});
  ASSERT_THAT(job, IsOk());
  ExpectGoldenJson(*job, kData + "upload-trusted-ca.job.json");
}

// ---- Field by field ----

TEST(JobTemplateTest, NamesOwnsAndLabelsTheJob) {
  json job = Render(MustGather());
  EXPECT_EQ(job["apiVersion"], "batch/v1");
  EXPECT_EQ(job["kind"], "Job");
  EXPECT_EQ(job["metadata"]["name"], "network-debug");
  EXPECT_EQ(job["metadata"]["namespace"], "must-gather");
  EXPECT_EQ(job["metadata"]["ownerReferences"], json::parse(R"([{
    "apiVersion": "operator.openshift.io/v1alpha1", "kind": "MustGather",
    "name": "network-debug", "uid": "0b9d2c4e-5a4f-4a43-9b1c-3f0f5e7d2a11",
    "controller": true, "blockOwnerDeletion": true}])"));
  json labels = {{"app.kubernetes.io/managed-by", "mustgather-webhook"},
                 {"operator.openshift.io/mustgather", "network-debug"},
                 {"operator.openshift.io/mustgather-uid", "0b9d2c4e-5a4f-4a43-9b1c-3f0f5e7d2a11"}};
  EXPECT_EQ(job["metadata"]["labels"], labels);
  EXPECT_EQ(job["spec"]["template"]["metadata"]["labels"], labels);
  EXPECT_TRUE(IsControlledBy(job, "0b9d2c4e-5a4f-4a43-9b1c-3f0f5e7d2a11"));
}

TEST(JobTemplateTest, RunsTheGatherOnceWithTheConfiguredLimits) {
  json job = Render(MustGather());
  EXPECT_EQ(job["spec"]["backoffLimit"], 3);
  EXPECT_EQ(job["spec"]["activeDeadlineSeconds"], 1800);
  EXPECT_EQ(Pod(job)["restartPolicy"], "Never");
  EXPECT_EQ(Pod(job)["serviceAccountName"], "must-gather-admin");
  EXPECT_EQ(Pod(job)["securityContext"],
            json::parse(R"({"seccompProfile": {"type": "RuntimeDefault"}})"));
  ASSERT_EQ(Pod(job)["containers"].size(), 1u);
  const json& c = Pod(job)["containers"][0];
  EXPECT_EQ(c["name"], "gather");
  EXPECT_EQ(c["image"], "quay.io/openshift/origin-must-gather:latest");
  EXPECT_EQ(c["command"][0], "/bin/bash");
  EXPECT_THAT(c["command"][2].get<std::string>(), HasSubstr("/usr/bin/gather"));
  EXPECT_THAT(c["command"][2].get<std::string>(), HasSubstr("pipefail"));
  EXPECT_EQ(
      c["securityContext"],
      json::parse(R"({"allowPrivilegeEscalation": false, "capabilities": {"drop": ["ALL"]}})"));
  EXPECT_FALSE(c["securityContext"].contains("runAsUser"));
  EXPECT_EQ(c["resources"], json::parse(R"({"requests": {"cpu": "100m", "memory": "256Mi"}})"));
  EXPECT_FALSE(c["resources"].contains("limits"));

  JobConfig config;
  config.backoff_limit = 0;
  config.default_service_account = "gatherer";
  StatusOr<json> custom =
      RenderGatherJob(With({{"spec", {{"serviceAccountRef", nullptr}}}}), config, kRun);
  ASSERT_THAT(custom, IsOk());
  EXPECT_EQ((*custom)["spec"]["backoffLimit"], 0);
  EXPECT_EQ(Pod(*custom)["serviceAccountName"], "gatherer");
  EXPECT_EQ(Pod(Render(With({{"spec", {{"serviceAccountRef", nullptr}}}})))["serviceAccountName"],
            "default");
}

TEST(JobTemplateTest, MountsThePvcAtMustGatherWithTheSubPath) {
  json job = Render(MustGather());
  EXPECT_EQ(Pod(job)["volumes"], json::parse(R"([{"name": "must-gather-output",
      "persistentVolumeClaim": {"claimName": "mg-artifacts"}}])"));
  EXPECT_EQ(Pod(job)["containers"][0]["volumeMounts"],
            json({{{"name", "must-gather-output"},
                   {"mountPath", "/must-gather"},
                   {"subPath", "runs/2025-09-01T12-00Z/" + kRunDir}}}));
  EXPECT_EQ(job["metadata"]["annotations"],
            json({{"operator.openshift.io/output-path", "runs/2025-09-01T12-00Z/" + kRunDir}}));
  for (json sub : {json(nullptr), json(""), json("/")}) {
    json plain =
        Render(With({{"spec", {{"storage", {{"persistentVolume", {{"subPath", sub}}}}}}}}));
    EXPECT_EQ(Pod(plain)["containers"][0]["volumeMounts"], json({{{"name", "must-gather-output"},
                                                                  {"mountPath", "/must-gather"},
                                                                  {"subPath", kRunDir}}}));
  }
}

// Two runs of the same MustGather spec never share a directory.
TEST(JobTemplateTest, EachRunHasItsOwnDirectory) {
  RunSettings other{"must-gather.local.3f0f5e7d2a11.20260617T143026Z.000043", {}};
  StatusOr<json> a = RenderGatherJob(MustGather(), Config(), kRun);
  StatusOr<json> b = RenderGatherJob(MustGather(), Config(), other);
  ASSERT_THAT(a, IsOk());
  ASSERT_THAT(b, IsOk());
  EXPECT_NE(Pod(*a)["containers"][0]["volumeMounts"], Pod(*b)["containers"][0]["volumeMounts"]);
  for (const char* bad : {"", "a/b"}) {
    EXPECT_THAT(RenderGatherJob(MustGather(), Config(), RunSettings{bad, {}}),
                StatusIs(StatusCode::kInvalidArgument, HasSubstr("run directory")));
  }
}

TEST(JobTemplateTest, PrefersAndToleratesInfraNodes) {
  json pod = Pod(Render(MustGather()));
  EXPECT_EQ(pod["affinity"], json::parse(R"({"nodeAffinity": {
      "preferredDuringSchedulingIgnoredDuringExecution": [{"weight": 1, "preference":
      {"matchExpressions": [{"key": "node-role.kubernetes.io/infra", "operator": "Exists"}]}}]}})"));
  EXPECT_EQ(pod["tolerations"], json::parse(R"([{"key": "node-role.kubernetes.io/infra",
      "operator": "Exists", "effect": "NoSchedule"}])"));
}

TEST(JobTemplateTest, AuditRunsTheAuditScript) {
  json job = Render(With({{"spec", {{"additionalConfig", {{"audit", true}}}}}}));
  EXPECT_THAT(Pod(job)["containers"][0]["command"][2].get<std::string>(),
              HasSubstr("/usr/bin/gather_audit_logs 2>&1"));
}

json UploadSpec() {
  return {{"uploadTarget",
           {{"type", "SFTP"},
            {"sftp",
             {{"caseID", "01234567"},
              {"caseManagementAccountSecretRef", {{"name", "case-creds"}}},
              {"host", "sftp.access.redhat.com"},
              {"internalUser", false}}}}}};
}

// With an upload, the timeout moves into the gather script so the upload still runs, and
// a failed container fails the Job at once instead of a retry that would upload twice.
TEST(JobTemplateTest, UploadKeepsRunningAfterTheGatherTimesOut) {
  json job = Render(With({{"spec", UploadSpec()}}));
  EXPECT_FALSE(job["spec"].contains("activeDeadlineSeconds"));
  EXPECT_EQ(job["spec"]["podFailurePolicy"], UploadPodFailurePolicy());
  ASSERT_EQ(Pod(job)["containers"].size(), 2u);
  EXPECT_THAT(Pod(job)["containers"][0]["command"][2].get<std::string>(),
              HasSubstr("timeout 1800 /usr/bin/gather"));
  EXPECT_EQ(Pod(job)["containers"][1]["name"], "upload");
  EXPECT_EQ(Pod(job)["containers"][1]["image"], Config().self_image);
  EXPECT_EQ(job["metadata"]["annotations"]["operator.openshift.io/upload-file"],
            "01234567_" + kRunDir + ".tar.gz");
  EXPECT_THAT(RenderGatherJob(With({{"spec", UploadSpec()}}), JobConfig(), kRun),
              StatusIs(StatusCode::kFailedPrecondition, HasSubstr("MGW_SELF_IMAGE")));
}

TEST(JobTemplateTest, DeadlineIsTheTimeoutRoundedUpToSeconds) {
  const std::pair<std::string, int64_t> cases[] = {{"1s", 1},     {"1.5s", 2},     {"1ns", 1},
                                                   {"90m", 5400}, {"1h30m", 5400}, {"10h", 36000}};
  for (const auto& [timeout, want] : cases) {
    json job = Render(With({{"spec", {{"mustGatherTimeout", timeout}}}}));
    EXPECT_EQ(job["spec"]["activeDeadlineSeconds"], want) << timeout;
  }
  json none = Render(With({{"spec", {{"mustGatherTimeout", nullptr}}}}));
  EXPECT_FALSE(none["spec"].contains("activeDeadlineSeconds"));
}

TEST(JobTemplateTest, OneContainerPerImageEachInItsOwnDirectory) {
  json mg = With({{"spec",
                   {{"mustGatherImage", "quay.io/acme/a:v1"},
                    {"images", {"quay.io/acme/b:v1", "quay.io/acme/a:v1", "quay.io/acme/c:v1"}}}}});
  EXPECT_EQ(
      GatherImages(mg, "default"),
      (std::vector<std::string>{"quay.io/acme/a:v1", "quay.io/acme/b:v1", "quay.io/acme/c:v1"}));
  json job = Render(mg);
  const json& containers = Pod(job)["containers"];
  ASSERT_EQ(containers.size(), 3u);
  const char* names[] = {"gather", "gather-1", "gather-2"};
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(containers[i]["name"], names[i]);
    EXPECT_EQ(containers[i]["volumeMounts"][0]["mountPath"], "/must-gather");
    EXPECT_EQ(containers[i]["volumeMounts"][0]["subPath"],
              "runs/2025-09-01T12-00Z/" + kRunDir + "/" + names[i]);
    EXPECT_EQ(containers[i]["command"], containers[0]["command"]);
  }
  json no_sub = Render(With({{"spec",
                              {{"images", {"quay.io/acme/b:v1", "quay.io/acme/c:v1"}},
                               {"storage", {{"persistentVolume", {{"subPath", "trailing/"}}}}}}}}));
  EXPECT_EQ(Pod(no_sub)["containers"][1]["volumeMounts"][0]["subPath"],
            "trailing/" + kRunDir + "/gather-1");
  EXPECT_EQ(GatherImages(MustGather(), "dflt"), std::vector<std::string>{"dflt"});
}

// ---- Names: what kube-apiserver validates ----

bool IsLabelValue(const std::string& s) {
  if (s.size() > 63) return false;
  if (s.empty()) return true;
  auto alnum = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; };
  for (char c : s) {
    if (!alnum(c) && c != '-' && c != '_' && c != '.') return false;
  }
  return alnum(s.front()) && alnum(s.back());
}

TEST(JobTemplateTest, EveryNameAndLabelPassesApiServerValidation) {
  std::string max_name;
  while (max_name.size() < 253) max_name += "abcdefghi.";
  max_name.resize(253);
  max_name.back() = 'z';
  ASSERT_TRUE(IsDns1123Subdomain(max_name));
  for (const std::string& name : {std::string("a"), std::string(63, 'a'), std::string(64, 'a'),
                                  std::string(52, 'a') + "-" + std::string(20, 'b'),
                                  std::string(51, 'a') + ".b" + std::string(20, 'c'), max_name}) {
    SCOPED_TRACE(name);
    json job = Render(With({{"metadata", {{"name", name}}},
                            {"spec", {{"images", {"quay.io/x/y:1", "quay.io/x/z:1"}}}}}));
    std::string job_name = job["metadata"]["name"];
    EXPECT_LE(job_name.size(), 63u);
    EXPECT_TRUE(IsDns1123Subdomain(job_name));
    EXPECT_EQ(job["metadata"]["ownerReferences"][0]["name"], name);
    for (const json* labels :
         {&job["metadata"]["labels"], &job["spec"]["template"]["metadata"]["labels"]}) {
      for (const auto& [key, value] : labels->items()) {
        EXPECT_TRUE(IsLabelValue(value.get<std::string>())) << key << "=" << value;
      }
    }
    for (const json& c : Pod(job)["containers"])
      EXPECT_TRUE(IsDns1123Label(c["name"].get<std::string>()));
  }
}

TEST(JobTemplateTest, ShortensLongNamesDeterministically) {
  std::string a = std::string(60, 'a') + "-one";
  std::string b = std::string(60, 'a') + "-two";
  EXPECT_EQ(GatherJobName("network-debug"), "network-debug");
  EXPECT_EQ(GatherJobName(std::string(63, 'x')), std::string(63, 'x'));
  EXPECT_EQ(GatherJobName(a), GatherJobName(a));
  EXPECT_NE(GatherJobName(a), GatherJobName(b));
  EXPECT_EQ(GatherJobName(a).size(), 63u);
  EXPECT_EQ(GatherJobName(a).substr(0, 53), std::string(52, 'a') + "-");
  // A cut that would end on '-' or '.' backs off so the name stays a valid subdomain.
  std::string dash = std::string(51, 'a') + "-" + std::string(20, 'b');
  EXPECT_EQ(GatherJobName(dash).substr(0, 52), std::string(51, 'a') + "-");
  EXPECT_NE(GatherJobName(dash)[51], GatherJobName(dash)[52]);
  EXPECT_TRUE(IsDns1123Subdomain(GatherJobName(dash)));
  // Pins the hash (FNV-1a 64, computed independently) so Job names never change between
  // versions: a changed name would make an upgraded reconciler miss its running Jobs.
  EXPECT_EQ(GatherJobName(std::string(64, 'a')), std::string(52, 'a') + "-db007849f3");
}

TEST(JobTemplateTest, RejectsWhatWouldNotMakeAValidJob) {
  struct Case {
    std::string name;
    json patch;
    std::string want;
  };
  const Case cases[] = {
      {"no name", {{"metadata", {{"name", nullptr}}}}, "metadata.name"},
      {"bad name", {{"metadata", {{"name", "Bad_Name"}}}}, "metadata.name"},
      {"name not a string", {{"metadata", {{"name", 7}}}}, "metadata.name"},
      {"no namespace", {{"metadata", {{"namespace", nullptr}}}}, "metadata.namespace"},
      {"dotted namespace", {{"metadata", {{"namespace", "a.b"}}}}, "metadata.namespace"},
      {"no uid", {{"metadata", {{"uid", nullptr}}}}, "metadata.uid"},
      {"uid not a label value", {{"metadata", {{"uid", "a/b"}}}}, "metadata.uid"},
      {"no claim",
       {{"spec", {{"storage", {{"persistentVolume", {{"claim", nullptr}}}}}}}},
       "claim.name"},
      {"bad service account",
       {{"spec", {{"serviceAccountRef", {{"name", "A"}}}}}},
       "serviceAccount"},
      {"bad timeout", {{"spec", {{"mustGatherTimeout", "soon"}}}}, "spec.mustGatherTimeout"},
      {"zero timeout", {{"spec", {{"mustGatherTimeout", "0s"}}}}, "must be positive"},
      {"negative timeout", {{"spec", {{"mustGatherTimeout", "-1s"}}}}, "must be positive"},
      {"timeout not a string", {{"spec", {{"mustGatherTimeout", 30}}}}, "spec.mustGatherTimeout"},
      {"images not a list", {{"spec", {{"images", "x"}}}}, "spec.images"},
      {"empty image", {{"spec", {{"images", {""}}}}}, "spec.images"},
      {"image not a string", {{"spec", {{"images", {1}}}}}, "spec.images"},
  };
  for (const Case& c : cases) {
    EXPECT_THAT(RenderGatherJob(With(c.patch), Config(), kRun),
                StatusIs(StatusCode::kInvalidArgument, HasSubstr(c.want)))
        << c.name;
  }
  JobConfig negative;
  negative.backoff_limit = -1;
  EXPECT_THAT(RenderGatherJob(MustGather(), negative, kRun),
              StatusIs(StatusCode::kInvalidArgument));
  for (json junk : {json(), json("x"), json::array(), json{{"metadata", 1}}}) {
    EXPECT_THAT(RenderGatherJob(junk, Config(), kRun), StatusIs(StatusCode::kInvalidArgument));
  }
}

TEST(JobTemplateTest, ControllerOwnershipNeedsTheUidAndTheControllerFlag) {
  json job = Render(MustGather());
  EXPECT_FALSE(IsControlledBy(job, "other-uid"));
  EXPECT_FALSE(IsControlledBy(job, ""));
  job["metadata"]["ownerReferences"][0]["controller"] = false;
  EXPECT_FALSE(IsControlledBy(job, "0b9d2c4e-5a4f-4a43-9b1c-3f0f5e7d2a11"));
  EXPECT_FALSE(IsControlledBy(json(), "u"));
  EXPECT_FALSE(IsControlledBy(json{{"metadata", {{"ownerReferences", "x"}}}}, "u"));
  EXPECT_FALSE(IsControlledBy(json{{"metadata", {{"ownerReferences", {{{"uid", 1}}}}}}}, "u"));
}

// ---- examples/job.yaml: the Job rendered for examples/mustgather.yaml ----

// True when `s` can be written as a plain YAML scalar that reads back as this string.
bool IsSafePlain(const std::string& s) {
  if (s.empty() || s.front() == '-' || s.front() == ' ' || s.back() == ' ' || s.back() == ':' ||
      s.find(": ") != std::string::npos || s.find(" #") != std::string::npos) {
    return false;
  }
  for (char c : s) {
    if (!std::isalnum(static_cast<unsigned char>(c)) &&
        std::string_view("._/=:- ").find(c) == std::string_view::npos) {
      return false;
    }
  }
  StatusOr<std::vector<ManifestDocument>> back = ParseManifests("v: " + s + "\n", "check");
  return back.ok() && back->size() == 1 && back->front().object["v"] == s;
}

// `v` as block-style YAML indented by `indent` spaces; scalars after "key: " or "- ".
void EmitYaml(std::ostream& out, const json& v, size_t indent) {
  const std::string pad(indent, ' ');
  if (v.is_object() && !v.empty()) {
    bool first = true;
    for (const auto& [key, value] : v.items()) {
      out << (first ? "" : pad) << key << ":";
      first = false;
      if (value.is_structured() && !value.empty()) {
        out << "\n" << std::string(indent + 2, ' ');
        EmitYaml(out, value, indent + 2);
      } else {
        out << " ";
        EmitYaml(out, value, indent + 2);
      }
    }
  } else if (v.is_array() && !v.empty()) {
    bool first = true;
    for (const json& item : v) {
      out << (first ? "" : pad) << "- ";
      first = false;
      EmitYaml(out, item, indent + 2);
    }
  } else if (v.is_string() && IsSafePlain(v.get<std::string>())) {
    out << v.get<std::string>() << "\n";
  } else {
    out << v.dump() << "\n";  // JSON is YAML: quoted strings, numbers, {} and []
  }
}

json RenderExample() {
  StatusOr<std::string> text =
      ReadFileToString(std::string(MGW_SOURCE_DIR) + "/examples/mustgather.yaml");
  EXPECT_THAT(text, IsOk());
  StatusOr<std::vector<ManifestDocument>> docs =
      ParseManifests(text.value_or(""), "mustgather.yaml");
  EXPECT_THAT(docs, IsOk());
  if (!docs.ok() || docs->size() != 1) return json();
  json mg = (*docs)[0].object;
  mg["metadata"]["uid"] = kExampleUid;
  return Render(mg);
}

// MGW_UPDATE_GOLDENS=1 regenerates examples/job.yaml.
TEST(JobTemplateTest, ExampleJobIsWhatTheRendererMakes) {
  const std::string path = std::string(MGW_SOURCE_DIR) + "/examples/job.yaml";
  json job = RenderExample();
  ASSERT_TRUE(job.is_object());
  if (UpdatingGoldens()) {
    std::ostringstream out;
    EmitYaml(out, job, 0);
    std::ofstream(path, std::ios::binary)
        << "# The gather Job the reconciler creates for examples/mustgather.yaml. The uid is a\n"
           "# placeholder for the MustGather's own. Generated by "
           "test/reconcile/job_template_test.cpp:\n"
           "#   MGW_UPDATE_GOLDENS=1 <build>/test/job_template_test\n"
        << out.str();
    return;
  }
  StatusOr<std::string> text = ReadFileToString(path);
  ASSERT_THAT(text, IsOk());
  StatusOr<std::vector<ManifestDocument>> docs = ParseManifests(*text, "job.yaml");
  ASSERT_THAT(docs, IsOk());
  ASSERT_EQ(docs->size(), 1u);
  EXPECT_EQ((*docs)[0].object, job) << "examples/job.yaml is stale; regenerate with "
                                       "MGW_UPDATE_GOLDENS=1";
}

}  // namespace
}  // namespace mgw
