#include "mgw/reconcile/gather_run.h"

#include <chrono>
#include <filesystem>
#include <fstream>
#include <regex>
#include <string>
#include <thread>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include "support/wait_until.h"

namespace mgw {
namespace {

using nlohmann::json;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

std::chrono::system_clock::time_point At(int64_t unix_seconds) {
  return std::chrono::system_clock::time_point(std::chrono::seconds(unix_seconds));
}

TEST(GatherRunTest, RunDirectoryIsNamedLikeOcAdmMustGather) {
  // 2026-06-17T14:30:25Z
  std::string name = RunDirectoryName("0b9d2c4e-5a4f-4a43-9b1c-3f0f5e7d2a11", At(1781706625), 42);
  EXPECT_EQ(name, "must-gather.local.3f0f5e7d2a11.20260617T143025Z.000042");
  // Upstream's test pattern for these names.
  EXPECT_TRUE(std::regex_match(
      name, std::regex(R"(^must-gather\.local\.[a-zA-Z0-9-]{1,12}\.\d{8}T\d{6}Z\.\d{6,}$)")));
  EXPECT_EQ(RunDirectoryName("", At(0), 1234567),
            "must-gather.local.local.19700101T000000Z.234567");
  EXPECT_NE(RunDirectoryName("u", At(0), 1), RunDirectoryName("u", At(0), 2));
}

TEST(GatherRunTest, RunPathJoinsTheTrimmedSubPath) {
  EXPECT_EQ(RunPath("runs/a", "d"), "runs/a/d");
  EXPECT_EQ(RunPath("/runs/a//", "d"), "runs/a/d");
  EXPECT_EQ(RunPath("", "d"), "d");
  EXPECT_EQ(RunPath("///", "d"), "d");
}

TEST(GatherRunTest, ProxyComesFromSpecThenClusterThenReconciler) {
  const ProxySettings env{"http://env:1", "", "env.local"};
  const json cluster = {{"status", {{"httpProxy", "http://cluster:3128"}, {"noProxy", ".svc"}}}};
  json mg = {{"spec", {{"proxyConfig", {{"httpsProxy", "http://spec:8080"}}}}}};
  EXPECT_EQ(ResolveProxy(mg, &cluster, env), (ProxySettings{"", "http://spec:8080", ""}));
  json empty_spec = {{"spec", {{"proxyConfig", {{"httpProxy", ""}}}}}};
  EXPECT_EQ(ResolveProxy(empty_spec, &cluster, env),
            (ProxySettings{"http://cluster:3128", "", ".svc"}));
  const json no_status = {{"spec", {{"httpProxy", "http://ignored:1"}}}};
  EXPECT_EQ(ResolveProxy(empty_spec, &no_status, env), env);
  EXPECT_EQ(ResolveProxy(json::object(), nullptr, env), env);
}

TEST(GatherRunTest, ProxyEnvSetsBothSpellingsOfWhatIsSet) {
  EXPECT_EQ(ProxyEnv({}), json::array());
  EXPECT_EQ(ProxyEnv({"", "http://p:1", "a,b"}), json::parse(R"([
    {"name": "HTTPS_PROXY", "value": "http://p:1"}, {"name": "https_proxy", "value": "http://p:1"},
    {"name": "NO_PROXY", "value": "a,b"}, {"name": "no_proxy", "value": "a,b"}])"));
}

TEST(GatherRunTest, NoProxyCoversHostsAndDomains) {
  EXPECT_TRUE(NoProxyCovers("*", "x"));
  EXPECT_TRUE(NoProxyCovers("a, sftp.example.com", "sftp.example.com"));
  EXPECT_TRUE(NoProxyCovers(".example.com", "sftp.example.com"));
  EXPECT_TRUE(NoProxyCovers("example.com", "sftp.example.com"));
  EXPECT_TRUE(NoProxyCovers("*.example.com", "sftp.example.com"));
  EXPECT_FALSE(NoProxyCovers("ample.com", "sftp.example.com"));
  EXPECT_FALSE(NoProxyCovers("", "sftp.example.com"));
  EXPECT_FALSE(NoProxyCovers(".svc,10.0.0.0/8", "sftp.access.redhat.com"));
}

TEST(GatherRunTest, GatherScriptRecordsItsPidAndExitCode) {
  EXPECT_EQ(GatherScript(kGatherCommand, std::nullopt, ""),
            "set -o pipefail; /usr/bin/gather 2>&1 | tee -a /must-gather/must-gather.log");
  EXPECT_EQ(
      GatherScript(kAuditGatherCommand, 30, ""),
      "set -o pipefail; /usr/bin/gather_audit_logs 2>&1 | tee -a /must-gather/must-gather.log");
  EXPECT_EQ(GatherScript(kGatherCommand, 30, "/x/gather"),
            "echo $$ > /x/gather.pid; set -o pipefail; timeout 30 /usr/bin/gather 2>&1 | tee -a "
            "/must-gather/must-gather.log; rc=$?; echo $rc > /x/gather; exit $rc");
}

// The scripts run for real: bash for the gather side, sh for the upload side, in a
// scratch directory standing in for the shared emptyDir.
class GatherScriptsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/mgw-gather-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override {
    for (pid_t pid : children_) {
      kill(-pid, SIGKILL);
      waitpid(pid, nullptr, 0);
    }
    std::filesystem::remove_all(dir_);
  }

