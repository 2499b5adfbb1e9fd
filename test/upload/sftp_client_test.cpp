// SftpClient against the real SFTP server of test/support/sftp_test_server.py.
#include "mgw/upload/sftp_client.h"

#include <filesystem>
#include <fstream>
#include <sstream>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "support/sftp_test_server.h"
#include "support/status_matchers.h"

namespace mgw {
namespace {

namespace fs = std::filesystem;
using ::mgw::testing::SftpTestServer;
using ::mgw::testing::StatusIs;
using ::testing::HasSubstr;

class SftpClientTest : public ::testing::Test {
 protected:
  std::unique_ptr<SftpClient> Connect() {
    SftpLogin login{"127.0.0.1", server_.port(), SftpTestServer::kUser, SftpTestServer::kPassword};
    StatusOr<Socket> sock = TcpConnect(login.host, login.port, login.timeout);
    EXPECT_TRUE(sock.ok()) << sock.status();
    auto quiet = [](spdlog::level::level_enum, std::string_view, const nlohmann::json&) {};
    StatusOr<std::unique_ptr<SftpClient>> c =
        SftpClient::Connect(login, std::move(sock).value(), quiet);
    EXPECT_TRUE(c.ok()) << c.status();
    return c.ok() ? std::move(c).value() : nullptr;
  }
  std::string OnServer(const std::string& name) {
    std::ifstream in(server_.root() + "/" + name, std::ios::binary);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  }
  SftpTestServer server_;
};

TEST_F(SftpClientTest, WritesClosesAndRenamesOverAnOldFile) {
  std::ofstream(server_.root() + "/final") << "an older upload";
  std::unique_ptr<SftpClient> c = Connect();
  ASSERT_NE(c, nullptr);
  ASSERT_TRUE(c->OpenForWrite("final.part").ok());
  ASSERT_TRUE(c->Write("hello ").ok());
  ASSERT_TRUE(c->Write(std::string(100000, 'x')).ok());
  ASSERT_TRUE(c->CloseFile().ok());
  ASSERT_TRUE(c->Rename("final.part", "final").ok());
  EXPECT_EQ(OnServer("final"), "hello " + std::string(100000, 'x'));
  EXPECT_FALSE(fs::exists(server_.root() + "/final.part"));
}

TEST_F(SftpClientTest, MissingDirectoryIsNotFound) {
  std::unique_ptr<SftpClient> c = Connect();
  ASSERT_NE(c, nullptr);
  EXPECT_THAT(c->OpenForWrite("no-such-dir/x.part"),
              StatusIs(StatusCode::kNotFound, HasSubstr("\"no-such-dir/x.part\"")));
}

TEST_F(SftpClientTest, RemoveQuietlyRemoves) {
  std::ofstream(server_.root() + "/left.part") << "half";
  std::unique_ptr<SftpClient> c = Connect();
  ASSERT_NE(c, nullptr);
  c->RemoveQuietly("left.part");
  c->RemoveQuietly("never-there");
  EXPECT_FALSE(fs::exists(server_.root() + "/left.part"));
}

TEST_F(SftpClientTest, WrongPasswordIsUnauthenticated) {
  SftpLogin login{"127.0.0.1", server_.port(), SftpTestServer::kUser, "guess"};
  StatusOr<Socket> sock = TcpConnect(login.host, login.port, login.timeout);
  ASSERT_TRUE(sock.ok());
  auto quiet = [](spdlog::level::level_enum, std::string_view, const nlohmann::json&) {};
  EXPECT_THAT(SftpClient::Connect(login, std::move(sock).value(), quiet),
              StatusIs(StatusCode::kUnauthenticated, HasSubstr("\"case-user\"")));
}

}  // namespace
}  // namespace mgw
