// How to reach the Kubernetes API server: where it is, which CAs to trust and which
// credentials to present, taken from the pod's service account (in-cluster) or from a
// kubeconfig file (config_discovery.h picks one). The environment and the filesystem are
// reached through injectable readers so tests are hermetic. KubeConfig is a value;
// TokenSource is thread-safe.
#ifndef MGW_KUBE_KUBE_CONFIG_H_
#define MGW_KUBE_KUBE_CONFIG_H_

#include <chrono>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "mgw/base/clock.h"
#include "mgw/base/env.h"
#include "mgw/base/file.h"
#include "mgw/base/status.h"

namespace mgw {

inline constexpr std::string_view kServiceAccountDir =
    "/var/run/secrets/kubernetes.io/serviceaccount";

struct KubeConfig {
  std::string server;  // "https://host[:port][/prefix]"
  std::string ca_pem;  // trust anchors; empty means the system's default roots
  std::string token;   // a bearer token, when it does not come from a file
  // A bearer token file, re-read as it rotates; takes precedence over `token`.
  std::string token_file;
  std::string client_cert_pem;  // with client_key_pem: TLS client authentication
  std::string client_key_pem;
  std::string default_namespace;  // the pod's namespace, or the context's
  std::string source;             // where this came from, for messages and logs
};

// The pod's service account: KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT,
// <dir>/token (named in token_file, so rotations are picked up) and <dir>/ca.crt.
// FAILED_PRECONDITION naming the variable or file that is missing or empty.
StatusOr<KubeConfig> LoadInClusterConfig(const EnvLookup& env, const FileReader& files,
                                         std::string_view dir = kServiceAccountDir);

// An API server URL split for an HTTP client.
struct ServerAddress {
  std::string host;       // without IPv6 brackets
  int port = 443;         // 443 when the URL has none
  std::string base_path;  // "" or a prefix such as "/k8s/clusters/c1", no trailing '/'
};

// Parses "https://host[:port][/prefix]" (IPv6 hosts in brackets). INVALID_ARGUMENT for
// another scheme (plain http included), an empty host, a bad port, or a query/fragment.
StatusOr<ServerAddress> ParseServerUrl(std::string_view url);

// The bearer token to send, re-reading a token file at most every `refresh` (bound
// service-account tokens rotate about hourly; the kubelet rewrites the file well
// before expiry). A failed re-read keeps the last good token.
class TokenSource {
 public:
  TokenSource(const KubeConfig& config, FileReader files, SteadyClock clock = nullptr,
              std::chrono::seconds refresh = std::chrono::seconds(60));

  // The current token, "" when the configuration has none (or the file was never
  // readable). Surrounding whitespace in a token file is dropped.
  std::string Token();

  // Makes the next Token() re-read the file, e.g. after the server answered 401.
  // Returns false when there is no file to re-read.
  bool Invalidate();

 private:
  const std::string static_token_;
  const std::string token_file_;
  const FileReader files_;
  const SteadyClock clock_;
  const std::chrono::seconds refresh_;
  std::mutex mu_;
  std::string token_;
  std::optional<std::chrono::steady_clock::time_point> read_at_;
};

}  // namespace mgw

#endif  // MGW_KUBE_KUBE_CONFIG_H_
