#include "mgw/net/https_server.h"

#include <atomic>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <arpa/inet.h>
#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include "support/https_test_support.h"
#include "support/status_matchers.h"
#include "support/test_certs.h"
#include "support/tls_test_client.h"
#include "support/wait_until.h"

namespace mgw {
namespace {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;
using ::mgw::testing::Framed;
using ::mgw::testing::SslCtxPtr;
using ::mgw::testing::StatusIs;
using ::mgw::testing::TakeResponse;
using ::mgw::testing::WaitUntil;
using ::testing::EndsWith;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

constexpr std::string_view kPlain = "text/plain; charset=utf-8";
// Larger than what the kernel buffers between the server and a client with a
// small receive buffer (the server's send buffer grows to 4 MiB at most).
constexpr size_t kBigBody = 6 * 1024 * 1024;

// "METHOD /path?query body": what /echo answers with.
std::string Describe(const HttpsRequest& request) {
  std::string out = request.head.method + " " + request.head.path;
  if (!request.head.query.empty()) out += "?" + request.head.query;
  return out + " " + request.body;
}

std::string Get(std::string_view target) {
  return "GET " + std::string(target) + " HTTP/1.1\r\nHost: localhost\r\n\r\n";
}

std::string Post(std::string_view target, std::string_view body) {
  return "POST " + std::string(target) +
         " HTTP/1.1\r\nHost: localhost\r\nContent-Length: " + std::to_string(body.size()) +
         "\r\n\r\n" + std::string(body);
}

// The body of a whole response.
std::string BodyOf(const std::string& response) {
  size_t at = response.find("\r\n\r\n");
  return at == std::string::npos ? "" : response.substr(at + 4);
}

// A blocking OpenSSL client over one TCP connection; every call gives up after
// a couple of seconds, so a broken server fails a test instead of hanging it.
class Client {
 public:
  explicit Client(SSL_CTX& ctx) : ctx_(ctx) {}
  ~Client() { Close(); }
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  // A TCP connection to 127.0.0.1:port; `rcvbuf` > 0 shrinks its receive buffer.
  bool ConnectTcp(int port, int rcvbuf = 0) {
    fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd_ < 0) return false;
    timeval tv{2, 0};
    setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    setsockopt(fd_, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
    if (rcvbuf > 0) setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
    int one = 1;
    setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
  }

  // ConnectTcp plus a TLS handshake verifying the server as "localhost".
  bool Connect(int port, int rcvbuf = 0) {
    if (!ConnectTcp(port, rcvbuf)) return false;
    ssl_ = SSL_new(&ctx_);
    SSL_set_fd(ssl_, fd_);
    SSL_set_tlsext_host_name(ssl_, "localhost");
    SSL_set1_host(ssl_, "localhost");
    ERR_clear_error();
    bool ok = SSL_connect(ssl_) == 1;
    ERR_clear_error();
    return ok;
  }

  bool Write(std::string_view bytes) {
    if (ssl_ == nullptr) return false;
    ERR_clear_error();
    int n = SSL_write(ssl_, bytes.data(), static_cast<int>(bytes.size()));
    ERR_clear_error();
    return n == static_cast<int>(bytes.size());
  }

  // The next whole response, or "" when the connection ends or stays silent for
  // too long. Bytes after it stay buffered.
  std::string ReadResponse(std::chrono::milliseconds timeout = 3s) {
    const auto deadline = Clock::now() + timeout;
    while (true) {
      if (std::optional<std::string> response = TakeResponse(buffered_)) return *response;
      if (!ReadSome(deadline)) return "";
    }
  }

  std::string Request(std::string_view raw) { return Write(raw) ? ReadResponse() : ""; }

  // True once the server has ended the connection (close_notify, end of stream
  // or reset) within `timeout`; bytes that come first are buffered.
  bool ServerClosed(std::chrono::milliseconds timeout) {
    if (ssl_ == nullptr) return true;
    const auto deadline = Clock::now() + timeout;
    while (!ended_ && Clock::now() < deadline) ReadSome(deadline);
    return ended_;
  }

  // Plain bytes on the socket, for a client that does not speak TLS.
  bool WritePlain(std::string_view bytes) {
    return send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL) ==
           static_cast<ssize_t>(bytes.size());
  }

  // For a client that does not speak TLS: true once reading the socket hits the
  // end of the stream or a reset within `timeout` (whatever came first is dropped).
  bool PlainClosed(std::chrono::milliseconds timeout) {
    const auto deadline = Clock::now() + timeout;
    while (true) {
      auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - Clock::now());
      if (left.count() <= 0) return false;
      pollfd p{fd_, POLLIN, 0};
      if (poll(&p, 1, static_cast<int>(left.count())) <= 0) continue;
      char buf[4096];
      ssize_t n = recv(fd_, buf, sizeof(buf), MSG_DONTWAIT);
      if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)) {
        return true;
      }
    }
  }

  const std::string& buffered() const { return buffered_; }

  void Close() {
    if (ssl_ != nullptr) SSL_free(ssl_);
    ssl_ = nullptr;
    if (fd_ >= 0) close(fd_);
    fd_ = -1;
  }

 private:
  // Reads what arrives before `deadline`; false at the end of the stream or the deadline.
  bool ReadSome(Clock::time_point deadline) {
    if (ssl_ == nullptr || ended_) return false;
    while (true) {
      auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - Clock::now());
      if (left.count() <= 0) return false;
      if (SSL_pending(ssl_) == 0) {
        pollfd p{fd_, POLLIN, 0};
        if (poll(&p, 1, static_cast<int>(left.count())) <= 0) continue;
      }
      char buf[65536];
      ERR_clear_error();
      int n = SSL_read(ssl_, buf, sizeof(buf));
      if (n > 0) {
        buffered_.append(buf, static_cast<size_t>(n));
        return true;
      }
      int error = SSL_get_error(ssl_, n);
      ERR_clear_error();
      if (error != SSL_ERROR_WANT_READ && error != SSL_ERROR_WANT_WRITE) {
        ended_ = true;
        return false;
      }
    }
  }

  SSL_CTX& ctx_;
  SSL* ssl_ = nullptr;
  int fd_ = -1;
  std::string buffered_;
  bool ended_ = false;
};

