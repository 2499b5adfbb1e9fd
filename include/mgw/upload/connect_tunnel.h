// A TCP tunnel through an HTTP proxy (RFC 9110 §9.3.6 CONNECT), so the SSH session
// can run over it: the returned socket carries the SSH bytes to the target. An https://
// proxy is spoken to over TLS (tls_relay). The proxy's credentials go in a
// Proxy-Authorization header and never into a message. Thread-safe.
#ifndef MGW_UPLOAD_CONNECT_TUNNEL_H_
#define MGW_UPLOAD_CONNECT_TUNNEL_H_

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "mgw/base/status.h"
#include "mgw/upload/proxy_url.h"
#include "mgw/upload/tcp_connect.h"
#include "mgw/upload/tls_relay.h"

namespace mgw {

// A connection to the SFTP server. Members go in this order so that the socket is
// closed before the relay that serves it stops.
struct ProxyTunnel {
  std::unique_ptr<TlsRelay> relay;  // set when the proxy speaks TLS
  Socket socket;                    // carries the SSH bytes to the target
};

// Connects to `proxy` and asks it for a tunnel to `host`:`port`; an https:// proxy's
// certificate must chain to `proxy_ca_file` (empty: the system's trust store).
// UNAVAILABLE when the proxy cannot be reached, drops the connection or answers 5xx
// (its gateway failed); PERMISSION_DENIED for 407 (proxy authentication) and other
// 4xx refusals; the TLS failures of TlsRelay::Start. Each step waits at most `timeout`.
StatusOr<ProxyTunnel> OpenConnectTunnel(const ProxyUrl& proxy, const std::string& host,
                                        uint16_t port, std::chrono::milliseconds timeout,
                                        const std::string& proxy_ca_file = "");

// The CONNECT request for `host`:`port` through `proxy` (with Proxy-Authorization
// when it has credentials). Exposed for tests.
std::string ConnectRequest(const ProxyUrl& proxy, const std::string& host, uint16_t port);

}  // namespace mgw

#endif  // MGW_UPLOAD_CONNECT_TUNNEL_H_
