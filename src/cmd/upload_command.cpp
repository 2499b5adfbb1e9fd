#include "mgw/cmd/upload_command.h"

#include <csignal>
#include <filesystem>
#include <iostream>
#include <optional>

#include "mgw/base/file.h"
#include "mgw/base/quote.h"
#include "mgw/platform/command_support.h"
#include "mgw/platform/logging.h"
#include "mgw/upload/proxy_url.h"
#include "mgw/upload/upload_target.h"

namespace mgw {
namespace {

constexpr const char* kSynopsis =
    "--source DIR --case-id ID --host HOST[:PORT] --credentials-dir DIR [--internal-user]\n"
    "    [--name-prefix PREFIX] [--known-hosts FILE] [--proxy URL] [--proxy-ca FILE]\n"
    "    [--log-format json|text]";
constexpr const char* kEpilogue =
    "Exit status: 0 uploaded, 1 the upload failed (the log says what failed), 2 bad flags or\n"
    "configuration.\n";

FlagSet UploadFlags() {
  FlagSet f("upload",
            "Stream DIR as a gzip'd tar (entries under must-gather/) to a support case's SFTP\n"
            "server as <case-id>_<name-prefix>.tar.gz, written under a temporary name and\n"
            "renamed when complete. Dropped or refused connections are retried with backoff.",
            kSynopsis, kEpilogue);
  f.Add({"source", "", "", "The directory to upload.", false, "", false, true});
  f.Add({"case-id", "", "", "The support case: 1 to 64 letters, digits or '-'.", false, "", false,
         true});
  f.Add({"host", "", "sftp.access.redhat.com", "The SFTP server, HOST or HOST:PORT (port 22)."});
  f.Add({"credentials-dir", "", "",
         "The mounted Secret: files username, password and optionally known_hosts.", false, "",
         false, true});
  f.Add({"internal-user", "", "false", "Write under <username>/ on the server.", true});
  f.Add({"name-prefix", "", "", "The file name after '<case-id>_' (e.g. the run directory)."});
  f.Add({"known-hosts", "", "",
         "An OpenSSH known_hosts file; an unknown or changed host key is refused. Default: "
         "known_hosts in --credentials-dir when present, else the key is logged and accepted."});
  f.Add({"proxy", "HTTPS_PROXY", "",
         "An http:// or https:// proxy to tunnel through (CONNECT). Unset: https_proxy, "
         "HTTP_PROXY, http_proxy. NO_PROXY (or no_proxy) exempts the host."});
  f.Add({"proxy-ca", "MGW_PROXY_CA_FILE", "",
         "PEM CA certificates an https:// proxy's certificate must chain to. Default: the "
         "system's trust store (SSL_CERT_FILE honoured)."});
  f.Add({"attempts", "MGW_UPLOAD_ATTEMPTS", "4", "Tries in all before giving up (1-10)."});
  f.Add({"retry-delay-ms", "MGW_UPLOAD_RETRY_DELAY_MS", "2000",
         "The wait before the first retry; doubled for each further one, at most 30s."});
  f.Add({"progress-interval", "MGW_UPLOAD_PROGRESS_INTERVAL", "30",
         "Seconds between progress lines (1-3600)."});
  AddLoggingFlags(f);
  return f;
}

// A one-line secret file's content, trailing line ends dropped (a password may end in
// a space).
StatusOr<std::string> ReadSecretFile(const std::string& dir, const std::string& key) {
  std::string path = (std::filesystem::path(dir) / key).string();
  StatusOr<std::string> text = ReadFileToString(path);
  if (!text.ok()) {
    return Status(text.status().code(), "--credentials-dir: cannot read key " + QuoteJson(key) +
                                            ": " + text.status().message());
  }
  std::string value = std::move(text).value();
  while (!value.empty() && (value.back() == '\n' || value.back() == '\r')) {
    value.pop_back();
  }
  if (value.empty()) {
    return InvalidArgumentError("--credentials-dir: the file " + QuoteJson(path) + " is empty");
  }
  return value;
}

// --known-hosts, else a non-empty known_hosts in the credentials directory, else "".
StatusOr<std::string> ChooseKnownHosts(const FlagValues& v) {
  if (!v.Get("known-hosts").empty()) {
    MGW_RETURN_IF_ERROR(
        ReadFileToString(v.Get("known-hosts")).status().WithContext("--known-hosts"));
    return v.Get("known-hosts");
  }
  std::string path = (std::filesystem::path(v.Get("credentials-dir")) / "known_hosts").string();
  StatusOr<std::string> text = ReadFileToString(path);
  if (!text.ok() || text->find_first_not_of(" \t\r\n") == std::string::npos) return std::string();
  return path;
}

// The proxy to use for `host`, or nullopt: the flag (or HTTPS_PROXY), else the other
// spellings, unless NO_PROXY exempts the host.
StatusOr<std::optional<ProxyUrl>> ChooseProxy(const FlagValues& v, const EnvLookup& env,
                                              const std::string& host) {
  std::string url = v.Get("proxy");
  for (const char* name : {"https_proxy", "HTTP_PROXY", "http_proxy"}) {
    if (url.empty()) url = EnvValue(env, name);
  }
  if (url.empty()) return std::optional<ProxyUrl>();
  std::string no_proxy = EnvValue(env, "NO_PROXY");
  if (no_proxy.empty()) no_proxy = EnvValue(env, "no_proxy");
  if (NoProxyMatches(no_proxy, host)) return std::optional<ProxyUrl>();
  StatusOr<ProxyUrl> proxy = ParseProxyUrl(url);
  if (!proxy.ok()) return proxy.status().WithContext("--proxy");
  return std::optional<ProxyUrl>(*proxy);
}

Status CheckSource(const std::string& dir) {
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec)) {
    return InvalidArgumentError("--source " + QuoteJson(dir) + " is not a directory");
  }
  return Status::Ok();
}

