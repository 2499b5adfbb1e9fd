#include "mgw/net/https_connection.h"

#include <cerrno>
#include <chrono>
#include <csignal>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>

#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "support/https_test_support.h"
#include "support/test_certs.h"

namespace mgw {
namespace {

using Clock = std::chrono::steady_clock;
using Phase = HttpsConnection::Phase;
using namespace std::chrono_literals;
using ::mgw::testing::Framed;
using ::mgw::testing::SslCtxPtr;
using ::mgw::testing::TakeResponse;
using ::testing::EndsWith;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

// Real time allowed to any one wait below; a connection that stops making
// progress fails the test after this rather than hanging it.
constexpr auto kTimeLimit = 2s;

constexpr std::string_view kPlain = "text/plain; charset=utf-8";

TEST(SerializeResponseTest, StatusLineHeadersAndBody) {
  EXPECT_EQ(SerializeResponse({200, "application/json", "{\"a\":1}"}, Framed(false)),
            "HTTP/1.1 200 OK\r\n"
            "Date: Thu, 01 Jan 1970 00:00:00 GMT\r\n"
            "Content-Type: application/json\r\n"
            "Content-Length: 7\r\n"
            "\r\n"
            "{\"a\":1}");
}

TEST(SerializeResponseTest, ConnectionCloseOnlyWhenAsked) {
  EXPECT_EQ(SerializeResponse({404, std::string(kPlain), "no\n"}, Framed(true)),
            "HTTP/1.1 404 Not Found\r\n"
            "Date: Thu, 01 Jan 1970 00:00:00 GMT\r\n"
            "Content-Type: text/plain; charset=utf-8\r\n"
            "Content-Length: 3\r\n"
            "Connection: close\r\n"
            "\r\n"
            "no\n");
  EXPECT_THAT(SerializeResponse({404, std::string(kPlain), "no\n"}, Framed(false)),
              Not(HasSubstr("Connection")));
}

TEST(SerializeResponseTest, DefaultsAndEmptyBody) {
  EXPECT_EQ(SerializeResponse({}, Framed(false)),
            "HTTP/1.1 200 OK\r\n"
            "Date: Thu, 01 Jan 1970 00:00:00 GMT\r\n"
            "Content-Type: text/plain; charset=utf-8\r\n"
            "Content-Length: 0\r\n"
            "\r\n");
}

TEST(SerializeResponseTest, ContentLengthCountsBytes) {
  std::string body("a\0b\xc3\xa9", 5);  // a NUL and a two-byte UTF-8 character
  std::string out = SerializeResponse({200, "application/octet-stream", body}, Framed(false));
  EXPECT_THAT(out, HasSubstr("\r\nContent-Length: 5\r\n"));
  EXPECT_THAT(out, EndsWith("\r\n\r\n" + body));
  std::string big(100000, 'x');
  EXPECT_THAT(SerializeResponse({200, std::string(kPlain), big}, Framed(false)),
              HasSubstr("\r\nContent-Length: 100000\r\n"));
}

// Issue 16, case 6: no Date, a 405 without Allow, and a HEAD answered with a body.
TEST(SerializeResponseTest, DateAllowAndHead) {
  auto when = std::chrono::sys_days{std::chrono::November / 6 / 1994} + 8h + 49min + 37s;
  EXPECT_EQ(HttpDate(when), "Sun, 06 Nov 1994 08:49:37 GMT");
  HttpsResponse refused{405, std::string(kPlain), "use POST\n"};
  ResponseFraming head;
  head.head_only = true;
  head.allow = "POST";
  head.now = when;
  EXPECT_EQ(SerializeResponse(refused, head),
            "HTTP/1.1 405 Method Not Allowed\r\n"
            "Date: Sun, 06 Nov 1994 08:49:37 GMT\r\n"
            "Content-Type: text/plain; charset=utf-8\r\n"
            "Content-Length: 9\r\n"
            "Allow: POST\r\n"
            "\r\n");
  head.head_only = false;
  EXPECT_THAT(SerializeResponse({200, std::string(kPlain), "x"}, head),
              Not(HasSubstr("Allow")));  // only a 405 says what is allowed
}

TEST(SerializeResponseTest, ReasonPhrases) {
  const std::pair<int, std::string_view> kCases[] = {
      {200, "OK"},
      {400, "Bad Request"},
      {403, "Forbidden"},
      {404, "Not Found"},
      {405, "Method Not Allowed"},
      {411, "Length Required"},
      {413, "Payload Too Large"},
      {415, "Unsupported Media Type"},
      {431, "Request Header Fields Too Large"},
      {500, "Internal Server Error"},
      {501, "Not Implemented"},
      {503, "Service Unavailable"},
      {505, "HTTP Version Not Supported"},
  };
  for (const auto& [status, reason] : kCases) {
    std::string line = "HTTP/1.1 " + std::to_string(status) + " " + std::string(reason) + "\r\n";
    EXPECT_THAT(SerializeResponse({status, std::string(kPlain), ""}, Framed(false)),
                StartsWith(line));
  }
}

// Drives an HttpsConnection directly, with no event loop: its socket is one end
// of a socketpair, and an OpenSSL client (non-blocking too) sits on the other.
// Everything runs on the test thread, one step at a time: Step() reports the
// readiness poll() sees, then calls Advance with a fake clock that moves 1 ms a
// step, so the `now` values a connection records are known exactly.
class HttpsConnectionTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { std::signal(SIGPIPE, SIG_IGN); }

