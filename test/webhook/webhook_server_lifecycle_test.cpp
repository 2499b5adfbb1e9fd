// The HTTPS server over its lifetime: certificate rotation, mTLS, many idle
// connections, the connection cap, and the graceful drain on shutdown. Companion
// to tls_server_test.cpp (requests, errors, deadlines, probes, metrics).
#include <chrono>
#include <cstdio>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <openssl/x509.h>

#include "mgw/rules/mustgather_rules.h"
#include "mgw/webhook/webhook_server.h"
#include "support/status_matchers.h"
#include "support/test_certs.h"
#include "support/tls_test_client.h"
#include "support/wait_until.h"

namespace mgw {
namespace {

using namespace std::chrono_literals;
using ::mgw::testing::Credential;
using ::mgw::testing::Gate;
using ::mgw::testing::LeafSpec;
using ::mgw::testing::ReviewBody;
using ::mgw::testing::StatusIs;
using ::mgw::testing::TlsTestClient;
using ::testing::HasSubstr;
using ::testing::StartsWith;

constexpr char kOk[] = "HTTP/1.1 200";

// The value of the sample `series` (name and labels) in Prometheus text, or -1.
double MetricValue(const std::string& text, const std::string& series) {
  size_t at = text.find("\n" + series + " ");
  return at == std::string::npos ? -1 : std::stod(text.substr(at + series.size() + 2));
}

class WebhookServerLifecycleTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ca_file_ = dir_.Write("ca.crt", ca_.cert_pem());
    first_ = ca_.IssueServer();
    WritePair(first_);
    config_.default_image = std::string(kDefaultGatherImage);
    config_.allowlist = &allowlist_;
  }

  // Replaces tls.crt and tls.key by rename, as an atomic writer would.
  void WritePair(const Credential& c) { WritePair(c.cert_pem, c.key_pem); }
  void WritePair(const std::string& cert, const std::string& key) {
    for (auto [name, text] : {std::pair{"tls.crt", cert}, std::pair{"tls.key", key}}) {
      std::string tmp = dir_.Write(std::string(name) + ".tmp", text);
      ASSERT_EQ(std::rename(tmp.c_str(), (dir_.path() + "/" + name).c_str()), 0);
    }
  }

  ServerOptions Options() {
    ServerOptions o;
    o.listen = {"127.0.0.1", 0};
    o.probe_listen = {"127.0.0.1", 0};
    o.tls_cert_file = dir_.path() + "/tls.crt";
    o.tls_key_file = dir_.path() + "/tls.key";
    o.worker_threads = 2;
    return o;
  }

  void StartServer(ServerOptions o) {
    StatusOr<std::unique_ptr<WebhookServer>> s = WebhookServer::Create(std::move(o), config_);
    ASSERT_TRUE(s.ok()) << s.status();
    server_ = std::move(s).value();
    ASSERT_TRUE(server_->Start().ok());
  }

  // A connection that has served one request and is now idle (kept alive).
  std::unique_ptr<TlsTestClient> IdleConnection(const std::string& uid) {
    auto c = std::make_unique<TlsTestClient>();
    EXPECT_TRUE(c->Connect(server_->port(), ca_file_));
    EXPECT_THAT(c->Post("/validate-mustgather", ReviewBody(uid, "pvc")), StartsWith(kOk));
    return c;
  }

  std::string Metrics() {
    httplib::Client probe("127.0.0.1", server_->probe_port());
    auto res = probe.Get("/metrics");
    return res ? res->body : "";
  }

  testing::TestCa ca_ = testing::TestCa::CreateRoot();
  testing::TempDir dir_;
  std::string ca_file_;
  Credential first_;
  MutableAllowlistSource allowlist_{NotConfiguredAllowlist("test")};
  HandlerConfig config_;
  std::unique_ptr<WebhookServer> server_;
};

