#include "support/fake_apiserver.h"

#include <stdexcept>

#include <httplib.h>

#include "mgw/base/json_patch.h"

namespace mgw::testing {
namespace {

using nlohmann::json;

constexpr auto kStartTimeout = std::chrono::seconds(10);

std::vector<std::string> Segments(const std::string& path) {
  std::vector<std::string> out;
  size_t start = 1;
  while (start <= path.size()) {
    size_t end = path.find('/', start);
    if (end == std::string::npos) end = path.size();
    out.push_back(path.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

std::string ReasonFor(int status) {
  switch (status) {
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "NotFound";
    case 409:
      return "Conflict";
    case 429:
      return "TooManyRequests";
    case 503:
      return "ServiceUnavailable";
    case 504:
      return "Timeout";
    default:
      return status >= 500 ? "InternalError" : "BadRequest";
  }
}

}  // namespace

namespace {

std::optional<std::pair<std::string, std::vector<std::string>>> SplitApi(const std::string& path) {
  std::vector<std::string> seg = Segments(path);
  if (seg.size() >= 2 && seg[0] == "api") return {{seg[1], {seg.begin() + 2, seg.end()}}};
  if (seg.size() >= 3 && seg[0] == "apis") {
    return {{seg[1] + "/" + seg[2], {seg.begin() + 3, seg.end()}}};
  }
  return std::nullopt;
}

}  // namespace

std::string FakeResourceId(const Gvr& gvr) {
  return (gvr.group.empty() ? "" : gvr.group + "/") + gvr.version + "/" + gvr.resource;
}

FakeApiServer::FakeApiServer(FakeApiServerOptions options)
    : ca_(TestCa::CreateRoot()), options_(std::move(options)) {
  Credential cred = ca_.IssueServer(options_.server_cert);
  std::string cert = dir_.Write("tls.crt", cred.cert_pem);
  std::string key = dir_.Write("tls.key", cred.key_pem);
  std::string ca = dir_.Write("ca.crt", ca_.cert_pem());
  server_ = std::make_unique<httplib::SSLServer>(
      cert.c_str(), key.c_str(), options_.require_client_cert ? ca.c_str() : nullptr);
  if (!server_->is_valid()) throw std::runtime_error("fake apiserver: TLS setup failed");
  server_->new_task_queue = [] { return new httplib::ThreadPool(32); };
  server_->set_tcp_nodelay(true);
  auto handler = [this](const httplib::Request& req, httplib::Response& res) { Handle(req, res); };
  server_->Get(".*", handler).Post(".*", handler).Put(".*", handler);
  server_->Patch(".*", handler).Delete(".*", handler);
  port_ = server_->bind_to_any_port("127.0.0.1");
  if (port_ <= 0) throw std::runtime_error("fake apiserver: cannot bind");
  thread_ = std::thread([this] { server_->listen_after_bind(); });
  auto deadline = std::chrono::steady_clock::now() + kStartTimeout;
  while (!server_->is_running()) {
    if (std::chrono::steady_clock::now() > deadline) {
      throw std::runtime_error("fake apiserver: did not start");
    }
    std::this_thread::yield();
  }
}

FakeApiServer::~FakeApiServer() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    shutting_down_ = true;
  }
  cv_.notify_all();
  server_->stop();
  if (thread_.joinable()) thread_.join();
}

KubeConfig FakeApiServer::Config(const std::string& token) const {
  KubeConfig config;
  config.server = "https://127.0.0.1:" + std::to_string(port_);
  config.ca_pem = ca_.cert_pem();
  config.token = token;
  config.source = "fake apiserver";
  return config;
}

std::string FakeApiServer::WriteKubeconfig(const TempDir& dir) const {
  return dir.Write("kubeconfig",
                   "apiVersion: v1\nkind: Config\ncurrent-context: fake\n"
                   "contexts:\n- name: fake\n  context: {cluster: c, user: u}\n"
                   "clusters:\n- name: c\n  cluster:\n    server: " +
                       Config().server +
                       "\n    certificate-authority-data: " + Base64Encode(ca_.cert_pem()) +
                       "\nusers:\n- name: u\n  user: {token: t0k}\n");
}

json FakeApiServer::Apply(const Gvr& gvr, const json& object) {
  std::string resource = FakeResourceId(gvr);
  json meta = object.value("metadata", json::object());
  std::string ns = meta.value("namespace", ""), name = meta.value("name", "");
  json body = object;
  body["metadata"].erase("resourceVersion");
  std::lock_guard<std::mutex> lock(mu_);
  bool exists = store_.Get(resource, ns, name).status == 200;
  FakeReply reply =
      exists ? store_.Update(resource, ns, name, body, false) : store_.Create(resource, ns, body);
  if (reply.status < 300 && object.contains("status")) {
    reply = store_.Update(resource, ns, name, body, true);
  }
  if (reply.status >= 300) throw std::runtime_error("fake apiserver Apply: " + reply.body.dump());
  cv_.notify_all();
  return reply.body;
}

bool FakeApiServer::Remove(const Gvr& gvr, const std::string& ns, const std::string& name) {
  std::lock_guard<std::mutex> lock(mu_);
  bool removed = store_.Delete(FakeResourceId(gvr), ns, name, json()).status == 200;
  cv_.notify_all();
  return removed;
}

std::optional<json> FakeApiServer::Object(const Gvr& gvr, const std::string& ns,
                                          const std::string& name) const {
  std::lock_guard<std::mutex> lock(mu_);
  FakeReply reply = store_.Get(FakeResourceId(gvr), ns, name);
  if (reply.status != 200) return std::nullopt;
  return reply.body;
}

int64_t FakeApiServer::ResourceVersion() const {
  std::lock_guard<std::mutex> lock(mu_);
  return store_.resource_version();
}

void FakeApiServer::SetValidator(const Gvr& gvr, FakeStore::Validator validator) {
  std::lock_guard<std::mutex> lock(mu_);
  store_.SetValidator(FakeResourceId(gvr), std::move(validator));
}

void FakeApiServer::SetBearerToken(std::string token) {
  std::lock_guard<std::mutex> lock(mu_);
  options_.bearer_token = std::move(token);
}

void FakeApiServer::FailNext(int count, int status, std::string method, int retry_after) {
  std::lock_guard<std::mutex> lock(mu_);
  fail_count_ = count;
  fail_status_ = status;
  fail_method_ = std::move(method);
  fail_retry_after_ = retry_after;
}

void FakeApiServer::DropWatches() {
  std::lock_guard<std::mutex> lock(mu_);
  for (auto& s : streams_) s->drop = true;
  cv_.notify_all();
}

void FakeApiServer::ExpireWatches() {
  std::lock_guard<std::mutex> lock(mu_);
  for (auto& s : streams_) s->expire = true;
  cv_.notify_all();
}

void FakeApiServer::SendBookmarks() {
  std::lock_guard<std::mutex> lock(mu_);
  for (auto& s : streams_) s->bookmark = true;
  cv_.notify_all();
}

void FakeApiServer::Compact() {
  std::lock_guard<std::mutex> lock(mu_);
  store_.Compact();
}

void FakeApiServer::SetLatency(std::chrono::milliseconds latency) {
  std::lock_guard<std::mutex> lock(mu_);
  latency_ = latency;
}

std::vector<FakeRequest> FakeApiServer::Requests() const {
  std::lock_guard<std::mutex> lock(mu_);
  return requests_;
}

int FakeApiServer::CountRequests(const std::string& method, bool watch) const {
  std::lock_guard<std::mutex> lock(mu_);
  int n = 0;
  for (const FakeRequest& r : requests_) {
    bool is_watch = r.params.count("watch") > 0;
    if (r.method == method && is_watch == watch) ++n;
  }
  return n;
}

int FakeApiServer::OpenWatches() const {
  std::lock_guard<std::mutex> lock(mu_);
  return static_cast<int>(streams_.size());
}

bool FakeApiServer::WaitForOpenWatches(int count, std::chrono::milliseconds timeout) const {
  std::unique_lock<std::mutex> lock(mu_);
  return cv_.wait_for(lock, timeout, [&] { return static_cast<int>(streams_.size()) >= count; });
}

FakeRequest FakeApiServer::Describe(const httplib::Request& req, int status) {
  FakeRequest r{req.method,
                req.path,
                {},
                req.get_header_value("Authorization"),
                req.get_header_value("Content-Type"),
                req.body,
                status};
  for (const auto& [key, value] : req.params) r.params[key] = value;
  return r;
}

void FakeApiServer::Record(const httplib::Request& req, int status) {
  FakeRequest r = Describe(req, status);
  std::lock_guard<std::mutex> lock(mu_);
  requests_.push_back(std::move(r));
}

void FakeApiServer::Reply(httplib::Response& res, const FakeReply& reply) {
  res.status = reply.status;
  res.set_content(reply.body.dump(), "application/json");
}

bool FakeApiServer::Authorized(const httplib::Request& req, httplib::Response& res) {
  std::string want;
  {
    std::lock_guard<std::mutex> lock(mu_);
    want = options_.bearer_token;
  }
  if (want.empty() || req.get_header_value("Authorization") == "Bearer " + want) return true;
  Reply(res, FakeError(401, "Unauthorized", "Unauthorized"));
  return false;
}

bool FakeApiServer::InjectFault(const httplib::Request& req, httplib::Response& res) {
  int status = 0, retry_after = 0;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (fail_count_ <= 0 || (!fail_method_.empty() && fail_method_ != req.method)) return false;
    --fail_count_;
    status = fail_status_;
    retry_after = fail_retry_after_;
  }
  Reply(res, FakeError(status, ReasonFor(status), "injected failure"));
  if (retry_after > 0) res.set_header("Retry-After", std::to_string(retry_after));
  return true;
}

void FakeApiServer::Handle(const httplib::Request& req, httplib::Response& res) {
  std::chrono::milliseconds latency;
  {
    std::lock_guard<std::mutex> lock(mu_);
    latency = latency_;
  }
  if (latency.count() > 0) std::this_thread::sleep_for(latency);  // simulated network delay
  if (!Authorized(req, res) || InjectFault(req, res)) return Record(req, res.status);
  auto api = SplitApi(req.path);
  std::vector<std::string> rest = api ? api->second : std::vector<std::string>();
  Route route;
  if (rest.size() >= 3 && rest[0] == "namespaces") {
    route.ns = rest[1];
    rest.erase(rest.begin(), rest.begin() + 2);
  }
  if (!api || rest.empty() || rest.size() > 3) {
    Reply(res, FakeError(404, "NotFound", "the server could not find the requested resource"));
    return Record(req, res.status);
  }
  route.resource = api->first + "/" + rest[0];
  if (rest.size() > 1) route.name = rest[1];
  if (rest.size() > 2) route.sub = rest[2];
  std::string watch = req.get_param_value("watch");
  if (req.method == "GET" && route.name.empty() && (watch == "1" || watch == "true")) {
    return ServeWatch(route, req, res);
  }
  json body = req.body.empty() ? json() : json::parse(req.body, nullptr, false);
  bool status = route.sub == "status";
  FakeReply reply;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (body.is_discarded() && req.method != "PATCH") {
      reply = FakeError(400, "BadRequest", "the request body is not JSON");
    } else if (req.method == "GET" && route.name.empty()) {
      FakeSelector sel{route.resource, route.ns, req.get_param_value("fieldSelector"),
                       req.get_param_value("labelSelector")};
      std::string limit = req.get_param_value("limit");
      reply =
          store_.List(sel, limit.empty() ? 0 : std::stoll(limit), req.get_param_value("continue"));
    } else if (req.method == "GET") {
      reply = store_.Get(route.resource, route.ns, route.name);
    } else if (req.method == "POST" && route.name.empty()) {
      reply = store_.Create(route.resource, route.ns, body);
    } else if (req.method == "PUT") {
      reply = store_.Update(route.resource, route.ns, route.name, body, status);
    } else if (req.method == "PATCH") {
      reply = store_.Patch(route.resource, route.ns, route.name,
                           req.get_header_value("Content-Type"), req.body, status);
    } else if (req.method == "DELETE") {
      reply = store_.Delete(route.resource, route.ns, route.name, body);
    } else {
      reply = FakeError(405, "MethodNotAllowed", "the server does not allow this method");
    }
  }
  cv_.notify_all();
  Reply(res, reply);
  Record(req, res.status);
}

EnvLookup MapEnv(std::map<std::string, std::string> vars) {
  return [vars = std::move(vars)](std::string_view name) -> std::optional<std::string> {
    auto it = vars.find(std::string(name));
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

}  // namespace mgw::testing
