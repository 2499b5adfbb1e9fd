// A listening address, "host:port", as the listen flags spell it. Pure.
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

}  // namespace mgw

#endif  // MGW_NET_HOST_PORT_H_
