// Offline checks of manifests/: every file parses and is installed by kustomize,
// every flag a container passes exists in the built binary, the Service, the
// Deployment and the webhook configurations agree on ports, paths and the Secret,
// and the RBAC grants exactly the table in include/mgw/cmd/rbac.h.
#include <algorithm>
#include <cstdio>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <tuple>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/wait.h>

#include "mgw/admission/webhook_http.h"
#include "mgw/cmd/rbac.h"
#include "mgw/manifest/manifest.h"
#include "mgw/net/host_port.h"
#include "mgw/platform/flags.h"
#include "support/status_matchers.h"

namespace mgw {
namespace {

using ::mgw::testing::IsOk;
using nlohmann::json;
using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::IsSupersetOf;
using ::testing::UnorderedElementsAre;

const std::string kSource = MGW_SOURCE_DIR;
const std::string kBase = kSource + "/manifests/base";
const std::string kOverlay = kSource + "/manifests/overlays/cert-manager";
const std::string kBinary = MGW_BINARY_DIR "/mustgather-webhook";
constexpr char kNamespace[] = "mustgather-webhook";
constexpr char kName[] = "mustgather-webhook";

struct CommandResult {
  int exit_code = -1;
  std::string output;  // stdout only
};

CommandResult RunCommand(const std::string& command) {
  CommandResult result;
  FILE* pipe = popen((command + " 2>/dev/null").c_str(), "r");
  if (pipe == nullptr) return result;
  char buffer[4096];
  for (size_t n; (n = fread(buffer, 1, sizeof buffer, pipe)) > 0;) result.output.append(buffer, n);
  const int status = pclose(pipe);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

std::vector<ManifestDocument> LoadTree(const std::string& dir) {
  std::vector<ManifestDocument> out;
  StatusOr<std::vector<std::string>> files = ListManifestFiles(dir);
  EXPECT_THAT(files, IsOk());
  for (const std::string& file : files.value_or(std::vector<std::string>{})) {
    StatusOr<std::string> text = ReadFileToString(file);
    EXPECT_THAT(text, IsOk());
    StatusOr<std::vector<ManifestDocument>> docs = ParseManifests(text.value_or(""), file);
    EXPECT_THAT(docs, IsOk());
    for (ManifestDocument& d : docs.value_or(std::vector<ManifestDocument>{})) {
      out.push_back(std::move(d));
    }
  }
  return out;
}

const std::vector<ManifestDocument>& Base() {
  static const std::vector<ManifestDocument> kDocs = LoadTree(kBase);
  return kDocs;
}

// A copy of the object of `kind` named `name` among `docs`; null (and a test failure)
// if absent. Copies, so a missing key reads as null instead of undefined behaviour.
json Find(const std::vector<ManifestDocument>& docs, std::string_view kind, std::string_view name) {
  for (const ManifestDocument& d : docs) {
    if (d.object.value("kind", "") == kind &&
        d.object.value("metadata", json::object()).value("name", "") == name) {
      return d.object;
    }
  }
  ADD_FAILURE() << "no " << kind << " named " << name;
  return json();
}

json Deployment() { return Find(Base(), "Deployment", kName); }

json Container(std::string_view name) {
  json deployment = Deployment();
  for (const json& c : deployment["spec"]["template"]["spec"]["containers"]) {
    if (c.value("name", "") == name) return c;
  }
  ADD_FAILURE() << "no container " << name;
  return json();
}

// "--name=value" and bare "--name" arguments after the command, as name -> value.
std::map<std::string, std::string> FlagsOf(const json& container) {
  std::map<std::string, std::string> out;
  for (const json& a : container.value("args", json::array())) {
    const std::string arg = a.get<std::string>();
    if (arg.rfind("--", 0) != 0) continue;
    const size_t eq = arg.find('=');
    out[arg.substr(2, eq == std::string::npos ? eq : eq - 2)] =
        eq == std::string::npos ? "" : arg.substr(eq + 1);
  }
  return out;
}

// The flags a `--help` text lists ("  --name VALUE" or "  --name"), as name -> takes a value.
std::map<std::string, bool> FlagsInHelp(const std::string& help) {
  std::map<std::string, bool> out;
  std::istringstream lines(help);
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind("  --", 0) != 0) continue;
    const std::string spec = line.substr(4);
    const size_t space = spec.find(' ');
    out[spec.substr(0, space)] = spec.find(" VALUE") != std::string::npos;
  }
  return out;
}

void ExpectFlagsInHelp(const json& container, const std::map<std::string, bool>& help) {
  for (const auto& [flag, value] : FlagsOf(container)) {
    auto it = help.find(flag);
    if (it == help.end()) {
      ADD_FAILURE() << container["name"] << " passes --" << flag << ", which the binary lacks";
    } else if (it->second && value.empty()) {
      ADD_FAILURE() << container["name"] << " passes --" << flag << " without its value";
    }
  }
}

int PortOfFlag(const std::string& address) {
  StatusOr<HostPort> hp = ParseHostPort(address);
  EXPECT_THAT(hp, IsOk()) << address;
  return hp.ok() ? hp->port : -1;
}

// The containerPort a Service targetPort or probe port (a name or a number) means.
int ContainerPort(const json& container, const json& port) {
  if (port.is_number_integer()) return port.get<int>();
  for (const json& p : container.value("ports", json::array())) {
    if (p.value("name", "") == port) return p.value("containerPort", -1);
  }
  ADD_FAILURE() << container["name"] << " has no port named " << port;
  return -1;
}

TEST(ManifestsTest, EveryFileParsesAndNamesItsObject) {
  for (const std::string& dir : {kSource + "/manifests", kSource + "/examples"}) {
    for (const ManifestDocument& d : LoadTree(dir)) {
      const std::string kind = d.object.value("kind", "");
      if (kind == "Kustomization" || kind == "AdmissionReview") continue;
      EXPECT_TRUE(d.object.contains("apiVersion")) << d.source << ":" << d.line;
      EXPECT_FALSE(d.object["metadata"].value("name", "").empty()) << d.source << ":" << d.line;
    }
  }
  EXPECT_GE(Base().size(), 13u);
}

TEST(ManifestsTest, NamespacedObjectsLiveInTheWebhookNamespace) {
  const std::set<std::string> cluster_scoped = {
      "Namespace",          "CustomResourceDefinition",       "ClusterRole",
      "ClusterRoleBinding", "ValidatingWebhookConfiguration", "MutatingWebhookConfiguration",
      "Kustomization"};
  for (const std::string& dir : {kBase, kOverlay}) {
    for (const ManifestDocument& d : LoadTree(dir)) {
      const std::string kind = d.object.value("kind", "");
      const json meta = d.object.value("metadata", json::object());
      if (cluster_scoped.contains(kind)) {
        EXPECT_FALSE(meta.contains("namespace")) << d.source << ":" << d.line;
      } else {
        EXPECT_EQ(meta.value("namespace", ""), kNamespace) << d.source << ":" << d.line;
      }
    }
  }
}

// kubectl apply -k installs only what kustomization.yaml lists: a new file must be added there.
TEST(ManifestsTest, KustomizationListsEveryBaseFile) {
  json k = Find(LoadTree(kBase + "/kustomization.yaml"), "Kustomization", "");
  std::set<std::string> listed;
  for (const json& r : k.value("resources", json::array()))
    listed.insert(kBase + "/" + r.get<std::string>());
  std::set<std::string> present;
  for (const std::string& f : ListManifestFiles(kBase).value_or(std::vector<std::string>{})) {
    if (f != kBase + "/kustomization.yaml") present.insert(f);
  }
  EXPECT_EQ(listed, present);
}

TEST(ManifestsTest, WebhookContainerFlagsExistInTheBinary) {
  json webhook = Container("webhook");
  ASSERT_EQ(webhook["args"][0], "serve");
  const CommandResult help = RunCommand(kBinary + " serve --help");
  ASSERT_EQ(help.exit_code, 0) << kBinary;
  const std::map<std::string, bool> flags = FlagsInHelp(help.output);
  ASSERT_THAT(flags, Contains(std::pair<const std::string, bool>("tls-cert-file", true)));
  EXPECT_FALSE(flags.contains("no-such-flag"));
  ExpectFlagsInHelp(webhook, flags);
}

TEST(ManifestsTest, ReconcilerContainerFlagsExistInTheBinary) {
  json reconciler = Container("reconciler");
  ASSERT_EQ(reconciler["args"][0], "reconcile");
  const CommandResult help = RunCommand(kBinary + " reconcile --help");
  ASSERT_EQ(help.exit_code, 0) << kBinary;
  const std::map<std::string, bool> flags = FlagsInHelp(help.output);
  ASSERT_THAT(flags, Contains(std::pair<const std::string, bool>("leader-elect", false)));
  ExpectFlagsInHelp(reconciler, flags);
}

// Gather Jobs' upload step runs the reconciler's own image, which the downward API
// cannot give: the Deployment spells it out and kustomization.yaml keeps it in step.
TEST(ManifestsTest, ReconcilerKnowsItsOwnImage) {
  json reconciler = Container("reconciler");
  std::string self;
  for (const json& e : reconciler["env"]) {
    if (e["name"] == "MGW_SELF_IMAGE") self = e.value("value", "");
  }
  EXPECT_EQ(self, reconciler["image"].get<std::string>());
  json k = Find(Base(), "Kustomization", "");
  ASSERT_EQ(k["replacements"].size(), 1u);
  const json& r = k["replacements"][0];
  EXPECT_EQ(r["source"]["fieldPath"], "spec.template.spec.containers.[name=reconciler].image");
  EXPECT_EQ(r["targets"][0]["fieldPaths"][0],
            "spec.template.spec.containers.[name=reconciler].env.[name=MGW_SELF_IMAGE].value");
}

TEST(ManifestsTest, DeploymentRunsBothContainersHardened) {
  json spec = Deployment()["spec"];
  EXPECT_EQ(spec["replicas"], 2);
  json pod = spec["template"]["spec"];
  EXPECT_EQ(pod["securityContext"]["runAsNonRoot"], true);
  EXPECT_EQ(pod["securityContext"]["seccompProfile"]["type"], "RuntimeDefault");
  EXPECT_TRUE(pod["affinity"].contains("podAntiAffinity"));
  std::vector<std::string> names;
  for (json c : pod["containers"]) {
    names.push_back(c["name"].get<std::string>());
    EXPECT_EQ(c["image"], Container("webhook")["image"]);
    json sc = c["securityContext"];
    EXPECT_EQ(sc["allowPrivilegeEscalation"], false) << c["name"];
    EXPECT_EQ(sc["readOnlyRootFilesystem"], true) << c["name"];
    EXPECT_EQ(sc["capabilities"]["drop"], json({"ALL"})) << c["name"];
    for (const char* kind : {"requests", "limits"}) {
      EXPECT_TRUE(c["resources"][kind].contains("cpu")) << c["name"] << " " << kind;
      EXPECT_TRUE(c["resources"][kind].contains("memory")) << c["name"] << " " << kind;
    }
    EXPECT_TRUE(c.contains("livenessProbe")) << c["name"];
  }
  EXPECT_THAT(names, ElementsAre("webhook", "reconciler"));
  EXPECT_THAT(FlagsOf(Container("reconciler")),
              Contains(std::pair<const std::string, std::string>("leader-elect", "")));
  json pdb = Find(Base(), "PodDisruptionBudget", kName);
  EXPECT_EQ(pdb["spec"]["minAvailable"], 1);
  EXPECT_EQ(pdb["spec"]["selector"], spec["selector"]);
}

TEST(ManifestsTest, ProbesUseTheProbeListeners) {
  json webhook = Container("webhook");
  const int probe_port = PortOfFlag(FlagsOf(webhook)["probe-listen"]);
  EXPECT_EQ(ContainerPort(webhook, webhook["readinessProbe"]["httpGet"]["port"]), probe_port);
  EXPECT_EQ(ContainerPort(webhook, webhook["livenessProbe"]["httpGet"]["port"]), probe_port);
  EXPECT_EQ(webhook["readinessProbe"]["httpGet"]["path"], "/readyz");
  EXPECT_EQ(webhook["livenessProbe"]["httpGet"]["path"], "/healthz");
  json reconciler = Container("reconciler");
  const int reconcile_port = PortOfFlag(FlagsOf(reconciler)["probe-listen"]);
  EXPECT_NE(reconcile_port, probe_port);  // one pod, one network namespace
  EXPECT_EQ(ContainerPort(reconciler, reconciler["livenessProbe"]["httpGet"]["port"]),
            reconcile_port);
}

TEST(ManifestsTest, ServingCertificateSecretIsMountedWhereServeReadsIt) {
  json webhook = Container("webhook");
  json deployment = Deployment();
  std::string secret_volume;
  for (const json& v : deployment["spec"]["template"]["spec"]["volumes"]) {
    if (v.value("secret", json::object()).value("secretName", "") == "mustgather-webhook-tls") {
      secret_volume = v.value("name", "");
    }
  }
  ASSERT_FALSE(secret_volume.empty()) << "no volume from Secret mustgather-webhook-tls";
  std::string mount_path;
  for (const json& m : webhook["volumeMounts"]) {
    if (m.value("name", "") == secret_volume) mount_path = m.value("mountPath", "");
  }
  ASSERT_FALSE(mount_path.empty());
  std::map<std::string, std::string> flags = FlagsOf(webhook);
  EXPECT_EQ(flags["tls-cert-file"], mount_path + "/tls.crt");  // kubernetes.io/tls keys
  EXPECT_EQ(flags["tls-key-file"], mount_path + "/tls.key");
}

TEST(ManifestsTest, ServiceReachesTheHttpsListener) {
  json service = Find(Base(), "Service", kName);
  ASSERT_EQ(service["spec"]["ports"].size(), 1u);
  json port = service["spec"]["ports"][0];
  EXPECT_EQ(port["port"], 443);
  json webhook = Container("webhook");
  EXPECT_EQ(ContainerPort(webhook, port["targetPort"]), PortOfFlag(FlagsOf(webhook)["listen"]));
  EXPECT_EQ(ContainerPort(webhook, port["targetPort"]), 9443);
  EXPECT_EQ(service["spec"]["selector"], Deployment()["spec"]["selector"]["matchLabels"]);
}

// Each registration: the Service, the endpoint path that serves its resource, and the
// admission contract (v1 reviews, no side effects, explicit failure policy and timeout).
TEST(ManifestsTest, WebhookRegistrationsMatchServiceAndEndpoints) {
  json service = Find(Base(), "Service", kName);
  const std::map<std::pair<std::string, std::string>, Endpoint> expected = {
      {{"ValidatingWebhookConfiguration", "mustgathers"}, Endpoint::kValidateMustGather},
      {{"ValidatingWebhookConfiguration", "mustgatherimages"}, Endpoint::kValidateMustGatherImage},
      {{"MutatingWebhookConfiguration", "mustgathers"}, Endpoint::kMutateMustGather}};
  std::set<std::pair<std::string, std::string>> seen;
  for (const char* kind : {"ValidatingWebhookConfiguration", "MutatingWebhookConfiguration"}) {
    json configuration = Find(Base(), kind, kName);
    for (json wh : configuration["webhooks"]) {
      json svc = wh["clientConfig"]["service"];
      EXPECT_EQ(svc["name"], service["metadata"]["name"]);
      EXPECT_EQ(svc["namespace"], service["metadata"]["namespace"]);
      EXPECT_EQ(svc["port"], service["spec"]["ports"][0]["port"]);
      EXPECT_FALSE(wh["clientConfig"].contains("caBundle"))
          << "set by deploy-certs or cert-manager";
      ASSERT_EQ(wh["rules"].size(), 1u);
      json rule = wh["rules"][0];
      EXPECT_EQ(rule["apiGroups"], json({"operator.openshift.io"}));
      EXPECT_EQ(rule["apiVersions"], json({"v1alpha1"}));
      ASSERT_EQ(rule["resources"].size(), 1u);
      const std::pair<std::string, std::string> key{kind, rule["resources"][0].get<std::string>()};
      ASSERT_TRUE(expected.contains(key)) << kind << " " << key.second;
      EXPECT_EQ(svc["path"].get<std::string>(), EndpointPath(expected.at(key)));
      EXPECT_TRUE(seen.insert(key).second) << "registered twice";
      const bool mutating = std::string(kind) == "MutatingWebhookConfiguration";
      EXPECT_EQ(rule["operations"], mutating ? json({"CREATE"}) : json({"CREATE", "UPDATE"}));
      EXPECT_EQ(wh["admissionReviewVersions"], json({"v1"}));
      EXPECT_EQ(wh["sideEffects"], "None");
      EXPECT_EQ(wh["matchPolicy"], "Equivalent");
      EXPECT_EQ(wh["failurePolicy"], "Fail");
      EXPECT_TRUE(wh["timeoutSeconds"].is_number_integer());
      EXPECT_GE(wh["timeoutSeconds"], 1);
      EXPECT_LE(wh["timeoutSeconds"], 10);
      EXPECT_EQ(wh["namespaceSelector"]["matchExpressions"],
                json::parse(R"([{"key": "kubernetes.io/metadata.name", "operator": "NotIn",
                                 "values": ["mustgather-webhook", "kube-system"]}])"));
    }
  }
  EXPECT_EQ(seen.size(), expected.size());
}

