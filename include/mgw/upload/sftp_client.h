// One SFTP session (libssh) over a socket the caller opened (straight to the server,
// or through a proxy tunnel): host key check, password login, and the few file
// operations an upload needs. Every failure is a Status from sftp_status. Not
// thread-safe; one upload at a time per session.
#ifndef MGW_UPLOAD_SFTP_CLIENT_H_
#define MGW_UPLOAD_SFTP_CLIENT_H_

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "mgw/base/status.h"
#include "mgw/platform/logging.h"
#include "mgw/upload/tcp_connect.h"

namespace mgw {

struct SftpLogin {
  std::string host;  // as the known_hosts file names it
  uint16_t port = 22;
  std::string username;
  std::string password;
  std::string known_hosts{};                 // empty: accept and log the host key
  std::chrono::milliseconds timeout{60000};  // per network wait
};

class SftpClient {
 public:
  // Runs SSH over `socket`: key exchange, host key check, password login, SFTP
  // subsystem. The session owns the socket from here on.
  static StatusOr<std::unique_ptr<SftpClient>> Connect(const SftpLogin& login, Socket socket,
                                                       const LogFn& log = nullptr);
  ~SftpClient();
  SftpClient(const SftpClient&) = delete;
  SftpClient& operator=(const SftpClient&) = delete;

  // Creates or truncates `path` for writing; one file open at a time.
  Status OpenForWrite(const std::string& path);
  // Appends `bytes` to the open file.
  Status Write(std::string_view bytes);
  // Closes the open file; a close refused by the server is a failure (its data may
  // not be stored).
  Status CloseFile();
  // Renames `from` to `to`, replacing `to` if it exists.
  Status Rename(const std::string& from, const std::string& to);
  // Removes `path`; best effort, errors ignored.
  void RemoveQuietly(const std::string& path);

 private:
  struct Handles;
  explicit SftpClient(std::unique_ptr<Handles> handles);
  Status Failure(std::string_view action, std::string_view path) const;

  std::unique_ptr<Handles> h_;
  std::string open_path_;
};

}  // namespace mgw

#endif  // MGW_UPLOAD_SFTP_CLIENT_H_