TEST_F(WebhookServerLifecycleTest, NewHandshakesPresentTheRotatedCertificate) {
  StartServer(Options());
  TlsTestClient before;
  ASSERT_TRUE(before.Connect(server_->port(), ca_file_));
  EXPECT_EQ(X509_cmp(before.ServerCertificate(), first_.cert.get()), 0);

  Credential second = ca_.IssueServer();
  WritePair(second);
  ASSERT_EQ(server_->certificates().WaitForChange(1, 10s), 2u) << "inotify did not fire";
  TlsTestClient after;
  ASSERT_TRUE(after.Connect(server_->port(), ca_file_));
  EXPECT_EQ(X509_cmp(after.ServerCertificate(), second.cert.get()), 0);
  EXPECT_THAT(after.Post("/validate-mustgather", ReviewBody("a", "pvc")), StartsWith(kOk));
  EXPECT_THAT(before.Post("/validate-mustgather", ReviewBody("b", "pvc")), StartsWith(kOk))
      << "a connection made before the rotation keeps working";

  Credential third = ca_.IssueServer();
  WritePair(third.cert_pem, second.key_pem);  // a broken pair: the last good one stays
  EXPECT_THAT(server_->certificates().Reload(), StatusIs(StatusCode::kInvalidArgument));
  TlsTestClient later;
  ASSERT_TRUE(later.Connect(server_->port(), ca_file_));
  EXPECT_EQ(X509_cmp(later.ServerCertificate(), second.cert.get()), 0);
  EXPECT_THAT(Metrics(),
              HasSubstr("mustgather_webhook_certificate_reloads_total{result=\"error\"}"));
}

TEST_F(WebhookServerLifecycleTest, RotationCanChangeTheKeyType) {
  StartServer(Options());
  LeafSpec rsa;
  rsa.key_type = testing::KeyType::kRsa2048;
  Credential second = ca_.IssueServer(rsa);
  WritePair(second);
  ASSERT_EQ(server_->certificates().WaitForChange(1, 10s), 2u);
  TlsTestClient c;
  ASSERT_TRUE(c.Connect(server_->port(), ca_file_));
  EXPECT_EQ(X509_cmp(c.ServerCertificate(), second.cert.get()), 0);
}

TEST_F(WebhookServerLifecycleTest, ReadinessFailsOnceTheCertificateHasExpired) {
  auto now = std::make_shared<std::atomic<int64_t>>(0);  // seconds added to the real clock
  ServerOptions o = Options();
  o.now = [now] { return std::chrono::system_clock::now() + std::chrono::seconds(now->load()); };
  StartServer(std::move(o));
  EXPECT_EQ(server_->NotReadyReason(), "");
  *now = 31 * 24 * 3600;  // the test certificate is valid for 30 days
  EXPECT_THAT(server_->NotReadyReason(), HasSubstr("expired"));
  httplib::Client probe("127.0.0.1", server_->probe_port());
  auto res = probe.Get("/readyz");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 503);
  EXPECT_THAT(res->body, HasSubstr("expired"));
}

// With --client-ca-file, a client without a certificate, with one from another
// CA, or with a name not in --client-allowed-names is refused during the TLS
// handshake (an alert; there is no HTTP status). Under TLS 1.3 the client learns
// it on its first read, so "refused" means no HTTP answer at all.
TEST_F(WebhookServerLifecycleTest, MutualTlsAcceptsOnlyAllowedClientsOfTheCa) {
  ServerOptions o = Options();
  o.client_auth = {ca_file_, {"kube-apiserver"}};
  StartServer(std::move(o));
  LeafSpec apiserver;
  apiserver.common_name = "kube-apiserver";
  apiserver.dns_names = {};
  apiserver.ip_addresses = {};
  LeafSpec other = apiserver;
  other.common_name = "someone-else";
  testing::TestCa stranger_ca = testing::TestCa::CreateRoot("stranger CA");
  struct Case {
    std::string name;
    std::optional<Credential> client;
    bool served;
  };
  const Case cases[] = {
      {"no certificate", std::nullopt, false},
      {"certificate from another CA", stranger_ca.IssueClient(apiserver), false},
      {"allowed name", ca_.IssueClient(apiserver), true},
      {"name not allowed", ca_.IssueClient(other), false},
  };
  for (const Case& c : cases) {
    TlsTestClient client;
    bool connected = client.Connect(server_->port(), ca_file_, c.client ? &*c.client : nullptr);
    std::string reply =
        connected ? client.Post("/validate-mustgather", ReviewBody("m", "pvc")) : "";
    EXPECT_EQ(reply.rfind(kOk, 0) == 0, c.served) << c.name << ": " << reply.substr(0, 40);
  }
}

TEST_F(WebhookServerLifecycleTest, MutualTlsWithABadCaFileFailsAtCreate) {
  ServerOptions o = Options();
  o.client_auth = {dir_.path() + "/absent-ca.crt", {}};
  EXPECT_THAT(WebhookServer::Create(std::move(o), config_),
              StatusIs(StatusCode::kNotFound, HasSubstr("--client-ca-file")));
}

