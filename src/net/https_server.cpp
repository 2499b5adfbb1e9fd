#include "mgw/net/https_server.h"

#include <algorithm>
#include <cerrno>
#include <cstring>

#include <sys/socket.h>
#include <unistd.h>

#include "net/https_loop.h"

namespace mgw {

StatusOr<std::unique_ptr<HttpsServer>> HttpsServer::Listen(HttpsServerOptions options, SSL_CTX& ctx,
                                                           HttpsHandler handler) {
  MGW_ASSIGN_OR_RETURN(Listener listener, OpenListener(options.listen, options.backlog));
  std::unique_ptr<HttpsServer> server(
      new HttpsServer(std::move(options), ctx, std::move(handler), listener.fd, listener.port));
  for (const auto& loop : server->loops_) {
    if (!loop->ok()) return InternalError("cannot set up epoll: " + std::string(strerror(errno)));
  }
  return server;
}

HttpsServer::HttpsServer(HttpsServerOptions options, SSL_CTX& ctx, HttpsHandler handler,
                         int listen_fd, int port)
    : options_(std::move(options)),
      handler_(std::move(handler)),
      listen_fd_(listen_fd),
      port_(port),
      shared_(new LoopShared{options_, ctx, handler_, listen_fd,
                             [this](const HttpsLoop& full) { return RequestRoom(full); }}) {
  size_t threads = std::max<size_t>(options_.threads, 1);
  size_t handshakes = std::max<size_t>(options_.max_handshakes / threads, 1);
  for (size_t i = 0; i < threads; ++i) {
    loops_.push_back(std::make_unique<HttpsLoop>(*shared_, handshakes));
  }
}

HttpsServer::~HttpsServer() {
  Shutdown();
  loops_.clear();  // joins the loop threads, waiting for any handler still running
  close(listen_fd_);
}

void HttpsServer::Start() {
  for (auto& loop : loops_) loop->Start();
  watchdog_ = std::thread([this] { Watch(); });
  serving_ = true;
}

// Every quarter of handler_limit, moves any loop stuck in a handler for longer
// to a new thread, so one hung request does not hold up the others.
void HttpsServer::Watch() {
  auto period =
      std::max<std::chrono::nanoseconds>(options_.handler_limit / 4, std::chrono::milliseconds(1));
  std::unique_lock<std::mutex> lock(watchdog_mu_);
  while (!watchdog_cv_.wait_for(lock, period, [this] { return stop_watchdog_; })) {
    auto now = std::chrono::steady_clock::now();
    for (auto& loop : loops_) {
      if (loop->TakeOverIfStuck(now, options_.handler_limit)) {
        if (options_.on_takeover) options_.on_takeover();
      }
    }
  }
}

void HttpsServer::Shutdown() {
  if (shut_down_.exchange(true)) return;
  serving_ = false;
  for (auto& loop : loops_) loop->Drain();
  // New connections are refused from now on; the descriptor stays ours until the
  // loops have stopped using it.
  ::shutdown(listen_fd_, SHUT_RDWR);
  for (auto& loop : loops_) loop->WaitStopped();  // the watchdog may still be needed
  {
    std::lock_guard<std::mutex> lock(watchdog_mu_);
    stop_watchdog_ = true;
    watchdog_cv_.notify_all();
  }
  if (watchdog_.joinable()) watchdog_.join();
}

bool HttpsServer::RequestRoom(const HttpsLoop& full) {
  for (auto& loop : loops_) {
    if (loop.get() != &full && loop->counts().idle > 0) {
      loop->RequestRoom();
      return true;
    }
  }
  return false;
}

HttpsConnectionCounts HttpsServer::counts() const {
  HttpsConnectionCounts total;
  for (const auto& loop : loops_) {
    HttpsConnectionCounts n = loop->counts();
    total.handshake += n.handshake;
    total.idle += n.idle;
    total.reading += n.reading;
    total.serving += n.serving;
  }
  return total;
}

}  // namespace mgw