using Grant = std::tuple<std::string, std::string, std::string>;  // group, resource, verb

std::set<Grant> GrantsOf(const json& role) {
  std::set<Grant> out;
  for (const json& rule : role.value("rules", json::array())) {
    EXPECT_FALSE(rule.contains("resourceNames") || rule.contains("nonResourceURLs"));
    for (const json& g : rule.value("apiGroups", json::array())) {
      for (const json& r : rule.value("resources", json::array())) {
        for (const json& v : rule.value("verbs", json::array())) {
          out.insert({g.get<std::string>(), r.get<std::string>(), v.get<std::string>()});
        }
      }
    }
  }
  return out;
}

std::set<Grant> Needed(RbacScope scope) {
  std::set<Grant> out;
  for (const RbacRule& rule : RequiredRbacRules()) {
    if (rule.scope != scope) continue;
    for (const std::string& verb : rule.verbs) out.insert({rule.api_group, rule.resource, verb});
  }
  return out;
}

TEST(ManifestsTest, RbacTableIsSortedAndUsed) {
  const std::vector<RbacRule>& rules = RequiredRbacRules();
  ASSERT_FALSE(rules.empty());
  for (size_t i = 0; i < rules.size(); ++i) {
    EXPECT_TRUE(std::is_sorted(rules[i].verbs.begin(), rules[i].verbs.end())) << rules[i].resource;
    EXPECT_EQ(std::set<std::string>(rules[i].verbs.begin(), rules[i].verbs.end()).size(),
              rules[i].verbs.size());
    EXPECT_NE(rules[i].used_by, 0u) << rules[i].resource;
    EXPECT_FALSE(rules[i].why.empty()) << rules[i].resource;
    if (i == 0) continue;
    const auto key = [](const RbacRule& r) { return std::tie(r.scope, r.api_group, r.resource); };
    EXPECT_LT(key(rules[i - 1]), key(rules[i])) << rules[i].resource;
  }
}

