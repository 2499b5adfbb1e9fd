// An event-driven HTTPS/1.1 server: a few loop threads (epoll, edge-triggered)
// each serve many connections (https_connection), so a request costs a read and
// a write rather than a thread of its own. A handler is called on the loop
// thread with each complete request and may answer at once or later from any
// thread; answers may also be forced by a deadline timer on the loop. A handler
// that runs too long keeps its thread, and a watchdog moves the loop's other
// work to a new one. The server closes connections that sit idle, stall, or are
// the longest idle when the connection cap is reached, and drains gracefully.
// Thread-safe.
#ifndef MGW_HTTPS_SERVER_H_
#define MGW_HTTPS_SERVER_H_

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include <openssl/types.h>

#include "mgw/flags.h"
#include "mgw/https_connection.h"
#include "mgw/status.h"

namespace mgw {

struct HttpsServerOptions {
  HostPort listen{"0.0.0.0", 9443};  // port 0 picks a free port
  size_t threads = 1;                // event loops; each serves its share of connections
  // Past this, the longest idle connection (of the accepting loop, else of
  // another loop that has one) makes room; with none idle, a newcomer is refused.
  size_t max_connections = 1024;
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
  // "saturated" or "shutdown", with how many. On a loop thread; must not block.
  std::function<void(std::string_view reason, size_t count)> on_close;
  // Told when the watchdog moves a loop away from a handler past handler_limit.
  std::function<void()> on_takeover;
};

class HttpsLoop;

// One request and its answer. The handler gets it as a shared_ptr and may pass
// it to other threads; whoever Claims it first answers it with Send.
class HttpsExchange {
 public:
  using Clock = std::chrono::steady_clock;

  HttpsExchange(HttpsRequest request, HttpsLoop& loop, uint64_t connection);
  const HttpsRequest& request() const { return request_; }

  // True for the first caller only; that caller must then Send.
  bool Claim() { return !claimed_.exchange(true); }
  // Answers the request; after a successful Claim, from any thread. Dropped if
  // the connection has gone meanwhile. Cancels the deadline.
  void Send(HttpsResponse response);
  // The answer Send kept while the handler was still running on the loop.
  std::optional<HttpsResponse> TakeHeld() { return std::exchange(held_, std::nullopt); }
  // Runs `fn` on the loop thread at `due` unless the request was answered
  // first; `fn` should Claim and Send. At most once, from the handler, before
  // the exchange is handed to another thread.
  void OnDeadline(Clock::time_point due, std::function<void()> fn);

  struct TimerKey {
    Clock::time_point due;
    uint64_t seq = 0;
    auto operator<=>(const TimerKey&) const = default;
  };

 private:
  HttpsRequest request_;
  HttpsLoop& loop_;
  uint64_t connection_;
  std::optional<TimerKey> timer_;
  std::atomic<bool> claimed_{false};
  // The loop thread while it runs the handler: a Send from it is kept in held_
  // and applied once the handler has returned (see HttpsLoop::Dispatch).
  std::atomic<std::thread::id> dispatcher_;
  std::optional<HttpsResponse> held_;
  friend class HttpsLoop;
};

// Every request must be answered (Claim and Send, here or later): a connection
// awaiting an answer has no timeout of its own, and Shutdown waits for it.
using HttpsHandler = std::function<void(std::shared_ptr<HttpsExchange>)>;

struct HttpsConnectionCounts {
  size_t handshake = 0, idle = 0, reading = 0, serving = 0;
};

class HttpsServer {
 public:
  // Binds and listens (UNAVAILABLE naming the address when it cannot). `ctx`
  // must outlive the server; `handler` is called on loop threads.
  static StatusOr<std::unique_ptr<HttpsServer>> Listen(HttpsServerOptions options, SSL_CTX& ctx,
                                                       HttpsHandler handler);
  ~HttpsServer();  // Shutdown()

  // Starts the loop threads.
  void Start();
  // Stops accepting and closes the listener, closes idle connections, lets
  // requests in progress finish (each answer then closes its connection), and
  // returns when every connection is gone. Idempotent.
  void Shutdown();

  int port() const { return port_; }
  // True from Start until Shutdown begins.
  bool serving() const { return serving_; }
  // Open connections by phase, as of each loop's last housekeeping (every 250 ms).
  HttpsConnectionCounts counts() const;

 private:
  friend class HttpsLoop;
  void Watch();
  // Asks a loop other than `full`, one that had idle connections at its last
  // housekeeping, to close its longest idle one; false when none had any.
  bool RequestRoom(const HttpsLoop& full);
  HttpsServer(HttpsServerOptions options, SSL_CTX& ctx, HttpsHandler handler, int listen_fd,
              int port);

  HttpsServerOptions options_;
  SSL_CTX& ctx_;
  HttpsHandler handler_;
  int listen_fd_;
  int port_;
  std::atomic<bool> serving_{false};
  std::atomic<size_t> open_{0};  // connections across all loops
  std::vector<std::unique_ptr<HttpsLoop>> loops_;
  std::atomic<bool> shut_down_{false};
  std::thread watchdog_;
  std::mutex watchdog_mu_;
  std::condition_variable watchdog_cv_;
  bool stop_watchdog_ = false;  // guarded by watchdog_mu_
};

}  // namespace mgw

#endif  // MGW_HTTPS_SERVER_H_
