// An event-driven HTTPS/1.1 server: a few loop threads (epoll, edge-triggered)
// each serve many connections (https_connection), so a request costs a read and
// a write rather than a thread of its own. A handler is called on the loop
// thread with each complete request and may answer at once or later from any
// thread; answers may also be forced by a deadline timer on the loop. A handler
// that runs too long keeps its thread, and a watchdog moves the loop's other
// work to a new one. The server closes connections that sit idle, stall, or are
// the longest idle when the connection cap is reached, and drains gracefully.
// Thread-safe.
#ifndef MGW_NET_HTTPS_SERVER_H_
#define MGW_NET_HTTPS_SERVER_H_

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

#include "mgw/base/status.h"
#include "mgw/net/https_exchange.h"
#include "mgw/net/https_options.h"

namespace mgw {

class HttpsLoop;
struct LoopShared;

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
  void Watch();
  // Asks a loop other than `full`, one that had idle connections at its last
  // housekeeping, to close its longest idle one; false when none had any.
  bool RequestRoom(const HttpsLoop& full);
  HttpsServer(HttpsServerOptions options, SSL_CTX& ctx, HttpsHandler handler, int listen_fd,
              int port);

  HttpsServerOptions options_;
  HttpsHandler handler_;
  int listen_fd_;
  int port_;
  std::atomic<bool> serving_{false};
  std::unique_ptr<LoopShared> shared_;  // what the loops share, including the open count
  std::vector<std::unique_ptr<HttpsLoop>> loops_;
  std::atomic<bool> shut_down_{false};
  std::thread watchdog_;
  std::mutex watchdog_mu_;
  std::condition_variable watchdog_cv_;
  bool stop_watchdog_ = false;  // guarded by watchdog_mu_
};

}  // namespace mgw

#endif  // MGW_NET_HTTPS_SERVER_H_