// An HttpsServer on 127.0.0.1, port 0, with a handler that answers by path:
//   /echo      inline, with Describe(request)
//   /async     from another thread, after a short delay
//   /throw     throws
//   /hold      kept in held_ until the test answers it
//   /deadline  a 100 ms deadline timer answers 503; a thread tries to answer late
//   /timer     only a 100 ms deadline timer answers
//   /block?N   blocks the loop thread until the test opens block_gates_[N]
//   /slow?N    a 50 ms deadline timer answers 503; the handler itself blocks on
//              block_gates_[N], then tries to answer late
//   /big       inline, with kBigBody bytes
class HttpsServerTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { std::signal(SIGPIPE, SIG_IGN); }

  void SetUp() override {
    StatusOr<testing::TlsContextPair> contexts = testing::MakeTlsContextPair(ca_);
    ASSERT_TRUE(contexts.ok()) << contexts.status();
    server_ctx_ = std::move(contexts->server);
    client_ctx_ = std::move(contexts->client);
  }

  void TearDown() override {
    // Let everything the handler started finish, so Shutdown can too.
    late_gate_.Open();
    for (auto& gate : block_gates_) gate.Open();
    std::vector<std::shared_ptr<HttpsExchange>> held;
    {
      std::lock_guard<std::mutex> lock(mu_);
      held.swap(held_);
    }
    for (auto& exchange : held) {
      if (exchange->Claim()) exchange->Send({200, std::string(kPlain), "released"});
    }
    if (shutdown_thread_.joinable()) shutdown_thread_.join();
    JoinThreads();  // before the server goes: they may still Send
    server_.reset();
    JoinThreads();
  }

  void JoinThreads() {
    std::vector<std::thread> threads;
    {
      std::lock_guard<std::mutex> lock(mu_);
      threads.swap(threads_);
    }
    for (std::thread& t : threads) t.join();
  }

  HttpsServerOptions Options() {
    HttpsServerOptions o;
    o.listen = {"127.0.0.1", 0};
    o.limits.max_body_bytes = 1 << 20;
    o.linger = 300ms;
    o.on_close = [this](std::string_view reason, size_t count) {
      std::lock_guard<std::mutex> lock(mu_);
      closes_[std::string(reason)] += count;
    };
    o.on_takeover = [this] { ++takeovers_; };
    o.on_slow_handler = [this] { ++slow_handlers_; };
    return o;
  }

  void StartServer(HttpsServerOptions options) {
    StatusOr<std::unique_ptr<HttpsServer>> server = HttpsServer::Listen(
        std::move(options), *server_ctx_,
        [this](std::shared_ptr<HttpsExchange> exchange) { Handle(std::move(exchange)); });
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = std::move(server).value();
    server_->Start();
    ASSERT_TRUE(server_->serving());
    port_ = server_->port();
    ASSERT_GT(port_, 0);
  }

  void Handle(std::shared_ptr<HttpsExchange> exchange) {
    ++handled_;
    const std::string& path = exchange->request().head.path;
    if (path == "/echo") {
      ASSERT_TRUE(exchange->Claim());
      exchange->Send({200, std::string(kPlain), Describe(exchange->request())});
    } else if (path == "/async") {
      Spawn([exchange] {
        std::this_thread::sleep_for(5ms);  // answers after the handler has returned
        if (exchange->Claim()) {
          exchange->Send({200, std::string(kPlain), "async " + Describe(exchange->request())});
        }
      });
    } else if (path == "/throw") {
      throw std::runtime_error("handler failed");
    } else if (path == "/hold") {
      std::lock_guard<std::mutex> lock(mu_);
      held_.push_back(std::move(exchange));
    } else if (path == "/deadline") {
      exchange->OnDeadline(Clock::now() + 100ms, [exchange] {
        if (exchange->Claim()) exchange->Send({503, std::string(kPlain), "deadline"});
      });
      Spawn([this, exchange] {
        late_gate_.Pass();
        if (exchange->Claim()) {
          ++late_claims_;
          exchange->Send({200, std::string(kPlain), "late"});
        }
        ++late_done_;
      });
    } else if (path == "/timer") {
      exchange->OnDeadline(Clock::now() + 100ms, [exchange] {
        if (exchange->Claim()) exchange->Send({200, std::string(kPlain), "timer"});
      });
    } else if (path == "/block") {
      size_t which = std::stoul(exchange->request().head.query);
      block_gates_[which].Pass();
      exchange->Claim();
      exchange->Send({200, std::string(kPlain), "unblocked"});
    } else if (path == "/slow") {
      exchange->OnDeadline(Clock::now() + 50ms, [exchange] {
        if (exchange->Claim()) exchange->Send({503, std::string(kPlain), "deadline"});
      });
      block_gates_[std::stoul(exchange->request().head.query)].Pass();
      if (exchange->Claim()) {
        ++late_claims_;
        exchange->Send({200, std::string(kPlain), "slow"});
      }
      ++late_done_;
    } else if (path == "/big") {
      exchange->Claim();
      exchange->Send({200, "application/octet-stream", std::string(kBigBody, 'b')});
    } else {
      exchange->Claim();
      exchange->Send({404, std::string(kPlain), "no such path\n"});
    }
  }

  void Spawn(std::function<void()> fn) {
    std::lock_guard<std::mutex> lock(mu_);
    threads_.emplace_back(std::move(fn));
  }

  size_t Held() {
    std::lock_guard<std::mutex> lock(mu_);
    return held_.size();
  }

  // Answers the `i`th held exchange.
  void Answer(size_t i, std::string body) {
    std::shared_ptr<HttpsExchange> exchange;
    {
      std::lock_guard<std::mutex> lock(mu_);
      exchange = held_.at(i);
    }
    ASSERT_TRUE(exchange->Claim());
    exchange->Send({200, std::string(kPlain), std::move(body)});
  }

  // Connections the server has closed for `reason`, as on_close reported them.
  size_t Closed(const std::string& reason) {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = closes_.find(reason);
    return it == closes_.end() ? 0 : it->second;
  }

  bool CountsAre(size_t handshake, size_t idle, size_t reading, size_t serving) {
    HttpsConnectionCounts n = server_->counts();
    return n.handshake == handshake && n.idle == idle && n.reading == reading &&
           n.serving == serving;
  }

  std::unique_ptr<Client> NewClient() { return std::make_unique<Client>(*client_ctx_); }

  testing::TestCa ca_ = testing::TestCa::CreateRoot();
  SslCtxPtr server_ctx_, client_ctx_;
  std::unique_ptr<HttpsServer> server_;
  int port_ = 0;
  std::thread shutdown_thread_;
  std::atomic<bool> shutdown_returned_{false};

  std::atomic<int> handled_{0};
  std::atomic<int> takeovers_{0};
  std::atomic<int> slow_handlers_{0};
  testing::Gate late_gate_;
  testing::Gate block_gates_[3];
  std::atomic<int> late_claims_{0}, late_done_{0};
  std::mutex mu_;
  std::vector<std::shared_ptr<HttpsExchange>> held_;  // guarded by mu_
  std::vector<std::thread> threads_;                  // guarded by mu_
  std::map<std::string, size_t> closes_;              // guarded by mu_
};

