#include "mgw/webhook/webhook_server.h"

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include <arpa/inet.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "mgw/rules/mustgather_rules.h"
#include "support/status_matchers.h"
#include "support/test_certs.h"
#include "support/tls_test_client.h"

namespace mgw {
namespace {

using ::mgw::testing::ReviewBody;
using ::mgw::testing::StatusIs;
using nlohmann::json;
using ::testing::HasSubstr;

// Connects a TCP socket to 127.0.0.1:port; -1 on failure.
int ConnectTcp(int port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    close(fd);
    return -1;
  }
  return fd;
}

// Sends `count` requests over ONE TLS connection and returns how many got a 200,
// proving the server keeps connections open past httplib's default of 5 requests.
int RequestsOnOneConnection(int port, const std::string& ca_file, int count) {
  SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
  SSL_CTX_load_verify_locations(ctx, ca_file.c_str(), nullptr);
  SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nullptr);
  int fd = ConnectTcp(port);
  SSL* ssl = SSL_new(ctx);
  SSL_set_fd(ssl, fd);
  int ok = 0;
  if (SSL_connect(ssl) == 1) {
    std::string body = ReviewBody("keepalive", "pvc");
    std::string req =
        "POST /validate-mustgather HTTP/1.1\r\nHost: localhost\r\n"
        "Content-Type: application/json\r\nContent-Length: " +
        std::to_string(body.size()) + "\r\n\r\n" + body;
    for (int i = 0; i < count; ++i) {
      if (SSL_write(ssl, req.data(), static_cast<int>(req.size())) <= 0) break;
      std::string got;
      char buf[4096];
      // Read until the JSON body's closing brace of a full response arrives.
      while (got.find("\r\n\r\n") == std::string::npos || got.back() != '}') {
        int n = SSL_read(ssl, buf, sizeof(buf));
        if (n <= 0) break;
        got.append(buf, static_cast<size_t>(n));
      }
      if (got.rfind("HTTP/1.1 200", 0) != 0) break;
      ++ok;
    }
  }
  SSL_free(ssl);
  close(fd);
  SSL_CTX_free(ctx);
  return ok;
}

class WebhookServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ca_file_ = dir_.Write("ca.crt", ca_.cert_pem());
    testing::Credential leaf = ca_.IssueServer();
    cert_file_ = dir_.Write("tls.crt", leaf.cert_pem);
    key_file_ = dir_.Write("tls.key", leaf.key_pem);
    config_.default_image = std::string(kDefaultGatherImage);
    config_.allowlist = &allowlist_;
  }

  ServerOptions Options() {
    ServerOptions o;
    o.listen = {"127.0.0.1", 0};
    o.probe_listen = {"127.0.0.1", 0};
    o.tls_cert_file = cert_file_;
    o.tls_key_file = key_file_;
    o.worker_threads = 2;
    return o;
  }

  void StartServer(ServerOptions o) {
    StatusOr<std::unique_ptr<WebhookServer>> s = WebhookServer::Create(std::move(o), config_);
    ASSERT_TRUE(s.ok()) << s.status();
    server_ = std::move(s).value();
    ASSERT_TRUE(server_->Start().ok());
  }

  std::unique_ptr<httplib::SSLClient> Client() {
    auto c = std::make_unique<httplib::SSLClient>("127.0.0.1", server_->port());
    c->set_ca_cert_path(ca_file_.c_str());
    c->enable_server_certificate_verification(true);
    c->set_connection_timeout(5, 0);
    c->set_read_timeout(10, 0);
    return c;
  }

  testing::TestCa ca_ = testing::TestCa::CreateRoot();
  testing::TempDir dir_;
  std::string ca_file_, cert_file_, key_file_;
  MutableAllowlistSource allowlist_{NotConfiguredAllowlist("test")};
  HandlerConfig config_;
  std::unique_ptr<WebhookServer> server_;
};

TEST_F(WebhookServerTest, AllowsAndDeniesOverVerifiedTls) {
  StartServer(Options());
  auto cli = Client();
  auto ok = cli->Post("/validate-mustgather", ReviewBody("u-1", "pvc"), "application/json");
  ASSERT_TRUE(ok) << httplib::to_string(ok.error());
  EXPECT_EQ(ok->status, 200);
  EXPECT_EQ(json::parse(ok->body)["response"]["uid"], "u-1");
  EXPECT_EQ(json::parse(ok->body)["response"]["allowed"], true);

  auto denied = cli->Post("/validate-mustgather", ReviewBody("u-2", "Bad_PVC"), "application/json");
  ASSERT_TRUE(denied);
  json resp = json::parse(denied->body)["response"];
  EXPECT_EQ(resp["allowed"], false);
  EXPECT_EQ(resp["status"]["code"], 422);
  EXPECT_THAT(resp["status"]["message"].get<std::string>(), HasSubstr("lowercase RFC 1123"));
}

