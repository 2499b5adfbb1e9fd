#include "mgw/tls_server.h"

#include <chrono>

#include <httplib.h>
#include <sys/socket.h>

#include "mgw/logging.h"
#include "mgw/tls_credentials.h"
#include "mgw/webhook_http.h"

namespace mgw {
namespace {

// kube-apiserver reuses connections (Go keep-alive, up to 90 s idle). httplib 0.11.4
// closes a connection after 5 requests; a high cap keeps the TLS handshake off the
// request path.
constexpr size_t kKeepAliveMaxRequests = 10000;
// An idle connection holds a worker thread, and on shutdown we wait for idle ones to
// time out, so keep this well under the pod's 30 s termination grace period.
constexpr time_t kKeepAliveTimeoutSec = 10;
// The apiserver's call deadline is at most 30 s; a request that trickles in slower
// than this is not worth a thread.
constexpr time_t kReadTimeoutSec = 10;
constexpr time_t kWriteTimeoutSec = 10;
// httplib listens with a backlog of 5; bursts of new connections (apiserver restarts,
// rolling updates) would see SYN drops, so the backlog is raised after binding.
constexpr int kListenBacklog = 1024;
constexpr auto kStartTimeout = std::chrono::seconds(10);

void WritePlain(httplib::Response& res, int status, const std::string& text) {
  res.status = status;
  res.set_content(text + "\n", "text/plain; charset=utf-8");
}

// Polls until the server runs, since 0.11.4 has no wait_until_ready.
bool WaitRunning(const httplib::Server& server) {
  auto deadline = std::chrono::steady_clock::now() + kStartTimeout;
  while (!server.is_running()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return true;
}

// Binds `server` to `hp`, returning the bound port or -1.
int Bind(httplib::Server& server, const HostPort& hp) {
  if (hp.port == 0) return server.bind_to_any_port(hp.host);
  return server.bind_to_port(hp.host, hp.port) ? hp.port : -1;
}

}  // namespace

StatusOr<std::unique_ptr<WebhookServer>> WebhookServer::Create(ServerOptions options,
                                                               HandlerConfig config) {
  if (options.tls_cert_file.empty() || options.tls_key_file.empty()) {
    return InvalidArgumentError(
        "--tls-cert-file and --tls-key-file are required (PEM files); "
        "`make certs` makes a development pair");
  }
  MGW_ASSIGN_OR_RETURN(std::shared_ptr<const CertificatePair> pair,
                       LoadCertificatePair(options.tls_cert_file, options.tls_key_file));
  std::unique_ptr<WebhookServer> server(
      new WebhookServer(std::move(options), std::move(config), std::move(pair)));
  if (!server->tls_->is_valid()) {
    return InternalError("could not set up TLS with " + server->options_.tls_cert_file);
  }
  return server;
}

WebhookServer::WebhookServer(ServerOptions options, HandlerConfig config,
                             std::shared_ptr<const CertificatePair> pair)
    : options_(std::move(options)), config_(std::move(config)), pair_(std::move(pair)) {
  auto setup = [this](SSL_CTX& ctx) {
    Status s = ConfigureServerContext(ctx, *pair_);
    if (!s.ok()) LogEvent(spdlog::level::err, "TLS setup failed", {{"error", s.ToString()}});
    return s.ok();
  };
  tls_ = std::make_unique<httplib::SSLServer>(setup);
  probe_ = std::make_unique<httplib::Server>();
  ConfigureTls();
  ConfigureProbes();
}

WebhookServer::~WebhookServer() { Shutdown(); }

void WebhookServer::ConfigureTls() {
  size_t threads = options_.worker_threads;
  tls_->new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
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
  auto serve = [this](const httplib::Request& req, httplib::Response& res) {
    auto start = std::chrono::steady_clock::now();
    std::optional<Endpoint> endpoint = EndpointForPath(req.path);
    HttpReply reply = ServeAdmission(
        *endpoint, {req.method, req.get_header_value("Content-Type"), req.body}, config_);
    res.status = reply.status;
    res.set_content(std::move(reply.body), reply.content_type.c_str());
    std::chrono::duration<double, std::milli> took = std::chrono::steady_clock::now() - start;
    reply.log["latency_ms"] = took.count();
    reply.log["http_status"] = reply.status;
    LogEvent(reply.status == 200 ? spdlog::level::info : spdlog::level::warn, "admission review",
             reply.log);
  };
  for (Endpoint e : {Endpoint::kValidateMustGather, Endpoint::kMutateMustGather,
                     Endpoint::kValidateMustGatherImage}) {
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

void WebhookServer::ConfigureProbes() {
  probe_->new_task_queue = [] { return new httplib::ThreadPool(2); };
  probe_->Get("/healthz",
              [](const httplib::Request&, httplib::Response& res) { WritePlain(res, 200, "ok"); });
  probe_->Get("/readyz", [this](const httplib::Request&, httplib::Response& res) {
    std::string why = NotReadyReason();
    WritePlain(res, why.empty() ? 200 : 503, why.empty() ? "ok" : "not ready: " + why);
  });
}

std::string WebhookServer::NotReadyReason() const {
  if (draining_) return "shutting down";
  if (!tls_->is_running()) return "the HTTPS listener is not serving";
  return options_.readiness ? options_.readiness() : "";
}

Status WebhookServer::Start() {
  port_ = Bind(*tls_, options_.listen);
  if (port_ < 0) {
    return UnavailableError("cannot listen on " + options_.listen.host + ":" +
                            std::to_string(options_.listen.port) + " (--listen)");
  }
  if (listen_fd_ >= 0) ::listen(listen_fd_, kListenBacklog);
  probe_port_ = Bind(*probe_, options_.probe_listen);
  if (probe_port_ < 0) {
    return UnavailableError("cannot listen on " + options_.probe_listen.host + ":" +
                            std::to_string(options_.probe_listen.port) + " (--probe-listen)");
  }
  tls_thread_ = std::thread([this] { tls_->listen_after_bind(); });
  probe_thread_ = std::thread([this] { probe_->listen_after_bind(); });
  if (!WaitRunning(*tls_) || !WaitRunning(*probe_)) {
    return UnavailableError("the listeners did not start");
  }
  LogEvent(spdlog::level::info, "serving",
           {{"https_port", port_},
            {"probe_port", probe_port_},
            {"cert", options_.tls_cert_file},
            {"cert_not_after",
             std::chrono::duration_cast<std::chrono::seconds>(pair_->not_after.time_since_epoch())
                 .count()}});
  return Status();
}

void WebhookServer::Shutdown() {
  if (draining_.exchange(true)) return;
  tls_->stop();
  if (tls_thread_.joinable()) tls_thread_.join();
  probe_->stop();
  if (probe_thread_.joinable()) probe_thread_.join();
}

}  // namespace mgw