TEST_F(HttpsServerTest, AnswersInline) {
  ASSERT_NO_FATAL_FAILURE(StartServer(Options()));
  auto c = NewClient();
  ASSERT_TRUE(c->Connect(port_));
  EXPECT_EQ(
      c->Request(Post("/echo?x=1&y=two", "hello")),
      SerializeResponse({200, std::string(kPlain), "POST /echo?x=1&y=two hello"}, Framed(false)));
  EXPECT_EQ(c->buffered(), "");
  EXPECT_EQ(handled_, 1);
}

TEST_F(HttpsServerTest, AnswersFromAnotherThread) {
  ASSERT_NO_FATAL_FAILURE(StartServer(Options()));
  auto c = NewClient();
  ASSERT_TRUE(c->Connect(port_));
  std::string got = c->Request(Post("/async?q", "later"));
  EXPECT_THAT(got, StartsWith("HTTP/1.1 200 OK\r\n"));
  EXPECT_EQ(BodyOf(got), "async POST /async?q later");
  // And the connection is kept alive for the next one.
  EXPECT_EQ(BodyOf(c->Request(Get("/async"))), "async GET /async ");
}

TEST_F(HttpsServerTest, UnknownPathGetsTheHandlersAnswer) {
  ASSERT_NO_FATAL_FAILURE(StartServer(Options()));
  auto c = NewClient();
  ASSERT_TRUE(c->Connect(port_));
  EXPECT_THAT(c->Request(Get("/nowhere")), StartsWith("HTTP/1.1 404 Not Found\r\n"));
}

TEST_F(HttpsServerTest, DeadlineTimerAnswersFirstAndTheLateAnswerIsDropped) {
  ASSERT_NO_FATAL_FAILURE(StartServer(Options()));
  auto c = NewClient();
  ASSERT_TRUE(c->Connect(port_));
  Clock::time_point sent = Clock::now();
  std::string first = c->Request(Get("/deadline"));
  EXPECT_GE(Clock::now() - sent, 100ms);
  EXPECT_THAT(first, StartsWith("HTTP/1.1 503 Service Unavailable\r\n"));
  EXPECT_EQ(BodyOf(first), "deadline");

  late_gate_.Open();
  ASSERT_TRUE(WaitUntil([&] { return late_done_ == 1; }));
  EXPECT_EQ(late_claims_, 0);  // the timer had claimed it
  // Exactly one response came, and the connection serves the next request.
  EXPECT_EQ(c->buffered(), "");
  std::string second = c->Request(Get("/echo"));
  EXPECT_EQ(BodyOf(second), "GET /echo ");
  EXPECT_EQ(c->buffered(), "");
}

TEST_F(HttpsServerTest, AnswerBeforeTheDeadlineWinsAndTheTimerStaysQuiet) {
  ASSERT_NO_FATAL_FAILURE(StartServer(Options()));
  auto c = NewClient();
  ASSERT_TRUE(c->Connect(port_));
  late_gate_.Open();  // the thread answers at once, well before the 100 ms deadline
  std::string got = c->Request(Get("/deadline"));
  EXPECT_EQ(BodyOf(got), "late");
  EXPECT_EQ(late_claims_, 1);
  // The next request on the connection outlives the deadline and is not answered by it.
  ASSERT_TRUE(c->Write(Get("/hold")));
  ASSERT_TRUE(WaitUntil([&] { return Held() == 1; }));
  // A clock: this timer is due after the first request's, so that one has come and gone.
  auto other = NewClient();
  ASSERT_TRUE(other->Connect(port_));
  EXPECT_EQ(BodyOf(other->Request(Get("/timer"))), "timer");
  EXPECT_EQ(Held(), 1u);
  ASSERT_NO_FATAL_FAILURE(Answer(0, "held"));
  EXPECT_EQ(BodyOf(c->ReadResponse()), "held");
  EXPECT_EQ(c->buffered(), "");
}

TEST_F(HttpsServerTest, HandlerThrowingGets500AndTheConnectionLives) {
  ASSERT_NO_FATAL_FAILURE(StartServer(Options()));
  auto c = NewClient();
  ASSERT_TRUE(c->Connect(port_));
  std::string got = c->Request(Get("/throw"));
  EXPECT_THAT(got, StartsWith("HTTP/1.1 500 Internal Server Error\r\n"));
  EXPECT_EQ(BodyOf(got), "internal error while serving the request\n");
  EXPECT_EQ(BodyOf(c->Request(Get("/echo?after"))), "GET /echo?after ");
}

TEST_F(HttpsServerTest, HeadErrorsAreAnsweredWithoutTheHandler) {
  HttpsServerOptions o = Options();
  o.limits.max_body_bytes = 10;
  ASSERT_NO_FATAL_FAILURE(StartServer(std::move(o)));
  auto bad = NewClient();
  ASSERT_TRUE(bad->Connect(port_));
  std::string got = bad->Request("GET / HTTP/3.0\r\n\r\n");
  EXPECT_THAT(got, StartsWith("HTTP/1.1 505 HTTP Version Not Supported\r\n"));
  EXPECT_THAT(got, HasSubstr("\r\nConnection: close\r\n"));
  EXPECT_TRUE(bad->ServerClosed(2000ms));
  auto big = NewClient();
  ASSERT_TRUE(big->Connect(port_));
  got = big->Request("POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 11\r\n\r\n");
  EXPECT_THAT(got, StartsWith("HTTP/1.1 413 Payload Too Large\r\n"));
  EXPECT_TRUE(big->ServerClosed(2000ms));
  EXPECT_EQ(handled_, 0);
}

TEST_F(HttpsServerTest, KeepAliveConnectionServesManyRequests) {
  ASSERT_NO_FATAL_FAILURE(StartServer(Options()));
  auto c = NewClient();
  ASSERT_TRUE(c->Connect(port_));
  for (int i = 0; i < 20; ++i) {
    std::string body = "request-" + std::to_string(i);
    bool async = i % 2 == 1;
    std::string got = c->Request(Post(async ? "/async" : "/echo", body));
    ASSERT_THAT(got, StartsWith("HTTP/1.1 200 OK\r\n")) << i;
    EXPECT_THAT(got, Not(HasSubstr("Connection: close")));
    EXPECT_EQ(BodyOf(got), std::string(async ? "async POST /async " : "POST /echo ") + body);
  }
  EXPECT_EQ(c->buffered(), "");
  EXPECT_EQ(handled_, 20);
}

