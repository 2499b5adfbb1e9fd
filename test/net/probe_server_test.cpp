#include "mgw/net/probe_server.h"

#include <atomic>
#include <string>
#include <vector>

#include <arpa/inet.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "support/status_matchers.h"

namespace mgw {
namespace {

using ::mgw::testing::IsOk;
using ::mgw::testing::StatusIs;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

struct Answer {
  int status = 0;
  std::string body;
};

Answer Fetch(int port, const std::string& path) {
  httplib::Client client("127.0.0.1", port);
  // Generous: only a server that does not answer at all fails on it.
  client.set_connection_timeout(5, 0);
  client.set_read_timeout(5, 0);
  httplib::Result res = client.Get(path.c_str());
  if (!res) return {};
  return {res->status, res->body};
}

TEST(ProbeServerTest, AnswersProbesFromTheirCallbacks) {
  std::atomic<bool> synced{false};
  MetricsRegistry registry;
  registry.AddCounter("things_total", "Things.").WithLabels({}).Inc(3);
  StatusOr<std::unique_ptr<ProbeServer>> server = ProbeServer::Start(
      {{"127.0.0.1", 0},
       nullptr,
       [&synced] { return synced ? std::string() : std::string("caches not synced"); },
       &registry});
  ASSERT_THAT(server, IsOk());
  int port = (*server)->port();
  ASSERT_GT(port, 0);
  EXPECT_EQ(Fetch(port, "/healthz").status, 200);
  Answer not_ready = Fetch(port, "/readyz");
  EXPECT_EQ(not_ready.status, 503);
  EXPECT_THAT(not_ready.body, HasSubstr("caches not synced"));
  synced = true;
  EXPECT_EQ(Fetch(port, "/readyz").status, 200);
  Answer metrics = Fetch(port, "/metrics");
  EXPECT_EQ(metrics.status, 200);
  EXPECT_THAT(metrics.body, HasSubstr("things_total 3"));
  EXPECT_EQ(Fetch(port, "/nothing").status, 404);
  (*server)->Stop();
  (*server)->Stop();  // idempotent
  EXPECT_EQ(Fetch(port, "/healthz").status, 0);
}

TEST(ProbeServerTest, UnhealthyAndNoMetrics) {
  StatusOr<std::unique_ptr<ProbeServer>> server =
      ProbeServer::Start({{"127.0.0.1", 0}, [] { return std::string("stuck"); }, nullptr, nullptr});
  ASSERT_THAT(server, IsOk());
  Answer health = Fetch((*server)->port(), "/healthz");
  EXPECT_EQ(health.status, 503);
  EXPECT_THAT(health.body, HasSubstr("stuck"));
  EXPECT_EQ(Fetch((*server)->port(), "/readyz").status, 200);
  EXPECT_EQ(Fetch((*server)->port(), "/metrics").status, 404);
}

TEST(ProbeServerTest, ABusyPortIsAnError) {
  StatusOr<std::unique_ptr<ProbeServer>> first = ProbeServer::Start({{"127.0.0.1", 0}});
  ASSERT_THAT(first, IsOk());
  StatusOr<std::unique_ptr<ProbeServer>> second =
      ProbeServer::Start({{"127.0.0.1", (*first)->port()}});
  EXPECT_THAT(second, StatusIs(StatusCode::kUnavailable));
  EXPECT_THAT(second.status().message(), HasSubstr("--probe-listen"));
}

// A raw TCP client: the server's answers to bytes no library would send.
class RawClient {
 public:
  explicit RawClient(int port) : fd_(socket(AF_INET, SOCK_STREAM, 0)) {
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    timeval timeout{5, 0};  // a server that never answers fails the test, slowly
    setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
    connected_ = connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
  }
  ~RawClient() { close(fd_); }
  RawClient(const RawClient&) = delete;
  RawClient& operator=(const RawClient&) = delete;

  bool connected() const { return connected_; }
  // False once the server has closed (or reset) the connection.
  bool Write(std::string_view bytes) {
    return send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL) ==
           static_cast<ssize_t>(bytes.size());
  }
  // Everything until the server closes; what arrived so far on a timeout.
  std::string ReadAll() {
    std::string out;
    char buffer[4096];
    ssize_t n;
    while ((n = recv(fd_, buffer, sizeof(buffer), 0)) > 0)
      out.append(buffer, static_cast<size_t>(n));
    return out;
  }
  // One read's worth (a small response arrives in one).
  std::string ReadSome() {
    char buffer[65536];
    ssize_t n = recv(fd_, buffer, sizeof(buffer), 0);
    return n > 0 ? std::string(buffer, static_cast<size_t>(n)) : std::string();
  }

