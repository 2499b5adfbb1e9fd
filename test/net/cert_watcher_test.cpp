#include "mgw/net/cert_watcher.h"

#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <openssl/x509.h>
#include <sys/stat.h>
#include <unistd.h>

#include "support/status_matchers.h"
#include "support/test_certs.h"

namespace mgw {
namespace {

using namespace std::chrono_literals;
using ::mgw::testing::Credential;
using ::mgw::testing::IsOk;
using ::mgw::testing::LeafSpec;
using ::mgw::testing::StatusIs;
using ::mgw::testing::TempDir;
using ::mgw::testing::TestCa;
using ::mgw::testing::ValidFor;
using ::testing::HasSubstr;

class CertWatcherTest : public ::testing::Test {
 protected:
  // Writes the pair as tls.crt / tls.key, each replaced by rename (atomically).
  void WritePair(const std::string& cert_pem, const std::string& key_pem) {
    Replace("tls.crt", cert_pem);
    Replace("tls.key", key_pem);
  }
  void Replace(const std::string& name, const std::string& text) {
    std::string tmp = dir_.Write(name + ".tmp", text);
    ASSERT_EQ(std::rename(tmp.c_str(), Path(name).c_str()), 0);
  }
  std::string Path(const std::string& name) const { return dir_.path() + "/" + name; }

  CertWatcherOptions Options(bool watch_files) {
    CertWatcherOptions o;
    o.cert_file = Path("tls.crt");
    o.key_file = Path("tls.key");
    o.poll_interval = 0ms;
    o.watch_files = watch_files;
    o.on_reload = [this](const Status& s) { reloads_.push_back(s.ToString()); };
    return o;
  }

  static bool Serves(const CertificateWatcher& w, const Credential& c) {
    return X509_cmp(w.Current()->leaf.get(), c.cert.get()) == 0;
  }

  TestCa ca_ = TestCa::CreateRoot();
  TempDir dir_;
  std::vector<std::string> reloads_;  // only touched by Reload on the test thread
};

TEST_F(CertWatcherTest, StartNeedsAValidPair) {
  EXPECT_THAT(CertificateWatcher::Start(Options(false)), StatusIs(StatusCode::kNotFound));
  Credential a = ca_.IssueServer();
  Credential b = ca_.IssueServer();
  WritePair(a.cert_pem, b.key_pem);
  EXPECT_THAT(CertificateWatcher::Start(Options(false)),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("does not match")));
}

TEST_F(CertWatcherTest, ReloadInstallsANewPairAndKeepsTheLastGoodOne) {
  Credential a = ca_.IssueServer();
  WritePair(a.cert_pem, a.key_pem);
  auto w = CertificateWatcher::Start(Options(false));
  ASSERT_THAT(w, IsOk());
  CertificateWatcher& watcher = **w;
  EXPECT_EQ(watcher.generation(), 1u);
  EXPECT_TRUE(Serves(watcher, a));

  EXPECT_THAT(watcher.Reload(), IsOk());
  EXPECT_EQ(watcher.generation(), 1u) << "same files: nothing installed";

  Credential b = ca_.IssueServer();
  WritePair(b.cert_pem, b.key_pem);
  EXPECT_THAT(watcher.Reload(), IsOk());
  EXPECT_EQ(watcher.generation(), 2u);
  EXPECT_TRUE(Serves(watcher, b));

  Credential c = ca_.IssueServer();
  Replace("tls.crt", c.cert_pem);  // half a rotation: new cert, old key
  EXPECT_THAT(watcher.Reload(),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("does not match")));
  Replace("tls.crt", "garbage");
  EXPECT_THAT(watcher.Reload(), StatusIs(StatusCode::kInvalidArgument));
  LeafSpec expired;
  expired.validity = ValidFor(-48h, -24h);
  Credential old = ca_.IssueServer(expired);
  WritePair(old.cert_pem, old.key_pem);
  EXPECT_THAT(watcher.Reload(), StatusIs(StatusCode::kFailedPrecondition, HasSubstr("expired")));
  EXPECT_EQ(watcher.generation(), 2u);
  EXPECT_TRUE(Serves(watcher, b));
  EXPECT_EQ(reloads_.size(), 4u);
  EXPECT_EQ(reloads_.front(), "OK");
}

