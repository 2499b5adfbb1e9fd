// The webhook's network edge: an HTTPS listener for the admission endpoints and a
// plain-HTTP probe listener (/healthz, /readyz), both on cpp-httplib. All decisions
// are delegated to ServeAdmission; this module only adapts sockets to it.
// Start/Shutdown are called from one thread; handlers run on the worker pool.
#ifndef MGW_TLS_SERVER_H_
#define MGW_TLS_SERVER_H_

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "mgw/admission_handler.h"
#include "mgw/flags.h"
#include "mgw/status.h"

namespace httplib {
class Server;
class SSLServer;
}  // namespace httplib

namespace mgw {

struct CertificatePair;

struct ServerOptions {
  HostPort listen{"0.0.0.0", 9443};
  HostPort probe_listen{"0.0.0.0", 8081};
  std::string tls_cert_file;
  std::string tls_key_file;
  // Connections are served one per worker thread for their whole keep-alive life,
  // so this bounds concurrent connections, idle ones included.
  size_t worker_threads = 64;
  // Extra readiness gate: returns "" when ready, else why not. May be empty.
  std::function<std::string()> readiness;
};

class WebhookServer {
 public:
  // Loads and checks the serving certificate and key (clear errors for a missing,
  // unreadable, expired or mismatched pair) and prepares both listeners.
  static StatusOr<std::unique_ptr<WebhookServer>> Create(ServerOptions options,
                                                         HandlerConfig config);
  ~WebhookServer();

  // Binds both listeners (port 0 picks a free port) and serves on background
  // threads; returns once both accept connections. UNAVAILABLE if a bind fails.
  Status Start();

  // Graceful stop: /readyz turns 503, the listeners stop accepting, requests in
  // flight finish, then this returns. Idempotent.
  void Shutdown();

  int port() const { return port_; }
  int probe_port() const { return probe_port_; }
  // "" when serving and ready; otherwise why not.
  std::string NotReadyReason() const;

 private:
  WebhookServer(ServerOptions options, HandlerConfig config,
                std::shared_ptr<const CertificatePair> pair);
  void ConfigureTls();
  void ConfigureProbes();

  ServerOptions options_;
  HandlerConfig config_;
  std::shared_ptr<const CertificatePair> pair_;
  std::unique_ptr<httplib::SSLServer> tls_;
  std::unique_ptr<httplib::Server> probe_;
  std::thread tls_thread_;
  std::thread probe_thread_;
  int port_ = 0;
  int probe_port_ = 0;
  std::atomic<bool> draining_{false};
  std::atomic<int> listen_fd_{-1};
};

}  // namespace mgw

#endif  // MGW_TLS_SERVER_H_
