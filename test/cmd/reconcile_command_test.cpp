#include "mgw/cmd/reconcile_command.h"

#include <map>
#include <thread>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include "mgw/kube/leader_election.h"
#include "mgw/platform/command_support.h"
#include "mgw/reconcile/event_recorder.h"
#include "mgw/reconcile/plan_executor.h"
#include "mgw/sources/pvc_cache.h"
#include "support/fake_apiserver.h"
#include "support/reconcile_fixtures.h"
#include "support/test_certs.h"

namespace mgw {
namespace {

using ::mgw::testing::FakeApiServer;
using ::mgw::testing::kTestNamespace;
using ::mgw::testing::MapEnv;
using ::mgw::testing::TempDir;
using ::mgw::testing::WaitUntil;
using nlohmann::json;
using ::testing::HasSubstr;

// ReconcileMain waits for SIGTERM with sigwait, which needs the signal blocked in every
// thread; blocking it before main (so before any thread exists) guarantees that.
const bool kSignalsBlocked = (BlockStopSignals(), true);

struct Outcome {
  int code = -1;
  std::string out;
  std::string err;
};

Outcome RunCommand(const std::vector<std::string>& args, const EnvLookup& env) {
  ::testing::internal::CaptureStdout();
  ::testing::internal::CaptureStderr();
  Outcome o;
  o.code = ReconcileMain(args, env);
  o.out = ::testing::internal::GetCapturedStdout();
  o.err = ::testing::internal::GetCapturedStderr();
  return o;
}

TEST(ReconcileCommandTest, HelpListsEveryFlagWithItsEnvironmentVariable) {
  ASSERT_TRUE(kSignalsBlocked);
  Outcome o = RunCommand({"--help"}, MapEnv({}));
  EXPECT_EQ(o.code, 0);
  for (const char* text : {"  --kubeconfig VALUE",
                           "[$KUBECONFIG]",
                           "  --namespace VALUE",
                           "[$MGW_WATCH_NAMESPACE]",
                           "  --default-image VALUE",
                           "[$DEFAULT_MUST_GATHER_IMAGE]",
                           "  --leader-elect\n",
                           "  --leader-election-namespace VALUE",
                           "[$POD_NAMESPACE]",
                           "  --leader-election-id VALUE",
                           "(default \"mustgather-reconciler\")",
                           "  --workers VALUE",
                           "  --probe-listen VALUE",
                           "(default \"0.0.0.0:8082\")",
                           "  --log-level VALUE",
                           "  --log-format VALUE",
                           "  --resync-period VALUE",
                           "  --self-image VALUE",
                           "[$MGW_SELF_IMAGE]",
                           "  --http-proxy VALUE",
                           "[$HTTP_PROXY]",
                           "  --https-proxy VALUE",
                           "[$HTTPS_PROXY]",
                           "  --no-proxy VALUE",
                           "[$NO_PROXY]"}) {
    EXPECT_THAT(o.out, HasSubstr(text));
  }
}

TEST(ReconcileCommandTest, BadFlagsExitTwo) {
  for (const std::vector<std::string>& args :
       std::vector<std::vector<std::string>>{{"--workers=0"},
                                             {"--workers=65"},
                                             {"--resync-period=soon"},
                                             {"--probe-listen=nowhere"},
                                             {"--log-level=loud"},
                                             {"--default-image="},
                                             {"--no-such-flag"},
                                             {"--leader-elect=maybe"}}) {
    Outcome o = RunCommand(args, MapEnv({{"HOME", "/nonexistent"}}));
    EXPECT_EQ(o.code, 2) << args[0];
    EXPECT_THAT(o.err, HasSubstr("error:")) << args[0];
  }
}

TEST(ReconcileCommandTest, WithoutAClusterItSaysSoAndExitsTwo) {
  Outcome o = RunCommand({"--log-format=text"}, MapEnv({{"HOME", "/nonexistent"}}));
  EXPECT_EQ(o.code, 2);
  EXPECT_THAT(o.err, HasSubstr("cannot start"));
}

TEST(ReconcileCommandTest, LeaderElectionNeedsANamespace) {
  FakeApiServer server;
  TempDir dir;
  Outcome o = RunCommand({"--kubeconfig", server.WriteKubeconfig(dir), "--log-format=text"},
                         MapEnv({{"HOME", "/nonexistent"}}));
  EXPECT_EQ(o.code, 2);
  EXPECT_THAT(o.err, HasSubstr("--leader-election-namespace"));
}

// The whole command: it elects itself, makes the Job, and on SIGTERM finishes, hands the
// Lease back and exits 0.
TEST(ReconcileCommandTest, ReconcilesUntilSigtermThenReleasesTheLease) {
  FakeApiServer server;
  TempDir dir;
  server.Apply(PersistentVolumeClaimsGvr(), testing::PvcObject("mg-artifacts", "Bound"));
  server.Apply(MustGathersGvr(), testing::MustGatherObject("mg"));
  std::vector<std::string> args = {"--kubeconfig",   server.WriteKubeconfig(dir),
                                   "--probe-listen", "127.0.0.1:0",
                                   "--log-level",    "warn"};
  EnvLookup env = MapEnv(
      {{"HOME", "/nonexistent"}, {"POD_NAME", "pod-1"}, {"POD_NAMESPACE", "mustgather-webhook"}});
  int code = -1;
  std::thread command([&] { code = ReconcileMain(args, env); });
  bool made = WaitUntil([&] { return server.Object(JobsGvr(), kTestNamespace, "mg").has_value(); });
  std::unique_ptr<HttpKubeClient> client = testing::ClientFor(server);
  ListOptions in_namespace;
  in_namespace.ns = kTestNamespace;
  bool recorded = WaitUntil([&] {
    StatusOr<json> events = client->List(kEventGvr, in_namespace);
    return events.ok() && !(*events)["items"].empty();
  });
  kill(getpid(), SIGTERM);
  command.join();
  EXPECT_TRUE(made);
  EXPECT_TRUE(recorded);
  EXPECT_EQ(code, 0);
  std::optional<json> lease =
      server.Object(kLeaseGvr, "mustgather-webhook", "mustgather-reconciler");
  ASSERT_TRUE(lease.has_value());
  EXPECT_EQ((*lease)["spec"].value("holderIdentity", ""), "");  // handed back
}

}  // namespace
}  // namespace mgw
