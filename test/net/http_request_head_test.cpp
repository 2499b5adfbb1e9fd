#include "mgw/net/http_request_head.h"

#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace mgw {
namespace {

using Kind = HeadParse::Kind;
using ::testing::HasSubstr;
using ::testing::Pair;
using namespace std::string_literals;

constexpr size_t kLimit = 8192;

// What kube-apiserver sends a validating webhook (Go net/http client, HTTP/1.1).
constexpr std::string_view kApiserverHead =
    "POST /validate-mustgather?timeout=10s HTTP/1.1\r\n"
    "Host: mustgather-webhook.mustgather-operator.svc:443\r\n"
    "User-Agent: kube-apiserver-admission\r\n"
    "Content-Length: 27\r\n"
    "Accept: application/json, */*\r\n"
    "Accept-Encoding: gzip\r\n"
    "Content-Type: application/json\r\n"
    "\r\n";
constexpr std::string_view kBody = "{\"kind\":\"AdmissionReview\"}\n";

HeadParse Parse(std::string_view data, size_t limit = kLimit) {
  return ParseRequestHead(data, limit);
}

// An HTTP/1.1 POST with Host and then `fields` ("A: b\r\nC: d"), ending in the blank line.
std::string WithFields(std::string_view fields, std::string_view line = "POST / HTTP/1.1") {
  std::string out = std::string(line) + "\r\nHost: a\r\n" + std::string(fields);
  if (!fields.empty()) out += "\r\n";
  return out + "\r\n";
}

TEST(HttpRequestHeadTest, ParsesKubeApiserverRequest) {
  const std::string data = std::string(kApiserverHead) + std::string(kBody);
  const HeadParse got = Parse(data);
  ASSERT_EQ(got.kind, Kind::kComplete) << got.error;
  EXPECT_EQ(got.consumed, kApiserverHead.size());
  EXPECT_EQ(got.status, 0);
  const RequestHead& head = got.head;
  EXPECT_EQ(head.method, "POST");
  EXPECT_EQ(head.path, "/validate-mustgather");
  EXPECT_EQ(head.query, "timeout=10s");
  EXPECT_EQ(head.minor_version, 1);
  EXPECT_EQ(head.content_length, std::optional<uint64_t>(kBody.size()));
  EXPECT_TRUE(head.keep_alive);
  EXPECT_FALSE(head.expect_continue);
  ASSERT_EQ(head.headers.size(), 6u);
  EXPECT_THAT(head.headers[0], Pair("Host", "mustgather-webhook.mustgather-operator.svc:443"));
  EXPECT_THAT(head.headers[3], Pair("Accept", "application/json, */*"));
  EXPECT_EQ(head.Header("User-Agent"), "kube-apiserver-admission");
  EXPECT_EQ(head.Header("accept-encoding"), "gzip");
  EXPECT_EQ(head.Header("CONTENT-TYPE"), "application/json");
  EXPECT_EQ(QueryParameter(head.query, "timeout"), "10s");
}

TEST(HttpRequestHeadTest, EveryPrefixOfAHeadIsIncomplete) {
  for (size_t n = 0; n < kApiserverHead.size(); ++n) {
    const HeadParse got = Parse(kApiserverHead.substr(0, n));
    EXPECT_EQ(got.kind, Kind::kIncomplete) << n << ": " << got.error;
    EXPECT_EQ(got.consumed, 0u) << n;
  }
  EXPECT_EQ(Parse(kApiserverHead).kind, Kind::kComplete);
  EXPECT_EQ(Parse(kApiserverHead).consumed, kApiserverHead.size());
}

TEST(HttpRequestHeadTest, LeavesBodyAndPipelinedRequestsUnconsumed) {
  const std::string next = "GET /healthz HTTP/1.1\r\nHost: a\r\n\r\n";
  const std::string data = std::string(kApiserverHead) + std::string(kBody) + next;
  const HeadParse first = Parse(data);
  ASSERT_EQ(first.kind, Kind::kComplete) << first.error;
  EXPECT_EQ(first.consumed, kApiserverHead.size());
  const HeadParse second = Parse(std::string_view(data).substr(first.consumed + kBody.size()));
  ASSERT_EQ(second.kind, Kind::kComplete) << second.error;
  EXPECT_EQ(second.head.path, "/healthz");
  EXPECT_EQ(second.consumed, next.size());
  // Two heads back to back: only the first is taken.
  const HeadParse twice = Parse(next + next);
  ASSERT_EQ(twice.kind, Kind::kComplete);
  EXPECT_EQ(twice.consumed, next.size());
  // A body that is not a valid head is not looked at.
  const HeadParse garbage = Parse(next + "\x01\r\x7f not a request\r\n\r\n");
  ASSERT_EQ(garbage.kind, Kind::kComplete) << garbage.error;
  EXPECT_EQ(garbage.consumed, next.size());
}

TEST(HttpRequestHeadTest, AcceptsBareLfLineEnds) {
  const std::string heads[] = {
      "POST /x?a=1 HTTP/1.1\nHost: a\nContent-Length: 3\n\n",
      "POST /x?a=1 HTTP/1.1\r\nHost: a\nContent-Length: 3\r\n\n",
      "POST /x?a=1 HTTP/1.1\nHost: a\r\nContent-Length: 3\n\r\n",
  };
  for (const std::string& head : heads) {
    const HeadParse got = Parse(head + "abc");
    ASSERT_EQ(got.kind, Kind::kComplete) << head << ": " << got.error;
    EXPECT_EQ(got.consumed, head.size()) << head;
    EXPECT_EQ(got.head.path, "/x");
    EXPECT_EQ(got.head.Header("host"), "a");
    EXPECT_EQ(got.head.content_length, std::optional<uint64_t>(3));
    for (size_t n = 0; n < head.size(); ++n) {
      EXPECT_EQ(Parse(head.substr(0, n)).kind, Kind::kIncomplete) << head << " at " << n;
    }
  }
}

TEST(HttpRequestHeadTest, SkipsLeadingEmptyLinesButCountsThem) {
  const std::string data = "\r\n\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n";
  const HeadParse got = Parse(data);
  ASSERT_EQ(got.kind, Kind::kComplete) << got.error;
  EXPECT_EQ(got.consumed, data.size());
  EXPECT_EQ(got.head.method, "GET");
  EXPECT_EQ(Parse("\r\n\r\n\r\n").kind, Kind::kIncomplete);
  EXPECT_EQ(Parse(data, data.size()).kind, Kind::kComplete);
  EXPECT_EQ(Parse(data, data.size() - 1).status, 431);
  EXPECT_EQ(Parse(std::string(100, '\n'), 99).status, 431);
}

struct Rejection {
  std::string data;
  int status;
  std::string message_part;
};

TEST(HttpRequestHeadTest, RejectsMalformedHeads) {
  const std::string k411 =
      "chunked and other transfer codings are not supported; send Content-Length";
  const Rejection cases[] = {
      {"GET /\r\n\r\n", 400, "malformed request line \"GET /\""},
      {"GET\r\n\r\n", 400, "malformed request line"},
      {" GET / HTTP/1.1\r\nHost: a\r\n\r\n", 400, "malformed request line"},
      {"GET  / HTTP/1.1\r\nHost: a\r\n\r\n", 400, "malformed request line"},
      {"GET / HTTP/1.1 \r\n\r\n", 400, "malformed HTTP version \"HTTP/1.1 \""},
      {"GET / HTTP/1.1 x\r\n\r\n", 400, "malformed HTTP version"},
      {"GET / http/1.1\r\n\r\n", 400, "malformed HTTP version"},
      {"GET / HTTP/1.\r\n\r\n", 400, "malformed HTTP version"},
      {"GET / HTTP/1.10\r\n\r\n", 400, "malformed HTTP version"},
      {"GET / HTTP/1\r\n\r\n", 400, "malformed HTTP version"},
      {"G(T / HTTP/1.1\r\nHost: a\r\n\r\n", 400, "invalid method \"G(T\""},
      {"G\xc3\x89T / HTTP/1.1\r\nHost: a\r\n\r\n", 400, "invalid method"},
      {"GET /a\x01 HTTP/1.1\r\nHost: a\r\n\r\n", 400, "invalid request target \"/a\\x01\""},
      {"GET /a\x7f HTTP/1.1\r\nHost: a\r\n\r\n", 400, "invalid request target"},
      {"GET /a\tb HTTP/1.1\r\nHost: a\r\n\r\n", 400, "invalid request target"},
      {"GET / HTTP/2.0\r\n\r\n", 505, "HTTP version not supported: \"HTTP/2.0\""},
      {"GET / HTTP/1.2\r\n\r\n", 505, "HTTP version not supported"},
      {"GET / HTTP/0.9\r\n\r\n", 505, "HTTP version not supported"},
      {"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", 505, "HTTP version not supported"},
      {"GET / HTTP/1.1\rHost: a\r\n\r\n", 400, "CR not followed by LF"},
      {"GET / HTTP/1.1\r\nHost: a\rb\r\n\r\n", 400, "CR not followed by LF"},
      {"GET / HTTP/1.1\r\nHost: a\r\r\n\r\n", 400, "CR not followed by LF"},
      {"GET / HTTP/1.1\r\nHost: a\r\n\r\r\n\r\n", 400, "CR not followed by LF"},
      {WithFields("X Y: z"), 400, "invalid header name \"X Y\""},
      {WithFields("Host : a"), 400, "invalid header name \"Host \""},
      {WithFields("Host\t: a"), 400, "invalid header name \"Host\\x09\""},
      {WithFields(": a"), 400, "invalid header name \"\""},
      {WithFields("X(: a"), 400, "invalid header name \"X(\""},
      {WithFields("Host a"), 400, "header line without ':' \"Host a\""},
      {"GET / HTTP/1.1\r\nHost: a\r\n Host: a\r\n\r\n", 400, "obsolete line folding"},
      {WithFields("X: a\r\n\tb"), 400, "obsolete line folding"},
      {WithFields("X: a\r\n b"), 400, "obsolete line folding"},
      {WithFields("X: a\x01z"), 400, "invalid character in header \"X\""},
      {WithFields("X: a\x7f"), 400, "invalid character in header"},
      {WithFields("X: a\0b"s), 400, "invalid character in header"},
      {WithFields("Content-Length: -1"), 400, "invalid Content-Length \"-1\""},
      {WithFields("Content-Length: +1"), 400, "invalid Content-Length"},
      {WithFields("Content-Length: 1.0"), 400, "invalid Content-Length"},
      {WithFields("Content-Length: 0x10"), 400, "invalid Content-Length"},
      {WithFields("Content-Length: 1 2"), 400, "invalid Content-Length"},
      {WithFields("Content-Length:"), 400, "invalid Content-Length"},
      {WithFields("Content-Length: 1,"), 400, "invalid Content-Length"},
      {WithFields("Content-Length: 18446744073709551616"), 400, "invalid Content-Length"},
      {WithFields("Content-Length: 99999999999999999999999"), 400, "invalid Content-Length"},
      {WithFields("Content-Length: 1, 2"), 400, "conflicting Content-Length values 1 and 2"},
      {WithFields("Content-Length: 1\r\ncontent-length: 2"), 400, "conflicting Content-Length"},
      {WithFields("Transfer-Encoding: chunked"), 411, k411 + " (Transfer-Encoding: \"chunked\")"},
      {WithFields("transfer-encoding: Chunked"), 411, k411},
      {WithFields("Transfer-Encoding: gzip, chunked"), 411, k411},
      {WithFields("Transfer-Encoding: identity, chunked"), 411, k411},
      {WithFields("Transfer-Encoding: identity\r\nTransfer-Encoding: chunked"), 411, k411},
      {WithFields("Content-Length: 2\r\nTransfer-Encoding: chunked"), 411,
       "Transfer-Encoding with Content-Length"},
      // Any other final coding leaves the body's end unknown: 400, not a guess.
      {WithFields("Transfer-Encoding: identity"), 400,
       "Transfer-Encoding \"identity\" does not end in chunked"},
      {WithFields("Transfer-Encoding: IDENTITY\r\nContent-Length: 2"), 400, "does not end"},
      {WithFields("Transfer-Encoding: chunked, gzip"), 400, "does not end in chunked"},
      {WithFields("Transfer-Encoding: chunked\r\nTransfer-Encoding: gzip"), 400,
       "\"chunked, gzip\" does not end"},
      {WithFields("Transfer-Encoding:"), 400, "does not end in chunked"},
      {WithFields("Host: b"), 400, "more than one Host header"},
      {"GET / HTTP/1.1\r\nX: y\r\n\r\n", 400, "HTTP/1.1 request without a Host header"},
  };
  for (const Rejection& c : cases) {
    const HeadParse got = Parse(c.data);
    EXPECT_EQ(got.kind, Kind::kError) << c.data;
    EXPECT_EQ(got.status, c.status) << c.data;
    EXPECT_THAT(got.error, HasSubstr(c.message_part)) << c.data;
    EXPECT_EQ(got.error.find('\n'), std::string::npos) << c.data;
    EXPECT_EQ(got.consumed, 0u) << c.data;
  }
}

TEST(HttpRequestHeadTest, AcceptsWhatTheRulesAllow) {
  const HeadParse got = Parse(
      "get /a%20b/\xc3\xa9?x=1?y#z HTTP/1.1\r\nHost: a\r\n"
      "x-CUSTOM:  \t v a\tl \t \r\n"
      "Empty:\r\n"
      "Obs-Text: caf\xc3\xa9\r\n"
      "x-custom: second\r\n\r\n");
  ASSERT_EQ(got.kind, Kind::kComplete) << got.error;
  const RequestHead& head = got.head;
  EXPECT_EQ(head.method, "get");
  EXPECT_EQ(head.path, "/a%20b/\xc3\xa9");
  EXPECT_EQ(head.query, "x=1?y#z");
  EXPECT_THAT(head.headers[1], Pair("x-CUSTOM", "v a\tl"));
  EXPECT_EQ(head.Header("X-Custom"), "v a\tl");  // the first of several
  EXPECT_EQ(head.Header("empty"), "");
  EXPECT_EQ(head.Header("obs-text"), "caf\xc3\xa9");
  EXPECT_EQ(head.Header("Absent"), "");
  EXPECT_EQ(head.content_length, std::nullopt);
  EXPECT_EQ(Parse("GET / HTTP/1.0\r\n\r\n").kind, Kind::kComplete);  // 1.0 needs no Host
  const std::string targets[] = {"*", "/", "/?", "http://a/b?c", "a:443"};
  for (const std::string& target : targets) {
    const HeadParse t = Parse("OPTIONS " + target + " HTTP/1.1\r\nHost: a\r\n\r\n");
    ASSERT_EQ(t.kind, Kind::kComplete) << target << ": " << t.error;
    EXPECT_EQ(t.head.path + (target.find('?') != std::string::npos ? "?" : "") + t.head.query,
              target);
  }
  EXPECT_EQ(Parse("M-SEARCH * HTTP/1.1\r\nHost: a\r\n\r\n").head.method, "M-SEARCH");
}

TEST(HttpRequestHeadTest, ContentLength) {
  const std::optional<uint64_t> kNone;
  const struct {
    std::string fields;
    std::optional<uint64_t> want;
  } cases[] = {
      {"", kNone},
      {"Content-Length: 0", 0},
      {"Content-Length: 27", 27},
      {"content-length:  \t27 ", 27},
      {"Content-Length: 007", 7},
      {"Content-Length: 18446744073709551615", std::numeric_limits<uint64_t>::max()},
      {"Content-Length: 5, 5", 5},
      {"Content-Length: 5,5,005", 5},
      {"Content-Length: 5\r\nCONTENT-LENGTH: 5", 5},
  };
  for (const auto& c : cases) {
    const HeadParse got = Parse(WithFields(c.fields));
    ASSERT_EQ(got.kind, Kind::kComplete) << c.fields << ": " << got.error;
    EXPECT_EQ(got.head.content_length, c.want) << c.fields;
  }
}

TEST(HttpRequestHeadTest, KeepAliveFollowsVersionAndConnection) {
  const struct {
    std::string line;
    std::string fields;
    int minor;
    bool keep_alive;
  } cases[] = {
      {"GET / HTTP/1.1", "", 1, true},
      {"GET / HTTP/1.1", "Connection: close", 1, false},
      {"GET / HTTP/1.1", "connection: CLOSE", 1, false},
      {"GET / HTTP/1.1", "Connection: Upgrade , close", 1, false},
      {"GET / HTTP/1.1", "Connection: keep-alive", 1, true},
      {"GET / HTTP/1.1", "Connection: keep-alive\r\nConnection: close", 1, false},
      {"GET / HTTP/1.1", "Connection: closed", 1, true},
      {"GET / HTTP/1.1", "X-Connection: close", 1, true},
      {"GET / HTTP/1.0", "", 0, false},
      {"GET / HTTP/1.0", "Connection: keep-alive", 0, true},
      {"GET / HTTP/1.0", "Connection: Keep-Alive", 0, true},
      {"GET / HTTP/1.0", "Connection: foo,keep-alive", 0, true},
      {"GET / HTTP/1.0", "Connection: keep-alive, close", 0, false},
      {"GET / HTTP/1.0", "Connection: keep-alive\r\nConnection: close", 0, false},
      {"GET / HTTP/1.0", "Connection: keep-alives", 0, false},
  };
  for (const auto& c : cases) {
    const HeadParse got = Parse(WithFields(c.fields, c.line));
    ASSERT_EQ(got.kind, Kind::kComplete) << c.line << " " << c.fields << ": " << got.error;
    EXPECT_EQ(got.head.minor_version, c.minor) << c.line;
    EXPECT_EQ(got.head.keep_alive, c.keep_alive) << c.line << " " << c.fields;
  }
}

TEST(HttpRequestHeadTest, ExpectContinue) {
  const struct {
    std::string line;
    std::string fields;
    bool want;
  } cases[] = {
      {"POST / HTTP/1.1", "Expect: 100-continue", true},
      {"POST / HTTP/1.1", "expect:  100-CONTINUE ", true},
      {"POST / HTTP/1.1", "", false},
      {"POST / HTTP/1.1", "Expect: 200-ok", false},
      {"POST / HTTP/1.1", "X-Expect: 100-continue", false},
      {"POST / HTTP/1.0", "Expect: 100-continue", false},  // RFC 9110 §10.1.1: ignored
  };
  for (const auto& c : cases) {
    const HeadParse got = Parse(WithFields(c.fields, c.line));
    ASSERT_EQ(got.kind, Kind::kComplete) << c.fields << ": " << got.error;
    EXPECT_EQ(got.head.expect_continue, c.want) << c.line << " " << c.fields;
  }
}

TEST(HttpRequestHeadTest, HeadSizeLimit) {
  const std::string head = WithFields("X: y");
  const size_t n = head.size();
  EXPECT_EQ(Parse(head, n).kind, Kind::kComplete);
  EXPECT_EQ(Parse(head + std::string(kBody), n).consumed, n);  // the body is not counted
  const HeadParse over = Parse(head, n - 1);
  EXPECT_EQ(over.kind, Kind::kError);
  EXPECT_EQ(over.status, 431);
  EXPECT_EQ(over.error, "request head exceeds " + std::to_string(n - 1) + " bytes");
  // Without the blank line: incomplete up to the limit, 431 past it.
  EXPECT_EQ(Parse(head.substr(0, n - 1), n - 1).kind, Kind::kIncomplete);
  EXPECT_EQ(Parse(head.substr(0, n - 1), n - 2).status, 431);
  EXPECT_EQ(Parse("", 0).kind, Kind::kIncomplete);
  EXPECT_EQ(Parse("G", 0).status, 431);
  const HeadParse huge = Parse(std::string(1 << 20, 'a'));
  EXPECT_EQ(huge.status, 431);
  EXPECT_EQ(huge.error, "request head exceeds 8192 bytes");
  EXPECT_EQ(Parse(std::string(1 << 20, 'a') + "\r\n\r\n").status, 431);
}

TEST(HttpRequestHeadTest, AtMostOneHundredHeaderFields) {
  std::string fields;
  for (int i = 1; i < 100; ++i) fields += "X-" + std::to_string(i) + ": v\r\n";
  const std::string hundred = WithFields(fields.substr(0, fields.size() - 2));
  const HeadParse ok = Parse(hundred);
  ASSERT_EQ(ok.kind, Kind::kComplete) << ok.error;
  EXPECT_EQ(ok.head.headers.size(), 100u);
  const HeadParse more = Parse(WithFields(fields + "X-100: v"));
  EXPECT_EQ(more.status, 431);
  EXPECT_EQ(more.error, "more than 100 header fields");
  std::string many = "GET / HTTP/1.1\r\nHost: a\r\n";
  for (int i = 0; i < 100000; ++i) many += "X: y\r\n";
  EXPECT_EQ(Parse(many + "\r\n", std::numeric_limits<size_t>::max()).status, 431);
}

TEST(HttpRequestHeadTest, QueryParameter) {
  const std::optional<std::string> kAbsent;
  const struct {
    std::string query;
    std::string name;
    std::optional<std::string> want;
  } cases[] = {
      {"timeout=10s", "timeout", "10s"},
      {"a=1&timeout=10s", "timeout", "10s"},
      {"a=1", "timeout", kAbsent},
      {"", "timeout", kAbsent},
      {"timeout=", "timeout", ""},
      {"timeout", "timeout", ""},
      {"a=1&timeout&b=2", "timeout", ""},
      {"timeoutx=1", "timeout", kAbsent},
      {"xtimeout=1", "timeout", kAbsent},
      {"timeoutx=1&timeout=2", "timeout", "2"},
      {"timeout=1&timeout=2", "timeout", "1"},
      {"TIMEOUT=1", "timeout", kAbsent},
      {"&&t=1&", "t", "1"},
      {"t=a=b", "t", "a=b"},
      {"t=%31%30s", "t", "10s"},
      {"t=%e2%82%AC", "t", "\xe2\x82\xac"},
      {"t=a+b", "t", "a b"},
      {"t=a%2Bb", "t", "a+b"},
      {"t=100%25", "t", "100%"},
      {"t=%zz", "t", "%zz"},
      {"t=%4", "t", "%4"},
      {"t=%", "t", "%"},
      {"t=%%41", "t", "%A"},
      {"t%69meout=5s", "timeout", "5s"},
      {"a+b=1", "a b", "1"},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(QueryParameter(c.query, c.name), c.want) << c.query << " " << c.name;
  }
  std::string long_query;
  for (int i = 0; i < 100000; ++i) long_query += "a=1&";
  EXPECT_EQ(QueryParameter(long_query + "t=%7A", "t"), "z");
}

}  // namespace
}  // namespace mgw