  void SetUp() override {
    StatusOr<testing::TlsContextPair> contexts = testing::MakeTlsContextPair(ca_);
    ASSERT_TRUE(contexts.ok()) << contexts.status();
    server_ctx_ = std::move(contexts->server);
    client_ctx_ = std::move(contexts->client);
  }

  void TearDown() override {
    connection_.reset();
    if (client_ != nullptr) SSL_free(client_);
    CloseClient();
  }

  static HttpLimits Limits(size_t max_body_bytes = 1 << 20) {
    HttpLimits limits;
    limits.max_body_bytes = max_body_bytes;
    return limits;
  }

  // A connection on a fresh socketpair, accepted at `accepted_`.
  void Open(HttpLimits limits = Limits()) {
    int fds[2];
    ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds), 0);
    ASSERT_EQ(fcntl(fds[0], F_SETFL, fcntl(fds[0], F_GETFL) | O_NONBLOCK), 0);
    ASSERT_EQ(fcntl(fds[1], F_SETFL, fcntl(fds[1], F_GETFL) | O_NONBLOCK), 0);
    client_fd_ = fds[1];
    accepted_ = now_;
    connection_ = std::make_unique<HttpsConnection>(fds[0], *server_ctx_, limits, accepted_);
    ASSERT_EQ(connection_->phase(), Phase::kHandshake);
    client_ = SSL_new(client_ctx_.get());
    ASSERT_NE(client_, nullptr);
    SSL_set_fd(client_, client_fd_);
    SSL_set_tlsext_host_name(client_, "localhost");
    SSL_set1_host(client_, "localhost");
  }

  // Opens a connection and completes the handshake; the connection is then idle.
  void OpenAndHandshake(HttpLimits limits = Limits()) {
    ASSERT_NO_FATAL_FAILURE(Open(limits));
    ASSERT_TRUE(ClientHandshake());
    ASSERT_TRUE(StepUntil([&] { return connection_->phase() != Phase::kHandshake; }));
    ASSERT_EQ(connection_->phase(), Phase::kIdle);
  }

  // One turn of an event loop.
  void Step() {
    now_ += 1ms;
    if (int fd = connection_->fd(); fd >= 0) {
      pollfd p{fd, POLLIN | POLLOUT | POLLRDHUP, 0};
      if (poll(&p, 1, 0) > 0) {
        bool hangup = (p.revents & (POLLRDHUP | POLLHUP | POLLERR)) != 0;
        if ((p.revents & POLLIN) != 0 || hangup) connection_->NoteReadable(hangup);
        if ((p.revents & (POLLOUT | POLLHUP | POLLERR)) != 0) connection_->NoteWritable();
      }
    }
    if (std::optional<HttpsRequest> request = connection_->Advance(now_)) {
      requests_.push_back(std::move(*request));
    }
  }

  // Steps (and lets the client read) until `done` or the time limit.
  bool StepUntil(const std::function<bool()>& done) {
    const auto deadline = Clock::now() + kTimeLimit;
    while (!done()) {
      if (Clock::now() > deadline) return false;
      Step();
      ClientRead();
    }
    return true;
  }

  // Steps `n` times; for checking that nothing happens.
  void StepTimes(int n) {
    for (int i = 0; i < n; ++i) {
      Step();
      ClientRead();
    }
  }

  bool ClientHandshake() {
    bool failed = false;
    bool done = StepUntil([&] {
      ERR_clear_error();
      int r = SSL_connect(client_);
      if (r == 1) return true;
      int error = SSL_get_error(client_, r);
      ERR_clear_error();
      failed = error != SSL_ERROR_WANT_READ && error != SSL_ERROR_WANT_WRITE;
      return failed;
    });
    return done && !failed;
  }

  // Sends `bytes` as one SSL_write (one TLS record when it fits in one).
  bool ClientWrite(std::string_view bytes) {
    bool failed = false;
    bool done = StepUntil([&] {
      ERR_clear_error();
      int n = SSL_write(client_, bytes.data(), static_cast<int>(bytes.size()));
      if (n > 0) return true;
      int error = SSL_get_error(client_, n);
      ERR_clear_error();
      failed = error != SSL_ERROR_WANT_READ && error != SSL_ERROR_WANT_WRITE;
      return failed;
    });
    return done && !failed;
  }

  // Reads what the client can without blocking into received_; notes the end
  // of the stream (close_notify, EOF or an error) in client_eof_.
  void ClientRead() {
    if (client_eof_ || client_ == nullptr || !SSL_is_init_finished(client_)) return;
    char buf[16384];
    while (true) {
      ERR_clear_error();
      int n = SSL_read(client_, buf, sizeof(buf));
      if (n > 0) {
        received_.append(buf, static_cast<size_t>(n));
        continue;
      }
      int error = SSL_get_error(client_, n);
      ERR_clear_error();
      if (error != SSL_ERROR_WANT_READ && error != SSL_ERROR_WANT_WRITE) {
        client_eof_ = true;
        clean_close_ = error == SSL_ERROR_ZERO_RETURN;
      }
      return;
    }
  }

  void CloseClient() {
    if (client_fd_ >= 0) close(client_fd_);
    client_fd_ = -1;
  }

  // The next request the connection returns, or nullopt after the time limit.
  std::optional<HttpsRequest> NextRequest() {
    if (!StepUntil([&] { return !requests_.empty(); })) return std::nullopt;
    HttpsRequest request = std::move(requests_.front());
    requests_.pop_front();
    return request;
  }

  // The next whole response the client receives, or "" after the time limit.
  std::string NextResponse() {
    std::optional<std::string> response;
    StepUntil([&] {
      response = TakeResponse(received_);
      return response.has_value() || client_eof_;
    });
    if (!response) response = TakeResponse(received_);
    return response.value_or("");
  }

  testing::TestCa ca_ = testing::TestCa::CreateRoot();
  SslCtxPtr server_ctx_, client_ctx_;
  Clock::time_point now_ = Clock::now();
  Clock::time_point accepted_;
  std::unique_ptr<HttpsConnection> connection_;
  int client_fd_ = -1;
  SSL* client_ = nullptr;
  std::deque<HttpsRequest> requests_;
  std::string received_;
  bool client_eof_ = false;
  bool clean_close_ = false;
};

