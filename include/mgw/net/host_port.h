// A listening address, "host:port", as the listen flags spell it, and the socket
// that listens on one. Thread-safe.
#ifndef MGW_NET_HOST_PORT_H_
#define MGW_NET_HOST_PORT_H_

#include <string>
#include <string_view>

#include "mgw/base/status.h"

namespace mgw {

struct HostPort {
  std::string host;
  int port = 0;
};

// "0.0.0.0:9443", "[::1]:9443", ":9443" (all interfaces), "localhost:0".
// INVALID_ARGUMENT for a missing or out-of-range port.
StatusOr<HostPort> ParseHostPort(std::string_view text);

struct Listener {
  int fd = -1;   // non-blocking, close-on-exec; the caller owns it
  int port = 0;  // the bound port (the kernel's choice for port 0)
};

// A listening TCP socket on `hp` with SO_REUSEADDR only: a restarted server may
// bind over TIME_WAIT, but a second live server on the same port is an error
// (SO_REUSEPORT would hide it). UNAVAILABLE naming the address and the reason.
StatusOr<Listener> OpenListener(const HostPort& hp, int backlog);

}  // namespace mgw

#endif  // MGW_NET_HOST_PORT_H_
