// KubeClient over HTTPS (cpp-httplib + OpenSSL). The server certificate is verified
// against the configured CA (or the system roots when none is given) and the
// server's host name or IP, with TLS 1.2 at least. Credentials: a bearer token,
// re-read from its file as it rotates, and/or a client certificate.
//
// Ordinary requests share a small pool of keep-alive connections; each watch has a
// connection of its own, closed promptly when its stop token fires. GET and LIST are
// retried with capped, jittered backoff on 429, 503 and transport failures (honouring
// Retry-After up to a cap); writes are not retried, since the caller must re-read and
// decide, except once after a 401 when the token file may have rotated (a 401 means
// the request was not processed). Thread-safe.
#ifndef MGW_KUBE_HTTP_KUBE_CLIENT_H_
#define MGW_KUBE_HTTP_KUBE_CLIENT_H_

#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <vector>

#include "mgw/kube/kube_client.h"
#include "mgw/kube/kube_config.h"

namespace httplib {
class SSLClient;
}  // namespace httplib

namespace mgw {

struct HttpKubeClientOptions {
  FileReader files;         // reads the token file; DiskFileReader() when null
  SteadyClock token_clock;  // when to re-read the token file; steady_clock when null
  // Waits between retries; std::this_thread::sleep_for when null. Tests record instead.
  std::function<void(std::chrono::milliseconds)> sleep;
  std::function<double()> random;  // uniform in [0, 1) for jitter; a seeded PRNG when null
  BackoffPolicy backoff;
  int max_read_attempts = 5;  // GET/LIST tries in all, the first included
  std::chrono::seconds max_retry_after{30};
  std::chrono::seconds connect_timeout{5};
  std::chrono::seconds request_timeout{30};  // read/write timeout of ordinary requests
  // How long a watch may stay silent before it counts as broken, beyond the timeout
  // the server was asked to end it at (or alone, when none was asked).
  std::chrono::seconds watch_grace{60};
  std::string user_agent = "mustgather-webhook";
};

struct TlsMaterial;  // parsed CA and client certificate, shared by all connections

class HttpKubeClient : public KubeClient {
 public:
  // Checks and parses `config` now: INVALID_ARGUMENT for a bad server URL, CA PEM that
  // holds no certificate, or a client certificate/key that does not parse or match.
  static StatusOr<std::unique_ptr<HttpKubeClient>> Create(KubeConfig config,
                                                          HttpKubeClientOptions options = {});
  ~HttpKubeClient() override;

  StatusOr<nlohmann::json> Get(const Gvr& gvr, const std::string& ns,
                               const std::string& name) override;
  StatusOr<nlohmann::json> List(const Gvr& gvr, const ListOptions& options) override;
  Status Watch(const Gvr& gvr, const WatchOptions& options, const WatchSink& sink,
               std::stop_token stop) override;
  StatusOr<nlohmann::json> Create(const Gvr& gvr, const std::string& ns,
                                  const nlohmann::json& object) override;
  StatusOr<nlohmann::json> Update(const Gvr& gvr, const std::string& ns,
                                  const nlohmann::json& object) override;
  StatusOr<nlohmann::json> UpdateStatus(const Gvr& gvr, const std::string& ns,
                                        const nlohmann::json& object) override;
  StatusOr<nlohmann::json> Patch(const Gvr& gvr, const std::string& ns, const std::string& name,
                                 PatchType type, const nlohmann::json& patch,
                                 const std::string& subresource) override;
  StatusOr<nlohmann::json> Delete(const Gvr& gvr, const std::string& ns, const std::string& name,
                                  const DeleteOptions& options) override;

  // Where requests go, e.g. "https://10.0.0.1:443", for logs.
  const std::string& server() const { return config_.server; }

 private:
  struct Call;
  struct Reply;

  HttpKubeClient(KubeConfig config, HttpKubeClientOptions options, ServerAddress address,
                 std::shared_ptr<const TlsMaterial> tls);
  std::unique_ptr<httplib::SSLClient> NewConnection(std::chrono::seconds read_timeout) const;
  std::unique_ptr<httplib::SSLClient> Acquire();
  void Release(std::unique_ptr<httplib::SSLClient> connection);
  StatusOr<Reply> SendOnce(const Call& call);
  StatusOr<nlohmann::json> Do(const Call& call);
  static StatusOr<nlohmann::json> ParseBody(const Call& call, const std::string& body);
  void Sleep(std::chrono::milliseconds delay);
  StatusOr<nlohmann::json> Put(const Gvr& gvr, const std::string& ns, const nlohmann::json& object,
                               const std::string& subresource);
  std::chrono::milliseconds RetryDelay(int attempt, std::optional<std::chrono::seconds> hint);
  std::string Authorization();

  const KubeConfig config_;
  const HttpKubeClientOptions options_;
  const ServerAddress address_;
  const std::shared_ptr<const TlsMaterial> tls_;
  TokenSource tokens_;
  std::mutex pool_mu_;
  std::vector<std::unique_ptr<httplib::SSLClient>> idle_;
  std::mutex random_mu_;
  std::mt19937_64 prng_;
};

}  // namespace mgw

#endif  // MGW_KUBE_HTTP_KUBE_CLIENT_H_
