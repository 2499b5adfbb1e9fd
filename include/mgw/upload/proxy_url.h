// HTTP proxies for the upload: the proxy URL (`http[s]://[user:password@]host[:port]`) and
// the NO_PROXY list that exempts hosts from it. Credentials inside a proxy URL never
// leave this module in text meant for people: Redacted() replaces them. Pure.
#ifndef MGW_UPLOAD_PROXY_URL_H_
#define MGW_UPLOAD_PROXY_URL_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "mgw/base/status.h"

namespace mgw {

struct ProxyUrl {
  std::string host;
  uint16_t port = 80;
  std::string username;  // percent-decoded; empty when the URL has none
  std::string password;  // percent-decoded
  bool tls = false;      // https://: TLS to the proxy, CONNECT inside it

  bool has_credentials() const { return !username.empty() || !password.empty(); }
  // "http://host:port" (or https://), with "***@" in place of any credentials.
  std::string Redacted() const;
};

// Parses an absolute http:// or https:// URL with a host, an optional port (default 80
// or 443) and path "/" or none. INVALID_ARGUMENT for anything else; the message never
// contains the credentials.
StatusOr<ProxyUrl> ParseProxyUrl(std::string_view text);

// True when `host` is exempt from the proxy by `no_proxy`, a comma-separated list
// of entries as curl and Go read them: "*" (everything), a domain ("example.com" or
// ".example.com": itself and its subdomains), an IP address, or an IPv4/IPv6 CIDR
// ("10.0.0.0/8"). A ":port" on an entry is ignored; so are spaces and empty entries.
bool NoProxyMatches(std::string_view no_proxy, std::string_view host);

}  // namespace mgw

#endif  // MGW_UPLOAD_PROXY_URL_H_
