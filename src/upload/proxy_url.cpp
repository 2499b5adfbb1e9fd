#include "mgw/upload/proxy_url.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <optional>

#include <arpa/inet.h>

#include "mgw/base/number.h"
#include "mgw/upload/upload_target.h"

namespace mgw {
namespace {

constexpr std::string_view kHttp = "http://";
constexpr std::string_view kHttps = "https://";

std::optional<std::string> PercentDecode(std::string_view text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') {
      out += text[i];
      continue;
    }
    if (i + 2 >= text.size()) return std::nullopt;
    auto hex = [](char c) -> int {
      if (c >= '0' && c <= '9') return c - '0';
      if (c >= 'a' && c <= 'f') return c - 'a' + 10;
      if (c >= 'A' && c <= 'F') return c - 'A' + 10;
      return -1;
    };
    int a = hex(text[i + 1]);
    int b = hex(text[i + 2]);
    if (a < 0 || b < 0) return std::nullopt;
    out += static_cast<char>(a * 16 + b);
    i += 2;
  }
  return out;
}

Status SplitCredentials(std::string_view userinfo, ProxyUrl& url) {
  size_t colon = userinfo.find(':');
  std::optional<std::string> user = PercentDecode(userinfo.substr(0, colon));
  std::optional<std::string> pass =
      colon == std::string_view::npos ? std::string() : PercentDecode(userinfo.substr(colon + 1));
  if (!user || !pass) {
    return InvalidArgumentError("the proxy URL's credentials have a bad %-escape");
  }
  url.username = *user;
  url.password = *pass;
  return Status::Ok();
}

// The 16-byte address of an IPv4 (as ::ffff:a.b.c.d) or IPv6 literal, and whether it
// was IPv4.
struct IpAddress {
  std::array<unsigned char, 16> bytes{};
  bool v4 = false;
};

std::optional<IpAddress> ParseIp(std::string host) {
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  IpAddress ip;
  in_addr v4{};
  if (inet_pton(AF_INET, host.c_str(), &v4) == 1) {
    ip.v4 = true;
    ip.bytes[10] = ip.bytes[11] = 0xff;
    std::copy_n(reinterpret_cast<const unsigned char*>(&v4), 4, ip.bytes.begin() + 12);
    return ip;
  }
  if (inet_pton(AF_INET6, host.c_str(), ip.bytes.data()) == 1) return ip;
  return std::nullopt;
}

bool PrefixEqual(const IpAddress& a, const IpAddress& b, int64_t bits) {
  for (int64_t i = 0; i < bits; ++i) {
    int shift = 7 - static_cast<int>(i % 8);
    auto at = static_cast<size_t>(i / 8);
    if (((a.bytes[at] >> shift) & 1) != ((b.bytes[at] >> shift) & 1)) return false;
  }
  return true;
}

bool CidrMatches(std::string_view cidr, const std::optional<IpAddress>& host) {
  size_t slash = cidr.find('/');
  std::optional<IpAddress> net = ParseIp(std::string(cidr.substr(0, slash)));
  if (!net || !host || net->v4 != host->v4) return false;
  std::optional<int64_t> bits = ParseDecimal(cidr.substr(slash + 1), 0, net->v4 ? 32 : 128);
  if (!bits) return false;
  return PrefixEqual(*net, *host, net->v4 ? *bits + 96 : *bits);
}

std::string Lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

// "host:port" or "[v6]:port" without the port; a bare IPv6 address stays whole.
std::string_view StripPort(std::string_view entry) {
  if (!entry.empty() && entry.front() == '[') {
    size_t close = entry.find(']');
    return close == std::string_view::npos ? entry : entry.substr(1, close - 1);
  }
  size_t colon = entry.find(':');
  if (colon != std::string_view::npos && entry.find(':', colon + 1) == std::string_view::npos) {
    return entry.substr(0, colon);
  }
  return entry;
}

bool EntryMatches(std::string_view entry, const std::string& host,
                  const std::optional<IpAddress>& host_ip) {
  if (entry == "*") return true;
  if (entry.find('/') != std::string_view::npos) return CidrMatches(entry, host_ip);
  entry = StripPort(entry);
  std::optional<IpAddress> entry_ip = ParseIp(std::string(entry));
  if (entry_ip) return host_ip && entry_ip->bytes == host_ip->bytes;
  std::string domain = Lower(entry);
  if (!domain.empty() && domain.front() == '.') domain.erase(0, 1);
  if (domain.empty()) return false;
  return host == domain || (host.size() > domain.size() && host.ends_with("." + domain));
}

std::string_view Trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

}  // namespace

std::string ProxyUrl::Redacted() const {
  std::string shown = host.find(':') != std::string::npos ? "[" + host + "]" : host;
  return std::string(tls ? kHttps : kHttp) + (has_credentials() ? "***@" : "") + shown + ":" +
         std::to_string(port);
}

StatusOr<ProxyUrl> ParseProxyUrl(std::string_view text) {
  ProxyUrl url;
  url.tls = text.starts_with(kHttps);
  if (!url.tls && !text.starts_with(kHttp)) {
    return InvalidArgumentError("the proxy URL must be an absolute http:// or https:// URL");
  }
  std::string_view rest = text.substr(url.tls ? kHttps.size() : kHttp.size());
  size_t slash = rest.find('/');
  if (slash != std::string_view::npos && rest.substr(slash) != "/") {
    return InvalidArgumentError("the proxy URL must not have a path, query or fragment");
  }
  rest = rest.substr(0, slash);
  size_t at = rest.rfind('@');
  if (at != std::string_view::npos) {
    MGW_RETURN_IF_ERROR(SplitCredentials(rest.substr(0, at), url));
    rest = rest.substr(at + 1);
  }
  StatusOr<HostAndPort> hp = ParseHostPort(rest, url.tls ? 443 : 80);
  if (!hp.ok()) {
    return InvalidArgumentError("the proxy URL's host: " + hp.status().message());
  }
  url.host = hp->host;
  url.port = hp->port;
  return url;
}

bool NoProxyMatches(std::string_view no_proxy, std::string_view host) {
  std::string lowered = Lower(host);
  std::optional<IpAddress> host_ip = ParseIp(lowered);
  while (!no_proxy.empty()) {
    size_t comma = no_proxy.find(',');
    std::string_view entry = Trim(no_proxy.substr(0, comma));
    if (!entry.empty() && EntryMatches(entry, lowered, host_ip)) return true;
    if (comma == std::string_view::npos) break;
    no_proxy.remove_prefix(comma + 1);
  }
  return false;
}

}  // namespace mgw
