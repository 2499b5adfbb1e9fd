// UploadDirectory against a real SFTP server on loopback (python3-asyncssh), and a
// real HTTP CONNECT proxy beside it (plain and TLS).
#include "mgw/upload/uploader.h"

#include <filesystem>
#include <fstream>
#include <random>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "support/sftp_test_server.h"
#include "support/status_matchers.h"
#include "support/test_certs.h"

namespace mgw {
namespace {

namespace fs = std::filesystem;
using ::mgw::testing::SftpServerOptions;
using ::mgw::testing::SftpTestServer;
using ::mgw::testing::StatusIs;
using ::testing::HasSubstr;
using ::testing::Not;

void WriteFile(const fs::path& path, const std::string& content) {
  fs::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary) << content;
}

// Bytes that do not compress, so the archive is about as large as the tree.
std::string NoiseBytes(size_t n) {
  std::mt19937 gen(42);
  std::string out(n, '\0');
  for (char& c : out) c = static_cast<char>(gen() & 0xff);
  return out;
}

struct Captured {
  std::vector<std::string> lines;  // "msg fields-json"
  LogFn fn() {
    return [this](spdlog::level::level_enum, std::string_view msg, const nlohmann::json& f) {
      lines.push_back(std::string(msg) + " " + f.dump());
    };
  }
  std::string all() const {
    std::string s;
    for (const std::string& l : lines) s += l + "\n";
    return s;
  }
};

class UploaderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    source_ = server_->dir() + "/source";
    WriteFile(source_ + "/must-gather.log", "gathered\n");
    WriteFile(source_ + "/namespaces/openshift-etcd/pods.yaml", "kind: PodList\n");
    WriteFile(source_ + "/blob.bin", NoiseBytes(600 * 1024));
  }

  UploadRequest Request(const std::string& name = "01234567_run.tar.gz") {
    UploadRequest r;
    r.source_dir = source_;
    r.remote_name = name;
    r.login = {"127.0.0.1", server_->port(), SftpTestServer::kUser, SftpTestServer::kPassword};
    r.login.timeout = std::chrono::seconds(20);
    r.retry.first_delay = std::chrono::milliseconds(1);
    return r;
  }

  std::string KnownHosts(const std::string& line) {
    std::string path = server_->dir() + "/known_hosts";
    WriteFile(path, line + "\n");
    return path;
  }

  void ExpectUploaded(const std::string& name) {
    std::string bytes = server_->Download(name);
    EXPECT_EQ(testing::TarGzEntries(bytes), testing::TreeEntries(source_, "must-gather"));
    EXPECT_FALSE(fs::exists(server_->root() + "/" + name + ".part"));
  }

  void Restart(const SftpServerOptions& options) {
    server_.reset();
    server_ = std::make_unique<SftpTestServer>(options);
    SetUp();
  }

  std::unique_ptr<SftpTestServer> server_ = std::make_unique<SftpTestServer>();
  std::string source_;
  Captured log_;
};

TEST_F(UploaderTest, UploadsTheTreeUnderMustGatherAndRenamesWhenComplete) {
  StatusOr<uint64_t> sent = UploadDirectory(Request(), {log_.fn()});
  ASSERT_TRUE(sent.ok()) << sent.status();
  ExpectUploaded("01234567_run.tar.gz");
  EXPECT_EQ(*sent, fs::file_size(server_->root() + "/01234567_run.tar.gz"));
  // No known_hosts: the fingerprint is logged and the key accepted.
  EXPECT_THAT(log_.all(), HasSubstr("SHA256:"));
  EXPECT_THAT(log_.all(), HasSubstr(server_->KnownHostsLine()));
  EXPECT_THAT(log_.all(), Not(HasSubstr(SftpTestServer::kPassword)));
}

TEST_F(UploaderTest, InternalUserWritesUnderTheUsersDirectory) {
  std::string name = std::string(SftpTestServer::kUser) + "/01234567_run.tar.gz";
  ASSERT_TRUE(UploadDirectory(Request(name), {log_.fn()}).ok()) << log_.all();
  ExpectUploaded(name);
  EXPECT_TRUE(fs::exists(server_->root() + "/" + name));
}

TEST_F(UploaderTest, WrongPasswordFailsAtOnceAndNeverShowsThePassword) {
  UploadRequest r = Request();
  r.login.password = "not-the-password";
  StatusOr<uint64_t> sent = UploadDirectory(r, {log_.fn()});
  EXPECT_THAT(sent, StatusIs(StatusCode::kUnauthenticated, HasSubstr("authentication failed")));
  EXPECT_THAT(sent.status().message(), Not(HasSubstr("not-the-password")));
  EXPECT_THAT(log_.all(), Not(HasSubstr("retrying")));
  EXPECT_THAT(log_.all(), Not(HasSubstr("not-the-password")));
}

TEST_F(UploaderTest, PinnedHostKeyIsAccepted) {
  UploadRequest r = Request();
  r.login.known_hosts = KnownHosts(server_->KnownHostsLine());
  ASSERT_TRUE(UploadDirectory(r, {log_.fn()}).ok()) << log_.all();
  EXPECT_THAT(log_.all(), Not(HasSubstr("unchecked")));
}

TEST_F(UploaderTest, UnknownHostKeyIsRefused) {
  UploadRequest r = Request();
  r.login.known_hosts =
      KnownHosts("[other.example.com]:22 " +
                 server_->KnownHostsLine().substr(server_->KnownHostsLine().find(' ') + 1));
  EXPECT_THAT(UploadDirectory(r, {log_.fn()}),
              StatusIs(StatusCode::kFailedPrecondition, HasSubstr("is not listed for this host")));
  EXPECT_FALSE(fs::exists(server_->root() + "/01234567_run.tar.gz"));
}