TEST_F(WebhookServerTest, MutatesWithBase64Patch) {
  StartServer(Options());
  auto res = Client()->Post("/mutate-mustgather", ReviewBody("u-3", "pvc"), "application/json");
  ASSERT_TRUE(res);
  json resp = json::parse(res->body)["response"];
  EXPECT_EQ(resp["patchType"], "JSONPatch");
  EXPECT_FALSE(resp["patch"].get<std::string>().empty());
}

TEST_F(WebhookServerTest, HttpErrorsOverTheWire) {
  StartServer(Options());
  auto cli = Client();
  auto get = cli->Get("/validate-mustgather");
  ASSERT_TRUE(get);
  EXPECT_EQ(get->status, 405);
  EXPECT_EQ(get->get_header_value("Allow"), "POST");  // issue 16, case 6
  EXPECT_TRUE(get->has_header("Date"));
  auto head = cli->Head("/validate-mustgather");
  ASSERT_TRUE(head);
  EXPECT_EQ(head->status, 405);
  EXPECT_EQ(head->body, "");
  auto text = cli->Post("/validate-mustgather", ReviewBody("u", "pvc"), "text/plain");
  ASSERT_TRUE(text);
  EXPECT_EQ(text->status, 415);
  auto garbage = cli->Post("/validate-mustgather", "{not json", "application/json");
  ASSERT_TRUE(garbage);
  EXPECT_EQ(garbage->status, 400);
  EXPECT_THAT(garbage->body, HasSubstr("not an AdmissionReview"));
  auto nowhere = cli->Post("/nowhere", "{}", "application/json");
  ASSERT_TRUE(nowhere);
  EXPECT_EQ(nowhere->status, 404);
}

TEST_F(WebhookServerTest, OversizedBodyIs413AndServerKeepsServing) {
  StartServer(Options());
  std::string huge(8 * 1024 * 1024, ' ');
  auto res = Client()->Post("/validate-mustgather", huge, "application/json");
  if (res) {
    EXPECT_EQ(res->status, 413);  // the server may also cut the upload short
  }
  auto after =
      Client()->Post("/validate-mustgather", ReviewBody("u-after", "pvc"), "application/json");
  ASSERT_TRUE(after);
  EXPECT_EQ(after->status, 200);
}

TEST_F(WebhookServerTest, KeepsConnectionsAliveBeyondFiveRequests) {
  StartServer(Options());
  EXPECT_EQ(RequestsOnOneConnection(server_->port(), ca_file_, 12), 12);
}

TEST_F(WebhookServerTest, SilentClientDoesNotBlockOthers) {
  StartServer(Options());
  int silent = ConnectTcp(server_->port());
  ASSERT_GE(silent, 0);
  auto cli = Client();
  for (int i = 0; i < 5; ++i) {
    auto res = cli->Post("/validate-mustgather", ReviewBody("u" + std::to_string(i), "pvc"),
                         "application/json");
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 200);
  }
  close(silent);
}