TEST_F(HttpsConnectionTest, HandshakeThenRequest) {
  ASSERT_NO_FATAL_FAILURE(OpenAndHandshake());
  ASSERT_TRUE(
      ClientWrite("POST /validate?timeout=10s&x=1 HTTP/1.1\r\nHost: localhost\r\n"
                  "Content-Type: application/json\r\nContent-Length: 5\r\n\r\nhello"));
  std::optional<HttpsRequest> request = NextRequest();
  ASSERT_TRUE(request);
  EXPECT_EQ(request->head.method, "POST");
  EXPECT_EQ(request->head.path, "/validate");
  EXPECT_EQ(request->head.query, "timeout=10s&x=1");
  EXPECT_EQ(request->head.Header("content-type"), "application/json");
  EXPECT_EQ(request->body, "hello");
  // The first request started when the connection was accepted.
  EXPECT_EQ(request->started, accepted_);
  EXPECT_EQ(connection_->phase(), Phase::kAwaiting);

  HttpsResponse response{200, "application/json", "{\"ok\":true}"};
  connection_->Respond(response, false);
  EXPECT_EQ(NextResponse(), SerializeResponse(response, Framed(false)));
  EXPECT_EQ(connection_->phase(), Phase::kIdle);
  EXPECT_FALSE(client_eof_);
}

TEST_F(HttpsConnectionTest, KeepAliveServesRequestsInTurn) {
  ASSERT_NO_FATAL_FAILURE(OpenAndHandshake());
  for (int i = 0; i < 3; ++i) {
    std::string body = "body-" + std::to_string(i);
    Clock::time_point before = now_;
    // The head and the body arrive in separate records.
    ASSERT_TRUE(ClientWrite(
        "PUT /item/" + std::to_string(i) +
        " HTTP/1.1\r\nHost: a\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n"));
    ASSERT_TRUE(ClientWrite(body));
    std::optional<HttpsRequest> request = NextRequest();
    ASSERT_TRUE(request) << i;
    EXPECT_EQ(request->head.method, "PUT");
    EXPECT_EQ(request->head.path, "/item/" + std::to_string(i));
    EXPECT_EQ(request->body, body);
    if (i == 0) {
      EXPECT_EQ(request->started, accepted_);
    } else {
      // A later request starts with its own first byte, not at the accept.
      EXPECT_GT(request->started, before);
      EXPECT_LE(request->started, now_);
    }
    connection_->Respond({200, std::string(kPlain), "reply-" + std::to_string(i)}, false);
    std::string got = NextResponse();
    EXPECT_THAT(got, StartsWith("HTTP/1.1 200 OK\r\n"));
    EXPECT_THAT(got, EndsWith("\r\n\r\nreply-" + std::to_string(i)));
    EXPECT_THAT(got, Not(HasSubstr("Connection: close")));
    EXPECT_EQ(connection_->phase(), Phase::kIdle);
  }
  EXPECT_FALSE(client_eof_);
}

