#include "mgw/kube/kube_config.h"

#include <cstdlib>

#include "mgw/base/number.h"

namespace mgw {
namespace {

std::string Trim(std::string_view s) {
  size_t begin = s.find_first_not_of(" \t\r\n");
  if (begin == std::string_view::npos) return "";
  size_t end = s.find_last_not_of(" \t\r\n");
  return std::string(s.substr(begin, end - begin + 1));
}

bool IsPort(std::string_view text) { return ParseDecimal(text, 1, 65535).has_value(); }

// Reads a required, non-empty file of the service-account directory.
StatusOr<std::string> ReadRequired(const FileReader& files, const std::string& path,
                                   std::string_view what) {
  StatusOr<std::string> text = files(path);
  if (!text.ok()) {
    return FailedPreconditionError("in-cluster config: cannot read the " + std::string(what) +
                                   " at " + path + ": " + text.status().message());
  }
  if (Trim(*text).empty()) {
    return FailedPreconditionError("in-cluster config: the " + std::string(what) + " at " + path +
                                   " is empty");
  }
  return text;
}

}  // namespace

StatusOr<KubeConfig> LoadInClusterConfig(const EnvLookup& env, const FileReader& files,
                                         std::string_view dir) {
  std::string host = EnvValue(env, "KUBERNETES_SERVICE_HOST");
  std::string port = EnvValue(env, "KUBERNETES_SERVICE_PORT");
  if (host.empty() || port.empty()) {
    return FailedPreconditionError(
        "in-cluster config: KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT must both be "
        "set (they are, inside a pod)");
  }
  if (!IsPort(port)) {
    return FailedPreconditionError("in-cluster config: KUBERNETES_SERVICE_PORT \"" + port +
                                   "\" is not a port number");
  }
  KubeConfig config;
  bool ipv6 = host.find(':') != std::string::npos;
  config.server = "https://" + (ipv6 ? "[" + host + "]" : host) + ":" + port;
  std::string base(dir);
  config.token_file = base + "/token";
  MGW_RETURN_IF_ERROR(ReadRequired(files, config.token_file, "service-account token").status());
  MGW_ASSIGN_OR_RETURN(config.ca_pem, ReadRequired(files, base + "/ca.crt", "cluster CA"));
  StatusOr<std::string> ns = files(base + "/namespace");
  if (ns.ok()) config.default_namespace = Trim(*ns);
  config.source = "in-cluster service account";
  return config;
}

StatusOr<ServerAddress> ParseServerUrl(std::string_view url) {
  constexpr std::string_view kScheme = "https://";
  auto bad = [&](std::string why) {
    return InvalidArgumentError("server URL \"" + std::string(url) + "\": " + why);
  };
  if (url.substr(0, kScheme.size()) != kScheme) {
    return bad("only https:// is supported (the API server must be reached over TLS)");
  }
  if (url.find_first_of("?#") != url.npos) return bad("a query or fragment is not allowed");
  std::string_view rest = url.substr(kScheme.size());
  size_t slash = rest.find('/');
  std::string_view authority = rest.substr(0, slash);
  ServerAddress out;
  if (slash != rest.npos) out.base_path = std::string(rest.substr(slash));
  while (!out.base_path.empty() && out.base_path.back() == '/') out.base_path.pop_back();
  std::string_view port;
  if (!authority.empty() && authority.front() == '[') {
    size_t close = authority.find(']');
    if (close == authority.npos) return bad("unterminated IPv6 address");
    out.host = std::string(authority.substr(1, close - 1));
    std::string_view after = authority.substr(close + 1);
    if (!after.empty() && after.front() != ':') return bad("junk after the IPv6 address");
    if (!after.empty()) port = after.substr(1);
    if (after == ":") return bad("empty port");
  } else {
    size_t colon = authority.find(':');
    out.host = std::string(authority.substr(0, colon));
    if (colon != authority.npos) {
      port = authority.substr(colon + 1);
      if (port.empty()) return bad("empty port");
    }
  }
  if (out.host.empty()) return bad("no host");
  if (!port.empty()) {
    std::optional<int64_t> number = ParseDecimal(port, 1, 65535);
    if (!number) return bad("bad port \"" + std::string(port) + "\"");
    out.port = static_cast<int>(*number);
  }
  return out;
}

TokenSource::TokenSource(const KubeConfig& config, FileReader files, SteadyClock clock,
                         std::chrono::seconds refresh)
    : static_token_(Trim(config.token)),
      token_file_(config.token_file),
      files_(std::move(files)),
      clock_(std::move(clock)),
      refresh_(refresh),
      token_(static_token_) {}

std::string TokenSource::Token() {
  std::lock_guard<std::mutex> lock(mu_);
  if (token_file_.empty()) return token_;
  auto now = SteadyNow(clock_);
  if (read_at_ && now - *read_at_ < refresh_) return token_;
  read_at_ = now;
  StatusOr<std::string> text = files_(token_file_);
  if (text.ok() && !Trim(*text).empty()) token_ = Trim(*text);
  return token_;
}

bool TokenSource::Invalidate() {
  std::lock_guard<std::mutex> lock(mu_);
  if (token_file_.empty()) return false;
  read_at_.reset();
  return true;
}

}  // namespace mgw