 private:
  int fd_;
  bool connected_ = false;
};

std::unique_ptr<ProbeServer> StartReady(ProbeLimits limits = {}) {
  static MetricsRegistry registry;
  StatusOr<std::unique_ptr<ProbeServer>> server =
      ProbeServer::Start({{"127.0.0.1", 0}, nullptr, nullptr, &registry}, limits);
  EXPECT_THAT(server, IsOk());
  return server.ok() ? std::move(server).value() : nullptr;
}

// Issue 16, case 1: two threads, one per connection, meant that a few idle
// sockets kept /readyz from answering at all.
TEST(ProbeServerTest, AnswersWhileHundredsOfIdleAndSlowConnectionsAreOpen) {
  std::unique_ptr<ProbeServer> server = StartReady();
  ASSERT_NE(server, nullptr);
  std::vector<std::unique_ptr<RawClient>> open;
  for (int i = 0; i < 500; ++i) {
    open.push_back(std::make_unique<RawClient>(server->port()));
    ASSERT_TRUE(open.back()->connected());
  }
  for (int i = 0; i < 50; ++i) {
    open.push_back(std::make_unique<RawClient>(server->port()));
    ASSERT_TRUE(open.back()->Write("GET /readyz HTTP/1.1\r\nHost: a\r\nX-Slow: 1\r\n"));
  }
  for (int i = 0; i < 20; ++i) {
    Answer ready = Fetch(server->port(), "/readyz");
    EXPECT_EQ(ready.status, 200) << i;
  }
}

// Case 2: no limit on header lines, and none on chunked bodies.
TEST(ProbeServerTest, RefusesHeaderFloodsAndBodiesAndCloses) {
  std::unique_ptr<ProbeServer> server = StartReady();
  ASSERT_NE(server, nullptr);
  const std::string line = "X-Flood: " + std::string(60, 'f') + "\r\n";
  {
    RawClient flood(server->port());
    std::string head = "GET /metrics HTTP/1.1\r\nHost: a\r\n";
    for (int i = 0; i < 200 && flood.Write(head); ++i) head = line;
    EXPECT_THAT(flood.ReadAll(), StartsWith("HTTP/1.1 431 "));
  }
  const struct {
    std::string request;
    std::string status_line;
  } cases[] = {
      {"POST /metrics HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
       "100000\r\n" +
           std::string(4096, 'c'),
       "HTTP/1.1 411 "},
      {"POST /metrics HTTP/1.1\r\nHost: a\r\nContent-Length: 62914560\r\n\r\n" +
           std::string(4096, 'b'),
       "HTTP/1.1 413 "},
      {"POST /readyz HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: identity\r\n\r\n"
       "GET /readyz HTTP/1.1\r\nHost: a\r\n\r\n",
       "HTTP/1.1 400 "},
  };
  for (const auto& c : cases) {
    RawClient client(server->port());
    ASSERT_TRUE(client.Write(c.request));
    std::string got = client.ReadAll();  // ends: the server closed
    EXPECT_THAT(got, StartsWith(c.status_line)) << c.request.substr(0, 60);
    EXPECT_THAT(got, HasSubstr("Connection: close"));
    EXPECT_THAT(got, Not(HasSubstr("200 OK")));  // the smuggled GET is never answered
  }
}

// Slowloris: a head that trickles in is cut at the request deadline, however
// steadily it comes.
TEST(ProbeServerTest, CutsARequestThatTricklesPastItsDeadline) {
  ProbeLimits limits;
  limits.request_deadline = std::chrono::milliseconds(300);
  std::unique_ptr<ProbeServer> server = StartReady(limits);
  ASSERT_NE(server, nullptr);
  RawClient slow(server->port());
  ASSERT_TRUE(slow.Write("GET /readyz HTTP/1.1\r\nHost: a\r\n"));
  bool cut = false;
  // Up to 200 × 50 ms: far past the deadline, so only a server without one fails.
  for (int i = 0; i < 200 && !cut; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    cut = !slow.Write("X-More: 1\r\n");
  }
  EXPECT_TRUE(cut);
}

TEST(ProbeServerTest, PastTheConnectionCapTheOldestMakesRoom) {
  ProbeLimits limits;
  limits.max_connections = 4;
  std::unique_ptr<ProbeServer> server = StartReady(limits);
  ASSERT_NE(server, nullptr);
  std::vector<std::unique_ptr<RawClient>> idle;
  for (int i = 0; i < 10; ++i) idle.push_back(std::make_unique<RawClient>(server->port()));
  EXPECT_EQ(Fetch(server->port(), "/readyz").status, 200);
  EXPECT_EQ(idle.front()->ReadAll(), "");  // closed without a word
}

// Case 6: HEAD has no body, 405 names what is allowed, every answer is dated,
// and HTTP/1.1 needs exactly one Host.
TEST(ProbeServerTest, ConformsOnHeadAllowDateAndHost) {
  std::unique_ptr<ProbeServer> server = StartReady();
  ASSERT_NE(server, nullptr);
  RawClient client(server->port());
  ASSERT_TRUE(
      client.Write("HEAD /readyz HTTP/1.1\r\nHost: a\r\n\r\n"
                   "POST /readyz HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n\r\n"
                   "GET /healthz HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n"));
  std::string got = client.ReadAll();
  size_t second = got.find("HTTP/1.1 405 ");
  ASSERT_NE(second, std::string::npos) << got;
  std::string head = got.substr(0, second);
  EXPECT_THAT(head, StartsWith("HTTP/1.1 200 OK\r\n"));
  EXPECT_THAT(head, HasSubstr("Content-Length: 3\r\n"));
  EXPECT_EQ(head.substr(head.size() - 4), "\r\n\r\n");  // and nothing after it
  EXPECT_THAT(got.substr(second), HasSubstr("Allow: GET, HEAD\r\n"));
  EXPECT_THAT(got, HasSubstr("\r\n\r\nok\n"));  // the GET after them
  size_t dates = 0;
  for (size_t at = got.find("\r\nDate: "); at != std::string::npos;
       at = got.find("\r\nDate: ", at + 1)) {
    ++dates;
  }
  EXPECT_EQ(dates, 3u);
  for (std::string request :
       {"GET /readyz HTTP/1.1\r\n\r\n", "GET /readyz HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n"}) {
    RawClient bad(server->port());
    ASSERT_TRUE(bad.Write(request));
    EXPECT_THAT(bad.ReadAll(), StartsWith("HTTP/1.1 400 ")) << request;
  }
}

}  // namespace
}  // namespace mgw
