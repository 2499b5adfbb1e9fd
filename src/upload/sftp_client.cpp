#include "mgw/upload/sftp_client.h"

#include <algorithm>

#include <fcntl.h>
#include <libssh/libssh.h>
#include <libssh/sftp.h>

#include "mgw/upload/host_key.h"
#include "mgw/upload/sftp_status.h"

namespace mgw {

struct SftpClient::Handles {
  ssh_session session = nullptr;
  sftp_session sftp = nullptr;
  sftp_file file = nullptr;

  ~Handles() {
    if (file != nullptr) sftp_close(file);
    if (sftp != nullptr) sftp_free(sftp);
    if (session != nullptr) {
      if (ssh_is_connected(session) != 0) ssh_disconnect(session);
      ssh_free(session);  // closes the socket it was given
    }
  }
};

namespace {

// The data every SFTP server must accept in one write (draft-ietf-secsh-filexfer-02
// §3: 32768 bytes per packet); libssh 0.10 sends each sftp_write as one request.
constexpr size_t kMaxWriteBytes = size_t{32} * 1024;

std::string Server(const SftpLogin& login) { return login.host + ":" + std::to_string(login.port); }

Status Configure(ssh_session session, const SftpLogin& login, int fd) {
  long timeout_seconds = static_cast<long>((login.timeout.count() + 999) / 1000);
  unsigned int port = login.port;
  bool no = false;
  if (ssh_options_set(session, SSH_OPTIONS_PROCESS_CONFIG, &no) != SSH_OK ||
      ssh_options_set(session, SSH_OPTIONS_HOST, login.host.c_str()) != SSH_OK ||
      ssh_options_set(session, SSH_OPTIONS_PORT, &port) != SSH_OK ||
      ssh_options_set(session, SSH_OPTIONS_USER, login.username.c_str()) != SSH_OK ||
      ssh_options_set(session, SSH_OPTIONS_TIMEOUT, &timeout_seconds) != SSH_OK) {
    return InvalidArgumentError(std::string("libssh refused an option: ") + ssh_get_error(session));
  }
  MGW_RETURN_IF_ERROR(UseKnownHosts(session, login.known_hosts));
  if (ssh_options_set(session, SSH_OPTIONS_FD, &fd) != SSH_OK) {
    return InternalError("libssh refused the socket");
  }
  return Status::Ok();
}

Status Login(ssh_session session, const SftpLogin& login) {
  int rc = ssh_userauth_password(session, nullptr, login.password.c_str());
  if (rc == SSH_AUTH_SUCCESS) return Status::Ok();
  if (rc == SSH_AUTH_ERROR) {
    return SshSessionFailure("SSH login to " + Server(login), ssh_get_error(session));
  }
  return AuthenticationFailure(login.username, Server(login));
}

}  // namespace

SftpClient::SftpClient(std::unique_ptr<Handles> handles) : h_(std::move(handles)) {}
SftpClient::~SftpClient() = default;

StatusOr<std::unique_ptr<SftpClient>> SftpClient::Connect(const SftpLogin& login, Socket socket,
                                                          const LogFn& log) {
  auto h = std::make_unique<Handles>();
  h->session = ssh_new();
  if (h->session == nullptr) return InternalError("ssh_new failed");
  MGW_RETURN_IF_ERROR(Configure(h->session, login, socket.fd()));
  socket.Release();  // the session closes it now
  if (ssh_connect(h->session) != SSH_OK) {
    return SshSessionFailure("SSH handshake with " + Server(login), ssh_get_error(h->session));
  }
  MGW_RETURN_IF_ERROR(VerifyHostKey(h->session, Server(login), login.known_hosts, log));
  MGW_RETURN_IF_ERROR(Login(h->session, login));
  h->sftp = sftp_new(h->session);
  if (h->sftp == nullptr || sftp_init(h->sftp) != SSH_OK) {
    return SshSessionFailure("starting SFTP on " + Server(login), ssh_get_error(h->session));
  }
  return std::unique_ptr<SftpClient>(new SftpClient(std::move(h)));
}

Status SftpClient::Failure(std::string_view action, std::string_view path) const {
  bool connected = ssh_is_connected(h_->session) != 0;
  return SftpFailure(action, path, sftp_get_error(h_->sftp), ssh_get_error(h_->session), connected);
}

Status SftpClient::OpenForWrite(const std::string& path) {
  h_->file = sftp_open(h_->sftp, path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (h_->file == nullptr) return Failure("creating", path);
  open_path_ = path;
  return Status::Ok();
}

Status SftpClient::Write(std::string_view bytes) {
  while (!bytes.empty()) {
    ssize_t n = sftp_write(h_->file, bytes.data(), std::min(bytes.size(), kMaxWriteBytes));
    if (n <= 0) return Failure("writing", open_path_);
    bytes.remove_prefix(static_cast<size_t>(n));
  }
  return Status::Ok();
}

Status SftpClient::CloseFile() {
  int rc = sftp_close(h_->file);
  h_->file = nullptr;
  if (rc != SSH_OK) return Failure("closing", open_path_);
  return Status::Ok();
}

Status SftpClient::Rename(const std::string& from, const std::string& to) {
  // SFTP v3 refuses to rename onto an existing file; a rerun replaces its upload.
  sftp_unlink(h_->sftp, to.c_str());
  if (sftp_rename(h_->sftp, from.c_str(), to.c_str()) != SSH_OK) {
    return Failure("renaming " + from + " to", to);
  }
  return Status::Ok();
}

void SftpClient::RemoveQuietly(const std::string& path) {
  if (ssh_is_connected(h_->session) != 0) sftp_unlink(h_->sftp, path.c_str());
}

}  // namespace mgw
