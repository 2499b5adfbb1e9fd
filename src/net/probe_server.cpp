#include "mgw/net/probe_server.h"

#include <chrono>

#include <httplib.h>
#include <sys/socket.h>

namespace mgw {
namespace {

constexpr auto kStartTimeout = std::chrono::seconds(10);
constexpr size_t kProbeThreads = 2;
constexpr size_t kMaxProbeBody = 4096;
constexpr time_t kProbeIoTimeoutSec = 5;
constexpr time_t kProbeKeepAliveSec = 1;

void Answer(httplib::Response& res, const std::function<std::string()>& problem,
            std::string_view what) {
  std::string why = problem ? problem() : "";
  res.status = why.empty() ? 200 : 503;
  res.set_content(why.empty() ? "ok\n" : std::string(what) + ": " + why + "\n",
                  "text/plain; charset=utf-8");
}

}  // namespace

ProbeServer::ProbeServer(ProbeServerOptions options)
    : options_(std::move(options)), server_(std::make_unique<httplib::Server>()) {}

ProbeServer::~ProbeServer() { Stop(); }

void ProbeServer::Route() {
  server_->new_task_queue = [] { return new httplib::ThreadPool(kProbeThreads); };
  // httplib's default SO_REUSEPORT would let a second process share the port silently;
  // a port in use must be an error instead.
  server_->set_socket_options([](socket_t fd) {
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  });
  // Probes and scrapes carry no body and answer fast; a client that sends more or
  // stalls is cut off rather than allowed to hold one of the few threads.
  server_->set_payload_max_length(kMaxProbeBody);
  server_->set_read_timeout(kProbeIoTimeoutSec, 0);
  server_->set_write_timeout(kProbeIoTimeoutSec, 0);
  // An idle keep-alive connection holds one of the two threads, and the kubelet's
  // probes time out after 1 s; scrapes come every 15 s or more, so nothing is lost
  // by letting an idle connection go after a second.
  server_->set_keep_alive_timeout(kProbeKeepAliveSec);
  server_->Get("/healthz", [this](const httplib::Request&, httplib::Response& res) {
    Answer(res, options_.unhealthy_reason, "unhealthy");
  });
  server_->Get("/readyz", [this](const httplib::Request&, httplib::Response& res) {
    Answer(res, options_.not_ready_reason, "not ready");
  });
  if (options_.metrics == nullptr) return;
  server_->Get("/metrics", [this](const httplib::Request&, httplib::Response& res) {
    res.set_content(options_.metrics->Render(), std::string(kPrometheusContentType));
  });
}

StatusOr<std::unique_ptr<ProbeServer>> ProbeServer::Start(ProbeServerOptions options) {
  std::unique_ptr<ProbeServer> s(new ProbeServer(std::move(options)));
  s->Route();
  const HostPort& hp = s->options_.listen;
  s->port_ = hp.port == 0 ? s->server_->bind_to_any_port(hp.host)
                          : (s->server_->bind_to_port(hp.host, hp.port) ? hp.port : -1);
  if (s->port_ <= 0) {
    return UnavailableError("cannot listen on " + hp.host + ":" + std::to_string(hp.port) +
                            " (--probe-listen)");
  }
  httplib::Server* server = s->server_.get();
  s->thread_ = std::thread([server] { server->listen_after_bind(); });
  // 0.11.4 has no wait_until_ready: poll until the accept loop runs.
  auto deadline = std::chrono::steady_clock::now() + kStartTimeout;
  while (!server->is_running()) {
    if (std::chrono::steady_clock::now() > deadline) {
      return UnavailableError("the probe listener did not start");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return s;
}

void ProbeServer::Stop() {
  if (server_) server_->stop();
  if (thread_.joinable()) thread_.join();
}

}  // namespace mgw