TEST(ManifestsTest, RbacGrantsExactlyTheSharedTable) {
  EXPECT_EQ(GrantsOf(Find(Base(), "ClusterRole", kName)), Needed(RbacScope::kCluster));
  EXPECT_EQ(GrantsOf(Find(Base(), "Role", "mustgather-webhook-leader-election")),
            Needed(RbacScope::kOwnNamespace));
  const std::string account =
      Deployment()["spec"]["template"]["spec"]["serviceAccountName"].get<std::string>();
  Find(Base(), "ServiceAccount", account);
  const json subject = {{"kind", "ServiceAccount"}, {"name", account}, {"namespace", kNamespace}};
  json crb = Find(Base(), "ClusterRoleBinding", kName);
  EXPECT_EQ(crb["roleRef"]["kind"], "ClusterRole");
  EXPECT_EQ(crb["roleRef"]["name"], kName);
  EXPECT_EQ(crb["subjects"], json::array({subject}));
  json rb = Find(Base(), "RoleBinding", "mustgather-webhook-leader-election");
  EXPECT_EQ(rb["roleRef"]["kind"], "Role");
  EXPECT_EQ(rb["roleRef"]["name"], "mustgather-webhook-leader-election");
  EXPECT_EQ(rb["subjects"], json::array({subject}));
}