  // Starts argv in a process group of its own; returns its pid.
  pid_t Spawn(std::vector<std::string> argv) {
    std::vector<char*> args;
    for (std::string& a : argv) args.push_back(a.data());
    args.push_back(nullptr);
    posix_spawnattr_t attr;
    posix_spawnattr_init(&attr);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP);
    posix_spawnattr_setpgroup(&attr, 0);
    pid_t pid = -1;
    int rc = posix_spawnp(&pid, args[0], nullptr, &attr, args.data(), environ);
    posix_spawnattr_destroy(&attr);
    EXPECT_EQ(rc, 0);
    children_.push_back(pid);
    return pid;
  }

  pid_t StartGather(const std::string& command) {
    return Spawn({"bash", "-c", GatherScript(command, std::nullopt, dir_ + "/gather")});
  }
  void StartUpload() {
    Spawn({"sh", "-c", WaitForGatherScript(dir_, {"gather"}), "wait-for-gather", "touch",
           dir_ + "/uploaded"});
  }
  bool Exists(const std::string& name) const { return std::filesystem::exists(dir_ + "/" + name); }

  std::string dir_;
  std::vector<pid_t> children_;
};

TEST_F(GatherScriptsTest, TheUploadWaitsForTheExitCodeOfAGatherThatEnds) {
  StartUpload();
  pid_t gather = StartGather("sleep 1; exit 3");
  int status = 0;
  ASSERT_EQ(waitpid(gather, &status, 0), gather);
  ASSERT_TRUE(Exists("gather.pid"));
  std::ifstream code(dir_ + "/gather");
  int written = -1;
  code >> written;
  EXPECT_EQ(written, WEXITSTATUS(status));  // tee's status may win: /must-gather is absent
  EXPECT_TRUE(testing::WaitUntil([&] { return Exists("uploaded"); }));
}

TEST_F(GatherScriptsTest, TheUploadGoesAheadWhenTheGatherIsKilledOutright) {
  pid_t gather = StartGather("sleep 600");
  ASSERT_TRUE(testing::WaitUntil([&] { return Exists("gather.pid"); }));
  StartUpload();
  std::this_thread::sleep_for(std::chrono::milliseconds(2500));  // more than one poll
  EXPECT_FALSE(Exists("uploaded"));                              // the gather still runs
  kill(-gather, SIGKILL);  // as the OOM killer would: no exit-code file
  ASSERT_EQ(waitpid(gather, nullptr, 0), gather);
  EXPECT_FALSE(Exists("gather"));
  EXPECT_TRUE(testing::WaitUntil([&] { return Exists("uploaded"); }));
}

json UploadMustGather() {
  return {{"spec",
           {{"uploadTarget",
             {{"type", "SFTP"},
              {"sftp",
               {{"caseID", "01234567"},
                {"caseManagementAccountSecretRef", {{"name", "case-creds"}}},
                {"host", "sftp.access.redhat.com"},
                {"internalUser", true}}}}}}}};
}