TEST_F(HttpsServerTest, PipelinedRequestsAreAnsweredInOrder) {
  ASSERT_NO_FATAL_FAILURE(StartServer(Options()));
  auto c = NewClient();
  ASSERT_TRUE(c->Connect(port_));
  // The first is answered late from a thread, the second at once: order holds.
  ASSERT_TRUE(c->Write(Post("/async", "one") + Post("/echo", "two") + Get("/echo?three")));
  EXPECT_EQ(BodyOf(c->ReadResponse()), "async POST /async one");
  EXPECT_EQ(BodyOf(c->ReadResponse()), "POST /echo two");
  EXPECT_EQ(BodyOf(c->ReadResponse()), "GET /echo?three ");
}

TEST_F(HttpsServerTest, ManyConcurrentConnectionsEachGetTheirOwnAnswers) {
  HttpsServerOptions o = Options();
  o.threads = 2;
  ASSERT_NO_FATAL_FAILURE(StartServer(std::move(o)));
  constexpr int kClients = 16, kEach = 6;
  std::atomic<int> right{0};
  std::vector<std::thread> clients;
  for (int t = 0; t < kClients; ++t) {
    clients.emplace_back([&, t] {
      Client c(*client_ctx_);
      if (!c.Connect(port_)) return;
      for (int i = 0; i < kEach; ++i) {
        std::string body = "client-" + std::to_string(t) + "-" + std::to_string(i);
        bool async = (i + t) % 2 == 0;
        std::string got = c.Request(Post(async ? "/async" : "/echo", body));
        std::string want = std::string(async ? "async POST /async " : "POST /echo ") + body;
        if (got.rfind("HTTP/1.1 200 OK\r\n", 0) == 0 && BodyOf(got) == want) ++right;
      }
    });
  }
  for (std::thread& t : clients) t.join();
  EXPECT_EQ(right, kClients * kEach);
}

TEST_F(HttpsServerTest, IdleConnectionIsClosedAfterTheIdleTimeout) {
  HttpsServerOptions o = Options();
  o.idle_timeout = 300ms;
  ASSERT_NO_FATAL_FAILURE(StartServer(std::move(o)));
  auto busy = NewClient();
  ASSERT_TRUE(busy->Connect(port_));
  ASSERT_TRUE(busy->Write(Get("/hold")));
  ASSERT_TRUE(WaitUntil([&] { return Held() == 1; }));

  auto idle = NewClient();
  ASSERT_TRUE(idle->Connect(port_));
  ASSERT_EQ(BodyOf(idle->Request(Get("/echo"))), "GET /echo ");
  Clock::time_point answered = Clock::now();
  EXPECT_TRUE(idle->ServerClosed(2000ms));
  EXPECT_GE(Clock::now() - answered, 250ms);  // not before the timeout (less delivery time)
  EXPECT_TRUE(WaitUntil([&] { return Closed("idle") == 1; }));
  EXPECT_EQ(Closed("stalled"), 0);

  // A connection awaiting its answer is not idle, however long it waits.
  ASSERT_NO_FATAL_FAILURE(Answer(0, "still here"));
  EXPECT_EQ(BodyOf(busy->ReadResponse()), "still here");
  EXPECT_EQ(Closed("idle"), 1);
}

TEST_F(HttpsServerTest, HeadSentByteByByteIsCutAtTheStallLimit) {
  HttpsServerOptions o = Options();
  o.stall_limit = 300ms;
  ASSERT_NO_FATAL_FAILURE(StartServer(std::move(o)));
  Clock::time_point start = Clock::now();
  auto c = NewClient();
  ASSERT_TRUE(c->Connect(port_));
  // Every byte is progress, so io_timeout (10 s) never fires; the head as a whole
  // takes too long. 600 bytes at 5 ms each would take 3 s.
  std::string head =
      "GET /echo HTTP/1.1\r\nHost: localhost\r\nX-Pad: " + std::string(550, 'p') + "\r\n\r\n";
  size_t sent = 0;
  while (sent < head.size() && Closed("stalled") == 0 && Clock::now() - start < 2s) {
    if (!c->Write(std::string_view(head).substr(sent, 1))) break;
    ++sent;
    std::this_thread::sleep_for(5ms);  // the slow client's pace
  }
  EXPECT_TRUE(WaitUntil([&] { return Closed("stalled") == 1; }));
  EXPECT_TRUE(c->ServerClosed(2000ms));
  EXPECT_GE(Clock::now() - start, 300ms);
  EXPECT_LT(sent, head.size());
  EXPECT_EQ(handled_, 0);
  EXPECT_EQ(Closed("idle"), 0);
}

TEST_F(HttpsServerTest, ReaderThatStopsReadingIsCutAtTheIoTimeout) {
  HttpsServerOptions o = Options();
  o.io_timeout = 300ms;
  ASSERT_NO_FATAL_FAILURE(StartServer(std::move(o)));
  auto c = NewClient();
  ASSERT_TRUE(c->Connect(port_, 32 * 1024));
  ASSERT_TRUE(c->Write(Get("/big")));  // and never read the answer
  EXPECT_TRUE(WaitUntil([&] { return Closed("stalled") == 1; }));
  EXPECT_TRUE(c->ServerClosed(2000ms));
  EXPECT_LT(c->buffered().size(), kBigBody);
}