TEST_F(HttpsConnectionTest, LargeBodyAndLargeResponseCrossManyRecords) {
  ASSERT_NO_FATAL_FAILURE(OpenAndHandshake());
  std::string body(300 * 1024, 'b');
  for (size_t i = 0; i < body.size(); i += 997) body[i] = static_cast<char>('a' + i % 26);
  std::string head =
      "POST /big HTTP/1.1\r\nHost: a\r\nContent-Length: " + std::to_string(body.size()) +
      "\r\n\r\n";
  ASSERT_TRUE(ClientWrite(head));
  // Several writes of up to 16 KiB: more ciphertext than one socket read takes.
  for (size_t at = 0; at < body.size(); at += 16 * 1024) {
    ASSERT_TRUE(ClientWrite(std::string_view(body).substr(at, 16 * 1024)));
  }
  std::optional<HttpsRequest> request = NextRequest();
  ASSERT_TRUE(request);
  EXPECT_EQ(request->body.size(), body.size());
  EXPECT_TRUE(request->body == body);

  // More than the socketpair holds: the connection must wait for the client to read.
  std::string reply(2 * 1024 * 1024, 'r');
  for (size_t i = 0; i < reply.size(); i += 1013) reply[i] = static_cast<char>('A' + i % 26);
  connection_->Respond({200, "application/octet-stream", reply}, false);
  std::string got = NextResponse();
  ASSERT_THAT(got, StartsWith("HTTP/1.1 200 OK\r\n"));
  EXPECT_TRUE(got.size() > reply.size() && got.substr(got.size() - reply.size()) == reply);
  EXPECT_EQ(connection_->phase(), Phase::kIdle);
}

TEST_F(HttpsConnectionTest, PipelinedRequestsComeBackOneAtATime) {
  ASSERT_NO_FATAL_FAILURE(OpenAndHandshake());
  ASSERT_TRUE(
      ClientWrite("GET /first HTTP/1.1\r\nHost: a\r\n\r\n"
                  "POST /second?q=2 HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nxyz"));
  std::optional<HttpsRequest> first = NextRequest();
  ASSERT_TRUE(first);
  EXPECT_EQ(first->head.path, "/first");
  EXPECT_EQ(first->body, "");

  // The second request is already here, but waits for the first's answer.
  StepTimes(50);
  EXPECT_TRUE(requests_.empty());
  EXPECT_EQ(connection_->phase(), Phase::kAwaiting);
  EXPECT_EQ(received_, "");

  Clock::time_point answered = now_;
  connection_->Respond({200, std::string(kPlain), "one"}, false);
  std::optional<HttpsRequest> second = NextRequest();
  ASSERT_TRUE(second);
  EXPECT_EQ(second->head.method, "POST");
  EXPECT_EQ(second->head.path, "/second");
  EXPECT_EQ(second->head.query, "q=2");
  EXPECT_EQ(second->body, "xyz");
  EXPECT_GT(second->started, answered);  // it began once the first was answered
  EXPECT_EQ(connection_->phase(), Phase::kAwaiting);

  connection_->Respond({200, std::string(kPlain), "two"}, false);
  std::string one = NextResponse();
  std::string two = NextResponse();
  EXPECT_THAT(one, EndsWith("\r\n\r\none"));
  EXPECT_THAT(two, EndsWith("\r\n\r\ntwo"));
  EXPECT_EQ(connection_->phase(), Phase::kIdle);
}

TEST_F(HttpsConnectionTest, ExpectContinueIsAnsweredBeforeTheBody) {
  ASSERT_NO_FATAL_FAILURE(OpenAndHandshake());
  ASSERT_TRUE(
      ClientWrite("POST /upload HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\n"
                  "Expect: 100-continue\r\n\r\n"));
  ASSERT_TRUE(StepUntil([&] { return received_.size() >= 25; }));
  EXPECT_EQ(received_, "HTTP/1.1 100 Continue\r\n\r\n");
  EXPECT_TRUE(requests_.empty());
  EXPECT_EQ(connection_->phase(), Phase::kReading);
  received_.clear();

  ASSERT_TRUE(ClientWrite("da"));
  StepTimes(10);
  EXPECT_TRUE(requests_.empty());
  EXPECT_EQ(received_, "");  // no second 100 Continue
  ASSERT_TRUE(ClientWrite("ta"));
  std::optional<HttpsRequest> request = NextRequest();
  ASSERT_TRUE(request);
  EXPECT_TRUE(request->head.expect_continue);
  EXPECT_EQ(request->body, "data");
  connection_->Respond({200, std::string(kPlain), "stored"}, false);
  std::string got = NextResponse();
  EXPECT_THAT(got, StartsWith("HTTP/1.1 200 OK\r\n"));
  EXPECT_THAT(got, EndsWith("stored"));
  EXPECT_EQ(connection_->phase(), Phase::kIdle);
}

// A head the connection refuses is answered there, with Connection: close, and
// never returned; the connection lingers until the client closes.
class HeadErrorTest : public HttpsConnectionTest,
                      public ::testing::WithParamInterface<std::tuple<std::string, std::string>> {};