TEST_F(CertWatcherTest, InotifySeesFilesReplacedByRename) {
  Credential a = ca_.IssueServer();
  WritePair(a.cert_pem, a.key_pem);
  CertWatcherOptions o = Options(true);
  o.on_reload = nullptr;  // runs on the watcher thread
  auto w = CertificateWatcher::Start(std::move(o));
  ASSERT_THAT(w, IsOk());
  Credential b = ca_.IssueServer();
  WritePair(b.cert_pem, b.key_pem);
  EXPECT_EQ((*w)->WaitForChange(1, 10s), 2u);
  EXPECT_TRUE(Serves(**w, b));
}

// A Kubernetes Secret volume: tls.crt -> ..data/tls.crt, ..data -> ..<timestamp>;
// an update writes a new timestamped directory and swaps ..data by rename.
TEST_F(CertWatcherTest, InotifySeesASecretVolumeSymlinkSwap) {
  auto version = [&](const std::string& name, const Credential& c) {
    ASSERT_EQ(mkdir(Path(name).c_str(), 0700), 0);
    dir_.Write(name + "/tls.crt", c.cert_pem);
    dir_.Write(name + "/tls.key", c.key_pem);
  };
  Credential a = ca_.IssueServer();
  version("..2024_01_01", a);
  ASSERT_EQ(symlink("..2024_01_01", Path("..data").c_str()), 0);
  ASSERT_EQ(symlink("..data/tls.crt", Path("tls.crt").c_str()), 0);
  ASSERT_EQ(symlink("..data/tls.key", Path("tls.key").c_str()), 0);
  CertWatcherOptions o = Options(true);
  o.on_reload = nullptr;
  auto w = CertificateWatcher::Start(std::move(o));
  ASSERT_THAT(w, IsOk());
  ASSERT_TRUE(Serves(**w, a));

  Credential b = ca_.IssueServer();
  version("..2024_02_01", b);
  ASSERT_EQ(symlink("..2024_02_01", Path("..data_tmp").c_str()), 0);
  ASSERT_EQ(std::rename(Path("..data_tmp").c_str(), Path("..data").c_str()), 0);
  EXPECT_EQ((*w)->WaitForChange(1, 10s), 2u);
  EXPECT_TRUE(Serves(**w, b));
}

TEST_F(CertWatcherTest, PeriodicCheckWithoutInotify) {
  Credential a = ca_.IssueServer();
  WritePair(a.cert_pem, a.key_pem);
  CertWatcherOptions o = Options(false);
  o.on_reload = nullptr;
  o.poll_interval = 10ms;
  auto w = CertificateWatcher::Start(std::move(o));
  ASSERT_THAT(w, IsOk());
  Credential b = ca_.IssueServer();
  WritePair(b.cert_pem, b.key_pem);
  EXPECT_EQ((*w)->WaitForChange(1, 10s), 2u);
  EXPECT_TRUE(Serves(**w, b));
}

TEST_F(CertWatcherTest, ProblemReportsExpiryAtTheInjectedTime) {
  Credential a = ca_.IssueServer();  // valid from an hour ago for thirty days
  WritePair(a.cert_pem, a.key_pem);
  auto now =
      std::make_shared<std::chrono::system_clock::time_point>(std::chrono::system_clock::now());
  CertWatcherOptions o = Options(false);
  o.now = [now] { return *now; };
  auto w = CertificateWatcher::Start(std::move(o));
  ASSERT_THAT(w, IsOk());
  EXPECT_EQ((*w)->Problem(), "");
  *now += 31 * 24h;
  EXPECT_THAT((*w)->Problem(), HasSubstr("expired"));
  *now -= 32 * 24h;
  EXPECT_THAT((*w)->Problem(), HasSubstr("not valid yet"));
}

}  // namespace
}  // namespace mgw