TEST_F(HttpsServerTest, FullServerRefusesANewConnectionWhenEveryOneIsBusy) {
  HttpsServerOptions o = Options();
  o.max_connections = 2;
  ASSERT_NO_FATAL_FAILURE(StartServer(std::move(o)));
  auto a = NewClient();
  auto b = NewClient();
  ASSERT_TRUE(a->Connect(port_));
  ASSERT_TRUE(a->Write(Get("/hold")));
  ASSERT_TRUE(WaitUntil([&] { return Held() == 1; }));
  ASSERT_TRUE(b->Connect(port_));
  ASSERT_TRUE(b->Write(Get("/hold")));
  ASSERT_TRUE(WaitUntil([&] { return Held() == 2; }));

  // A newcomer is weighed once its handshake is done: with none idle, it is closed.
  auto refused = NewClient();
  bool connected = refused->Connect(port_);
  EXPECT_TRUE(!connected || refused->ServerClosed(2000ms));
  EXPECT_EQ(Closed("saturated"), 0);

  // Answered, both are idle; a newcomer now closes the longest idle one (a).
  ASSERT_NO_FATAL_FAILURE(Answer(0, "a"));
  EXPECT_EQ(BodyOf(a->ReadResponse()), "a");
  ASSERT_NO_FATAL_FAILURE(Answer(1, "b"));
  EXPECT_EQ(BodyOf(b->ReadResponse()), "b");
  auto d = NewClient();
  ASSERT_TRUE(d->Connect(port_));
  EXPECT_EQ(BodyOf(d->Request(Get("/echo?d"))), "GET /echo?d ");
  EXPECT_TRUE(a->ServerClosed(2000ms));
  EXPECT_EQ(Closed("saturated"), 1);
  EXPECT_EQ(BodyOf(b->Request(Get("/echo?b"))), "GET /echo?b ");
}

TEST_F(HttpsServerTest, FullServerClosesTheLongestIdleConnectionForANewOne) {
  HttpsServerOptions o = Options();
  o.max_connections = 3;
  ASSERT_NO_FATAL_FAILURE(StartServer(std::move(o)));
  auto oldest = NewClient();
  ASSERT_TRUE(oldest->Connect(port_));
  ASSERT_EQ(BodyOf(oldest->Request(Get("/echo?1"))), "GET /echo?1 ");
  auto middle = NewClient();
  ASSERT_TRUE(middle->Connect(port_));
  ASSERT_EQ(BodyOf(middle->Request(Get("/echo?2"))), "GET /echo?2 ");
  // Used first but most recently: the oldest connection is not the longest idle.
  ASSERT_EQ(BodyOf(oldest->Request(Get("/echo?3"))), "GET /echo?3 ");
  auto busy = NewClient();
  ASSERT_TRUE(busy->Connect(port_));
  ASSERT_TRUE(busy->Write(Get("/hold")));
  ASSERT_TRUE(WaitUntil([&] { return Held() == 1; }));

  auto newcomer = NewClient();
  ASSERT_TRUE(newcomer->Connect(port_));
  EXPECT_EQ(BodyOf(newcomer->Request(Get("/echo?new"))), "GET /echo?new ");
  EXPECT_TRUE(middle->ServerClosed(2000ms));
  EXPECT_EQ(Closed("saturated"), 1);
  EXPECT_EQ(BodyOf(oldest->Request(Get("/echo?4"))), "GET /echo?4 ");
  ASSERT_NO_FATAL_FAILURE(Answer(0, "busy"));
  EXPECT_EQ(BodyOf(busy->ReadResponse()), "busy");
}

// With several loops, a newcomer accepted by a loop that has no idle connection
// of its own is still let in when another loop has one: that loop is asked to
// close its longest idle connection. A handler that blocks its loop thread
// (/block) steers connections onto chosen loops (a blocked loop does not accept,
// so the other one must); the watchdog is kept out of it.
TEST_F(HttpsServerTest, FullServerMakesRoomOnAnotherLoop) {
  HttpsServerOptions o = Options();
  o.threads = 2;
  o.max_connections = 3;
  o.handler_limit = std::chrono::hours(1);
  ASSERT_NO_FATAL_FAILURE(StartServer(std::move(o)));
  // busy on loop X, blocking it while idle and blocker join loop Y.
  auto busy = NewClient();
  ASSERT_TRUE(busy->Connect(port_));
  ASSERT_TRUE(busy->Write(Get("/block?0")));
  ASSERT_TRUE(block_gates_[0].WaitArrived(1));
  auto idle = NewClient();
  ASSERT_TRUE(idle->Connect(port_));
  ASSERT_EQ(BodyOf(idle->Request(Get("/echo?idle"))), "GET /echo?idle ");
  auto blocker = NewClient();
  ASSERT_TRUE(blocker->Connect(port_));
  ASSERT_EQ(BodyOf(blocker->Request(Get("/echo?blocker"))), "GET /echo?blocker ");
  // X free again; busy then awaits an answer there.
  block_gates_[0].Open();
  ASSERT_EQ(BodyOf(busy->ReadResponse()), "unblocked");
  ASSERT_TRUE(busy->Write(Get("/hold")));
  ASSERT_TRUE(WaitUntil([&] { return Held() == 1; }));
  ASSERT_TRUE(WaitUntil([&] { return CountsAre(0, 2, 0, 1); }));  // both loops housekept
  // Y blocked: at the cap, only X (nothing idle there) can take the newcomer.
  ASSERT_TRUE(blocker->Write(Get("/block?1")));
  ASSERT_TRUE(block_gates_[1].WaitArrived(1));

  auto newcomer = NewClient();
  EXPECT_TRUE(newcomer->Connect(port_));
  EXPECT_EQ(BodyOf(newcomer->Request(Get("/echo?new"))), "GET /echo?new ");
  block_gates_[1].Open();
  EXPECT_EQ(BodyOf(blocker->ReadResponse()), "unblocked");
  EXPECT_TRUE(idle->ServerClosed(2000ms));
  EXPECT_TRUE(WaitUntil([&] { return Closed("saturated") == 1; }, 2000ms));
  ASSERT_NO_FATAL_FAILURE(Answer(0, "busy"));
  EXPECT_EQ(BodyOf(busy->ReadResponse()), "busy");
}

TEST_F(HttpsServerTest, HandlerPastItsLimitDoesNotHoldUpTheLoop) {
  HttpsServerOptions o = Options();
  o.handler_limit = 100ms;  // one loop
  ASSERT_NO_FATAL_FAILURE(StartServer(std::move(o)));
  auto stuck = NewClient();
  ASSERT_TRUE(stuck->Connect(port_));
  ASSERT_TRUE(stuck->Write(Get("/block?0")));
  ASSERT_TRUE(block_gates_[0].WaitArrived(1));
  // The loop's only thread is in the handler: someone else must accept and answer.
  auto other = NewClient();
  ASSERT_TRUE(other->Connect(port_));
  EXPECT_EQ(BodyOf(other->Request(Get("/echo?other"))), "GET /echo?other ");
  EXPECT_TRUE(WaitUntil([&] { return takeovers_ == 1; }));

  // The stuck handler's answer, sent once it returns, still reaches its client.
  block_gates_[0].Open();
  EXPECT_EQ(BodyOf(stuck->ReadResponse()), "unblocked");
  EXPECT_EQ(BodyOf(stuck->Request(Get("/echo?again"))), "GET /echo?again ");
  EXPECT_EQ(BodyOf(other->Request(Get("/echo?more"))), "GET /echo?more ");
  EXPECT_EQ(takeovers_, 1);
}

