#include "mgw/webhook/webhook_server.h"

#include <algorithm>
#include <cstdint>
#include <thread>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <sched.h>

#include "mgw/admission/review_deadline.h"
#include "mgw/net/tls_credentials.h"
#include "mgw/platform/logging.h"

namespace mgw {
namespace {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

constexpr std::string_view kPlainText = "text/plain; charset=utf-8";

int64_t UnixSeconds(std::chrono::system_clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

// One event loop per CPU this process may use (a cgroup cpuset or taskset counts).
size_t UsableCpus() {
  cpu_set_t set;
  if (sched_getaffinity(0, sizeof(set), &set) == 0) return std::max(CPU_COUNT(&set), 1);
  return std::max(std::thread::hardware_concurrency(), 1u);
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
  MGW_RETURN_IF_ERROR(server->SetUpTls());
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
  RegisterMetrics();
  for (Endpoint e : {Endpoint::kValidateMustGather, Endpoint::kMutateMustGather,
                     Endpoint::kValidateMustGatherImage}) {
    const std::string webhook(EndpointPath(e));
    MetricsFor(e) = {&metrics_.in_flight.WithLabels({webhook}),
                     &metrics_.latency.WithLabels({webhook}),
                     &metrics_.requests.WithLabels({webhook, "200"})};
  }
}

WebhookServer::EndpointMetrics& WebhookServer::MetricsFor(Endpoint endpoint) {
  return endpoint_metrics_.at(static_cast<size_t>(endpoint));
}

WebhookServer::~WebhookServer() { Shutdown(); }

Status WebhookServer::SetUpTls() {
  ctx_ = {SSL_CTX_new(TLS_server_method()), SSL_CTX_free};
  if (!ctx_) return InternalError("cannot create a TLS context: " + DrainOpenSslErrors());
  SSL_CTX_set_options(ctx_.get(), SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION);
  // OpenSSL issues two TLS 1.3 session tickets per handshake, Go's crypto/tls one.
  // A client reconnects one connection at a time, so one is enough.
  SSL_CTX_set_num_tickets(ctx_.get(), 1);
  MGW_RETURN_IF_ERROR(ConfigureServerContext(*ctx_, *watcher_->Current()));
  if (!options_.client_auth.ca_file.empty()) {
    MGW_RETURN_IF_ERROR(RequireClientCertificates(*ctx_, options_.client_auth));
  }
  UseWatchedCertificate(*ctx_, *watcher_);
  return Status();
}

void WebhookServer::RegisterMetrics() {
  RegisterCertificateExpiry(*registry_, *watcher_);
  if (config_.allowlist != nullptr) RegisterAllowlistAge(*registry_, *config_.allowlist);
  registry_->AddGaugeCallback(
      "mustgather_webhook_connections", "Open HTTPS connections by state.", {"state"}, [this] {
        if (!https_) return std::vector<GaugeSample>{};
        HttpsConnectionCounts n = https_->counts();
        return std::vector<GaugeSample>{{{"handshake"}, double(n.handshake)},
                                        {{"reading"}, double(n.reading)},
                                        {{"serving"}, double(n.serving)},
                                        {{"idle"}, double(n.idle)}};
      });
}

void WebhookServer::Serve(std::shared_ptr<HttpsExchange> exchange) {
  Clock::time_point start = Clock::now();
  const HttpsRequest& req = exchange->request();
  std::optional<Endpoint> endpoint = EndpointForPath(req.head.path);
  if (!endpoint) {
    exchange->Claim();
    exchange->Send({404, std::string(kPlainText), "no endpoint at " + req.head.path + "\n"});
    return;
  }
  MetricsFor(*endpoint).in_flight->Add(1);
  // The budget covers the parse too: the decoder stops at the same moment the
  // timer in Evaluate would fire.
  HttpExchange http{req.head.method, req.head.Header("Content-Type"), req.body};
  std::optional<ReviewDeadline> deadline;
  if (options_.max_review_duration > Clock::duration::zero()) {
    deadline = ComputeReviewDeadline(QueryParameter(req.head.query, "timeout").value_or(""),
                                     options_.max_review_duration);
    http.deadline = &*deadline;
    http.due = req.started + std::chrono::duration_cast<Clock::duration>(deadline->budget);
  }
  std::variant<AdmissionRequest, HttpReply> decoded = DecodeAdmission(http);
  if (HttpReply* error = std::get_if<HttpReply>(&decoded)) {
    exchange->Claim();
    return Answer(*endpoint, *exchange, std::move(*error), start);
  }
  auto request =
      std::make_shared<const AdmissionRequest>(std::move(std::get<AdmissionRequest>(decoded)));
  Evaluate(*endpoint, std::move(exchange), std::move(request), deadline, http.due, start);
}

// Decides on the event loop's thread. Under a deadline, a timer on the loop
// answers instead if the budget runs out first: the loop's watchdog moves the
// loop to a new thread once a handler overstays (HttpsServerOptions), so the
// timer fires even while this handler is still running.
void WebhookServer::Evaluate(Endpoint endpoint, std::shared_ptr<HttpsExchange> exchange,
                             std::shared_ptr<const AdmissionRequest> request,
                             const std::optional<ReviewDeadline>& budget, Clock::time_point due,
                             Clock::time_point start) {
  if (budget) {
    auto expire = [this, endpoint, exchange, request, deadline = *budget, start] {
      if (!exchange->Claim()) return;
      LogEvent(spdlog::level::warn,
               "admission review ran out of time; answering without a decision",
               {{"uid", request->uid},
                {"webhook", EndpointPath(endpoint).substr(1)},
                {"budget", FormatDuration(deadline.budget)},
                {"limit", deadline.explanation()}});
      AdmissionResult result = DeadlineExceededResult(*request, deadline);
      Answer(endpoint, *exchange, Decided(endpoint, *request, result), start);
    };
    if (Clock::now() >= due) return expire();  // spent before it fully arrived
    exchange->OnDeadline(due, std::move(expire));
  }
  AdmissionResult result = options_.evaluate(endpoint, *request, config_);
  if (exchange->Claim()) Answer(endpoint, *exchange, Decided(endpoint, *request, result), start);
}

HttpReply WebhookServer::Decided(Endpoint endpoint, const AdmissionRequest& request,
                                 const AdmissionResult& result) {
  metrics_.decisions
      .WithLabels({std::string(EndpointPath(endpoint)), result.response.allowed ? "true" : "false",
                   DecisionReason(result)})
      .Inc();
  HttpReply reply = EncodeAdmission(result);
  if (LogEnabled(spdlog::level::info)) reply.log = AdmissionLogFields(endpoint, request, result);
  return reply;
}

// Sends `reply` (the caller has claimed the exchange), then records it.
void WebhookServer::Answer(Endpoint endpoint, HttpsExchange& exchange, HttpReply reply,
                           Clock::time_point start) {
  int status = reply.status;
  exchange.Send({status, std::move(reply.content_type), std::move(reply.body)});
  std::chrono::duration<double> took = Clock::now() - start;
  EndpointMetrics& m = MetricsFor(endpoint);
  m.in_flight->Add(-1);
  if (status == 200) {
    m.ok->Inc();
  } else {
    metrics_.requests.WithLabels({std::string(EndpointPath(endpoint)), std::to_string(status)})
        .Inc();
  }
  m.latency->Observe(took.count());
  const spdlog::level::level_enum level = status == 200 ? spdlog::level::info : spdlog::level::warn;
  if (!LogEnabled(level)) return;
  reply.log.Add("latency_ms", took.count() * 1000).Add("http_status", status);
  LogEvent(level, "admission review", reply.log);
}

std::string WebhookServer::NotReadyReason() const {
  if (draining_) return "shutting down";
  if (!https_ || !https_->serving()) return "the HTTPS listener is not serving";
  if (std::string cert = watcher_->Problem(); !cert.empty()) return cert;
  return options_.readiness ? options_.readiness() : "";
}

Status WebhookServer::Start() {
  HttpsServerOptions o;
  o.listen = options_.listen;
  size_t loops = options_.worker_threads > 0 ? options_.worker_threads : UsableCpus();
  o.threads = loops;
  o.max_connections = options_.max_connections;
  o.limits.max_body_bytes = kMaxBodyBytes;
  o.limits.allow = "POST";  // every endpoint; webhook_http answers 405 to the rest
  if (options_.max_inflight_body_bytes > 0) {
    o.limits.body_budget = std::make_shared<BodyBudget>(options_.max_inflight_body_bytes);
  }
  o.on_close = [this](std::string_view reason, size_t n) {
    metrics_.connections_closed.WithLabels({std::string(reason)}).Inc(static_cast<double>(n));
  };
  // Once per slow review, whether or not its loop could be moved (a few
  // threads at most are parked): a count to alert on and one log line.
  o.on_slow_handler = [this] {
    metrics_.slow_handlers.WithLabels({}).Inc();
    LogEvent(spdlog::level::warn,
             "an admission review has been evaluated for over 100ms; its event loop goes on "
             "in a new thread unless 4 are already parked");
  };
  StatusOr<std::unique_ptr<HttpsServer>> https = HttpsServer::Listen(
      std::move(o), *ctx_,
      [this](std::shared_ptr<HttpsExchange> exchange) { Serve(std::move(exchange)); });
  if (!https.ok()) return UnavailableError(https.status().message() + " (--listen)");
  https_ = std::move(https).value();
  port_ = https_->port();
  ProbeServerOptions probes{options_.probe_listen, nullptr, [this] { return NotReadyReason(); },
                            registry_.get()};
  MGW_ASSIGN_OR_RETURN(probes_, ProbeServer::Start(std::move(probes)));
  https_->Start();
  LogEvent(spdlog::level::info, "serving",
           {{"https_port", port_},
            {"probe_port", probes_->port()},
            {"event_loops", loops},
            {"cert", options_.tls_cert_file},
            {"cert_not_after", UnixSeconds(watcher_->Current()->not_after)},
            {"mtls", !options_.client_auth.ca_file.empty()}});
  return Status();
}

void WebhookServer::Shutdown() {
  if (draining_.exchange(true)) return;
  if (https_ && https_->serving()) {
    LogEvent(spdlog::level::info, "draining",
             {{"shutdown_delay", FormatDuration(options_.shutdown_delay)}});
    if (options_.shutdown_delay > Clock::duration::zero()) {
      std::this_thread::sleep_for(options_.shutdown_delay);  // /readyz already fails
    }
  }
  if (https_) https_->Shutdown();
  if (probes_) probes_->Stop();
}

}  // namespace mgw