TEST_F(UploaderTest, ChangedHostKeyIsRefused) {
  UploadRequest r = Request();
  r.login.known_hosts = KnownHosts(server_->WrongKnownHostsLine());
  EXPECT_THAT(UploadDirectory(r, {log_.fn()}),
              StatusIs(StatusCode::kFailedPrecondition, HasSubstr("CHANGED")));
  EXPECT_FALSE(fs::exists(server_->root() + "/01234567_run.tar.gz"));
}

TEST_F(UploaderTest, RefusedConnectionIsRetriedThenReported) {
  // A bound socket that does not listen: every connection to it is refused.
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
  socklen_t len = sizeof(addr);
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  UploadRequest r = Request();
  r.login.port = ntohs(addr.sin_port);
  r.retry.max_attempts = 3;
  std::vector<std::chrono::milliseconds> waits;
  StatusOr<uint64_t> sent =
      UploadDirectory(r, {log_.fn(), nullptr, [&](auto d) { waits.push_back(d); }});
  close(fd);
  EXPECT_THAT(sent, StatusIs(StatusCode::kUnavailable, HasSubstr("TCP connection to 127.0.0.1")));
  EXPECT_THAT(sent.status().message(), HasSubstr("refused"));
  EXPECT_EQ(waits.size(), 2u);
}

TEST_F(UploaderTest, DroppedConnectionMidTransferIsRetried) {
  Restart({.drop_after_bytes = 200 * 1024});
  StatusOr<uint64_t> sent = UploadDirectory(Request(), {log_.fn()});
  ASSERT_TRUE(sent.ok()) << sent.status() << "\n" << log_.all();
  EXPECT_THAT(log_.all(), HasSubstr("upload try failed; retrying"));
  ExpectUploaded("01234567_run.tar.gz");
}

TEST_F(UploaderTest, FullDiskOrQuotaOnTheServerIsSaidAndNotRetried) {
  for (const char* error : {"ENOSPC", "EDQUOT"}) {
    Restart({.write_error = error});
    Captured log;
    StatusOr<uint64_t> sent = UploadDirectory(Request(), {log.fn()});
    EXPECT_THAT(sent, StatusIs(StatusCode::kResourceExhausted,
                               HasSubstr("the server's disk is full or the quota is used up")))
        << error;
    EXPECT_THAT(log.all(), Not(HasSubstr("retrying")));
    EXPECT_FALSE(fs::exists(server_->root() + "/01234567_run.tar.gz.part")) << error;
    EXPECT_FALSE(fs::exists(server_->root() + "/01234567_run.tar.gz")) << error;
  }
}

TEST_F(UploaderTest, PermissionDeniedOnTheServerIsSaidAndNotRetried) {
  Restart({.open_error = "EACCES"});
  StatusOr<uint64_t> sent = UploadDirectory(Request(), {log_.fn()});
  EXPECT_THAT(sent, StatusIs(StatusCode::kPermissionDenied,
                             HasSubstr("permission denied; check that the account may write")));
  EXPECT_THAT(sent.status().message(), HasSubstr("01234567_run.tar.gz.part"));
  EXPECT_THAT(log_.all(), Not(HasSubstr("retrying")));
}

TEST_F(UploaderTest, GoesThroughAConnectProxyWithCredentials) {
  Restart({.proxy = true, .proxy_auth = "proxyuser:proxy-Secret"});
  UploadRequest r = Request();
  r.proxy = ProxyUrl{"127.0.0.1", server_->proxy_port(), "proxyuser", "proxy-Secret"};
  ASSERT_TRUE(UploadDirectory(r, {log_.fn()}).ok()) << log_.all();
  ExpectUploaded("01234567_run.tar.gz");
  EXPECT_EQ(server_->ProxyLog(), "CONNECT 127.0.0.1:" + std::to_string(server_->port()) + "\n");
  EXPECT_THAT(log_.all(), Not(HasSubstr("proxy-Secret")));
}

TEST_F(UploaderTest, GoesThroughAnHttpsProxy) {
  testing::TestCa ca = testing::TestCa::CreateRoot();
  testing::Credential cred = ca.IssueServer();
  testing::TempDir certs;
  Restart({.proxy = true,
           .proxy_cert_file = certs.Write("proxy.crt", cred.cert_pem),
           .proxy_key_file = certs.Write("proxy.key", cred.key_pem)});
  UploadRequest r = Request();
  r.proxy = ProxyUrl{"127.0.0.1", server_->proxy_port(), "", "", true};
  r.proxy_ca_file = certs.Write("ca.pem", ca.cert_pem());
  ASSERT_TRUE(UploadDirectory(r, {log_.fn()}).ok()) << log_.all();
  ExpectUploaded("01234567_run.tar.gz");
  EXPECT_THAT(log_.all(), HasSubstr("https://127.0.0.1:"));
}

TEST_F(UploaderTest, ProxyRefusingCredentialsIsReported) {
  Restart({.proxy = true, .proxy_auth = "proxyuser:proxy-Secret"});
  UploadRequest r = Request();
  r.proxy = ProxyUrl{"127.0.0.1", server_->proxy_port(), "proxyuser", "wrong"};
  EXPECT_THAT(UploadDirectory(r, {log_.fn()}),
              StatusIs(StatusCode::kPermissionDenied, HasSubstr("407")));
}

}  // namespace
}  // namespace mgw