Status CheckUsername(const std::string& username, bool internal_user) {
  if (!internal_user || username.find('/') == std::string::npos) return Status::Ok();
  return InvalidArgumentError("--internal-user: the username " + QuoteJson(username) +
                              " cannot name a directory (it contains '/')");
}

Status FillRetry(const FlagValues& v, UploadRequest& r) {
  MGW_ASSIGN_OR_RETURN(int64_t attempts, v.GetInt("attempts", 1, 10));
  MGW_ASSIGN_OR_RETURN(int64_t delay_ms, v.GetInt("retry-delay-ms", 0, 30000));
  MGW_ASSIGN_OR_RETURN(int64_t progress_s, v.GetInt("progress-interval", 1, 3600));
  r.retry.max_attempts = static_cast<int>(attempts);
  r.retry.first_delay = std::chrono::milliseconds(delay_ms);
  r.progress_interval = std::chrono::seconds(progress_s);
  return Status::Ok();
}

}  // namespace

StatusOr<UploadRequest> UploadRequestFrom(const FlagValues& v, const EnvLookup& env) {
  MGW_RETURN_IF_ERROR(CheckCaseId(v.Get("case-id")).WithContext("--case-id"));
  MGW_RETURN_IF_ERROR(CheckNamePrefix(v.Get("name-prefix")).WithContext("--name-prefix"));
  MGW_RETURN_IF_ERROR(CheckSource(v.Get("source")));
  StatusOr<HostAndPort> server = ParseHostPort(v.Get("host"), kDefaultSftpPort);
  if (!server.ok()) return server.status().WithContext("--host");
  UploadRequest r;
  r.source_dir = v.Get("source");
  r.login.host = server->host;
  r.login.port = server->port;
  MGW_ASSIGN_OR_RETURN(r.login.username, ReadSecretFile(v.Get("credentials-dir"), "username"));
  MGW_ASSIGN_OR_RETURN(r.login.password, ReadSecretFile(v.Get("credentials-dir"), "password"));
  MGW_RETURN_IF_ERROR(CheckUsername(r.login.username, v.GetBool("internal-user")));
  MGW_ASSIGN_OR_RETURN(r.login.known_hosts, ChooseKnownHosts(v));
  MGW_ASSIGN_OR_RETURN(r.proxy, ChooseProxy(v, env, r.login.host));
  r.proxy_ca_file = v.Get("proxy-ca");
  if (!r.proxy_ca_file.empty()) {
    MGW_RETURN_IF_ERROR(ReadFileToString(r.proxy_ca_file).status().WithContext("--proxy-ca"));
  }
  MGW_RETURN_IF_ERROR(FillRetry(v, r));
  r.remote_name = RemoteFileName(v.Get("case-id"), v.Get("name-prefix"), r.login.username,
                                 v.GetBool("internal-user"));
  return r;
}

int UploadMain(const std::vector<std::string>& args, const EnvLookup& env, std::ostream& out,
               std::ostream& err) {
  FlagSet flags = UploadFlags();
  std::variant<FlagValues, int> parsed = ParseCommandLine(flags, args, env, out, err);
  if (const int* code = std::get_if<int>(&parsed)) return *code;
  const FlagValues& v = std::get<FlagValues>(parsed);
  if (!v.positional.empty()) {
    err << "error: unexpected argument " << QuoteJson(v.positional[0]) << "\n";
    return 2;
  }
  Status logging = ConfigureLoggingFrom(v);
  StatusOr<UploadRequest> request =
      logging.ok() ? UploadRequestFrom(v, env) : StatusOr<UploadRequest>(logging);
  if (!request.ok()) {
    err << "error: " << request.status().message() << "\n";
    return 2;
  }
  // A server that drops the connection must end in a Status, not in SIGPIPE.
  signal(SIGPIPE, SIG_IGN);
  StatusOr<uint64_t> sent = UploadDirectory(*request);
  if (!sent.ok()) {
    LogEvent(spdlog::level::err, "upload failed",
             {{"file", request->remote_name}, {"error", sent.status().message()}});
    return 1;
  }
  LogEvent(spdlog::level::info, "uploaded", {{"file", request->remote_name}, {"bytes", *sent}});
  return 0;
}

}  // namespace mgw
