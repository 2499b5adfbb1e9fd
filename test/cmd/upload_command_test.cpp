// `mustgather-webhook upload`: flags and configuration, and whole runs against the
// real SFTP server of test/support/sftp_test_server.py.
#include "mgw/cmd/upload_command.h"

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "support/sftp_test_server.h"
#include "support/test_certs.h"

namespace mgw {
namespace {

namespace fs = std::filesystem;
using ::mgw::testing::SftpTestServer;
using ::testing::HasSubstr;
using ::testing::Not;

EnvLookup MapEnv(std::map<std::string, std::string> vars) {
  return [vars](std::string_view name) -> std::optional<std::string> {
    auto it = vars.find(std::string(name));
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

class UploadCommandTest : public ::testing::Test {
 protected:
  void SetUp() override {
    creds_ = server_.dir() + "/creds";
    source_ = server_.dir() + "/source";
    fs::create_directories(creds_);
    fs::create_directories(source_ + "/namespaces");
    Write(creds_ + "/username", std::string(SftpTestServer::kUser) + "\n");
    Write(creds_ + "/password", std::string(SftpTestServer::kPassword) + "\n");
    Write(source_ + "/namespaces/pods.yaml", "kind: PodList\n");
  }
  static void Write(const std::string& path, const std::string& text) {
    std::ofstream(path) << text;
  }
  std::vector<std::string> Args(std::vector<std::string> more = {}) {
    std::vector<std::string> args = {"--source",
                                     source_,
                                     "--case-id",
                                     "01234567",
                                     "--host",
                                     "127.0.0.1:" + std::to_string(server_.port()),
                                     "--credentials-dir",
                                     creds_,
                                     "--name-prefix",
                                     "run1",
                                     "--log-format",
                                     "text",
                                     "--retry-delay-ms",
                                     "1"};
    args.insert(args.end(), more.begin(), more.end());
    return args;
  }
  int Run(const std::vector<std::string>& args, const EnvLookup& env = MapEnv({})) {
    out_.str("");
    err_.str("");
    return UploadMain(args, env, out_, err_);
  }

  SftpTestServer server_;
  std::string creds_;
  std::string source_;
  std::ostringstream out_;
  std::ostringstream err_;
};

TEST_F(UploadCommandTest, UploadsAndExitsZero) {
  EXPECT_EQ(Run(Args()), 0) << err_.str();
  EXPECT_TRUE(fs::exists(server_.root() + "/01234567_run1.tar.gz"));
  EXPECT_FALSE(fs::exists(server_.root() + "/01234567_run1.tar.gz.part"));
}

TEST_F(UploadCommandTest, InternalUserUploadsUnderTheUsername) {
  EXPECT_EQ(Run(Args({"--internal-user"})), 0) << err_.str();
  EXPECT_TRUE(fs::exists(server_.root() + "/" + SftpTestServer::kUser + "/01234567_run1.tar.gz"));
}

TEST_F(UploadCommandTest, UploadFailuresExitOne) {
  Write(creds_ + "/password", "wrong\n");
  EXPECT_EQ(Run(Args()), 1);
  Write(creds_ + "/password", std::string(SftpTestServer::kPassword));
  Write(creds_ + "/known_hosts", server_.WrongKnownHostsLine() + "\n");
  EXPECT_EQ(Run(Args({"--attempts", "1"})), 1);
  EXPECT_FALSE(fs::exists(server_.root() + "/01234567_run1.tar.gz"));
}

TEST_F(UploadCommandTest, KnownHostsInTheCredentialsDirIsUsed) {
  Write(creds_ + "/known_hosts", server_.KnownHostsLine() + "\n");
  EXPECT_EQ(Run(Args()), 0) << err_.str();
}

TEST_F(UploadCommandTest, UsageAndConfigurationErrorsExitTwo) {
  EXPECT_EQ(Run({"--help"}), 0);
  EXPECT_THAT(out_.str(), HasSubstr("--credentials-dir DIR"));
  EXPECT_EQ(Run(Args({"--bogus"})), 2);
  EXPECT_EQ(Run(Args({"extra"})), 2);
  EXPECT_EQ(Run(Args({"--case-id", "../etc"})), 2);
  EXPECT_THAT(err_.str(), HasSubstr("--case-id"));
  EXPECT_EQ(Run(Args({"--host", "127.0.0.1:0"})), 2);
  EXPECT_EQ(Run(Args({"--source", server_.dir() + "/none"})), 2);
  EXPECT_EQ(Run(Args({"--known-hosts", server_.dir() + "/none"})), 2);
  EXPECT_EQ(Run(Args({"--proxy", "https://u:hidden-pw@proxy:443/path"})), 2);
  EXPECT_THAT(err_.str(), Not(HasSubstr("hidden-pw")));
  EXPECT_EQ(Run(Args({"--log-format", "xml"})), 2);
  fs::remove(creds_ + "/password");
  EXPECT_EQ(Run(Args()), 2);
  EXPECT_THAT(err_.str(), HasSubstr("\"password\""));
  Write(creds_ + "/password", "\n");
  EXPECT_EQ(Run(Args()), 2);
  EXPECT_THAT(err_.str(), HasSubstr("is empty"));
}

TEST_F(UploadCommandTest, ProxyComesFromTheFlagOrEnvironmentUnlessNoProxy) {
  SftpTestServer proxied({.proxy = true});
  std::vector<std::string> args = Args({"--host", "127.0.0.1:" + std::to_string(proxied.port())});
  // The second server has the same fixed user and password.
  EnvLookup env =
      MapEnv({{"https_proxy", "http://127.0.0.1:" + std::to_string(proxied.proxy_port())}});
  EXPECT_EQ(Run(args, env), 0) << err_.str();
  EXPECT_THAT(proxied.ProxyLog(), HasSubstr("CONNECT 127.0.0.1:"));
  EnvLookup exempt = MapEnv({{"HTTPS_PROXY", "http://127.0.0.1:1"}, {"NO_PROXY", "127.0.0.0/8"}});
  EXPECT_EQ(Run(args, exempt), 0) << err_.str();
  EXPECT_EQ(proxied.ProxyLog(), "CONNECT 127.0.0.1:" + std::to_string(proxied.port()) + "\n");
}

TEST_F(UploadCommandTest, HttpsProxyIsTrustedThroughProxyCa) {
  testing::TestCa ca = testing::TestCa::CreateRoot();
  testing::Credential cred = ca.IssueServer();
  testing::TempDir certs;
  SftpTestServer proxied({.proxy = true,
                          .proxy_cert_file = certs.Write("proxy.crt", cred.cert_pem),
                          .proxy_key_file = certs.Write("proxy.key", cred.key_pem)});
  std::vector<std::string> args =
      Args({"--host", "127.0.0.1:" + std::to_string(proxied.port()), "--attempts", "1", "--proxy",
            "https://127.0.0.1:" + std::to_string(proxied.proxy_port())});
  EXPECT_EQ(Run(args), 1);  // the test CA is not in the system's trust store
  EXPECT_EQ(proxied.ProxyLog(), "");
  args.insert(args.end(), {"--proxy-ca", certs.Write("ca.pem", ca.cert_pem())});
  EXPECT_EQ(Run(args), 0) << err_.str();
  EXPECT_EQ(proxied.ProxyLog(), "CONNECT 127.0.0.1:" + std::to_string(proxied.port()) + "\n");
  EXPECT_EQ(Run(Args({"--proxy-ca", certs.path() + "/none.pem"})), 2);
  EXPECT_THAT(err_.str(), HasSubstr("--proxy-ca"));
}

}  // namespace
}  // namespace mgw