TEST_F(WebhookServerTest, ConcurrentBurstGetsEveryAnswerRight) {
  StartServer(Options());
  constexpr int kThreads = 16, kEach = 10;
  std::atomic<int> right{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      auto cli = Client();
      for (int i = 0; i < kEach; ++i) {
        std::string uid = "t" + std::to_string(t) + "-" + std::to_string(i);
        bool bad = (i % 2) == 1;
        auto res = cli->Post("/validate-mustgather", ReviewBody(uid, bad ? "BAD" : "ok"),
                             "application/json");
        if (!res || res->status != 200) continue;
        json resp = json::parse(res->body)["response"];
        if (resp["uid"] == uid && resp["allowed"] == !bad) ++right;
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(right.load(), kThreads * kEach);
}

TEST_F(WebhookServerTest, ProbesReportHealthAndReadiness) {
  std::atomic<bool> gate{false};
  ServerOptions o = Options();
  o.readiness = [&gate] { return gate ? std::string() : std::string("allowlist not synced"); };
  StartServer(std::move(o));
  httplib::Client probe("127.0.0.1", server_->probe_port());
  auto health = probe.Get("/healthz");
  ASSERT_TRUE(health);
  EXPECT_EQ(health->status, 200);
  auto not_ready = probe.Get("/readyz");
  ASSERT_TRUE(not_ready);
  EXPECT_EQ(not_ready->status, 503);
  EXPECT_THAT(not_ready->body, HasSubstr("allowlist not synced"));
  gate = true;
  EXPECT_EQ(probe.Get("/readyz")->status, 200);
  server_->Shutdown();
  EXPECT_EQ(server_->NotReadyReason(), "shutting down");
}

TEST_F(WebhookServerTest, ShutdownStopsAcceptingAndIsIdempotent) {
  StartServer(Options());
  int port = server_->port();
  server_->Shutdown();
  server_->Shutdown();
  EXPECT_LT(ConnectTcp(port), 0);
}

TEST_F(WebhookServerTest, CreateFailsClearlyOnBadCertificates) {
  ServerOptions missing = Options();
  missing.tls_cert_file = dir_.path() + "/absent.crt";
  EXPECT_THAT(WebhookServer::Create(missing, config_),
              StatusIs(StatusCode::kNotFound, HasSubstr("absent.crt")));
  ServerOptions mismatched = Options();
  mismatched.tls_key_file = dir_.Write("other.key", ca_.IssueServer().key_pem);
  EXPECT_THAT(WebhookServer::Create(mismatched, config_),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("does not match")));
  ServerOptions none = Options();
  none.tls_cert_file.clear();
  EXPECT_THAT(WebhookServer::Create(none, config_), StatusIs(StatusCode::kInvalidArgument));
}

// An evaluation that cannot finish in time gets an explicit answer at the
// deadline rather than leaving the apiserver to time out.
TEST_F(WebhookServerTest, SlowEvaluationIsAnsweredWithAnExplicitTimeout) {
  auto gate = std::make_shared<testing::Gate>();
  ServerOptions o = Options();
  o.max_review_duration = std::chrono::milliseconds(300);
  o.evaluate = [gate](Endpoint, const AdmissionRequest&, const HandlerConfig&) {
    gate->Pass();
    return AdmissionResult{};
  };
  StartServer(std::move(o));
  auto res =
      Client()->Post("/validate-mustgather", ReviewBody("u-slow", "pvc"), "application/json");
  gate->Open();
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  json resp = json::parse(res->body)["response"];
  EXPECT_EQ(resp["uid"], "u-slow");
  EXPECT_EQ(resp["allowed"], false);
  EXPECT_EQ(resp["status"]["code"], 504);
  EXPECT_EQ(resp["status"]["reason"], "Timeout");
  EXPECT_THAT(resp["status"]["message"].get<std::string>(),
              HasSubstr("within 300ms (--max-review-duration=300ms)"));
}

// One event loop: while a review hangs in its handler, the watchdog moves the
// loop to a new thread, so other connections are still served; the hung review
// gets its answer when the handler returns.
TEST_F(WebhookServerTest, HungReviewDoesNotHoldUpItsLoop) {
  auto gate = std::make_shared<testing::Gate>();
  ServerOptions o = Options();
  o.worker_threads = 1;
  o.max_review_duration = std::chrono::seconds(60);
  o.evaluate = [gate](Endpoint e, const AdmissionRequest& r, const HandlerConfig& c) {
    if (r.uid == "hung") gate->Pass();
    return EvaluateAdmission(e, r, c);
  };
  StartServer(std::move(o));
  std::string hung_body;
  std::thread waiter([&] {
    auto res =
        Client()->Post("/validate-mustgather", ReviewBody("hung", "pvc"), "application/json");
    if (res) hung_body = res->body;
  });
  ASSERT_TRUE(gate->WaitArrived(1));
  auto other =
      Client()->Post("/validate-mustgather", ReviewBody("other", "pvc"), "application/json");
  gate->Open();  // before any assertion, so a failure cannot leave the server hung
  waiter.join();
  ASSERT_TRUE(other) << httplib::to_string(other.error());
  EXPECT_EQ(json::parse(other->body)["response"]["uid"], "other");
  ASSERT_FALSE(hung_body.empty());
  EXPECT_EQ(json::parse(hung_body)["response"]["allowed"], true);
}

TEST_F(WebhookServerTest, ApiserverTimeoutParameterShortensTheBudget) {
  auto gate = std::make_shared<testing::Gate>();
  ServerOptions o = Options();
  o.max_review_duration = std::chrono::seconds(30);
  o.evaluate = [gate](Endpoint, const AdmissionRequest&, const HandlerConfig&) {
    gate->Pass();
    return AdmissionResult{};
  };
  StartServer(std::move(o));
  auto res = Client()->Post("/validate-mustgather?timeout=1s", ReviewBody("u-t", "pvc"),
                            "application/json");
  gate->Open();
  ASSERT_TRUE(res);
  json resp = json::parse(res->body)["response"];
  EXPECT_EQ(resp["status"]["code"], 504);
  EXPECT_THAT(resp["status"]["message"].get<std::string>(),
              HasSubstr("within 500ms (the apiserver's ?timeout=1s less 500ms of margin)"));
}

TEST_F(WebhookServerTest, ZeroMaxReviewDurationEvaluatesWithoutADeadline) {
  ServerOptions o = Options();
  o.max_review_duration = std::chrono::seconds(0);
  StartServer(std::move(o));
  auto res = Client()->Post("/validate-mustgather?timeout=1s", ReviewBody("u-0", "pvc"),
                            "application/json");
  ASSERT_TRUE(res);
  EXPECT_EQ(json::parse(res->body)["response"]["allowed"], true);
}

TEST_F(WebhookServerTest, MetricsEndpointServesPrometheusText) {
  StartServer(Options());
  auto cli = Client();
  ASSERT_TRUE(cli->Post("/validate-mustgather", ReviewBody("m1", "pvc"), "application/json"));
  ASSERT_TRUE(cli->Post("/validate-mustgather", ReviewBody("m2", "Bad_PVC"), "application/json"));
  ASSERT_TRUE(cli->Post("/mutate-mustgather", ReviewBody("m3", "pvc"), "application/json"));
  ASSERT_TRUE(cli->Post("/validate-mustgather", "{}", "application/json"));
  httplib::Client probe("127.0.0.1", server_->probe_port());
  auto res = probe.Get("/metrics");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(res->get_header_value("Content-Type"), "text/plain; version=0.0.4; charset=utf-8");
  for (const char* line : {
           "controller_runtime_webhook_requests_total{webhook=\"/"
           "validate-mustgather\",code=\"200\"} 2\n",
           "controller_runtime_webhook_requests_total{webhook=\"/"
           "validate-mustgather\",code=\"400\"} 1\n",
           "controller_runtime_webhook_requests_total{webhook=\"/mutate-mustgather\",code=\"200\"} "
           "1\n",
           "controller_runtime_webhook_latency_seconds_count{webhook=\"/validate-mustgather\"} 3\n",
           "controller_runtime_webhook_requests_in_flight{webhook=\"/validate-mustgather\"} 0\n",
           "mustgather_webhook_decisions_total{webhook=\"/"
           "mutate-mustgather\",allowed=\"true\",reason=\"Patched\"} 1\n",
           "mustgather_webhook_decisions_total{webhook=\"/"
           "validate-mustgather\",allowed=\"false\",reason=\"ValidationFailed\"} 1\n",
           "mustgather_webhook_decisions_total{webhook=\"/"
           "validate-mustgather\",allowed=\"true\",reason=\"Allowed\"} 1\n",
           "# TYPE mustgather_webhook_certificate_expiry_timestamp_seconds gauge\n",
           "# TYPE mustgather_webhook_allowlist_age_seconds gauge\n",
       }) {
    EXPECT_THAT(res->body, HasSubstr(line));
  }
}

TEST_F(WebhookServerTest, PortInUseIsUnavailable) {
  StartServer(Options());
  ServerOptions clash = Options();
  clash.listen.port = server_->port();
  auto second = WebhookServer::Create(clash, config_);
  ASSERT_TRUE(second.ok());
  EXPECT_THAT((*second)->Start(), StatusIs(StatusCode::kUnavailable, HasSubstr("--listen")));
}

// httplib's own default (SO_REUSEPORT) would let a second server share the probe
// port silently, and the kubelet would probe whichever the kernel picked.
TEST_F(WebhookServerTest, ProbePortInUseIsUnavailable) {
  StartServer(Options());
  ServerOptions clash = Options();
  clash.probe_listen.port = server_->probe_port();
  auto second = WebhookServer::Create(clash, config_);
  ASSERT_TRUE(second.ok());
  EXPECT_THAT((*second)->Start(), StatusIs(StatusCode::kUnavailable, HasSubstr("--probe-listen")));
}

}  // namespace
}  // namespace mgw
