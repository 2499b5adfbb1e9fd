#include "mgw/kube/http_kube_client.h"

#include <atomic>
#include <thread>

#include <httplib.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include "kube/kube_tls.h"

namespace mgw {
namespace {

using nlohmann::json;

constexpr size_t kMaxIdleConnections = 4;
constexpr size_t kMaxErrorBody = 64 * 1024;

// Dead peers (a vanished API server, a NAT that dropped the flow) are noticed in
// about a minute even on an idle watch.
void SetKeepAlive(socket_t fd) {
  int one = 1, idle = 30, interval = 10, count = 3;
  setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof(one));
  setsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, &idle, sizeof(idle));
  setsockopt(fd, IPPROTO_TCP, TCP_KEEPINTVL, &interval, sizeof(interval));
  setsockopt(fd, IPPROTO_TCP, TCP_KEEPCNT, &count, sizeof(count));
}

std::string Describe(httplib::Error error) {
  switch (error) {
    case httplib::Error::Connection:
      return "connection failed (refused or unreachable)";
    case httplib::Error::ConnectionTimeout:
      return "connection timed out";
    case httplib::Error::Read:
      return "read failed or timed out";
    case httplib::Error::Write:
      return "write failed";
    case httplib::Error::SSLConnection:
      return "TLS handshake failed: check the CA and that the certificate names the host";
    default:
      return "HTTP client error: " + httplib::to_string(error);
  }
}

std::string TransportError(httplib::Error error, const std::string& server) {
  return "cannot reach the API server at " + server + ": " + Describe(error);
}

StatusOr<std::string> NameOf(const json& object) {
  const json* name = object.is_object() && object.contains("metadata") &&
                             object["metadata"].is_object() && object["metadata"].contains("name")
                         ? &object["metadata"]["name"]
                         : nullptr;
  if (name == nullptr || !name->is_string() || name->get<std::string>().empty()) {
    return InvalidArgumentError("the object has no metadata.name");
  }
  return name->get<std::string>();
}

// Serialises a request body; invalid UTF-8 in a string is replaced, not thrown on.
std::string Serialize(const json& body) {
  return body.dump(-1, ' ', false, json::error_handler_t::replace);
}

// Reads one watch response: events go to the sink as their lines complete; an error
// response's body is kept for the Status. `stopped` is set from the stopping thread.
class WatchReader {
 public:
  explicit WatchReader(const WatchSink& sink) : sink_(sink) {}

  std::atomic<bool> stopped{false};

  bool OnResponse(const httplib::Response& res) {
    http_status_ = res.status;
    retry_after_ = res.get_header_value("Retry-After");
    if (res.status == 200 && sink_.opened) sink_.opened();
    return !stopped;
  }

  bool OnData(const char* data, size_t size) {
    if (stopped) return false;
    if (http_status_ != 200) {
      error_body_.append(data, std::min(size, kMaxErrorBody - error_body_.size()));
      return error_body_.size() < kMaxErrorBody;
    }
    StatusOr<std::vector<std::string>> complete = lines_.Append(std::string_view(data, size));
    if (!complete.ok()) return Fail(complete.status());
    for (const std::string& line : *complete) {
      StatusOr<WatchEvent> event = ParseWatchEvent(line);
      if (!event.ok()) return Fail(event.status());
      if (!sink_.event(*event)) {
        sink_done_ = true;
        return false;
      }
    }
    return true;
  }

  int http_status() const { return http_status_; }

  // How the watch ended, given httplib's result.
  Status Outcome(const httplib::Result& res, const std::string& server) const {
    if (stopped || sink_done_) return Status();
    if (!stream_error_.ok()) return stream_error_;
    if (http_status_ != 0 && http_status_ != 200) {
      return ApiErrorToStatus(ParseApiError(http_status_, error_body_, retry_after_));
    }
    if (res) return Status();  // the server ended the stream
    if (http_status_ == 200) {
      return UnavailableError("the watch stream from " + server +
                              " broke: " + Describe(res.error()));
    }
    return UnavailableError(TransportError(res.error(), server));
  }

 private:
  bool Fail(Status s) {
    stream_error_ = std::move(s);
    return false;
  }

  const WatchSink& sink_;
  WatchLineSplitter lines_;
  int http_status_ = 0;
  std::string retry_after_;
  std::string error_body_;
  Status stream_error_;
  bool sink_done_ = false;
};

}  // namespace

struct HttpKubeClient::Call {
  std::string method;
  std::string target;  // path and query, without the base path
  std::string body;
  std::string content_type;
  bool retry_safe = false;  // GET and LIST
};

struct HttpKubeClient::Reply {
  int status = 0;
  std::string body;
  std::string retry_after;
};

