#include "mgw/upload/uploader.h"

#include <thread>

#include "mgw/upload/connect_tunnel.h"
#include "mgw/upload/progress.h"
#include "mgw/upload/tar_stream.h"
#include "mgw/upload/tcp_connect.h"
#include "mgw/upload/upload_target.h"

namespace mgw {
namespace {

constexpr const char* kTopDirectory = "must-gather";

StatusOr<ProxyTunnel> OpenConnection(const UploadRequest& request) {
  const SftpLogin& login = request.login;
  if (request.proxy) {
    return OpenConnectTunnel(*request.proxy, login.host, login.port, login.timeout,
                             request.proxy_ca_file);
  }
  MGW_ASSIGN_OR_RETURN(Socket direct, TcpConnect(login.host, login.port, login.timeout));
  return ProxyTunnel{nullptr, std::move(direct)};
}

// Streams the archive into `temp` and renames it to the final name.
Status SendArchive(SftpClient& client, const UploadRequest& request, const std::string& temp,
                   ProgressLog& progress, const LogFn& log) {
  MGW_RETURN_IF_ERROR(client.OpenForWrite(temp));
  ByteSink sink = [&](std::string_view bytes) {
    MGW_RETURN_IF_ERROR(client.Write(bytes));
    progress.Add(bytes.size());
    return Status::Ok();
  };
  Status sent = WriteTarGz(request.source_dir, kTopDirectory, sink, log);
  if (sent.ok()) sent = client.CloseFile();
  if (sent.ok()) sent = client.Rename(temp, request.remote_name);
  if (!sent.ok()) client.RemoveQuietly(temp);
  return sent;
}

StatusOr<uint64_t> TryOnce(const UploadRequest& request, const UploadSeams& seams) {
  // Declared before the client, so the client closes its socket before a relay stops.
  MGW_ASSIGN_OR_RETURN(ProxyTunnel connection, OpenConnection(request));
  MGW_ASSIGN_OR_RETURN(std::unique_ptr<SftpClient> client,
                       SftpClient::Connect(request.login, std::move(connection.socket), seams.log));
  ProgressLog progress(request.remote_name, request.progress_interval, seams.clock, seams.log);
  MGW_RETURN_IF_ERROR(
      SendArchive(*client, request, TemporaryFileName(request.remote_name), progress, seams.log));
  progress.Finish();
  return progress.bytes();
}

void Wait(const UploadSeams& seams, std::chrono::milliseconds delay) {
  if (seams.sleep) {
    seams.sleep(delay);
  } else {
    std::this_thread::sleep_for(delay);
  }
}

}  // namespace

StatusOr<uint64_t> UploadDirectory(const UploadRequest& request, const UploadSeams& seams) {
  LogTo(seams.log, spdlog::level::info, "upload starting",
        {{"source", request.source_dir},
         {"server", request.login.host + ":" + std::to_string(request.login.port)},
         {"file", request.remote_name},
         {"proxy", request.proxy ? request.proxy->Redacted() : "none"}});
  for (int attempt = 1;; ++attempt) {
    StatusOr<uint64_t> sent = TryOnce(request, seams);
    if (sent.ok() || !request.retry.ShouldRetry(sent.status(), attempt)) return sent;
    std::chrono::milliseconds delay = request.retry.DelayBefore(attempt + 1);
    LogTo(seams.log, spdlog::level::warn, "upload try failed; retrying",
          {{"attempt", attempt},
           {"max_attempts", request.retry.max_attempts},
           {"error", sent.status().message()},
           {"retry_in_ms", delay.count()}});
    Wait(seams, delay);
  }
}

}  // namespace mgw