// Issue 16, case 4: every takeover parked a thread until the server was
// destroyed, so a client could make the server grow threads at will.
TEST_F(HttpsServerTest, ParkedThreadsAreCappedAndEachSlowHandlerIsToldOnce) {
  HttpsServerOptions o = Options();
  o.handler_limit = 100ms;  // one loop
  o.max_parked_threads = 1;
  ASSERT_NO_FATAL_FAILURE(StartServer(std::move(o)));
  auto first = NewClient();
  ASSERT_TRUE(first->Connect(port_));
  ASSERT_TRUE(first->Write(Get("/block?0")));
  ASSERT_TRUE(block_gates_[0].WaitArrived(1));
  ASSERT_TRUE(WaitUntil([&] { return takeovers_ == 1; }));
  auto second = NewClient();
  ASSERT_TRUE(second->Connect(port_));
  ASSERT_TRUE(second->Write(Get("/block?1")));
  ASSERT_TRUE(block_gates_[1].WaitArrived(1));
  ASSERT_TRUE(WaitUntil([&] { return slow_handlers_ == 2; }));
  EXPECT_EQ(takeovers_, 1);  // one thread is parked already: the loop waits
  // The first handler returns and its thread ends, so the loop may move again:
  // its answer is delivered by the thread that takes over from the second.
  block_gates_[0].Open();
  EXPECT_EQ(BodyOf(first->ReadResponse()), "unblocked");
  EXPECT_EQ(takeovers_, 2);
  block_gates_[1].Open();
  EXPECT_EQ(BodyOf(second->ReadResponse()), "unblocked");
  EXPECT_EQ(slow_handlers_, 2);  // once per handler, however long it ran
}

// A handler that sets a deadline (OnDeadline) and then overstays handler_limit:
// the loop moves to a new thread, which must see the timer and fire it while the
// handler still runs. Under ThreadSanitizer this also checks that the timer
// map is handed over with the loop (AddTimer synchronizes with the takeover).
TEST_F(HttpsServerTest, DeadlineFiresWhileTheHandlerIsStillRunning) {
  ASSERT_NO_FATAL_FAILURE(StartServer(Options()));  // handler_limit 100 ms
  auto c = NewClient();
  ASSERT_TRUE(c->Connect(port_));
  Clock::time_point sent = Clock::now();
  std::string got = c->Request(Get("/slow?0"));
  EXPECT_GE(Clock::now() - sent, 50ms);
  EXPECT_THAT(got, StartsWith("HTTP/1.1 503 Service Unavailable\r\n"));
  EXPECT_EQ(BodyOf(got), "deadline");
  EXPECT_EQ(late_done_, 0);  // the handler is still blocked

  block_gates_[0].Open();
  ASSERT_TRUE(WaitUntil([&] { return late_done_ == 1; }));
  EXPECT_EQ(late_claims_, 0);
  EXPECT_EQ(c->buffered(), "");
  EXPECT_EQ(BodyOf(c->Request(Get("/echo"))), "GET /echo ");
  EXPECT_EQ(c->buffered(), "");
  EXPECT_EQ(takeovers_, 1);
}

TEST_F(HttpsServerTest, QuickHandlersCauseNoTakeover) {
  HttpsServerOptions o = Options();
  o.threads = 2;
  ASSERT_NO_FATAL_FAILURE(StartServer(std::move(o)));
  auto c = NewClient();
  ASSERT_TRUE(c->Connect(port_));
  for (int i = 0; i < 10; ++i) {
    ASSERT_EQ(BodyOf(c->Request(Get("/echo?" + std::to_string(i)))),
              "GET /echo?" + std::to_string(i) + " ");
  }
  EXPECT_EQ(BodyOf(c->Request(Get("/timer"))), "timer");  // 100 ms on the loop, no handler
  EXPECT_EQ(takeovers_, 0);
}

double CpuSeconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
         static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}

// When accept4 fails for want of descriptors (EMFILE) and no idle connection
// can be closed, the loop stops watching the listener for a while instead of
// spinning on it. The test lowers RLIMIT_NOFILE so that only the client's own
// socket fits, and measures the process's CPU time over half a second.
TEST_F(HttpsServerTest, OutOfDescriptorsDoesNotSpinTheLoop) {
  ASSERT_NO_FATAL_FAILURE(StartServer(Options()));
  int lowest = open("/dev/null", O_RDONLY | O_CLOEXEC);  // the lowest free descriptor
  ASSERT_GE(lowest, 0);
  close(lowest);
  rlimit saved{};
  ASSERT_EQ(getrlimit(RLIMIT_NOFILE, &saved), 0);
  rlimit tight = saved;
  tight.rlim_cur = static_cast<rlim_t>(lowest) + 1;
  auto c = NewClient();
  ASSERT_EQ(setrlimit(RLIMIT_NOFILE, &tight), 0);
  bool connected = c->ConnectTcp(port_);  // the server cannot accept it
  std::this_thread::sleep_for(100ms);
  double before = CpuSeconds();
  std::this_thread::sleep_for(500ms);
  double used = CpuSeconds() - before;
  c->Close();
  ASSERT_EQ(setrlimit(RLIMIT_NOFILE, &saved), 0);
  ASSERT_TRUE(connected);
  EXPECT_LT(used, 0.1);
}

