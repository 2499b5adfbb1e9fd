// Fuzzes what the upload reads from its environment: a proxy URL (HTTPS_PROXY), a
// NO_PROXY list and a HOST[:PORT]. The input splits at its first newline into the URL
// or list, and the host. Checks the headers' contracts: errors are INVALID_ARGUMENT; what
// a parse shows (message or Redacted()) does not change with the password; a parsed URL
// has a host and a port, and its Redacted() form parses back to the same proxy; NO_PROXY
// "*" covers every host. Any broken check aborts.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <utility>

#include "mgw/upload/proxy_url.h"
#include "mgw/upload/upload_target.h"

namespace {

void Check(bool condition) {
  if (!condition) std::abort();
}

// Where the input spells the password ("scheme://user:password@"): offset and length,
// or length 0.
std::pair<size_t, size_t> PasswordSpan(std::string_view url) {
  size_t start = url.find("://");
  if (start == std::string_view::npos) return {0, 0};
  std::string_view rest = url.substr(start + 3);
  rest = rest.substr(0, rest.find('/'));
  size_t at = rest.rfind('@');
  size_t colon = rest.substr(0, at == std::string_view::npos ? 0 : at).find(':');
  if (colon == std::string_view::npos) return {0, 0};
  return {start + 3 + colon + 1, at - colon - 1};
}

bool IsAlnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

// `c` replaced by another letter or digit of the same kind.
char Other(char c) {
  if (c == 'z') return 'a';
  if (c == 'Z') return 'A';
  if (c == '9') return '0';
  return static_cast<char>(c + 1);
}

// What a parse shows a person: its code and message, or its redacted URL.
std::string Shown(const mgw::StatusOr<mgw::ProxyUrl>& url) {
  return url.ok() ? url->Redacted() : url.status().ToString();
}

// Whatever the input, what is shown must not change when only an alphanumeric password
// changes (other passwords change the percent-decoding, and may rightly fail).
void CheckPasswordNeverShown(std::string_view text, const mgw::StatusOr<mgw::ProxyUrl>& url) {
  auto [offset, length] = PasswordSpan(text);
  if (length == 0) return;
  std::string other(text);
  for (size_t i = offset; i < offset + length; ++i) {
    if (!IsAlnum(other[i])) return;
    other[i] = Other(other[i]);
  }
  Check(Shown(mgw::ParseProxyUrl(other)) == Shown(url));
}

void CheckProxyUrl(std::string_view text) {
  const mgw::StatusOr<mgw::ProxyUrl> url = mgw::ParseProxyUrl(text);
  CheckPasswordNeverShown(text, url);
  if (!url.ok()) {
    Check(url.status().code() == mgw::StatusCode::kInvalidArgument);
    return;
  }
  Check(!url->host.empty() && url->port != 0);
  Check(url->tls == text.starts_with("https://"));
  const std::string shown = url->Redacted();
  Check(url->has_credentials() == (shown.find("***@") != std::string::npos));
  std::string plain = shown;
  if (url->has_credentials()) plain.erase(plain.find("***@"), 4);
  const mgw::StatusOr<mgw::ProxyUrl> again = mgw::ParseProxyUrl(plain);
  Check(again.ok());
  Check(again->host == url->host && again->port == url->port && again->tls == url->tls);
}

void CheckHost(std::string_view list, std::string_view text) {
  const mgw::StatusOr<mgw::HostAndPort> host = mgw::ParseHostPort(text, 22);
  if (!host.ok()) {
    Check(host.status().code() == mgw::StatusCode::kInvalidArgument);
    return;
  }
  Check(!host->host.empty() && host->port != 0);
  Check(mgw::NoProxyMatches("*", host->host));
  (void)mgw::NoProxyMatches(list, host->host);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const size_t newline = input.find('\n');
  const std::string_view first = input.substr(0, newline);
  const std::string_view second =
      newline == std::string_view::npos ? std::string_view() : input.substr(newline + 1);
  CheckProxyUrl(first);
  CheckHost(first, second);
  return 0;
}
