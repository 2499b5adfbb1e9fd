// The plain-HTTP listener for the kubelet's probes and Prometheus, shared by `serve`
// and `reconcile`: GET (or HEAD) /healthz, /readyz and /metrics.
//
// One thread runs one epoll loop over every connection, so an idle or slow client
// costs a descriptor and a few KiB, never a thread: probes are answered while
// hundreds of sockets sit open. Every connection is bounded in bytes (head, body)
// and in time (a whole request within a short deadline, idle keep-alive, writes,
// lingering), and past the connection cap the oldest connection makes room.
// Thread-safe.
#ifndef MGW_NET_PROBE_SERVER_H_
#define MGW_NET_PROBE_SERVER_H_

#include <chrono>
#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <thread>

#include "mgw/base/status.h"
#include "mgw/net/host_port.h"
#include "mgw/platform/metrics.h"

namespace mgw {

struct ProbeServerOptions {
  HostPort listen{"0.0.0.0", 8082};  // port 0: any free port (see port())
  // /healthz and /readyz answer 200 "ok" when these return "" (or are null), else 503
  // with the reason. They run on the listener's thread: thread-safe and quick.
  std::function<std::string()> unhealthy_reason{};
  std::function<std::string()> not_ready_reason{};
  // /metrics renders this registry (404 when null). Must outlive the server.
  const MetricsRegistry* metrics{};
};

// The limits every probe connection is held to; the defaults are the served ones.
struct ProbeLimits {
  size_t max_connections = 1024;  // past it the oldest connection is closed
  size_t max_head_bytes = size_t{8} * 1024;
  size_t max_body_bytes = size_t{4} * 1024;  // Content-Length only: chunked gets 411
  // From a request's first byte (or the accept) until it has fully arrived.
  std::chrono::nanoseconds request_deadline = std::chrono::seconds(2);
  std::chrono::nanoseconds idle_timeout = std::chrono::seconds(5);
  // A response that has not left in this long, or a closing connection whose
  // client has not closed in this long, is cut.
  std::chrono::nanoseconds write_timeout = std::chrono::seconds(2);
};

class ProbeConnection;

class ProbeServer {
 public:
  // Binds and starts serving. UNAVAILABLE naming the address when it cannot listen.
  static StatusOr<std::unique_ptr<ProbeServer>> Start(ProbeServerOptions options,
                                                      ProbeLimits limits = {});
  ~ProbeServer();  // Stop()
  ProbeServer(const ProbeServer&) = delete;
  ProbeServer& operator=(const ProbeServer&) = delete;

  // Closes the listener and every connection and waits for the thread. Idempotent.
  void Stop();
  // The bound port (the kernel's choice when options.listen.port was 0).
  int port() const { return port_; }

 private:
  ProbeServer(ProbeServerOptions options, ProbeLimits limits);
  void Run();
  void Accept(std::chrono::steady_clock::time_point now);
  void Serve(uint64_t id, std::chrono::steady_clock::time_point now);
  void TakeRequest(ProbeConnection& c, std::chrono::steady_clock::time_point now) const;
  void Housekeep(std::chrono::steady_clock::time_point now);
  std::string Answer(const std::string& method, const std::string& path, bool close) const;

  const ProbeServerOptions options_;
  const ProbeLimits limits_;
  int listen_fd_ = -1;
  int epoll_fd_ = -1;
  int wake_fd_ = -1;
  int port_ = 0;
  std::thread thread_;
  // Keyed by accept order, so begin() is the oldest. Only the loop thread uses it.
  std::map<uint64_t, std::unique_ptr<ProbeConnection>> connections_;
  uint64_t next_id_ = 2;  // 0 and 1 are the listener and the wake-up descriptor
};

}  // namespace mgw

#endif  // MGW_NET_PROBE_SERVER_H_
