// A TCP tunnel through an HTTP proxy (RFC 9110 §9.3.6 CONNECT), so the SSH session
// can run over it: the returned socket carries the SSH bytes to the target. The proxy's
// credentials go in a Proxy-Authorization header and never into a message.
// Thread-safe.
#ifndef MGW_UPLOAD_CONNECT_TUNNEL_H_
#define MGW_UPLOAD_CONNECT_TUNNEL_H_

#include <chrono>
#include <cstdint>
#include <string>

#include "mgw/base/status.h"
#include "mgw/upload/proxy_url.h"
#include "mgw/upload/tcp_connect.h"

namespace mgw {

// Connects to `proxy` and asks it for a tunnel to `host`:`port`. UNAVAILABLE when the
// proxy cannot be reached, drops the connection or answers 5xx (its gateway failed);
// PERMISSION_DENIED for 407 (proxy authentication) and other 4xx refusals. Each step
// waits at most `timeout`.
StatusOr<Socket> OpenConnectTunnel(const ProxyUrl& proxy, const std::string& host, uint16_t port,
                                   std::chrono::milliseconds timeout);

// The CONNECT request for `host`:`port` through `proxy` (with Proxy-Authorization
// when it has credentials). Exposed for tests.
std::string ConnectRequest(const ProxyUrl& proxy, const std::string& host, uint16_t port);

}  // namespace mgw

#endif  // MGW_UPLOAD_CONNECT_TUNNEL_H_