TEST_P(HeadErrorTest, IsAnsweredByTheConnectionAndCloses) {
  const auto& [request, status_line] = GetParam();
  HttpLimits limits = Limits();
  limits.max_head_bytes = 256;
  ASSERT_NO_FATAL_FAILURE(OpenAndHandshake(limits));
  ASSERT_TRUE(ClientWrite(request));
  std::string got = NextResponse();
  EXPECT_THAT(got, StartsWith(status_line + "\r\n"));
  EXPECT_THAT(got, HasSubstr("\r\nConnection: close\r\n"));
  EXPECT_TRUE(requests_.empty());
  // close_notify and a half-close follow the answer.
  ASSERT_TRUE(StepUntil([&] { return client_eof_; }));
  EXPECT_TRUE(clean_close_);
  EXPECT_EQ(connection_->phase(), Phase::kLingering);
  CloseClient();
  ASSERT_TRUE(StepUntil([&] { return connection_->closed(); }));
  EXPECT_TRUE(requests_.empty());
}

INSTANTIATE_TEST_SUITE_P(
    Heads, HeadErrorTest,
    ::testing::Values(
        std::make_tuple(std::string("NOT A REQUEST\r\n\r\n"),
                        std::string("HTTP/1.1 400 Bad Request")),
        std::make_tuple(std::string("GET /\r\n\r\n"), std::string("HTTP/1.1 400 Bad Request")),
        std::make_tuple(
            std::string("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
                        "5\r\nhello\r\n0\r\n\r\n"),
            std::string("HTTP/1.1 411 Length Required")),
        std::make_tuple(std::string("GET / HTTP/2.0\r\n\r\n"),
                        std::string("HTTP/1.1 505 HTTP Version Not Supported")),
        std::make_tuple("GET / HTTP/1.1\r\nHost: a\r\nX-Big: " + std::string(300, 'x'),
                        std::string("HTTP/1.1 431 Request Header Fields Too Large"))));

TEST_F(HttpsConnectionTest, HeadErrorAfterAGoodRequestIsStillAnswered) {
  ASSERT_NO_FATAL_FAILURE(OpenAndHandshake());
  ASSERT_TRUE(ClientWrite("GET /ok HTTP/1.1\r\nHost: a\r\n\r\n"));
  ASSERT_TRUE(NextRequest());
  connection_->Respond({200, std::string(kPlain), "fine"}, false);
  EXPECT_THAT(NextResponse(), EndsWith("fine"));
  ASSERT_TRUE(ClientWrite("POST /bad HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip\r\n\r\n"));
  std::string got = NextResponse();
  EXPECT_THAT(got, StartsWith("HTTP/1.1 400 Bad Request\r\n"));
  EXPECT_THAT(got, HasSubstr("\r\nConnection: close\r\n"));
  EXPECT_TRUE(requests_.empty());
  EXPECT_EQ(connection_->phase(), Phase::kLingering);
}

TEST_F(HttpsConnectionTest, OversizedBodyGets413WithoutBeingRead) {
  ASSERT_NO_FATAL_FAILURE(OpenAndHandshake(Limits(16)));
  // Only the head is sent; the 413 must come without waiting for the body, and
  // without inviting it with a 100 Continue.
  ASSERT_TRUE(ClientWrite(
      "POST /upload HTTP/1.1\r\nHost: a\r\nContent-Length: 17\r\nExpect: 100-continue\r\n\r\n"));
  std::string got = NextResponse();
  EXPECT_THAT(got, StartsWith("HTTP/1.1 413 Payload Too Large\r\n"));
  EXPECT_THAT(got, HasSubstr("\r\nConnection: close\r\n"));
  EXPECT_THAT(got, HasSubstr("17"));
  EXPECT_THAT(got, Not(HasSubstr("100 Continue")));
  EXPECT_TRUE(requests_.empty());
  EXPECT_EQ(connection_->phase(), Phase::kLingering);

  // A client that sends its body anyway is read and ignored until it closes.
  ASSERT_TRUE(ClientWrite(std::string(17, 'z')));
  StepTimes(10);
  EXPECT_TRUE(requests_.empty());
  EXPECT_EQ(connection_->phase(), Phase::kLingering);
  CloseClient();
  ASSERT_TRUE(StepUntil([&] { return connection_->closed(); }));
}

TEST_F(HttpsConnectionTest, BodyAtTheLimitIsAccepted) {
  ASSERT_NO_FATAL_FAILURE(OpenAndHandshake(Limits(16)));
  ASSERT_TRUE(ClientWrite(
      "POST /upload HTTP/1.1\r\nHost: a\r\nContent-Length: 16\r\n\r\n0123456789abcdef"));
  std::optional<HttpsRequest> request = NextRequest();
  ASSERT_TRUE(request);
  EXPECT_EQ(request->body, "0123456789abcdef");
}