TEST(ManifestsTest, CertManagerOverlayIssuesTheMountedSecret) {
  const std::vector<ManifestDocument> overlay = LoadTree(kOverlay);
  json cert = Find(overlay, "Certificate", "mustgather-webhook-serving");
  EXPECT_EQ(cert["spec"]["secretName"], "mustgather-webhook-tls");
  EXPECT_THAT(cert["spec"]["dnsNames"],
              UnorderedElementsAre("mustgather-webhook.mustgather-webhook.svc",
                                   "mustgather-webhook.mustgather-webhook.svc.cluster.local"));
  Find(overlay, "Issuer", cert["spec"]["issuerRef"]["name"].get<std::string>());
  json k = Find(overlay, "Kustomization", "");
  EXPECT_THAT(k["resources"], Contains("../../base"));
  std::set<std::string> patched;
  for (const json& p : k["patches"]) {
    patched.insert(p["target"]["kind"].get<std::string>());
    EXPECT_NE(p["patch"].get<std::string>().find(
                  "cert-manager.io/inject-ca-from: mustgather-webhook/mustgather-webhook-serving"),
              std::string::npos);
  }
  EXPECT_THAT(patched,
              ElementsAre("MutatingWebhookConfiguration", "ValidatingWebhookConfiguration"));
}

