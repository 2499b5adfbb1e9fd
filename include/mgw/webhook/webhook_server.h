// The webhook's network edge: the HTTPS listener for the admission endpoints
// (https_server's event loops) and the plain-HTTP probe listener (/healthz,
// /readyz, /metrics) of probe_server.
// All decisions are delegated to the webhook_http stages; this module adapts
// requests to them and adds the production concerns: certificate rotation
// (cert_watcher), optional mTLS (tls_hooks), a deadline per review
// (review_deadline), metrics, and a graceful drain. Start/Shutdown are called from one thread.
#ifndef MGW_WEBHOOK_WEBHOOK_SERVER_H_
#define MGW_WEBHOOK_WEBHOOK_SERVER_H_

#include <array>
#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "mgw/admission/admission_handler.h"
#include "mgw/admission/webhook_http.h"
#include "mgw/base/status.h"
#include "mgw/net/cert_watcher.h"
#include "mgw/net/host_port.h"
#include "mgw/net/https_server.h"
#include "mgw/net/probe_server.h"
#include "mgw/net/tls_hooks.h"
#include "mgw/platform/flags.h"
#include "mgw/platform/metrics.h"
#include "mgw/webhook/webhook_metrics.h"

namespace mgw {

inline constexpr size_t kDefaultMaxInflightBodyBytes = 32 * 1024 * 1024;

// The handler stage, replaceable in tests (e.g. by a slow one).
using Evaluator =
    std::function<AdmissionResult(Endpoint, const AdmissionRequest&, const HandlerConfig&)>;

struct ServerOptions {
  HostPort listen{"0.0.0.0", 9443};
  HostPort probe_listen{"0.0.0.0", 8081};
  std::string tls_cert_file;
  std::string tls_key_file;
  ClientAuth client_auth;  // mTLS when client_auth.ca_file is set
  // Event-loop threads serving the HTTPS connections; 0: one per CPU this
  // process may run on. Past `max_connections` open connections, the longest
  // idle one is closed to make room for a new one.
  size_t worker_threads = 0;
  size_t max_connections = 1024;
  // Request-body bytes buffered at once across all connections; a body that does
  // not fit gets 503 with Retry-After. 0: no cap. The default keeps four bodies at
  // the 7 MiB limit, and the Deployment's 128 MiB limit, in reach of each other.
  size_t max_inflight_body_bytes = kDefaultMaxInflightBodyBytes;
  // Cap on one review, from its first byte to the answer; the apiserver's
  // ?timeout= may shorten it. Zero: no deadline, the handler answers when done.
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
  Status SetUpTls();
  void RegisterMetrics();
  void Serve(std::shared_ptr<HttpsExchange> exchange);
  // `budget` and `due` as Serve computed them for the parse; no budget, no timer.
  void Evaluate(Endpoint endpoint, std::shared_ptr<HttpsExchange> exchange,
                std::shared_ptr<const AdmissionRequest> request,
                const std::optional<ReviewDeadline>& budget,
                std::chrono::steady_clock::time_point due,
                std::chrono::steady_clock::time_point start);
  void Answer(Endpoint endpoint, HttpsExchange& exchange, HttpReply reply,
              std::chrono::steady_clock::time_point start);
  HttpReply Decided(Endpoint endpoint, const AdmissionRequest& request,
                    const AdmissionResult& result);

  // An endpoint's metric children that every review updates, looked up once so
  // a review builds no label strings and takes no family lock for them.
  struct EndpointMetrics {
    Gauge* in_flight = nullptr;
    Histogram* latency = nullptr;
    Counter* ok = nullptr;  // requests answered 200
  };
  EndpointMetrics& MetricsFor(Endpoint endpoint);

  ServerOptions options_;
  HandlerConfig config_;
  std::shared_ptr<MetricsRegistry> registry_;
  WebhookMetrics metrics_;
  std::array<EndpointMetrics, 3> endpoint_metrics_;  // by Endpoint
  std::unique_ptr<CertificateWatcher> watcher_;
  std::unique_ptr<SSL_CTX, void (*)(SSL_CTX*)> ctx_{nullptr, nullptr};
  std::unique_ptr<HttpsServer> https_;   // set by Start
  std::unique_ptr<ProbeServer> probes_;  // /healthz, /readyz, /metrics; set by Start
  int port_ = 0;
  std::atomic<bool> draining_{false};
};

}  // namespace mgw

#endif  // MGW_WEBHOOK_WEBHOOK_SERVER_H_