TEST_F(HttpsConnectionTest, ClientConnectionCloseEndsTheConnection) {
  ASSERT_NO_FATAL_FAILURE(OpenAndHandshake());
  ASSERT_TRUE(ClientWrite("GET /bye HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n"));
  std::optional<HttpsRequest> request = NextRequest();
  ASSERT_TRUE(request);
  EXPECT_FALSE(request->head.keep_alive);
  connection_->Respond({200, std::string(kPlain), "bye"}, false);
  std::string got = NextResponse();
  EXPECT_THAT(got, HasSubstr("\r\nConnection: close\r\n"));
  EXPECT_THAT(got, EndsWith("bye"));
  ASSERT_TRUE(StepUntil([&] { return client_eof_; }));
  EXPECT_TRUE(clean_close_);
  // The server waits for the client to close first.
  StepTimes(10);
  EXPECT_EQ(connection_->phase(), Phase::kLingering);
  CloseClient();
  ASSERT_TRUE(StepUntil([&] { return connection_->closed(); }));
  EXPECT_EQ(connection_->fd(), -1);
}

// Issue 16, case 5: "Transfer-Encoding: identity" with no Content-Length was read
// as an empty body, and the body answered as a second request.
TEST_F(HttpsConnectionTest, IdentityTransferEncodingCannotSmuggleARequest) {
  ASSERT_NO_FATAL_FAILURE(OpenAndHandshake());
  ASSERT_TRUE(
      ClientWrite("POST /a HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: identity\r\n\r\n"
                  "GET /smuggled HTTP/1.1\r\nHost: a\r\n\r\n"));
  std::string got = NextResponse();
  EXPECT_THAT(got, StartsWith("HTTP/1.1 400 Bad Request\r\n"));
  EXPECT_THAT(got, HasSubstr("\r\nConnection: close\r\n"));
  EXPECT_TRUE(requests_.empty());  // neither request reached a handler
  EXPECT_EQ(connection_->phase(), Phase::kLingering);
}

// Case 6: the answer to HEAD has the fields a GET's would have and no body, so a
// pipelining client reads the next response where it starts.
TEST_F(HttpsConnectionTest, HeadIsAnsweredWithoutABody) {
  ASSERT_NO_FATAL_FAILURE(OpenAndHandshake());
  ASSERT_TRUE(ClientWrite("HEAD /x HTTP/1.1\r\nHost: a\r\n\r\n"));
  ASSERT_TRUE(NextRequest());
  connection_->Respond({405, std::string(kPlain), "use POST\n"}, false);
  ASSERT_TRUE(ClientWrite("GET /y HTTP/1.1\r\nHost: a\r\n\r\n"));
  ASSERT_TRUE(NextRequest());
  connection_->Respond({200, std::string(kPlain), "next"}, false);
  // TakeResponse reads Content-Length bytes after the head: with a body after
  // the HEAD answer, the second response would start inside it.
  std::string first = NextResponse();
  EXPECT_THAT(first, StartsWith("HTTP/1.1 405 "));
  EXPECT_THAT(first, HasSubstr("Content-Length: 9\r\n"));
  EXPECT_EQ(first.find("use POST"), std::string::npos);
  EXPECT_THAT(first + NextResponse(), EndsWith("\r\n\r\nnext"));
}

TEST_F(HttpsConnectionTest, Http10WithoutKeepAliveCloses) {
  ASSERT_NO_FATAL_FAILURE(OpenAndHandshake());
  ASSERT_TRUE(ClientWrite("GET /old HTTP/1.0\r\n\r\n"));
  ASSERT_TRUE(NextRequest());
  connection_->Respond({200, std::string(kPlain), "old"}, false);
  EXPECT_THAT(NextResponse(), HasSubstr("\r\nConnection: close\r\n"));
  ASSERT_TRUE(StepUntil([&] { return connection_->phase() == Phase::kLingering; }));
}

TEST_F(HttpsConnectionTest, RespondWithCloseEndsAKeepAliveConnection) {
  ASSERT_NO_FATAL_FAILURE(OpenAndHandshake());
  ASSERT_TRUE(ClientWrite("GET / HTTP/1.1\r\nHost: a\r\n\r\n"));
  std::optional<HttpsRequest> request = NextRequest();
  ASSERT_TRUE(request);
  EXPECT_TRUE(request->head.keep_alive);
  connection_->Respond({503, std::string(kPlain), "later"}, true);
  std::string got = NextResponse();
  EXPECT_THAT(got, StartsWith("HTTP/1.1 503 Service Unavailable\r\n"));
  EXPECT_THAT(got, HasSubstr("\r\nConnection: close\r\n"));
  ASSERT_TRUE(StepUntil([&] { return client_eof_; }));
  EXPECT_EQ(connection_->phase(), Phase::kLingering);
}

