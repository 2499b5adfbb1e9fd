#include "mgw/rules/allowlist.h"

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "support/status_matchers.h"

namespace mgw {
namespace {

using ::mgw::testing::IsOk;
using ::mgw::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using json = nlohmann::json;

const std::string kSha = "sha256:" + std::string(64, 'a');

json MustGatherImage(json images) {
  return {{"apiVersion", "operator.openshift.io/v1alpha1"},
          {"kind", "MustGatherImage"},
          {"metadata", {{"name", "cluster"}}},
          {"spec", {{"images", std::move(images)}}}};
}

ImageRef Ref(std::string_view text) {
  StatusOr<ImageRef> ref = ParseImageRef(text);
  EXPECT_THAT(ref, IsOk()) << text;
  return ref.value_or(ImageRef{});
}

TEST(AllowlistTest, NotConfiguredContainsNothing) {
  Allowlist list = NotConfiguredAllowlist("cluster API");
  EXPECT_FALSE(list.configured);
  EXPECT_EQ(list.source, "cluster API");
  EXPECT_FALSE(list.Contains(Ref("ubuntu")));
}

TEST(AllowlistTest, BuildsFromMustGatherImageAndSkipsUnparseableEntries) {
  StatusOr<Allowlist> list = AllowlistFromObject(
      MustGatherImage({"quay.io/my-org/mg:latest", "Bad Image", "ubuntu", ""}), "file a.yaml");
  ASSERT_THAT(list, IsOk());
  EXPECT_TRUE(list->configured);
  EXPECT_EQ(list->source, "file a.yaml");
  EXPECT_THAT(list->entries, ElementsAre("quay.io/my-org/mg:latest", "ubuntu"));
  EXPECT_THAT(list->keys,
              ElementsAre("quay.io/my-org/mg:latest", "docker.io/library/ubuntu:latest"));
}

struct ContainsCase {
  std::string image;
  bool want;
};

TEST(AllowlistTest, ContainsMatchesNormalisedIdentity) {
  StatusOr<Allowlist> list = AllowlistFromObject(
      MustGatherImage({"quay.io/my-org/mg", "registry.example.com/team-a/debug:v1.2", "ubuntu",
                       "quay.io/pinned/mg@" + kSha}),
      "test");
  ASSERT_THAT(list, IsOk());
  const ContainsCase cases[] = {
      {"quay.io/my-org/mg:latest", true},
      {"quay.io/my-org/mg", true},
      {"registry.example.com/team-a/debug:v1.2", true},
      {"docker.io/library/ubuntu:latest", true},
      {"index.docker.io/library/ubuntu", true},
      {"quay.io/pinned/mg@" + kSha, true},
      {"quay.io/pinned/mg:v9@" + kSha, true},
      {"quay.io/my-org/mg:v2", false},
      {"registry.example.com/team-a/debug", false},
      {"quay.io/my-org/mg@" + kSha, false},
      {"quay.io/pinned/mg", false},
      {"quay.io/pinned/mg@sha256:" + std::string(64, 'b'), false},
      {"docker.io/my-org/mg", false},
  };
  for (const ContainsCase& c : cases) EXPECT_EQ(list->Contains(Ref(c.image)), c.want) << c.image;
}

TEST(AllowlistTest, AbsentImagesGiveAConfiguredEmptyList) {
  json no_spec = {{"kind", "MustGatherImage"}, {"metadata", {{"name", "cluster"}}}};
  json null_images = MustGatherImage(nullptr);
  for (const json& object : {no_spec, null_images, MustGatherImage(json::array())}) {
    StatusOr<Allowlist> list = AllowlistFromObject(object, "test");
    ASSERT_THAT(list, IsOk()) << object.dump();
    EXPECT_TRUE(list->configured);
    EXPECT_TRUE(list->entries.empty());
    EXPECT_FALSE(list->Contains(Ref("ubuntu")));
  }
}

struct BadObjectCase {
  json object;
  std::string message_part;
};

TEST(AllowlistTest, RejectsObjectsThatAreNotMustGatherImages) {
  json wrong_kind = MustGatherImage({"ubuntu"});
  wrong_kind["kind"] = "MustGather";
  json no_kind = MustGatherImage({"ubuntu"});
  no_kind.erase("kind");
  json numeric_kind = MustGatherImage({"ubuntu"});
  numeric_kind["kind"] = 7;
  json spec_list = MustGatherImage({"ubuntu"});
  spec_list["spec"] = json::array();
  const BadObjectCase cases[] = {
      {json::array(), "JSON object"},
      {"MustGatherImage", "JSON object"},
      {nullptr, "JSON object"},
      {wrong_kind, "kind must be"},
      {no_kind, "kind must be"},
      {numeric_kind, "kind must be"},
      {spec_list, "spec is not an object"},
      {MustGatherImage("ubuntu"), "spec.images is not a list"},
      {MustGatherImage({{"a", 1}}), "spec.images is not a list"},
      {MustGatherImage({"ubuntu", 42}), "spec.images[1] is not a string"},
      {MustGatherImage({nullptr}), "spec.images[0] is not a string"},
  };
  for (const BadObjectCase& c : cases) {
    EXPECT_THAT(AllowlistFromObject(c.object, "test"),
                StatusIs(StatusCode::kInvalidArgument, HasSubstr(c.message_part)))
        << c.object.dump();
  }
}

TEST(AllowlistTest, MutableSourceHandsOutTheLatestSnapshot) {
  MutableAllowlistSource source(NotConfiguredAllowlist("initial"));
  std::shared_ptr<const Allowlist> before = source.Current();
  ASSERT_NE(before, nullptr);
  EXPECT_FALSE(before->configured);

  StatusOr<Allowlist> next = AllowlistFromObject(MustGatherImage({"ubuntu"}), "watch");
  ASSERT_THAT(next, IsOk());
  source.Set(std::move(next).value());
  std::shared_ptr<const Allowlist> after = source.Current();
  EXPECT_TRUE(after->configured);
  EXPECT_TRUE(after->Contains(Ref("ubuntu")));
  // A snapshot already handed out is unchanged by the swap.
  EXPECT_FALSE(before->configured);
  EXPECT_EQ(before->source, "initial");
}

// Run under MGW_SANITIZE=thread: an unsynchronised swap shows up as a data race.
TEST(AllowlistTest, ConcurrentReadersSeeWholeSnapshotsWhileAWriterSets) {
  constexpr int kGenerations = 2000;
  constexpr int kReaders = 4;
  MutableAllowlistSource source(NotConfiguredAllowlist("0"));
  std::atomic<bool> done{false};
  std::atomic<int> torn{0};
  std::atomic<long> reads{0};
  std::vector<std::thread> readers;
  for (int r = 0; r < kReaders; ++r) {
    readers.emplace_back([&] {
      // Each reader reads at least once after the writer finishes, so reads > 0 always.
      bool last = false;
      while (!last) {
        last = done.load();
        std::shared_ptr<const Allowlist> snap = source.Current();
        // Generation g has g entries, all "img<g>", and source "<g>".
        const size_t g = std::stoul(snap->source);
        if (snap->entries.size() != g || snap->keys.size() != g ||
            (g > 0 && snap->entries.back() != "img" + snap->source)) {
          ++torn;
        }
        ++reads;
      }
    });
  }
  for (int g = 1; g <= kGenerations; ++g) {
    Allowlist next;
    next.configured = true;
    next.source = std::to_string(g % 8);
    const size_t n = static_cast<size_t>(g % 8);
    next.entries.assign(n, "img" + next.source);
    next.keys.assign(n, Ref("img" + next.source).IdentityKey());
    source.Set(std::move(next));
  }
  done = true;
  for (std::thread& t : readers) t.join();
  EXPECT_EQ(torn.load(), 0);
  EXPECT_GE(reads.load(), kReaders);
  EXPECT_EQ(source.Current()->source, std::to_string(kGenerations % 8));
}

}  // namespace
}  // namespace mgw
