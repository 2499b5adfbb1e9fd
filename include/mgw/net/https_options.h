// How an HTTPS server listens, limits and times out its connections, and how many it
// has in each phase. Values only.
#ifndef MGW_NET_HTTPS_OPTIONS_H_
#define MGW_NET_HTTPS_OPTIONS_H_

#include <chrono>
#include <cstddef>
#include <functional>
#include <string_view>

#include "mgw/net/host_port.h"
#include "mgw/net/https_connection.h"

namespace mgw {

struct HttpsServerOptions {
  HostPort listen{"0.0.0.0", 9443};  // port 0 picks a free port
  size_t threads = 1;                // event loops; each serves its share of connections
  // Established connections (handshake done). A newcomer that finishes its
  // handshake past this makes the longest idle one (of its loop, else of another
  // loop that has one) close; with none idle, the newcomer is closed.
  size_t max_connections = 1024;
  // Connections still in their TLS handshake, split evenly between the loops; a
  // newcomer past it closes the oldest unfinished handshake, never an
  // established connection.
  size_t max_handshakes = 256;
  // A handshake not finished after this long is cut (a socket that sends
  // nothing, or a ClientHello that trickles).
  std::chrono::nanoseconds handshake_timeout = std::chrono::seconds(3);
  HttpLimits limits;
  // A kept-alive connection with no request for this long is closed.
  std::chrono::nanoseconds idle_timeout = std::chrono::seconds(10);
  // A handshake plus request that has not fully arrived after this long is cut,
  // however steadily its bytes trickle in (slowloris).
  std::chrono::nanoseconds stall_limit = std::chrono::seconds(15);
  // A read or write that makes no progress for this long ends the connection.
  std::chrono::nanoseconds io_timeout = std::chrono::seconds(10);
  // How long a closing connection waits for the client to close first.
  std::chrono::nanoseconds linger = std::chrono::seconds(2);
  // A handler running longer than this on a loop makes the watchdog move the
  // loop's other connections to a new thread (checked every quarter of it).
  std::chrono::nanoseconds handler_limit = std::chrono::milliseconds(100);
  int backlog = 1024;
  // Told when connections are closed by the server: "idle", "stalled",
  // "handshake" (past handshake_timeout, or displaced past max_handshakes),
  // "saturated" or "shutdown", with how many. On a loop thread; must not block.
  std::function<void(std::string_view reason, size_t count)> on_close;
  // At most this many threads, across the server, are parked finishing a
  // handler the watchdog moved a loop away from; past it a stuck loop waits.
  size_t max_parked_threads = 4;
  // Told when the watchdog moves a loop away from a handler past handler_limit.
  std::function<void()> on_takeover;
  // Told once per handler that runs past handler_limit, moved away from or not.
  // On the watchdog thread; must not block.
  std::function<void()> on_slow_handler;
};

struct HttpsConnectionCounts {
  size_t handshake = 0, idle = 0, reading = 0, serving = 0;
};

}  // namespace mgw

#endif  // MGW_NET_HTTPS_OPTIONS_H_
