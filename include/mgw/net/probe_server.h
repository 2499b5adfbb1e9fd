// The plain-HTTP listener for the kubelet's probes and Prometheus, shared by `serve`
// and `reconcile`: GET /healthz, /readyz and /metrics.
// Thread-safe.
#ifndef MGW_NET_PROBE_SERVER_H_
#define MGW_NET_PROBE_SERVER_H_

#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "mgw/base/status.h"
#include "mgw/net/host_port.h"
#include "mgw/platform/flags.h"
#include "mgw/platform/metrics.h"

namespace httplib {
class Server;
}  // namespace httplib

namespace mgw {

struct ProbeServerOptions {
  HostPort listen{"0.0.0.0", 8082};  // port 0: any free port (see port())
  // /healthz and /readyz answer 200 "ok" when these return "" (or are null), else 503
  // with the reason. They run on the listener's threads: thread-safe and quick.
  std::function<std::string()> unhealthy_reason{};
  std::function<std::string()> not_ready_reason{};
  // /metrics renders this registry (404 when null). Must outlive the server.
  const MetricsRegistry* metrics{};
};

class ProbeServer {
 public:
  // Binds and starts serving. UNAVAILABLE naming the address when it cannot listen.
  static StatusOr<std::unique_ptr<ProbeServer>> Start(ProbeServerOptions options);
  ~ProbeServer();  // Stop()
  ProbeServer(const ProbeServer&) = delete;
  ProbeServer& operator=(const ProbeServer&) = delete;

  // Closes the listener and waits for its thread. Idempotent.
  void Stop();
  // The bound port (the kernel's choice when options.listen.port was 0).
  int port() const { return port_; }

 private:
  explicit ProbeServer(ProbeServerOptions options);
  void Route();

  const ProbeServerOptions options_;
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
  int port_ = 0;
};

}  // namespace mgw

#endif  // MGW_NET_PROBE_SERVER_H_