TEST_F(HttpsServerTest, ShutdownClosesIdleFinishesInFlightAndRefusesNew) {
  ASSERT_NO_FATAL_FAILURE(StartServer(Options()));
  auto idle = NewClient();
  ASSERT_TRUE(idle->Connect(port_));
  ASSERT_EQ(BodyOf(idle->Request(Get("/echo"))), "GET /echo ");
  auto busy = NewClient();
  ASSERT_TRUE(busy->Connect(port_));
  ASSERT_TRUE(busy->Write(Get("/hold")));
  ASSERT_TRUE(WaitUntil([&] { return Held() == 1; }));

  shutdown_thread_ = std::thread([this] {
    server_->Shutdown();
    shutdown_returned_ = true;
  });
  EXPECT_TRUE(WaitUntil([&] { return Closed("shutdown") == 1; }));
  EXPECT_TRUE(idle->ServerClosed(2000ms));
  EXPECT_FALSE(server_->serving());
  auto late = NewClient();
  EXPECT_FALSE(late->Connect(port_));
  EXPECT_FALSE(shutdown_returned_);  // the request in flight holds it

  ASSERT_NO_FATAL_FAILURE(Answer(0, "finished"));
  std::string got = busy->ReadResponse();
  EXPECT_THAT(got, StartsWith("HTTP/1.1 200 OK\r\n"));
  EXPECT_THAT(got, HasSubstr("\r\nConnection: close\r\n"));
  EXPECT_EQ(BodyOf(got), "finished");
  EXPECT_TRUE(busy->ServerClosed(2000ms));
  busy->Close();
  EXPECT_TRUE(WaitUntil([&] { return shutdown_returned_.load(); }, 2000ms));
  EXPECT_EQ(Closed("shutdown"), 1);
  EXPECT_EQ(Closed("idle"), 0);
}

TEST_F(HttpsServerTest, ShutdownDrainsEveryLoop) {
  HttpsServerOptions o = Options();
  o.threads = 2;
  ASSERT_NO_FATAL_FAILURE(StartServer(std::move(o)));
  std::vector<std::unique_ptr<Client>> idle;
  for (int i = 0; i < 4; ++i) {
    idle.push_back(NewClient());
    ASSERT_TRUE(idle.back()->Connect(port_));
    ASSERT_EQ(BodyOf(idle.back()->Request(Get("/echo"))), "GET /echo ");
  }
  std::vector<std::unique_ptr<Client>> busy;
  for (int i = 0; i < 2; ++i) {
    busy.push_back(NewClient());
    ASSERT_TRUE(busy.back()->Connect(port_));
    ASSERT_TRUE(busy.back()->Write(Get("/hold")));
    ASSERT_TRUE(WaitUntil([&] { return Held() == static_cast<size_t>(i + 1); }));
  }
  shutdown_thread_ = std::thread([this] {
    server_->Shutdown();
    shutdown_returned_ = true;
  });
  EXPECT_TRUE(WaitUntil([&] { return Closed("shutdown") == 4; }));
  for (auto& c : idle) EXPECT_TRUE(c->ServerClosed(2000ms));
  for (size_t i = 0; i < busy.size(); ++i) {
    ASSERT_NO_FATAL_FAILURE(Answer(i, "done " + std::to_string(i)));
    std::string got = busy[i]->ReadResponse();
    EXPECT_EQ(BodyOf(got), "done " + std::to_string(i));
    EXPECT_THAT(got, HasSubstr("\r\nConnection: close\r\n"));
    EXPECT_TRUE(busy[i]->ServerClosed(2000ms));
    busy[i]->Close();
  }
  EXPECT_TRUE(WaitUntil([&] { return shutdown_returned_.load(); }, 2000ms));
  EXPECT_EQ(Closed("shutdown"), 4);
}

TEST_F(HttpsServerTest, ShutdownWithNothingOpenReturnsAndIsIdempotent) {
  ASSERT_NO_FATAL_FAILURE(StartServer(Options()));
  server_->Shutdown();
  server_->Shutdown();
  EXPECT_FALSE(server_->serving());
  auto c = NewClient();
  EXPECT_FALSE(c->ConnectTcp(port_));
  EXPECT_EQ(Closed("shutdown"), 0);
}

// A connection whose answer is still being written when the drain begins is
// closed once the answer is out, rather than kept idle until the idle timeout.
TEST_F(HttpsServerTest, ShutdownClosesAConnectionWhoseAnswerIsBeingWritten) {
  HttpsServerOptions o = Options();
  o.idle_timeout = 5s;
  ASSERT_NO_FATAL_FAILURE(StartServer(std::move(o)));
  auto idle = NewClient();  // its close tells that the drain has begun
  ASSERT_TRUE(idle->Connect(port_));
  ASSERT_EQ(BodyOf(idle->Request(Get("/echo"))), "GET /echo ");
  auto reader = NewClient();
  ASSERT_TRUE(reader->Connect(port_, 32 * 1024));
  ASSERT_TRUE(reader->Write(Get("/big")));
  // The answer is far larger than the socket buffers: the server is stuck writing.
  ASSERT_TRUE(WaitUntil([&] { return CountsAre(0, 1, 0, 1); }));

  shutdown_thread_ = std::thread([this] {
    server_->Shutdown();
    shutdown_returned_ = true;
  });
  ASSERT_TRUE(WaitUntil([&] { return Closed("shutdown") == 1; }));
  std::string got = reader->ReadResponse(20s);  // ~0.1 s, but seconds under TSan
  EXPECT_THAT(got, StartsWith("HTTP/1.1 200 OK\r\n"));
  EXPECT_EQ(BodyOf(got).size(), kBigBody);
  EXPECT_TRUE(reader->ServerClosed(1000ms));
  reader->Close();
  EXPECT_TRUE(WaitUntil([&] { return shutdown_returned_.load(); }, 1000ms));
  EXPECT_EQ(Closed("idle"), 0);
}

TEST_F(HttpsServerTest, CountsReflectConnectionPhases) {
  HttpsServerOptions o = Options();
  o.threads = 2;
  ASSERT_NO_FATAL_FAILURE(StartServer(std::move(o)));
  EXPECT_TRUE(WaitUntil([&] { return CountsAre(0, 0, 0, 0); }));
  auto handshake = NewClient();
  ASSERT_TRUE(handshake->ConnectTcp(port_));  // TCP only: no ClientHello
  auto idle = NewClient();
  ASSERT_TRUE(idle->Connect(port_));
  auto busy = NewClient();
  ASSERT_TRUE(busy->Connect(port_));
  ASSERT_TRUE(busy->Write(Get("/hold")));
  auto reading = NewClient();
  ASSERT_TRUE(reading->Connect(port_));
  ASSERT_TRUE(reading->Write("GET /echo HTTP/1.1\r\nHost: a\r\n"));  // half a head
  EXPECT_TRUE(WaitUntil([&] { return CountsAre(1, 1, 1, 1); }))
      << "handshake " << server_->counts().handshake << ", idle " << server_->counts().idle
      << ", reading " << server_->counts().reading << ", serving " << server_->counts().serving;

  ASSERT_TRUE(WaitUntil([&] { return Held() == 1; }));
  ASSERT_NO_FATAL_FAILURE(Answer(0, "done"));
  EXPECT_EQ(BodyOf(busy->ReadResponse()), "done");
  ASSERT_TRUE(reading->Write("\r\n"));
  EXPECT_EQ(BodyOf(reading->ReadResponse()), "GET /echo ");
  EXPECT_TRUE(WaitUntil([&] { return CountsAre(1, 3, 0, 0); }));
  handshake->Close();
  idle->Close();
  EXPECT_TRUE(WaitUntil([&] { return CountsAre(0, 2, 0, 0); }));
}