TEST_F(HttpsConnectionTest, RespondOutsideAwaitingIsIgnored) {
  ASSERT_NO_FATAL_FAILURE(OpenAndHandshake());
  connection_->Respond({200, std::string(kPlain), "unasked"}, false);
  StepTimes(10);
  EXPECT_EQ(received_, "");
  EXPECT_EQ(connection_->phase(), Phase::kIdle);
}

TEST_F(HttpsConnectionTest, NonTlsClientIsClosedDuringTheHandshake) {
  ASSERT_NO_FATAL_FAILURE(Open());
  constexpr std::string_view kPlainRequest = "GET / HTTP/1.1\r\nHost: localhost\r\n\r\n";
  ASSERT_EQ(write(client_fd_, kPlainRequest.data(), kPlainRequest.size()),
            static_cast<ssize_t>(kPlainRequest.size()));
  ASSERT_TRUE(StepUntil([&] { return connection_->closed(); }));
  EXPECT_TRUE(requests_.empty());
  EXPECT_EQ(connection_->fd(), -1);
  // The client sees the end of the stream (perhaps after an alert), not "wait".
  char buf[256];
  ssize_t n = 0;
  do {
    n = read(client_fd_, buf, sizeof(buf));
  } while (n > 0);
  EXPECT_TRUE(n == 0 || errno == ECONNRESET) << "read: " << n << ", errno " << errno;
}

TEST_F(HttpsConnectionTest, ClientLeavingDuringTheHandshakeClosesIt) {
  ASSERT_NO_FATAL_FAILURE(Open());
  StepTimes(3);
  EXPECT_EQ(connection_->phase(), Phase::kHandshake);
  CloseClient();
  ASSERT_TRUE(StepUntil([&] { return connection_->closed(); }));
}

TEST_F(HttpsConnectionTest, ClientLeavingWhileIdleClosesIt) {
  ASSERT_NO_FATAL_FAILURE(OpenAndHandshake());
  CloseClient();
  ASSERT_TRUE(StepUntil([&] { return connection_->closed(); }));
  EXPECT_TRUE(requests_.empty());
}

TEST_F(HttpsConnectionTest, PhaseTimesFollowTheRequest) {
  ASSERT_NO_FATAL_FAILURE(OpenAndHandshake());
  Clock::time_point idle_since = connection_->phase_since();
  EXPECT_GT(idle_since, accepted_);
  EXPECT_LE(idle_since, now_);
  StepTimes(5);
  EXPECT_EQ(connection_->phase_since(), idle_since);  // no bytes, no change
  Clock::time_point before = now_;
  ASSERT_TRUE(ClientWrite("GET / HTTP/1.1\r\nHost: a\r\n"));
  ASSERT_TRUE(StepUntil([&] { return connection_->phase() == Phase::kReading; }));
  EXPECT_GT(connection_->phase_since(), before);
  EXPECT_GT(connection_->last_progress(), before);
  // The first request counts from the accept, the handshake included.
  EXPECT_EQ(connection_->request_started(), accepted_);
}

TEST_F(HttpsConnectionTest, CloseWhenIdleClosesAnIdleConnectionAtOnce) {
  ASSERT_NO_FATAL_FAILURE(OpenAndHandshake());
  connection_->CloseWhenIdle(now_);
  EXPECT_TRUE(connection_->closed());
  EXPECT_EQ(connection_->fd(), -1);
  ClientRead();
  EXPECT_TRUE(client_eof_);
  EXPECT_TRUE(clean_close_);  // a close_notify came first
}

TEST_F(HttpsConnectionTest, CloseWhenIdleDuringTheHandshakeClosesAtOnce) {
  ASSERT_NO_FATAL_FAILURE(Open());
  StepTimes(2);
  connection_->CloseWhenIdle(now_);
  EXPECT_TRUE(connection_->closed());
}

TEST_F(HttpsConnectionTest, CloseWhenIdleWaitsForTheAwaitedAnswer) {
  ASSERT_NO_FATAL_FAILURE(OpenAndHandshake());
  ASSERT_TRUE(ClientWrite("GET /slow HTTP/1.1\r\nHost: a\r\n\r\n"));
  ASSERT_TRUE(NextRequest());
  connection_->CloseWhenIdle(now_);
  StepTimes(10);
  EXPECT_FALSE(connection_->closed());
  EXPECT_EQ(connection_->phase(), Phase::kAwaiting);
  EXPECT_FALSE(client_eof_);

  connection_->Respond({200, std::string(kPlain), "late but fine"}, false);
  std::string got = NextResponse();
  EXPECT_THAT(got, EndsWith("late but fine"));
  EXPECT_THAT(got, HasSubstr("\r\nConnection: close\r\n"));
  ASSERT_TRUE(StepUntil([&] { return client_eof_; }));
  EXPECT_EQ(connection_->phase(), Phase::kLingering);
  CloseClient();
  ASSERT_TRUE(StepUntil([&] { return connection_->closed(); }));
}

