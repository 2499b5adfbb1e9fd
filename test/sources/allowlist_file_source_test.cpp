#include "mgw/sources/allowlist_file_source.h"

#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include "support/status_matchers.h"
#include "support/test_certs.h"

namespace mgw {
namespace {

using ::mgw::testing::StatusIs;

std::string Manifest(const std::string& image) {
  return "apiVersion: operator.openshift.io/v1alpha1\nkind: MustGatherImage\n"
         "metadata:\n  name: cluster\nspec:\n  images:\n  - " +
         image + "\n";
}

// Replaces the file the way a ConfigMap update does: write aside, then rename.
void Replace(const testing::TempDir& dir, const std::string& name, const std::string& text) {
  std::string tmp = dir.Write(name + ".tmp", text);
  ASSERT_EQ(rename(tmp.c_str(), (dir.path() + "/" + name).c_str()), 0);
}

TEST(AllowlistFileSourceTest, EmptyPathIsNeverConfigured) {
  auto source = AllowlistFileSource::Open("", std::chrono::milliseconds(0));
  ASSERT_TRUE(source.ok());
  EXPECT_FALSE((*source)->Current()->configured);
  EXPECT_FALSE((*source)->Refresh());
}

TEST(AllowlistFileSourceTest, BadFileFailsAtOpen) {
  testing::TempDir dir;
  EXPECT_FALSE(AllowlistFileSource::Open(dir.path() + "/absent.yaml").ok());
  std::string wrong = dir.Write("pod.yaml", "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\n");
  EXPECT_FALSE(AllowlistFileSource::Open(wrong).ok());
}

TEST(AllowlistFileSourceTest, RefreshPicksUpChangesAndKeepsLastGood) {
  testing::TempDir dir;
  std::string path = dir.Write("allow.yaml", Manifest("quay.io/acme/a:v1"));
  auto opened = AllowlistFileSource::Open(path, std::chrono::milliseconds(0));
  ASSERT_TRUE(opened.ok()) << opened.status();
  AllowlistFileSource& source = **opened;
  EXPECT_TRUE(source.Current()->configured);
  EXPECT_EQ(source.Current()->entries, std::vector<std::string>{"quay.io/acme/a:v1"});
  EXPECT_FALSE(source.Refresh()) << "unchanged file";

  Replace(dir, "allow.yaml", Manifest("quay.io/acme/b:v2"));
  EXPECT_TRUE(source.Refresh());
  EXPECT_EQ(source.Current()->entries, std::vector<std::string>{"quay.io/acme/b:v2"});

  Replace(dir, "allow.yaml", "{{{ not yaml");
  EXPECT_FALSE(source.Refresh());
  EXPECT_EQ(source.Current()->entries, std::vector<std::string>{"quay.io/acme/b:v2"});

  ASSERT_EQ(unlink(path.c_str()), 0);
  EXPECT_FALSE(source.Refresh());
  EXPECT_TRUE(source.Current()->configured) << "a vanished file keeps the last good list";
}

TEST(AllowlistFileSourceTest, PollerStopsPromptlyOnDestruction) {
  testing::TempDir dir;
  std::string path = dir.Write("allow.yaml", Manifest("quay.io/acme/a:v1"));
  auto source = AllowlistFileSource::Open(path, std::chrono::hours(1));
  ASSERT_TRUE(source.ok());
  source->reset();  // must not wait an hour
  SUCCEED();
}

}  // namespace
}  // namespace mgw