StatusOr<std::unique_ptr<HttpKubeClient>> HttpKubeClient::Create(KubeConfig config,
                                                                 HttpKubeClientOptions options) {
  MGW_ASSIGN_OR_RETURN(ServerAddress address, ParseServerUrl(config.server));
  MGW_ASSIGN_OR_RETURN(std::shared_ptr<const TlsMaterial> tls, ParseTlsMaterial(config));
  return std::unique_ptr<HttpKubeClient>(
      new HttpKubeClient(std::move(config), std::move(options), std::move(address), tls));
}

HttpKubeClient::HttpKubeClient(KubeConfig config, HttpKubeClientOptions options,
                               ServerAddress address, std::shared_ptr<const TlsMaterial> tls)
    : config_(std::move(config)),
      options_(std::move(options)),
      address_(std::move(address)),
      tls_(std::move(tls)),
      tokens_(config_, options_.files ? options_.files : DiskFileReader(), options_.token_clock),
      prng_(std::random_device{}()) {}

HttpKubeClient::~HttpKubeClient() = default;

std::unique_ptr<httplib::SSLClient> HttpKubeClient::NewConnection(
    std::chrono::seconds read_timeout) const {
  auto cli = std::make_unique<httplib::SSLClient>(address_.host, address_.port);
  // OpenSSL checks the chain and host during the handshake (ConfigureClientContext);
  // httplib's own check would add the system roots to a configured CA.
  cli->enable_server_certificate_verification(false);
  if (SSL_CTX* ctx = cli->ssl_context(); ctx != nullptr) {
    if (!ConfigureClientContext(*ctx, *tls_, address_.host).ok()) return nullptr;
  }
  cli->set_connection_timeout(options_.connect_timeout);
  cli->set_read_timeout(read_timeout);
  cli->set_write_timeout(options_.request_timeout);
  cli->set_keep_alive(true);
  cli->set_url_encode(false);  // targets are percent-encoded by ResourcePath/ListTarget
  cli->set_tcp_nodelay(true);
  cli->set_socket_options(SetKeepAlive);
  return cli;
}

std::unique_ptr<httplib::SSLClient> HttpKubeClient::Acquire() {
  {
    std::lock_guard<std::mutex> lock(pool_mu_);
    if (!idle_.empty()) {
      auto cli = std::move(idle_.back());
      idle_.pop_back();
      return cli;
    }
  }
  return NewConnection(options_.request_timeout);
}

void HttpKubeClient::Release(std::unique_ptr<httplib::SSLClient> connection) {
  std::lock_guard<std::mutex> lock(pool_mu_);
  if (idle_.size() < kMaxIdleConnections) idle_.push_back(std::move(connection));
}

std::string HttpKubeClient::Authorization() {
  std::string token = tokens_.Token();
  return token.empty() ? "" : "Bearer " + token;
}

StatusOr<HttpKubeClient::Reply> HttpKubeClient::SendOnce(const Call& call) {
  std::unique_ptr<httplib::SSLClient> cli = Acquire();
  if (cli == nullptr) return InternalError("cannot set up TLS for " + config_.server);
  httplib::Request req;
  req.method = call.method;
  req.path = address_.base_path + call.target;
  req.headers = {{"Accept", "application/json"}, {"User-Agent", options_.user_agent}};
  if (std::string auth = Authorization(); !auth.empty()) req.headers.emplace("Authorization", auth);
  if (!call.body.empty()) {
    req.body = call.body;
    req.headers.emplace("Content-Type", call.content_type);
  }
  httplib::Result res = cli->send(req);
  if (!res) return UnavailableError(TransportError(res.error(), config_.server));
  Reply reply{res->status, res->body, res->get_header_value("Retry-After")};
  Release(std::move(cli));
  return reply;
}

StatusOr<json> HttpKubeClient::ParseBody(const Call& call, const std::string& body) {
  if (body.empty()) return json::object();
  json parsed = json::parse(body, nullptr, false);
  if (parsed.is_discarded()) {
    return InternalError("the API server sent a response that is not JSON for " + call.method +
                         " " + call.target);
  }
  return parsed;
}

std::chrono::milliseconds HttpKubeClient::RetryDelay(int attempt,
                                                     std::optional<std::chrono::seconds> hint) {
  double r = 0;
  if (options_.random) {
    r = options_.random();
  } else {
    std::lock_guard<std::mutex> lock(random_mu_);
    r = std::uniform_real_distribution<double>(0.0, 1.0)(prng_);
  }
  std::chrono::milliseconds delay = BackoffDelay(options_.backoff, attempt, r);
  if (hint)
    delay = std::max<std::chrono::milliseconds>(delay, std::min(*hint, options_.max_retry_after));
  return delay;
}

void HttpKubeClient::Sleep(std::chrono::milliseconds delay) {
  if (options_.sleep) {
    options_.sleep(delay);
  } else {
    std::this_thread::sleep_for(delay);
  }
}

