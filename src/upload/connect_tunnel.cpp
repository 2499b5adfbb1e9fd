#include "mgw/upload/connect_tunnel.h"

#include <cerrno>
#include <cstring>
#include <optional>

#include <poll.h>
#include <sys/socket.h>

#include "mgw/base/json_patch.h"
#include "mgw/base/number.h"
#include "mgw/base/quote.h"

namespace mgw {
namespace {

constexpr size_t kMaxResponseHead = size_t{16} * 1024;

std::string Authority(const std::string& host, uint16_t port) {
  std::string shown = host.find(':') != std::string::npos ? "[" + host + "]" : host;
  return shown + ":" + std::to_string(port);
}

Status SendAll(int fd, std::string_view data, const std::string& proxy) {
  while (!data.empty()) {
    ssize_t n = send(fd, data.data(), data.size(), MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      return UnavailableError("proxy " + proxy +
                              " dropped the connection: " + std::strerror(errno));
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  return Status::Ok();
}

// Reads the response head one byte at a time, so not one byte of the tunnel's own
// traffic (the SSH server speaks first) is taken from the socket.
StatusOr<std::string> ReadHead(int fd, const std::string& proxy,
                               std::chrono::milliseconds timeout) {
  std::string head;
  while (!head.ends_with("\r\n\r\n")) {
    if (head.size() > kMaxResponseHead) {
      return UnavailableError("proxy " + proxy + " sent a response head over 16 KiB");
    }
    pollfd p{fd, POLLIN, 0};
    int ready = poll(&p, 1, static_cast<int>(timeout.count()));
    if (ready == 0) return UnavailableError("proxy " + proxy + " did not answer CONNECT in time");
    char c = 0;
    ssize_t n = ready < 0 ? -1 : recv(fd, &c, 1, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return UnavailableError("proxy " + proxy + " closed the connection during CONNECT");
    head += c;
  }
  return head;
}

// The status code of "HTTP/1.x NNN reason", or nullopt.
std::optional<int64_t> StatusCodeOf(std::string_view head) {
  if (!head.starts_with("HTTP/1.") || head.size() < 12 || head[8] != ' ') return std::nullopt;
  return ParseDecimal(head.substr(9, 3), 100, 599);
}

Status CheckReply(std::string_view head, const std::string& proxy, const std::string& target) {
  std::optional<int64_t> code = StatusCodeOf(head);
  std::string line(head.substr(0, head.find('\r')));
  if (!code)
    return UnavailableError("proxy " + proxy + " sent no HTTP response: " + QuoteBytes(line));
  if (*code / 100 == 2) return Status::Ok();
  std::string what =
      "proxy " + proxy + " refused the tunnel to " + target + ": " + QuoteBytes(line);
  if (*code == 407) return PermissionDeniedError(what + "; check the proxy URL's credentials");
  if (*code >= 500) return UnavailableError(what);
  return PermissionDeniedError(what);
}

}  // namespace

std::string ConnectRequest(const ProxyUrl& proxy, const std::string& host, uint16_t port) {
  std::string target = Authority(host, port);
  std::string request = "CONNECT " + target + " HTTP/1.1\r\nHost: " + target + "\r\n";
  if (proxy.has_credentials()) {
    request += "Proxy-Authorization: Basic " + Base64Encode(proxy.username + ":" + proxy.password) +
               "\r\n";
  }
  return request + "\r\n";
}

StatusOr<ProxyTunnel> OpenConnectTunnel(const ProxyUrl& proxy, const std::string& host,
                                        uint16_t port, std::chrono::milliseconds timeout,
                                        const std::string& proxy_ca_file) {
  std::string shown = proxy.Redacted();
  StatusOr<Socket> sock = TcpConnect(proxy.host, proxy.port, timeout);
  if (!sock.ok()) return sock.status().WithContext("proxy " + shown);
  ProxyTunnel tunnel;
  if (proxy.tls) {
    TlsPeer peer{proxy.host, proxy_ca_file, "proxy " + shown};
    MGW_ASSIGN_OR_RETURN(tunnel.relay, TlsRelay::Start(std::move(sock).value(), peer, timeout));
    tunnel.socket = tunnel.relay->TakeLocalEnd();
  } else {
    tunnel.socket = std::move(sock).value();
  }
  int fd = tunnel.socket.fd();
  MGW_RETURN_IF_ERROR(SendAll(fd, ConnectRequest(proxy, host, port), shown));
  MGW_ASSIGN_OR_RETURN(std::string head, ReadHead(fd, shown, timeout));
  MGW_RETURN_IF_ERROR(CheckReply(head, shown, Authority(host, port)));
  return tunnel;
}

}  // namespace mgw
