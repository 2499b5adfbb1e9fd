#include "support/sftp_test_server.h"

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <vector>

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <libssh/libssh.h>
#include <libssh/sftp.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

namespace mgw::testing {
namespace {

namespace fs = std::filesystem;

std::string Slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string TrimLine(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  return text;
}

}  // namespace

SftpTestServer::SftpTestServer(const SftpServerOptions& options) { Start(options); }

void SftpTestServer::Start(const SftpServerOptions& options) {
  std::string templ = (fs::temp_directory_path() / "mgw-sftp-XXXXXX").string();
  dir_ = mkdtemp(templ.data());
  fs::create_directory(root());
  fs::create_directory(root() + "/" + kUser);  // the internal user's directory
  std::vector<std::string> args = {"/usr/bin/python3",
                                   "-W",
                                   "ignore",
                                   MGW_SOURCE_DIR "/test/support/sftp_test_server.py",
                                   "--dir",
                                   dir_,
                                   "--root",
                                   root(),
                                   "--user",
                                   kUser,
                                   "--password",
                                   kPassword,
                                   "--drop-after",
                                   std::to_string(options.drop_after_bytes)};
  if (!options.open_error.empty()) args.insert(args.end(), {"--open-error", options.open_error});
  if (!options.write_error.empty()) args.insert(args.end(), {"--write-error", options.write_error});
  if (options.proxy) args.emplace_back("--proxy");
  if (!options.proxy_auth.empty()) args.insert(args.end(), {"--proxy-auth", options.proxy_auth});
  if (!options.proxy_cert_file.empty()) {
    args.insert(args.end(),
                {"--proxy-cert", options.proxy_cert_file, "--proxy-key", options.proxy_key_file});
  }
  int out[2];
  ASSERT_EQ(pipe(out), 0);
  pid_ = fork();
  if (pid_ == 0) {
    dup2(out[1], STDOUT_FILENO);
    int err = open((dir_ + "/server.log").c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    dup2(err, STDERR_FILENO);
    std::vector<char*> argv;
    for (std::string& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    execv(argv[0], argv.data());
    _exit(127);
  }
  close(out[1]);
  FILE* from = fdopen(out[0], "r");
  char line[256] = {};
  unsigned port = 0;
  unsigned proxy = 0;
  bool ready = fgets(line, sizeof(line), from) != nullptr &&
               std::sscanf(line, "READY %u %u", &port, &proxy) == 2;
  fclose(from);
  ASSERT_TRUE(ready) << "the SFTP test server did not start (is python3-asyncssh installed?): "
                     << Slurp(dir_ + "/server.log");
  port_ = static_cast<uint16_t>(port);
  proxy_port_ = static_cast<uint16_t>(proxy);
}

SftpTestServer::~SftpTestServer() {
  if (pid_ > 0) {
    kill(pid_, SIGTERM);
    waitpid(pid_, nullptr, 0);
  }
  std::error_code ec;
  fs::remove_all(dir_, ec);
}

std::string SftpTestServer::KnownHostsLine() const {
  return "[127.0.0.1]:" + std::to_string(port_) + " " + TrimLine(Slurp(dir_ + "/host_key.pub"));
}

std::string SftpTestServer::WrongKnownHostsLine() const {
  return "[127.0.0.1]:" + std::to_string(port_) + " " + TrimLine(Slurp(dir_ + "/other_key.pub"));
}

std::string SftpTestServer::ProxyLog() const { return Slurp(dir_ + "/proxy.log"); }

std::string SftpTestServer::Download(const std::string& path) const {
  ssh_session s = ssh_new();
  unsigned int port = port_;
  bool no = false;
  ssh_options_set(s, SSH_OPTIONS_HOST, "127.0.0.1");
  ssh_options_set(s, SSH_OPTIONS_PORT, &port);
  ssh_options_set(s, SSH_OPTIONS_USER, kUser);
  ssh_options_set(s, SSH_OPTIONS_PROCESS_CONFIG, &no);
  std::string data;
  if (ssh_connect(s) == SSH_OK &&
      ssh_userauth_password(s, nullptr, kPassword) == SSH_AUTH_SUCCESS) {
    sftp_session sftp = sftp_new(s);
    if (sftp != nullptr && sftp_init(sftp) == SSH_OK) {
      sftp_file f = sftp_open(sftp, path.c_str(), O_RDONLY, 0);
      char buf[32768];
      ssize_t n = 0;
      while (f != nullptr && (n = sftp_read(f, buf, sizeof(buf))) > 0) {
        data.append(buf, static_cast<size_t>(n));
      }
      if (f != nullptr) sftp_close(f);
    }
    if (sftp != nullptr) sftp_free(sftp);
  }
  ssh_disconnect(s);
  ssh_free(s);
  return data;
}

std::map<std::string, std::string> TarGzEntries(const std::string& bytes) {
  std::map<std::string, std::string> entries;
  archive* a = archive_read_new();
  archive_read_support_filter_gzip(a);
  archive_read_support_format_tar(a);
  if (archive_read_open_memory(a, bytes.data(), bytes.size()) != ARCHIVE_OK) {
    archive_read_free(a);
    return entries;
  }
  archive_entry* e = nullptr;
  while (archive_read_next_header(a, &e) == ARCHIVE_OK) {
    std::string name = archive_entry_pathname(e);
    if (archive_entry_filetype(e) == AE_IFDIR) {
      entries[name] = "<dir>";
      continue;
    }
    std::string content;
    char buf[16384];
    la_ssize_t n = 0;
    while ((n = archive_read_data(a, buf, sizeof(buf))) > 0)
      content.append(buf, static_cast<size_t>(n));
    entries[name] = content;
  }
  archive_read_free(a);
  return entries;
}

std::map<std::string, std::string> TreeEntries(const std::string& dir, const std::string& top) {
  std::map<std::string, std::string> entries{{top + "/", "<dir>"}};
  for (const fs::directory_entry& e : fs::recursive_directory_iterator(dir)) {
    std::string name = top + "/" + e.path().lexically_relative(dir).generic_string();
    if (e.is_directory()) {
      entries[name + "/"] = "<dir>";
    } else {
      entries[name] = Slurp(e.path().string());
    }
  }
  return entries;
}

}  // namespace mgw::testing
