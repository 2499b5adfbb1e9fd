// A real SFTP server on loopback for the upload tests: test/support/sftp_test_server.py
// (python3-asyncssh) started in a fresh temporary directory, with a fresh host key,
// one user and password, optional faults and an optional HTTP CONNECT proxy (plain or
// TLS). Stopped and its directory removed when the object goes. Not thread-safe.
#ifndef MGW_TEST_SFTP_TEST_SERVER_H_
#define MGW_TEST_SFTP_TEST_SERVER_H_

#include <cstdint>
#include <map>
#include <string>

#include <sys/types.h>

namespace mgw::testing {

struct SftpServerOptions {
  uint64_t drop_after_bytes = 0;  // > 0: drop the connection once after this many bytes
  std::string open_error{};       // an errno name: every file open fails with it
  std::string write_error{};      // an errno name: every file write fails with it
  bool proxy = false;             // also run a CONNECT proxy
  std::string proxy_auth{};       // "user:pass" the proxy demands; empty: none
  std::string proxy_cert_file{};  // PEM files: the proxy speaks TLS (an https:// proxy)
  std::string proxy_key_file{};
};

class SftpTestServer {
 public:
  static constexpr const char* kUser = "case-user";
  static constexpr const char* kPassword = "pa55-w0rd-Secret";

  // Starts the server; aborts the test binary (ADD_FAILURE + empty ports) if it fails.
  explicit SftpTestServer(const SftpServerOptions& options = {});
  ~SftpTestServer();
  SftpTestServer(const SftpTestServer&) = delete;
  SftpTestServer& operator=(const SftpTestServer&) = delete;

  uint16_t port() const { return port_; }
  uint16_t proxy_port() const { return proxy_port_; }
  const std::string& dir() const { return dir_; }      // scratch space for the test, too
  std::string root() const { return dir_ + "/root"; }  // the server's files
  // A known_hosts line for this server with its own key, or with a key it does not use.
  std::string KnownHostsLine() const;
  std::string WrongKnownHostsLine() const;
  // The CONNECT lines the proxy saw, one per tunnel.
  std::string ProxyLog() const;
  // `path` downloaded from the server over SFTP (its own libssh session).
  std::string Download(const std::string& path) const;

 private:
  void Start(const SftpServerOptions& options);

  std::string dir_;
  pid_t pid_ = -1;
  uint16_t port_ = 0;
  uint16_t proxy_port_ = 0;
};

// Every entry of a gzip'd tar: path to content ("<dir>" for a directory).
std::map<std::string, std::string> TarGzEntries(const std::string& bytes);

// Every entry under `dir` as TarGzEntries would list it when archived under `top`.
std::map<std::string, std::string> TreeEntries(const std::string& dir, const std::string& top);

}  // namespace mgw::testing

#endif  // MGW_TEST_SFTP_TEST_SERVER_H_