StatusOr<json> HttpKubeClient::Do(const Call& call) {
  bool reauthenticated = false;
  int attempts = call.retry_safe ? std::max(1, options_.max_read_attempts) : 1;
  for (int attempt = 0;; ++attempt) {
    bool last = attempt + 1 >= attempts;
    StatusOr<Reply> reply = SendOnce(call);
    std::optional<std::chrono::seconds> hint;
    if (reply.ok()) {
      if (reply->status == 401 && !reauthenticated && tokens_.Invalidate()) {
        reauthenticated = true;  // the token file may have rotated since we read it
        --attempt;
        continue;
      }
      if (reply->status >= 200 && reply->status < 300) return ParseBody(call, reply->body);
      ApiError error = ParseApiError(reply->status, reply->body, reply->retry_after);
      if (last || (reply->status != 429 && reply->status != 503)) return ApiErrorToStatus(error);
      hint = error.retry_after;
    } else if (last) {
      return reply.status();
    }
    Sleep(RetryDelay(attempt, hint));
  }
}

StatusOr<json> HttpKubeClient::Get(const Gvr& gvr, const std::string& ns, const std::string& name) {
  if (name.empty()) return InvalidArgumentError("Get needs a name");
  return Do({"GET", ResourcePath(gvr, ns, name), "", "", true});
}

StatusOr<json> HttpKubeClient::List(const Gvr& gvr, const ListOptions& options) {
  return Do({"GET", ListTarget(gvr, options), "", "", true});
}

StatusOr<json> HttpKubeClient::Create(const Gvr& gvr, const std::string& ns, const json& object) {
  return Do({"POST", ResourcePath(gvr, ns), Serialize(object), "application/json", false});
}

StatusOr<json> HttpKubeClient::Put(const Gvr& gvr, const std::string& ns, const json& object,
                                   const std::string& subresource) {
  MGW_ASSIGN_OR_RETURN(std::string name, NameOf(object));
  return Do({"PUT", ResourcePath(gvr, ns, name, subresource), Serialize(object), "application/json",
             false});
}

StatusOr<json> HttpKubeClient::Update(const Gvr& gvr, const std::string& ns, const json& object) {
  return Put(gvr, ns, object, "");
}

StatusOr<json> HttpKubeClient::UpdateStatus(const Gvr& gvr, const std::string& ns,
                                            const json& object) {
  return Put(gvr, ns, object, "status");
}

StatusOr<json> HttpKubeClient::Patch(const Gvr& gvr, const std::string& ns, const std::string& name,
                                     PatchType type, const json& patch,
                                     const std::string& subresource) {
  if (name.empty()) return InvalidArgumentError("Patch needs a name");
  return Do({"PATCH", ResourcePath(gvr, ns, name, subresource), Serialize(patch),
             std::string(PatchContentType(type)), false});
}

StatusOr<json> HttpKubeClient::Delete(const Gvr& gvr, const std::string& ns,
                                      const std::string& name, const DeleteOptions& options) {
  if (name.empty()) return InvalidArgumentError("Delete needs a name");
  json body = DeleteOptionsBody(options);
  return Do({"DELETE", ResourcePath(gvr, ns, name), body.is_null() ? "" : Serialize(body),
             "application/json", false});
}

Status HttpKubeClient::Watch(const Gvr& gvr, const WatchOptions& options, const WatchSink& sink,
                             std::stop_token stop) {
  if (stop.stop_requested()) return Status();
  std::unique_ptr<httplib::SSLClient> cli = NewConnection(options.timeout + options_.watch_grace);
  if (cli == nullptr) return InternalError("cannot set up TLS for " + config_.server);
  WatchReader reader(sink);
  // A stop that lands before the socket exists is caught when it is created; one that
  // lands later shuts the live socket down (httplib serialises both on its socket lock).
  cli->set_socket_options([&reader](socket_t fd) {
    SetKeepAlive(fd);
    if (reader.stopped) ::shutdown(fd, SHUT_RDWR);
  });
  std::stop_callback on_stop(stop, [&reader, &cli] {
    reader.stopped = true;
    cli->stop();
  });
  httplib::Headers headers = {{"Accept", "application/json"}, {"User-Agent", options_.user_agent}};
  if (std::string auth = Authorization(); !auth.empty()) headers.emplace("Authorization", auth);
  httplib::Result res = cli->Get(
      address_.base_path + WatchTarget(gvr, options), headers,
      [&reader](const httplib::Response& r) { return reader.OnResponse(r); },
      [&reader](const char* data, size_t size) { return reader.OnData(data, size); });
  if (reader.http_status() == 401) tokens_.Invalidate();  // re-read a rotated token next time
  return reader.Outcome(res, config_.server);
}

}  // namespace mgw