TEST_F(HttpsConnectionTest, CloseWhenIdleWaitsForARequestBeingRead) {
  ASSERT_NO_FATAL_FAILURE(OpenAndHandshake());
  ASSERT_TRUE(ClientWrite("POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\n\r\nab"));
  ASSERT_TRUE(StepUntil([&] { return connection_->phase() == Phase::kReading; }));
  connection_->CloseWhenIdle(now_);
  EXPECT_EQ(connection_->phase(), Phase::kReading);
  ASSERT_TRUE(ClientWrite("cd"));
  std::optional<HttpsRequest> request = NextRequest();
  ASSERT_TRUE(request);
  EXPECT_EQ(request->body, "abcd");
  connection_->Respond({200, std::string(kPlain), "ok"}, false);
  EXPECT_THAT(NextResponse(), HasSubstr("\r\nConnection: close\r\n"));
  ASSERT_TRUE(StepUntil([&] { return connection_->phase() == Phase::kLingering; }));
}

// An answer already being written when the close is asked for is sent, then the
// connection closes rather than waiting for another request.
TEST_F(HttpsConnectionTest, CloseWhenIdleWhileWritingClosesAfterTheResponse) {
  ASSERT_NO_FATAL_FAILURE(OpenAndHandshake());
  ASSERT_TRUE(ClientWrite("GET / HTTP/1.1\r\nHost: a\r\n\r\n"));
  ASSERT_TRUE(NextRequest());
  connection_->Respond({200, std::string(kPlain), "answer"}, false);
  EXPECT_EQ(connection_->phase(), Phase::kWriting);
  connection_->CloseWhenIdle(now_);
  EXPECT_THAT(NextResponse(), EndsWith("answer"));
  ASSERT_TRUE(StepUntil([&] { return connection_->phase() != Phase::kWriting; }));
  EXPECT_EQ(connection_->phase(), Phase::kLingering);
  EXPECT_TRUE(StepUntil([&] { return client_eof_; }));
}

TEST_F(HttpsConnectionTest, CloseWhenIdleLetsALingeringConnectionLinger) {
  ASSERT_NO_FATAL_FAILURE(OpenAndHandshake());
  ASSERT_TRUE(ClientWrite("GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n"));
  ASSERT_TRUE(NextRequest());
  connection_->Respond({200, std::string(kPlain), "bye"}, false);
  ASSERT_TRUE(StepUntil([&] { return connection_->phase() == Phase::kLingering; }));
  connection_->CloseWhenIdle(now_);
  EXPECT_EQ(connection_->phase(), Phase::kLingering);
  EXPECT_THAT(NextResponse(), EndsWith("bye"));
  CloseClient();
  ASSERT_TRUE(StepUntil([&] { return connection_->closed(); }));
}

// Requests pipelined behind one that closes the connection are never returned.
TEST_F(HttpsConnectionTest, NothingIsReturnedAfterARequestThatCloses) {
  ASSERT_NO_FATAL_FAILURE(OpenAndHandshake());
  ASSERT_TRUE(
      ClientWrite("GET /last HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\nGET /more "
                  "HTTP/1.1\r\nHost: a\r\n\r\n"));
  std::optional<HttpsRequest> request = NextRequest();
  ASSERT_TRUE(request);
  EXPECT_EQ(request->head.path, "/last");
  connection_->Respond({200, std::string(kPlain), "last"}, false);
  EXPECT_THAT(NextResponse(), EndsWith("last"));
  ASSERT_TRUE(StepUntil([&] { return client_eof_; }));
  StepTimes(10);
  EXPECT_TRUE(requests_.empty());
  EXPECT_EQ(connection_->phase(), Phase::kLingering);
}

// A bad request pipelined behind a good one is refused only after the good one
// has been answered, in order.
TEST_F(HttpsConnectionTest, PipelinedBadRequestIsRefusedAfterTheGoodOne) {
  ASSERT_NO_FATAL_FAILURE(OpenAndHandshake());
  ASSERT_TRUE(ClientWrite("GET /good HTTP/1.1\r\nHost: a\r\n\r\nGET /bad HTTP/9.9\r\n\r\n"));
  std::optional<HttpsRequest> request = NextRequest();
  ASSERT_TRUE(request);
  EXPECT_EQ(request->head.path, "/good");
  StepTimes(10);
  EXPECT_EQ(received_, "");  // the refusal waits its turn
  connection_->Respond({200, std::string(kPlain), "good"}, false);
  std::string first = NextResponse();
  std::string second = NextResponse();
  EXPECT_THAT(first, StartsWith("HTTP/1.1 200 OK\r\n"));
  EXPECT_THAT(first, EndsWith("good"));
  EXPECT_THAT(second, StartsWith("HTTP/1.1 505 HTTP Version Not Supported\r\n"));
  EXPECT_THAT(second, HasSubstr("\r\nConnection: close\r\n"));
  EXPECT_TRUE(requests_.empty());
}

}  // namespace
}  // namespace mgw
