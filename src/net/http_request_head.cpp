#include "mgw/net/http_request_head.h"

#include <limits>

#include "mgw/base/quote.h"

namespace mgw {
namespace {

constexpr int kBadRequest = 400;
constexpr int kLengthRequired = 411;
constexpr int kHeadTooLarge = 431;
constexpr int kVersionNotSupported = 505;
constexpr size_t kMaxHeaderFields = 100;
constexpr std::string_view kSendContentLength =
    "chunked and other transfer codings are not supported; send Content-Length";

// An HTTP status and a reason, or status 0 when nothing is wrong.
struct Failure {
  int status = 0;
  std::string error;
  bool ok() const { return status == 0; }
};

Failure Bad(std::string error) { return {kBadRequest, std::move(error)}; }

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
char Lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }
bool IsOws(char c) { return c == ' ' || c == '\t'; }

// A control character: C0 or DEL.
bool IsControl(char c) {
  const auto u = static_cast<unsigned char>(c);
  return u < 0x20 || u == 0x7f;
}

// tchar in RFC 9110 §5.6.2.
bool IsTokenChar(char c) {
  return IsDigit(c) || IsAlpha(c) ||
         std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

bool IsToken(std::string_view s) {
  if (s.empty()) return false;
  for (const char c : s) {
    if (!IsTokenChar(c)) return false;
  }
  return true;
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (Lower(a[i]) != Lower(b[i])) return false;
  }
  return true;
}

std::string_view TrimOws(std::string_view s) {
  while (!s.empty() && IsOws(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsOws(s.back())) s.remove_suffix(1);
  return s;
}

// Removes the first line from `rest` and returns it without its LF or CRLF.
// REQUIRES: `rest` holds an LF.
std::string_view TakeLine(std::string_view& rest) {
  const size_t lf = rest.find('\n');
  std::string_view line = rest.substr(0, lf);
  rest.remove_prefix(lf + 1);
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  return line;
}

// Calls `fn` with each OWS-trimmed element of a comma-separated list, empty ones
// included; stops early and returns false when `fn` does.
template <typename Fn>
bool ForEachListElement(std::string_view list, Fn fn) {
  while (true) {
    const size_t comma = list.find(',');
    if (!fn(TrimOws(list.substr(0, comma)))) return false;
    if (comma == std::string_view::npos) return true;
    list.remove_prefix(comma + 1);
  }
}

// The offset just past the blank line that ends the head in `data`, or npos when it
// has not arrived. `start` becomes the offset of the request line, past any empty
// lines that precede it.
size_t FindHeadEnd(std::string_view data, size_t& start) {
  start = 0;
  bool in_head = false;
  size_t pos = 0;
  while (true) {
    const size_t lf = data.find('\n', pos);
    if (lf == std::string_view::npos) return std::string_view::npos;
    const bool empty = lf == pos || (lf == pos + 1 && data[pos] == '\r');
    pos = lf + 1;
    if (empty && in_head) return pos;
    if (empty) start = pos;
    in_head = in_head || !empty;
  }
}

// "HTTP/1.0" or "HTTP/1.1" sets the minor version; other versions are 505.
Failure ParseVersion(std::string_view version, RequestHead& head) {
  const bool well_formed = version.size() == 8 && version.substr(0, 5) == "HTTP/" &&
                           IsDigit(version[5]) && version[6] == '.' && IsDigit(version[7]);
  if (!well_formed) return Bad("malformed HTTP version " + QuoteBytes(version));
  if (version[5] != '1' || (version[7] != '0' && version[7] != '1')) {
    return {kVersionNotSupported,
            "HTTP version not supported: " + QuoteBytes(version) + " (only HTTP/1.0 and HTTP/1.1)"};
  }
  head.minor_version = version[7] - '0';
  return {};
}

// method SP request-target SP HTTP-version (RFC 9112 §3).
Failure ParseRequestLine(std::string_view line, RequestHead& head) {
  const size_t sp1 = line.find(' ');
  const size_t sp2 = sp1 == std::string_view::npos ? sp1 : line.find(' ', sp1 + 1);
  if (sp2 == std::string_view::npos || sp1 == 0 || sp2 == sp1 + 1) {
    return Bad("malformed request line " + QuoteBytes(line));
  }
  const std::string_view method = line.substr(0, sp1);
  const std::string_view target = line.substr(sp1 + 1, sp2 - sp1 - 1);
  if (!IsToken(method)) return Bad("invalid method " + QuoteBytes(method));
  for (const char c : target) {
    if (IsControl(c)) return Bad("invalid request target " + QuoteBytes(target));
  }
  Failure version = ParseVersion(line.substr(sp2 + 1), head);
  if (!version.ok()) return version;
  head.method = method;
  const size_t question = target.find('?');
  head.path = target.substr(0, question);
  if (question != std::string_view::npos) head.query = target.substr(question + 1);
  return {};
}

// field-name ":" OWS field-value OWS (RFC 9112 §5).
Failure ParseField(std::string_view line, RequestHead& head) {
  if (IsOws(line.front())) return Bad("obsolete line folding is not supported");
  const size_t colon = line.find(':');
  if (colon == std::string_view::npos) return Bad("header line without ':' " + QuoteBytes(line));
  const std::string_view name = line.substr(0, colon);
  if (!IsToken(name)) return Bad("invalid header name " + QuoteBytes(name));
  const std::string_view value = TrimOws(line.substr(colon + 1));
  for (const char c : value) {
    if (IsControl(c) && c != '\t') return Bad("invalid character in header " + QuoteBytes(name));
  }
  if (head.headers.size() == kMaxHeaderFields) {
    return {kHeadTooLarge, "more than " + std::to_string(kMaxHeaderFields) + " header fields"};
  }
  head.headers.emplace_back(name, value);
  return {};
}

// 1*DIGIT as a uint64; nullopt for anything else, including overflow.
std::optional<uint64_t> ParseDecimal(std::string_view s) {
  if (s.empty()) return std::nullopt;
  uint64_t n = 0;
  constexpr uint64_t kMax = std::numeric_limits<uint64_t>::max();
  for (const char c : s) {
    if (!IsDigit(c)) return std::nullopt;
    const auto digit = static_cast<uint64_t>(c - '0');
    if (n > (kMax - digit) / 10) return std::nullopt;
    n = n * 10 + digit;
  }
  return n;
}

// Folds one Content-Length field value, a number or a list of them, into `length`:
// every number must be the same (RFC 9110 §8.6).
Failure AddContentLength(std::string_view value, std::optional<uint64_t>& length) {
  Failure failure;
  ForEachListElement(value, [&](std::string_view element) {
    const std::optional<uint64_t> n = ParseDecimal(element);
    if (!n) {
      failure = Bad("invalid Content-Length " + QuoteBytes(value));
    } else if (length && *length != *n) {
      failure = Bad("conflicting Content-Length values " + std::to_string(*length) + " and " +
                    std::to_string(*n));
    } else {
      length = n;
    }
    return failure.ok();
  });
  return failure;
}

Failure ApplyContentLength(RequestHead& head) {
  for (const auto& [name, value] : head.headers) {
    if (!EqualsIgnoreCase(name, "Content-Length")) continue;
    Failure failure = AddContentLength(value, head.content_length);
    if (!failure.ok()) return failure;
  }
  return {};
}

// Only Content-Length frames a body here (RFC 9112 §6.3). A request whose final
// transfer coding is chunked gets 411, so the client may resend it with a length;
// any other coding (identity included) leaves the body's end unknown, so the
// request is refused with 400 rather than guessing where the next one starts.
Failure CheckTransferEncoding(const RequestHead& head) {
  std::string_view last;
  std::string all;
  bool present = false;
  for (const auto& [name, value] : head.headers) {
    if (!EqualsIgnoreCase(name, "Transfer-Encoding")) continue;
    all += present ? ", " + value : value;
    present = true;
    ForEachListElement(value, [&](std::string_view coding) {
      if (!coding.empty()) last = coding;
      return true;
    });
  }
  if (!present) return {};
  if (!EqualsIgnoreCase(last, "chunked")) {
    return Bad("Transfer-Encoding " + QuoteBytes(all) + " does not end in chunked");
  }
  if (head.content_length) {
    return {kLengthRequired,
            "Transfer-Encoding with Content-Length; " + std::string(kSendContentLength) + " alone"};
  }
  return {kLengthRequired,
          std::string(kSendContentLength) + " (Transfer-Encoding: " + QuoteBytes(all) + ")"};
}

// Exactly one Host field in HTTP/1.1, at most one in HTTP/1.0 (RFC 9112 §3.2).
Failure CheckHost(const RequestHead& head) {
  size_t hosts = 0;
  for (const auto& [name, value] : head.headers) hosts += EqualsIgnoreCase(name, "Host") ? 1 : 0;
  if (hosts > 1) return Bad("more than one Host header");
  if (hosts == 0 && head.minor_version >= 1) return Bad("HTTP/1.1 request without a Host header");
  return {};
}

// Connection options and Expect: 100-continue (RFC 9112 §9.3, RFC 9110 §10.1.1).
void ApplyConnectionOptions(RequestHead& head) {
  bool close = false;
  bool keep_alive = false;
  for (const auto& [name, value] : head.headers) {
    if (EqualsIgnoreCase(name, "Connection")) {
      ForEachListElement(value, [&](std::string_view option) {
        close = close || EqualsIgnoreCase(option, "close");
        keep_alive = keep_alive || EqualsIgnoreCase(option, "keep-alive");
        return true;
      });
    } else if (EqualsIgnoreCase(name, "Expect") && EqualsIgnoreCase(value, "100-continue")) {
      head.expect_continue = head.minor_version >= 1;
    }
  }
  head.keep_alive = !close && (head.minor_version >= 1 || keep_alive);
}

// Parses `text`, a whole head from the request line through the blank line.
Failure ParseHead(std::string_view text, RequestHead& head) {
  bool first = true;
  while (true) {
    const std::string_view line = TakeLine(text);
    if (line.find('\r') != std::string_view::npos) return Bad("CR not followed by LF");
    if (first) {
      Failure failure = ParseRequestLine(line, head);
      if (!failure.ok()) return failure;
      first = false;
      continue;
    }
    if (line.empty()) break;
    Failure failure = ParseField(line, head);
    if (!failure.ok()) return failure;
  }
  Failure failure = ApplyContentLength(head);
  if (failure.ok()) failure = CheckTransferEncoding(head);
  if (failure.ok()) failure = CheckHost(head);
  if (failure.ok()) ApplyConnectionOptions(head);
  return failure;
}

int HexValue(char c) {
  if (IsDigit(c)) return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// application/x-www-form-urlencoded decoding; bad escapes pass through.
std::string DecodeQueryPart(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '+') {
      out += ' ';
    } else if (s[i] == '%' && i + 2 < s.size() && HexValue(s[i + 1]) >= 0 &&
               HexValue(s[i + 2]) >= 0) {
      out += static_cast<char>(HexValue(s[i + 1]) * 16 + HexValue(s[i + 2]));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

}  // namespace

std::string_view RequestHead::Header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (EqualsIgnoreCase(key, name)) return value;
  }
  return {};
}

HeadParse ParseRequestHead(std::string_view data, size_t max_head_bytes) {
  HeadParse out;
  // One byte past the limit is enough to know the head is too long.
  const std::string_view window =
      data.size() > max_head_bytes ? data.substr(0, max_head_bytes + 1) : data;
  size_t start = 0;
  const size_t end = FindHeadEnd(window, start);
  if (end == std::string_view::npos && data.size() <= max_head_bytes) return out;
  if (end == std::string_view::npos || end > max_head_bytes) {
    out.kind = HeadParse::Kind::kError;
    out.status = kHeadTooLarge;
    out.error = "request head exceeds " + std::to_string(max_head_bytes) + " bytes";
    return out;
  }
  Failure failure = ParseHead(data.substr(start, end - start), out.head);
  if (!failure.ok()) {
    out.kind = HeadParse::Kind::kError;
    out.status = failure.status;
    out.error = std::move(failure.error);
    out.head = RequestHead();
    return out;
  }
  out.kind = HeadParse::Kind::kComplete;
  out.consumed = end;
  return out;
}

std::optional<std::string> QueryParameter(std::string_view query, std::string_view name) {
  while (!query.empty()) {
    const size_t amp = query.find('&');
    const std::string_view pair = query.substr(0, amp);
    query.remove_prefix(amp == std::string_view::npos ? query.size() : amp + 1);
    if (pair.empty()) continue;
    const size_t eq = pair.find('=');
    if (DecodeQueryPart(pair.substr(0, eq)) != name) continue;
    return eq == std::string_view::npos ? std::string() : DecodeQueryPart(pair.substr(eq + 1));
  }
  return std::nullopt;
}

}  // namespace mgw
