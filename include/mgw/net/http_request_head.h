// The head of an HTTP/1.x request (RFC 9112 §2-3, §6; RFC 9110 §5, §7.6.1,
// §10.1.1): the request line and header fields up to the blank line, parsed from
// the bytes a connection has received so far. Pure functions, no I/O; safe on any
// input, in time linear in its size. Thread-safe (no shared state).
#ifndef MGW_NET_HTTP_REQUEST_HEAD_H_
#define MGW_NET_HTTP_REQUEST_HEAD_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace mgw {

struct RequestHead {
  std::string method;     // as sent, e.g. "POST" (case-sensitive token)
  std::string path;       // request-target up to '?', raw (not percent-decoded)
  std::string query;      // after the first '?', raw; "" when none
  int minor_version = 1;  // HTTP/1.<minor>; only 0 and 1 are accepted
  std::vector<std::pair<std::string, std::string>> headers;  // names as sent, values trimmed of OWS
  std::optional<uint64_t> content_length;                    // from Content-Length
  // HTTP/1.1: unless "Connection: close"; HTTP/1.0: only with "Connection: keep-alive".
  bool keep_alive = true;
  bool expect_continue = false;  // "Expect: 100-continue" (case-insensitive)
  // The value of the named header (case-insensitive name), or "" when absent.
  std::string_view Header(std::string_view name) const;
};

struct HeadParse {
  enum class Kind { kIncomplete, kComplete, kError };
  Kind kind = Kind::kIncomplete;
  RequestHead head;  // set when kComplete
  // Bytes of `data` the head took, including the blank line; set when kComplete.
  size_t consumed = 0;
  int status = 0;     // HTTP status to answer with when kError: 400, 411, 431, 501 or 505
  std::string error;  // a one-line reason for a person, when kError
};

// Parses the request head at the start of `data`. kIncomplete when the blank line
// has not arrived yet and `data` is still within `max_head_bytes`; kError 431 when
// the head is (or already must be) longer than max_head_bytes.
//
// Lines end in CRLF or a bare LF; empty lines before the request line are skipped
// but count toward `consumed` and the limit. Errors: 400 for a malformed request
// line or header field, a lone CR, obsolete line folding, a bad or conflicting
// Content-Length, a Transfer-Encoding whose final coding is not chunked (identity
// included: the body's end would be unknown), and a missing (HTTP/1.1) or repeated
// Host; 411 for a final chunked coding, with or without Content-Length; 431 past
// the limit or past 100 header fields; 505 for an HTTP version other than 1.0 and
// 1.1. Nothing past the head is examined: the body and pipelined requests stay in
// `data` after `consumed`. An Expect: 100-continue in an HTTP/1.0 request is
// ignored (RFC 9110 §10.1.1). 501 is not currently returned.
HeadParse ParseRequestHead(std::string_view data, size_t max_head_bytes);

// The percent-decoded value of the first `name` parameter in a raw query string
// ("a=1&timeout=10s"), or nullopt when absent. '+' decodes to a space; a malformed
// %-escape is kept as is. Keys are decoded the same way before comparing; a
// parameter without '=' has the value "".
std::optional<std::string> QueryParameter(std::string_view query, std::string_view name);

}  // namespace mgw

#endif  // MGW_NET_HTTP_REQUEST_HEAD_H_
