// Host key checks against the real SSH server of test/support/sftp_test_server.py.
#include "mgw/upload/host_key.h"

#include <fstream>
#include <memory>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <libssh/libssh.h>

#include "support/sftp_test_server.h"
#include "support/status_matchers.h"

namespace mgw {
namespace {

using ::mgw::testing::SftpTestServer;
using ::mgw::testing::StatusIs;
using ::testing::HasSubstr;

using Session = std::unique_ptr<ssh_session_struct, decltype(&ssh_free)>;

class HostKeyTest : public ::testing::Test {
 protected:
  // A session to the server after its key exchange, using `known_hosts`.
  Session Connected(const std::string& known_hosts) {
    Session s(ssh_new(), &ssh_free);
    unsigned int port = server_.port();
    bool no = false;
    ssh_options_set(s.get(), SSH_OPTIONS_HOST, "127.0.0.1");
    ssh_options_set(s.get(), SSH_OPTIONS_PORT, &port);
    ssh_options_set(s.get(), SSH_OPTIONS_PROCESS_CONFIG, &no);
    EXPECT_TRUE(UseKnownHosts(s.get(), known_hosts).ok());
    EXPECT_EQ(ssh_connect(s.get()), SSH_OK) << ssh_get_error(s.get());
    return s;
  }

  std::string File(const std::string& line) {
    std::string path = server_.dir() + "/known_hosts";
    std::ofstream(path) << "# pinned\n" << line << "\n";
    return path;
  }

  SftpTestServer server_;
  std::string logged_;
  LogFn log_ = [this](spdlog::level::level_enum, std::string_view msg, const nlohmann::json& f) {
    logged_ += std::string(msg) + " " + f.dump() + "\n";
  };
};

TEST_F(HostKeyTest, WithoutKnownHostsLogsTheFingerprintAndAccepts) {
  Session s = Connected("");
  EXPECT_TRUE(VerifyHostKey(s.get(), "127.0.0.1:1", "", log_).ok());
  EXPECT_THAT(logged_, HasSubstr("\"fingerprint\":\"SHA256:"));
  EXPECT_THAT(logged_, HasSubstr(server_.KnownHostsLine()));
}

TEST_F(HostKeyTest, ListedKeyPasses) {
  std::string file = File(server_.KnownHostsLine());
  Session s = Connected(file);
  EXPECT_TRUE(VerifyHostKey(s.get(), "127.0.0.1:1", file, log_).ok());
  EXPECT_EQ(logged_, "");
}

TEST_F(HostKeyTest, ChangedKeyIsRefused) {
  std::string file = File(server_.WrongKnownHostsLine());
  Session s = Connected(file);
  EXPECT_THAT(VerifyHostKey(s.get(), "127.0.0.1:1", file, log_),
              StatusIs(StatusCode::kFailedPrecondition, HasSubstr("CHANGED")));
}

TEST_F(HostKeyTest, UnlistedHostIsRefused) {
  std::string line = server_.KnownHostsLine();
  std::string file = File("other.example.com " + line.substr(line.find(' ') + 1));
  Session s = Connected(file);
  Status st = VerifyHostKey(s.get(), "127.0.0.1:1", file, log_);
  EXPECT_THAT(st, StatusIs(StatusCode::kFailedPrecondition, HasSubstr("is not listed")));
  EXPECT_THAT(st.message(), HasSubstr("SHA256:"));
}

}  // namespace
}  // namespace mgw