TEST(GatherRunTest, UploadContainerWaitsForEveryGatherThenUploads) {
  UploadStep step{"registry/mgw:1",
                  "must-gather.local.x.20260101T000000Z.000001",
                  "runs/run",
                  {"gather", "gather-1"},
                  {"http://p:3128", "", ".svc"}};
  json c = UploadContainer(UploadMustGather(), step);
  EXPECT_EQ(c["name"], "upload");
  EXPECT_EQ(c["image"], "registry/mgw:1");
  const json& cmd = c["command"];
  EXPECT_EQ(cmd[0], "/bin/sh");
  EXPECT_EQ(cmd[2], WaitForGatherScript("/var/run/mustgather/exit-codes", {"gather", "gather-1"}));
  EXPECT_EQ(WaitForGatherScript("/d", {"gather", "gather-1"}),
            "for c in gather gather-1; do until [ -e /d/$c ] || { [ -s /d/$c.pid ] && "
            "[ ! -d /proc/$(cat /d/$c.pid) ]; }; do sleep 2; done; done; exec \"$@\"");
  std::vector<std::string> args(cmd.begin() + 4, cmd.end());
  EXPECT_THAT(
      args, ElementsAre("mustgather-webhook", "upload", "--source", "/must-gather", "--case-id",
                        "01234567", "--host", "sftp.access.redhat.com", "--credentials-dir",
                        "/var/run/secrets/mustgather/upload", "--name-prefix",
                        "must-gather.local.x.20260101T000000Z.000001", "--internal-user", "--proxy",
                        "http://p:3128", "--log-format", "json"));
  EXPECT_EQ(c["volumeMounts"][0]["subPath"], "runs/run");
  EXPECT_EQ(c["volumeMounts"][0]["readOnly"], true);
  EXPECT_EQ(c["env"], ProxyEnv(step.proxy));
  EXPECT_EQ(UploadVolumes(UploadMustGather())[1]["secret"]["secretName"], "case-creds");
}

TEST(GatherRunTest, UploadSkipsTheProxyForNoProxyHostsAndDefaultsTheHost) {
  json mg = UploadMustGather();
  mg["spec"]["uploadTarget"]["sftp"].erase("host");
  mg["spec"]["uploadTarget"]["sftp"]["internalUser"] = false;
  UploadStep step{"i", "d", "d", {"gather"}, {"http://p:1", "", "redhat.com"}};
  std::string all = UploadContainer(mg, step)["command"].dump();
  EXPECT_THAT(all, HasSubstr("\"--host\",\"sftp.access.redhat.com\""));
  EXPECT_THAT(all, Not(HasSubstr("--proxy")));
  EXPECT_THAT(all, Not(HasSubstr("--internal-user")));
}

TEST(GatherRunTest, ReadsThePodFailurePolicyMessage) {
  std::optional<ContainerFailure> f = ParsePodFailureMessage(
      "Container upload for pod ns/mg-abcde failed with exit code 1 matching FailJob rule at "
      "index 0");
  ASSERT_TRUE(f.has_value());
  EXPECT_EQ(f->container, "upload");
  EXPECT_EQ(f->exit_code, 1);
  f = ParsePodFailureMessage(
      "Container gather-1 for pod ns/p failed with exit code 124 matching FailJob rule at index 1");
  ASSERT_TRUE(f.has_value());
  EXPECT_EQ(f->container, "gather-1");
  EXPECT_EQ(f->exit_code, kTimeoutExitCode);
  EXPECT_FALSE(ParsePodFailureMessage("Job has reached the specified backoff limit"));
  EXPECT_FALSE(ParsePodFailureMessage("Container x for pod y failed with exit code z"));
}

TEST(GatherRunTest, PodFailurePolicyChecksTheUploadFirst) {
  json policy = UploadPodFailurePolicy();
  ASSERT_EQ(policy["rules"].size(), 2u);
  EXPECT_EQ(policy["rules"][0]["onExitCodes"]["containerName"], "upload");
  EXPECT_FALSE(policy["rules"][1]["onExitCodes"].contains("containerName"));
  EXPECT_EQ(UploadFileName("0123", "dir"), "0123_dir.tar.gz");
}

}  // namespace
}  // namespace mgw
