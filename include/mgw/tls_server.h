// The webhook's network edge: an HTTPS listener for the admission endpoints on
// cpp-httplib, and the plain-HTTP probe listener (/healthz, /readyz, /metrics) of
// probe_server.
// All decisions are delegated to the webhook_http stages; this module adapts
// sockets to them and adds the production concerns: certificate rotation
// (cert_watcher), optional mTLS (tls_hooks), a deadline per review
// (review_deadline), worker threads that grow with the open connections and shed
// idle keep-alive ones (worker_pool, connection_tracker), metrics, and a graceful
// drain. Start/Shutdown are called from one thread; handlers run on the workers.
#ifndef MGW_TLS_SERVER_H_
#define MGW_TLS_SERVER_H_

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "mgw/admission_handler.h"
#include "mgw/cert_watcher.h"
#include "mgw/connection_tracker.h"
#include "mgw/flags.h"
#include "mgw/metrics.h"
#include "mgw/probe_server.h"
#include "mgw/status.h"
#include "mgw/tls_hooks.h"
#include "mgw/webhook_http.h"
#include "mgw/webhook_metrics.h"
#include "mgw/worker_pool.h"

namespace httplib {
class Request;
class Response;
class Server;
class SSLServer;
}  // namespace httplib

namespace mgw {

// The handler stage, replaceable in tests (e.g. by a slow one).
using Evaluator =
    std::function<AdmissionResult(Endpoint, const AdmissionRequest&, const HandlerConfig&)>;

struct ServerOptions {
  HostPort listen{"0.0.0.0", 9443};
  HostPort probe_listen{"0.0.0.0", 8081};
  std::string tls_cert_file;
  std::string tls_key_file;
  ClientAuth client_auth;  // mTLS when client_auth.ca_file is set
  // Every open connection holds a worker thread (httplib 0.11.4), so threads are
  // kept ready for `worker_threads` connections and started on demand up to
  // `max_connections`; past that, idle keep-alive connections are closed to make room.
  size_t worker_threads = 64;
  size_t max_connections = 1024;
  // Cap on one review, from its first byte to the answer; the apiserver's
  // ?timeout= may shorten it. Zero evaluates inline with no deadline.
  std::chrono::nanoseconds max_review_duration = std::chrono::seconds(2);
  // On Shutdown, /readyz fails this long before the listener closes.
  std::chrono::nanoseconds shutdown_delay{0};
  std::chrono::milliseconds cert_poll_interval = std::chrono::seconds(10);
  // Extra readiness gate: returns "" when ready, else why not. May be empty.
  std::function<std::string()> readiness;
  // Where metrics are registered and served from; null: the server makes its own.
  std::shared_ptr<MetricsRegistry> metrics;
  // Test seams: the wall clock for certificate validity, and the handler stage.
  WallClock now;
  Evaluator evaluate;  // empty: EvaluateAdmission
};

class WebhookServer {
 public:
  // Loads and checks the serving certificate and key (clear errors for a missing,
  // unreadable, expired or mismatched pair) and the client CA when mTLS is on,
  // then prepares both listeners.
  static StatusOr<std::unique_ptr<WebhookServer>> Create(ServerOptions options,
                                                         HandlerConfig config);
  ~WebhookServer();

  // Binds both listeners (port 0 picks a free port) and serves on background
  // threads; returns once both accept connections. UNAVAILABLE if a bind fails.
  Status Start();

  // Graceful stop: /readyz turns 503 and, after shutdown_delay, the HTTPS
  // listener closes; idle keep-alive connections are closed while requests in
  // flight finish, then the probe listener stops. Idempotent.
  void Shutdown();

  int port() const { return port_; }
  int probe_port() const { return probes_ ? probes_->port() : 0; }
  // "" when serving and ready; otherwise why not (draining, listener down, no
  // valid certificate, or the extra gate's reason).
  std::string NotReadyReason() const;
  MetricsRegistry& metrics() { return *registry_; }
  CertificateWatcher& certificates() { return *watcher_; }

 private:
  WebhookServer(ServerOptions options, HandlerConfig config,
                std::unique_ptr<CertificateWatcher> watcher);
  bool SetUpTls(SSL_CTX& ctx);
  void ConfigureTls();
  void RegisterMetrics();
  httplib::TaskQueue* NewWorkerPool();
  void Serve(Endpoint endpoint, const httplib::Request& req, httplib::Response& res);
  HttpReply Admit(Endpoint endpoint, const httplib::Request& req,
                  std::chrono::steady_clock::time_point arrived);
  AdmissionResult Decide(Endpoint endpoint, std::shared_ptr<const AdmissionRequest> request,
                         std::chrono::steady_clock::time_point arrived,
                         const std::string& timeout_param);
  void JanitorLoop();
  void DrainConnections();

  ServerOptions options_;
  HandlerConfig config_;
  std::shared_ptr<MetricsRegistry> registry_;
  WebhookMetrics metrics_;
  std::unique_ptr<CertificateWatcher> watcher_;
  ConnectionTracker tracker_;
  Status setup_status_;
  std::unique_ptr<WorkerPool> evaluator_;
  std::unique_ptr<httplib::SSLServer> tls_;
  std::unique_ptr<ProbeServer> probes_;  // /healthz, /readyz, /metrics; set by Start
  std::thread tls_thread_;
  std::thread janitor_;
  int port_ = 0;
  std::atomic<bool> draining_{false};
  std::atomic<int> listen_fd_{-1};
  std::mutex mu_;
  std::condition_variable cv_;
  bool tls_done_ = false;      // the HTTPS listener thread has returned; guarded by mu_
  bool stop_janitor_ = false;  // guarded by mu_
  std::function<WorkerPoolStats()> pool_stats_;  // guarded by mu_
};

}  // namespace mgw

#endif  // MGW_TLS_SERVER_H_