// Renders both kustomizations when kubectl is installed (it is not a build dependency).
TEST(ManifestsTest, KustomizeBuildsBaseAndOverlay) {
  if (RunCommand("kubectl version --client").exit_code != 0)
    GTEST_SKIP() << "kubectl is not installed";
  for (const std::string& dir : {kSource + "/manifests", kOverlay}) {
    const CommandResult out = RunCommand("kubectl kustomize " + dir);
    ASSERT_EQ(out.exit_code, 0) << dir;
    StatusOr<std::vector<ManifestDocument>> docs = ParseManifests(out.output, dir);
    ASSERT_THAT(docs, IsOk());
    const bool cert_manager = dir == kOverlay;
    // Base() also holds base/kustomization.yaml, which renders to nothing.
    EXPECT_EQ(docs->size(), Base().size() - 1 + (cert_manager ? 2 : 0)) << dir;
    for (const char* kind : {"ValidatingWebhookConfiguration", "MutatingWebhookConfiguration"}) {
      const json annotations = Find(*docs, kind, kName)["metadata"].value("annotations", json());
      EXPECT_EQ(cert_manager,
                annotations.is_object() && annotations.contains("cert-manager.io/inject-ca-from"))
          << dir << " " << kind;
    }
  }
}

}  // namespace
}  // namespace mgw
