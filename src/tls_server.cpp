#include "mgw/tls_server.h"

#include <algorithm>
#include <cstdint>

#include <httplib.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include "mgw/logging.h"
#include "mgw/review_deadline.h"
#include "mgw/tls_credentials.h"

namespace mgw {
namespace {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

// kube-apiserver reuses connections (Go keep-alive, up to 90 s idle). httplib 0.11.4
// closes a connection after 5 requests; a high cap keeps the TLS handshake off the
// request path.
constexpr size_t kKeepAliveMaxRequests = 10000;
// An idle connection holds a worker thread (httplib polls it every ~10 ms), so it
// is closed after this long without a request; Go clients retry a request that
// meets a connection closed while idle.
constexpr time_t kKeepAliveTimeoutSec = 10;
// Each blocking read or write (including handshake steps) gives up after this.
constexpr time_t kReadTimeoutSec = 10;
constexpr time_t kWriteTimeoutSec = 10;
// A handshake plus request that has not fully arrived after this long is cut,
// however steadily its bytes trickle in (slowloris).
constexpr Clock::duration kStalledLimit = 15s;
constexpr auto kJanitorPeriod = 1s;
constexpr auto kDrainPollPeriod = 20ms;
// httplib listens with a backlog of 5; bursts of new connections (apiserver restarts,
// rolling updates) would see SYN drops, so the backlog is raised after binding.
constexpr int kListenBacklog = 1024;
constexpr auto kStartTimeout = 10s;
// Evaluations run on their own small pool so a connection can answer at its deadline.
constexpr size_t kEvaluatorThreads = 2;
constexpr size_t kMaxEvaluatorThreads = 64;

void WritePlain(httplib::Response& res, int status, const std::string& text) {
  res.status = status;
  res.set_content(text + "\n", "text/plain; charset=utf-8");
}

// httplib writes a response as two TLS records (status line and headers, then
// the body); without the cork each leaves in its own segment and wakes the
// client twice. Corked from the end of the request until the response is
// written, they leave together; Linux sends a corked segment after 200 ms at most.
void SetCork(int fd, bool on) {
  if (fd < 0) return;
  int value = on ? 1 : 0;
  setsockopt(fd, IPPROTO_TCP, TCP_CORK, &value, sizeof(value));
}

// Polls until the server runs, since 0.11.4 has no wait_until_ready.
bool WaitRunning(const httplib::Server& server) {
  auto deadline = Clock::now() + kStartTimeout;
  while (!server.is_running()) {
    if (Clock::now() > deadline) return false;
    std::this_thread::sleep_for(1ms);
  }
  return true;
}

// Binds `server` to `hp`, returning the bound port or -1.
int Bind(httplib::Server& server, const HostPort& hp) {
  if (hp.port == 0) return server.bind_to_any_port(hp.host);
  return server.bind_to_port(hp.host, hp.port) ? hp.port : -1;
}

int64_t UnixSeconds(std::chrono::system_clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

}  // namespace

StatusOr<std::unique_ptr<WebhookServer>> WebhookServer::Create(ServerOptions options,
                                                               HandlerConfig config) {
  if (options.tls_cert_file.empty() || options.tls_key_file.empty()) {
    return InvalidArgumentError(
        "--tls-cert-file and --tls-key-file are required (PEM files); "
        "`make certs` makes a development pair");
  }
  if (!options.metrics) options.metrics = std::make_shared<MetricsRegistry>();
  CounterFamily& reloads = WebhookMetrics(*options.metrics).cert_reloads;
  CertWatcherOptions watch{
      options.tls_cert_file,
      options.tls_key_file,
      options.cert_poll_interval,
      true,
      options.now,
      [&reloads](const Status& s) { reloads.WithLabels({s.ok() ? "success" : "error"}).Inc(); }};
  MGW_ASSIGN_OR_RETURN(std::unique_ptr<CertificateWatcher> watcher,
                       CertificateWatcher::Start(std::move(watch)));
  std::unique_ptr<WebhookServer> server(
      new WebhookServer(std::move(options), std::move(config), std::move(watcher)));
  MGW_RETURN_IF_ERROR(server->setup_status_);
  if (!server->tls_->is_valid()) {
    return InternalError("could not set up TLS with " + server->options_.tls_cert_file);
  }
  return server;
}

WebhookServer::WebhookServer(ServerOptions options, HandlerConfig config,
                             std::unique_ptr<CertificateWatcher> watcher)
    : options_(std::move(options)),
      config_(std::move(config)),
      registry_(options_.metrics),
      metrics_(*registry_),
      watcher_(std::move(watcher)) {
  if (!options_.evaluate) options_.evaluate = EvaluateAdmission;
  evaluator_ = std::make_unique<WorkerPool>(
      WorkerPoolOptions{kEvaluatorThreads, kMaxEvaluatorThreads, 30s, nullptr, nullptr, nullptr});
  tls_ = std::make_unique<httplib::SSLServer>([this](SSL_CTX& ctx) { return SetUpTls(ctx); });
  ConfigureTls();
  RegisterMetrics();
}

WebhookServer::~WebhookServer() { Shutdown(); }

bool WebhookServer::SetUpTls(SSL_CTX& ctx) {
  setup_status_ = ConfigureServerContext(ctx, *watcher_->Current());
  if (setup_status_.ok() && !options_.client_auth.ca_file.empty()) {
    setup_status_ = RequireClientCertificates(ctx, options_.client_auth);
  }
  if (!setup_status_.ok()) return false;
  UseWatchedCertificate(ctx, *watcher_);
  TrackConnections(ctx, tracker_);
  return true;
}

httplib::TaskQueue* WebhookServer::NewWorkerPool() {
  WorkerPoolOptions o;
  o.min_threads = options_.worker_threads;
  o.max_threads = std::max(options_.max_connections, options_.worker_threads);
  o.on_task_start = [this] { tracker_.BeginConnection(); };
  o.on_task_end = [this] { tracker_.EndConnection(); };
  o.on_saturated = [this] {
    size_t closed = tracker_.CloseIdle(1);
    if (closed > 0) metrics_.connections_closed.WithLabels({"saturated"}).Inc(closed);
  };
  auto* pool = new WorkerPool(std::move(o));
  std::lock_guard<std::mutex> lock(mu_);
  pool_stats_ = pool->StatsSource();
  return pool;
}

void WebhookServer::ConfigureTls() {
  tls_->new_task_queue = [this] { return NewWorkerPool(); };
  tls_->set_keep_alive_max_count(kKeepAliveMaxRequests);
  tls_->set_keep_alive_timeout(kKeepAliveTimeoutSec);
  tls_->set_read_timeout(kReadTimeoutSec, 0);
  tls_->set_write_timeout(kWriteTimeoutSec, 0);
  // httplib answers 413 itself, before our handler, once the body passes this.
  tls_->set_payload_max_length(kMaxBodyBytes);
  // Without it every keep-alive response waits ~40 ms for Nagle's algorithm (measured).
  tls_->set_tcp_nodelay(true);
  tls_->set_socket_options([this](socket_t fd) {
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    listen_fd_ = fd;
  });
  tls_->set_pre_routing_handler([this](const httplib::Request&, httplib::Response&) {
    tracker_.OnRequestRead();
    SetCork(tracker_.CurrentSocket(), true);
    return httplib::Server::HandlerResponse::Unhandled;
  });
  // httplib calls the logger once the response has been written.
  tls_->set_logger([this](const httplib::Request&, const httplib::Response&) {
    SetCork(tracker_.CurrentSocket(), false);
    tracker_.OnResponseWritten();
  });
  for (Endpoint e : {Endpoint::kValidateMustGather, Endpoint::kMutateMustGather,
                     Endpoint::kValidateMustGatherImage}) {
    auto serve = [this, e](const httplib::Request& req, httplib::Response& res) {
      Serve(e, req, res);
    };
    std::string path(EndpointPath(e));
    tls_->Post(path, serve)
        .Get(path, serve)
        .Put(path, serve)
        .Patch(path, serve)
        .Delete(path, serve);
  }
  tls_->set_error_handler([](const httplib::Request& req, httplib::Response& res) {
    if (!res.body.empty()) return;
    if (res.status == 404) WritePlain(res, 404, "no endpoint at " + req.path);
    if (res.status == 413)
      WritePlain(res, 413,
                 "request body exceeds the limit of " + std::to_string(kMaxBodyBytes) + " bytes");
    if (res.body.empty()) WritePlain(res, res.status, "request failed");
  });
  tls_->set_exception_handler(
      [](const httplib::Request&, httplib::Response& res, std::exception_ptr) {
        WritePlain(res, 500, "internal error while serving the request");
      });
}

void WebhookServer::RegisterMetrics() {
  RegisterCertificateExpiry(*registry_, *watcher_);
  if (config_.allowlist != nullptr) RegisterAllowlistAge(*registry_, *config_.allowlist);
  registry_->AddGaugeCallback("mustgather_webhook_connections", "Open HTTPS connections by state.",
                              {"state"}, [this] {
                                ConnectionTracker::Counts n = tracker_.counts();
                                return std::vector<GaugeSample>{{{"handshake"}, double(n.fresh)},
                                                                {{"reading"}, double(n.reading)},
                                                                {{"serving"}, double(n.serving)},
                                                                {{"idle"}, double(n.idle)}};
                              });
  registry_->AddGaugeCallback("mustgather_webhook_worker_threads",
                              "HTTPS worker threads (one per open connection).", {"state"}, [this] {
                                std::lock_guard<std::mutex> lock(mu_);
                                if (!pool_stats_) return std::vector<GaugeSample>{};
                                WorkerPoolStats s = pool_stats_();
                                return std::vector<GaugeSample>{
                                    {{"busy"}, double(s.busy)},
                                    {{"idle"}, double(s.threads - s.busy)},
                                    {{"queued"}, double(s.queued)}};
                              });
}

void WebhookServer::Serve(Endpoint endpoint, const httplib::Request& req, httplib::Response& res) {
  Clock::time_point start = Clock::now();
  Clock::time_point arrived = tracker_.RequestStart().value_or(start);
  const std::string webhook(EndpointPath(endpoint));
  Gauge& in_flight = metrics_.in_flight.WithLabels({webhook});
  in_flight.Add(1);
  HttpReply reply = Admit(endpoint, req, arrived);
  in_flight.Add(-1);
  res.status = reply.status;
  res.set_content(std::move(reply.body), reply.content_type.c_str());
  std::chrono::duration<double> took = Clock::now() - start;
  metrics_.requests.WithLabels({webhook, std::to_string(reply.status)}).Inc();
  metrics_.latency.WithLabels({webhook}).Observe(took.count());
  reply.log["latency_ms"] = took.count() * 1000;
  reply.log["http_status"] = reply.status;
  LogEvent(reply.status == 200 ? spdlog::level::info : spdlog::level::warn, "admission review",
           reply.log);
}

HttpReply WebhookServer::Admit(Endpoint endpoint, const httplib::Request& req,
                               Clock::time_point arrived) {
  std::variant<AdmissionRequest, HttpReply> decoded =
      DecodeAdmission({req.method, req.get_header_value("Content-Type"), req.body});
  if (HttpReply* error = std::get_if<HttpReply>(&decoded)) return std::move(*error);
  auto request =
      std::make_shared<const AdmissionRequest>(std::move(std::get<AdmissionRequest>(decoded)));
  AdmissionResult result = Decide(endpoint, request, arrived, req.get_param_value("timeout"));
  metrics_.decisions
      .WithLabels({std::string(EndpointPath(endpoint)), result.response.allowed ? "true" : "false",
                   DecisionReason(result)})
      .Inc();
  return EncodeAdmission(endpoint, *request, result);
}

AdmissionResult WebhookServer::Decide(Endpoint endpoint,
                                      std::shared_ptr<const AdmissionRequest> request,
                                      Clock::time_point arrived, const std::string& timeout_param) {
  if (options_.max_review_duration <= Clock::duration::zero()) {
    return options_.evaluate(endpoint, *request, config_);
  }
  ReviewDeadline deadline = ComputeReviewDeadline(timeout_param, options_.max_review_duration);
  Clock::time_point due = arrived + std::chrono::duration_cast<Clock::duration>(deadline.budget);
  auto result = std::make_shared<AdmissionResult>();
  // The task may outlive this call (then its result is dropped); it shares what it
  // reads, and the evaluator pool is drained before the server goes away.
  bool done = Clock::now() < due && RunBefore(*evaluator_, due, [this, endpoint, request, result] {
                *result = options_.evaluate(endpoint, *request, config_);
              });
  if (done) return std::move(*result);
  LogEvent(spdlog::level::warn, "admission review ran out of time; answering without a decision",
           {{"uid", request->uid},
            {"webhook", EndpointPath(endpoint).substr(1)},
            {"budget", FormatDuration(deadline.budget)},
            {"limit", deadline.explanation}});
  return DeadlineExceededResult(*request, deadline);
}

std::string WebhookServer::NotReadyReason() const {
  if (draining_) return "shutting down";
  if (!tls_->is_running()) return "the HTTPS listener is not serving";
  if (std::string cert = watcher_->Problem(); !cert.empty()) return cert;
  return options_.readiness ? options_.readiness() : "";
}

Status WebhookServer::Start() {
  port_ = Bind(*tls_, options_.listen);
  if (port_ < 0) {
    return UnavailableError("cannot listen on " + options_.listen.host + ":" +
                            std::to_string(options_.listen.port) + " (--listen)");
  }
  if (listen_fd_ >= 0) ::listen(listen_fd_, kListenBacklog);
  ProbeServerOptions probes{options_.probe_listen, nullptr, [this] { return NotReadyReason(); },
                            registry_.get()};
  MGW_ASSIGN_OR_RETURN(probes_, ProbeServer::Start(std::move(probes)));
  tls_thread_ = std::thread([this] {
    tls_->listen_after_bind();
    std::lock_guard<std::mutex> lock(mu_);
    tls_done_ = true;
    cv_.notify_all();
  });
  janitor_ = std::thread([this] { JanitorLoop(); });
  if (!WaitRunning(*tls_)) {
    return UnavailableError("the HTTPS listener did not start");
  }
  LogEvent(spdlog::level::info, "serving",
           {{"https_port", port_},
            {"probe_port", probes_->port()},
            {"cert", options_.tls_cert_file},
            {"cert_not_after", UnixSeconds(watcher_->Current()->not_after)},
            {"mtls", !options_.client_auth.ca_file.empty()}});
  return Status();
}

void WebhookServer::JanitorLoop() {
  std::unique_lock<std::mutex> lock(mu_);
  while (!cv_.wait_for(lock, kJanitorPeriod, [this] { return stop_janitor_; })) {
    lock.unlock();
    size_t closed = tracker_.CloseStalled(kStalledLimit, Clock::now());
    if (closed > 0) metrics_.connections_closed.WithLabels({"stalled"}).Inc(closed);
    lock.lock();
  }
}

// Closes keep-alive connections as they turn idle until the listener thread has
// finished, i.e. until every connection is gone; requests in flight complete
// (httplib ends a connection after its current request once stop() was called).
void WebhookServer::DrainConnections() {
  std::unique_lock<std::mutex> lock(mu_);
  while (!tls_done_) {
    lock.unlock();
    size_t closed = tracker_.CloseIdle(SIZE_MAX);
    if (closed > 0) metrics_.connections_closed.WithLabels({"shutdown"}).Inc(closed);
    lock.lock();
    cv_.wait_for(lock, kDrainPollPeriod, [this] { return tls_done_; });
  }
}

void WebhookServer::Shutdown() {
  if (draining_.exchange(true)) return;
  if (tls_thread_.joinable()) {
    LogEvent(spdlog::level::info, "draining",
             {{"shutdown_delay", FormatDuration(options_.shutdown_delay)}});
    if (options_.shutdown_delay > Clock::duration::zero()) {
      std::this_thread::sleep_for(options_.shutdown_delay);  // /readyz already fails
    }
    tls_->stop();
    DrainConnections();
    tls_thread_.join();
  }
  evaluator_->shutdown();
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_janitor_ = true;
    cv_.notify_all();
  }
  if (janitor_.joinable()) janitor_.join();
  if (probes_) probes_->Stop();
}

}  // namespace mgw