TEST_F(HttpsServerTest, ListenOnAPortInUseIsUnavailable) {
  ASSERT_NO_FATAL_FAILURE(StartServer(Options()));
  HttpsServerOptions clash = Options();
  clash.listen.port = port_;
  EXPECT_THAT(HttpsServer::Listen(std::move(clash), *server_ctx_, [](auto) {}),
              StatusIs(StatusCode::kUnavailable, HasSubstr("127.0.0.1:" + std::to_string(port_))));
  // The first server is unharmed.
  auto c = NewClient();
  ASSERT_TRUE(c->Connect(port_));
  EXPECT_EQ(BodyOf(c->Request(Get("/echo"))), "GET /echo ");
}

// Issue 16, case 3: sockets that never start a handshake counted toward
// max_connections, so enough of them closed the one established keep-alive
// connection and refused every newcomer.
TEST_F(HttpsServerTest, UnfinishedHandshakesNeverEvictAnEstablishedConnection) {
  HttpsServerOptions o = Options();
  o.max_connections = 2;
  o.max_handshakes = 4;
  o.handshake_timeout = std::chrono::hours(1);
  ASSERT_NO_FATAL_FAILURE(StartServer(std::move(o)));
  auto kept = NewClient();
  ASSERT_TRUE(kept->Connect(port_));
  ASSERT_EQ(BodyOf(kept->Request(Get("/echo?1"))), "GET /echo?1 ");
  std::vector<std::unique_ptr<Client>> silent;
  for (int i = 0; i < 40; ++i) {
    silent.push_back(NewClient());
    ASSERT_TRUE(silent.back()->ConnectTcp(port_));
  }
  // The oldest 36 were displaced by newer ones; the established one was not.
  EXPECT_TRUE(silent.front()->PlainClosed(2000ms));
  EXPECT_TRUE(WaitUntil([&] { return Closed("handshake") == 36; }, 2000ms));
  EXPECT_EQ(BodyOf(kept->Request(Get("/echo?2"))), "GET /echo?2 ");
  auto newcomer = NewClient();
  ASSERT_TRUE(newcomer->Connect(port_));
  EXPECT_EQ(BodyOf(newcomer->Request(Get("/echo?new"))), "GET /echo?new ");
  EXPECT_EQ(Closed("saturated"), 0);
}

TEST_F(HttpsServerTest, HandshakeNotFinishedIsCutAtItsOwnDeadline) {
  HttpsServerOptions o = Options();
  o.handshake_timeout = 200ms;
  o.stall_limit = std::chrono::hours(1);
  o.io_timeout = std::chrono::hours(1);
  ASSERT_NO_FATAL_FAILURE(StartServer(std::move(o)));
  auto silent = NewClient();
  ASSERT_TRUE(silent->ConnectTcp(port_));
  EXPECT_TRUE(silent->PlainClosed(5000ms));  // only a server without the deadline fails
  EXPECT_TRUE(WaitUntil([&] { return Closed("handshake") == 1; }, 2000ms));
}

TEST_F(HttpsServerTest, NonTlsClientIsClosed) {
  ASSERT_NO_FATAL_FAILURE(StartServer(Options()));
  auto c = NewClient();
  ASSERT_TRUE(c->ConnectTcp(port_));
  ASSERT_TRUE(c->WritePlain(Get("/echo")));
  EXPECT_TRUE(c->PlainClosed(2000ms));
  EXPECT_EQ(handled_, 0);
  // The server goes on serving TLS clients.
  auto tls = NewClient();
  ASSERT_TRUE(tls->Connect(port_));
  EXPECT_EQ(BodyOf(tls->Request(Get("/echo"))), "GET /echo ");
}

// The body budget is shared by all connections: bodies reserve their declared
// length when their head arrives, one that does not fit is refused with 503 and
// Retry-After before any of it is buffered, and a small request still fits.
TEST_F(HttpsServerTest, BodiesPastTheServerWideBudgetGet503AndSmallOnesStillFit) {
  HttpsServerOptions o = Options();
  o.limits.max_body_bytes = 1 << 20;
  o.limits.body_budget = std::make_shared<BodyBudget>(3 * 300'000 + 1000);
  std::shared_ptr<BodyBudget> budget = o.limits.body_budget;
  ASSERT_NO_FATAL_FAILURE(StartServer(std::move(o)));
  const std::string part = "POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 300000\r\n\r\n" +
                           std::string(100'000, 'x');
  std::vector<std::unique_ptr<Client>> holders;
  for (int i = 0; i < 3; ++i) {
    holders.push_back(NewClient());
    ASSERT_TRUE(holders.back()->Connect(port_));
    ASSERT_TRUE(holders.back()->Write(part));
  }
  ASSERT_TRUE(WaitUntil([&] { return budget->in_use() == 900'000u; }));
  auto refused = NewClient();
  ASSERT_TRUE(refused->Connect(port_));
  std::string got =
      refused->Request("POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 2000\r\n\r\n");
  EXPECT_THAT(got, StartsWith("HTTP/1.1 503 Service Unavailable\r\n"));
  EXPECT_THAT(got, HasSubstr("\r\nRetry-After: 1\r\n"));
  EXPECT_THAT(got, HasSubstr("does not fit"));
  EXPECT_TRUE(refused->ServerClosed(2000ms));
  auto small = NewClient();
  ASSERT_TRUE(small->Connect(port_));
  EXPECT_EQ(BodyOf(small->Request(Post("/echo", "tiny"))), "POST /echo tiny");
  // Finishing one held body answers it and gives its bytes back.
  ASSERT_TRUE(holders[0]->Write(std::string(200'000, 'x')));
  EXPECT_THAT(holders[0]->ReadResponse(), StartsWith("HTTP/1.1 200 OK\r\n"));
  ASSERT_TRUE(WaitUntil([&] { return budget->in_use() == 600'000u; }));
  holders.clear();  // closing the others gives back the rest
  EXPECT_TRUE(WaitUntil([&] { return budget->in_use() == 0u; }));
  EXPECT_EQ(handled_, 2);
}

}  // namespace
}  // namespace mgw