TEST_F(WebhookServerLifecycleTest, IdleConnectionsDoNotBlockNewRequests) {
  StartServer(Options());  // 2 event loops
  std::vector<std::unique_ptr<TlsTestClient>> idle;
  for (int i = 0; i < 8; ++i) idle.push_back(IdleConnection("idle-" + std::to_string(i)));
  httplib::SSLClient cli("127.0.0.1", server_->port());
  cli.set_ca_cert_path(ca_file_.c_str());
  cli.enable_server_certificate_verification(true);
  cli.set_connection_timeout(5, 0);
  cli.set_read_timeout(5, 0);  // under the 10 s keep-alive timeout that would free a thread
  auto res = cli.Post("/validate-mustgather", ReviewBody("new", "pvc"), "application/json");
  ASSERT_TRUE(res) << httplib::to_string(res.error());
  EXPECT_EQ(res->status, 200);
  for (auto& c : idle) {
    EXPECT_THAT(c->Post("/validate-mustgather", ReviewBody("again", "pvc")), StartsWith(kOk))
        << "idle connections under the cap are left open";
  }
  // The gauge is refreshed by each loop's housekeeping, every 250 ms.
  EXPECT_TRUE(testing::WaitUntil([&] {
    return MetricValue(Metrics(), "mustgather_webhook_connections{state=\"idle\"}") >= 8;
  })) << Metrics();
}

TEST_F(WebhookServerLifecycleTest, AtTheConnectionCapTheLongestIdleConnectionMakesRoom) {
  ServerOptions o = Options();
  o.worker_threads = 1;
  o.max_connections = 3;
  StartServer(std::move(o));
  std::vector<std::unique_ptr<TlsTestClient>> idle;
  for (int i = 0; i < 3; ++i) idle.push_back(IdleConnection("idle-" + std::to_string(i)));
  TlsTestClient fourth;
  ASSERT_TRUE(fourth.Connect(server_->port(), ca_file_, nullptr, 5));
  EXPECT_THAT(fourth.Post("/validate-mustgather", ReviewBody("4th", "pvc")), StartsWith(kOk));
  EXPECT_TRUE(idle[0]->ServerClosed(5000)) << "the oldest idle connection was closed";
  EXPECT_THAT(idle[2]->Post("/validate-mustgather", ReviewBody("still", "pvc")), StartsWith(kOk));
  EXPECT_THAT(Metrics(),
              HasSubstr("mustgather_webhook_connections_closed_total{reason=\"saturated\"} 1"));
}

TEST_F(WebhookServerLifecycleTest, ShutdownClosesIdleConnectionsAndFinishesRequestsInFlight) {
  auto gate = std::make_shared<Gate>();
  ServerOptions o = Options();
  // A deadline far off: the slow review must finish on its own, while its event
  // loop, moved to a new thread by the watchdog, goes on closing idle connections.
  o.max_review_duration = 60s;
  o.evaluate = [gate](Endpoint e, const AdmissionRequest& r, const HandlerConfig& c) {
    if (r.uid == "slow") gate->Pass();
    return EvaluateAdmission(e, r, c);
  };
  StartServer(std::move(o));
  std::unique_ptr<TlsTestClient> idle = IdleConnection("idle");
  TlsTestClient handshake_only;  // connected, never sent a request
  ASSERT_TRUE(handshake_only.Connect(server_->port(), ca_file_));
  TlsTestClient busy;
  ASSERT_TRUE(busy.Connect(server_->port(), ca_file_));
  std::string slow_reply;
  std::thread in_flight(
      [&] { slow_reply = busy.Post("/validate-mustgather", ReviewBody("slow", "pvc")); });
  ASSERT_TRUE(gate->WaitArrived(1));

  std::thread stopper([&] { server_->Shutdown(); });
  EXPECT_TRUE(idle->ServerClosed(5000)) << "idle keep-alive connection closed at shutdown";
  EXPECT_TRUE(handshake_only.ServerClosed(5000)) << "so is one that never sent a request";
  EXPECT_EQ(server_->NotReadyReason(), "shutting down");
  TlsTestClient late;
  EXPECT_FALSE(late.Connect(server_->port(), ca_file_, nullptr, 2)) << "listener closed";
  gate->Open();
  in_flight.join();
  stopper.join();
  EXPECT_THAT(slow_reply, StartsWith(kOk)) << "the request in flight got its answer";
  EXPECT_THAT(slow_reply, HasSubstr("\"allowed\":true"));
}

}  // namespace
}  // namespace mgw
