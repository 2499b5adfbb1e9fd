#include "mgw/manifest/manifest.h"

#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "support/status_matchers.h"

namespace mgw {
namespace {

using ::mgw::testing::IsOk;
using ::mgw::testing::StatusIs;
using nlohmann::json;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::StartsWith;

const std::string kDir = MGW_SOURCE_DIR "/test/testdata/manifests";

std::vector<ManifestDocument> MustParseFile(const std::string& name) {
  StatusOr<std::string> text = ReadFileToString(kDir + "/" + name);
  EXPECT_THAT(text, IsOk());
  if (!text.ok()) return {};
  StatusOr<std::vector<ManifestDocument>> docs = ParseManifests(*text, name);
  EXPECT_THAT(docs, IsOk());
  return docs.ok() ? *std::move(docs) : std::vector<ManifestDocument>{};
}

std::string NameOf(const ManifestDocument& d) {
  return d.object["metadata"]["name"].get<std::string>();
}

TEST(ManifestTest, MultiDocumentFileSkipsEmptyDocuments) {
  std::vector<ManifestDocument> docs = MustParseFile("multi.yaml");
  ASSERT_EQ(docs.size(), 3u);
  EXPECT_EQ(NameOf(docs[0]), "first");
  EXPECT_EQ(docs[0].line, 2);
  EXPECT_EQ(docs[0].document_index, 0u);
  EXPECT_EQ(NameOf(docs[1]), "settings");
  EXPECT_EQ(docs[1].line, 17);
  EXPECT_EQ(docs[1].document_index, 2u);  // kubectl drops the empty chunk between --- lines
  EXPECT_EQ(docs[1].object["data"]["enabled"], "true");  // quoted: stays a string
  EXPECT_EQ(NameOf(docs[2]), "cluster");
  EXPECT_EQ(docs[2].line, 26);
  EXPECT_EQ(docs[2].document_index, 3u);
  for (const ManifestDocument& d : docs) {
    EXPECT_EQ(d.source, "multi.yaml");
    EXPECT_FALSE(d.item_index.has_value());
  }
}

TEST(ManifestTest, ListItemsBecomeDocumentsWithTheirOwnLines) {
  std::vector<ManifestDocument> docs = MustParseFile("list.yaml");
  ASSERT_EQ(docs.size(), 2u);  // the empty MustGatherList adds none
  EXPECT_EQ(NameOf(docs[0]), "one");
  EXPECT_EQ(docs[0].line, 4);
  EXPECT_EQ(docs[0].item_index, 0u);
  EXPECT_EQ(NameOf(docs[1]), "two");
  EXPECT_EQ(docs[1].line, 10);
  EXPECT_EQ(docs[1].item_index, 1u);
  EXPECT_EQ(docs[1].document_index, 0u);
}

TEST(ManifestTest, JsonListKeepsLinesAndTypes) {
  std::vector<ManifestDocument> docs = MustParseFile("list.json");
  ASSERT_EQ(docs.size(), 2u);
  EXPECT_EQ(docs[0].line, 5);  // the item's opening brace
  EXPECT_EQ(docs[0].object["spec"],
            json({{"mustGatherTimeout", "30m"}, {"retainResourcesOnCompletion", false}}));
  EXPECT_EQ(docs[1].line, 11);
  EXPECT_EQ(docs[1].object["kind"], "ConfigMap");
}

TEST(ManifestTest, EmptyFileHasNoDocuments) { EXPECT_TRUE(MustParseFile("empty.yaml").empty()); }

TEST(ManifestTest, MalformedFileNamesFileLineAndColumn) {
  StatusOr<std::string> text = ReadFileToString(kDir + "/malformed.yaml");
  ASSERT_THAT(text, IsOk());
  EXPECT_THAT(
      ParseManifests(*text, "manifests/malformed.yaml"),
      StatusIs(StatusCode::kInvalidArgument,
               "manifests/malformed.yaml:5:13: mapping values are not allowed in this context"));
}

TEST(ManifestTest, ListEdgeCases) {
  StatusOr<std::vector<ManifestDocument>> null_items = ParseManifests("kind: List\nitems:\n", "t");
  ASSERT_THAT(null_items, IsOk());
  EXPECT_TRUE(null_items->empty());
  StatusOr<std::vector<ManifestDocument>> no_items = ParseManifests("kind: PodList\n", "t");
  ASSERT_THAT(no_items, IsOk());
  ASSERT_EQ(no_items->size(), 1u);  // without items it is an ordinary object
  EXPECT_THAT(ParseManifests("kind: List\nitems: {a: 1}\n", "t"),
              StatusIs(StatusCode::kInvalidArgument, "t:1:1: List items must be a sequence"));
  EXPECT_THAT(
      ParseManifests("kind: List\nitems:\n- a: 1\n- just text\n", "t"),
      StatusIs(StatusCode::kInvalidArgument, "t:4: List item 1 is a string, not a mapping"));
}

TEST(ManifestTest, MergedListItemsFallBackToTheListLine) {
  StatusOr<std::vector<ManifestDocument>> docs =
      ParseManifests("\n\nkind: List\n<<: {items: [{kind: A}, {kind: B}]}\n", "t");
  ASSERT_THAT(docs, IsOk());
  ASSERT_EQ(docs->size(), 2u);
  EXPECT_EQ((*docs)[1].line, 3);
  EXPECT_EQ((*docs)[1].object, json({{"kind", "B"}}));
}

TEST(ManifestTest, RejectsDocumentsThatAreNotMappings) {
  EXPECT_THAT(
      ParseManifests("kind: A\n---\n- a\n- b\n", "t.yaml"),
      StatusIs(StatusCode::kInvalidArgument,
               "t.yaml:3:1: document 2 is a sequence, not a mapping (a Kubernetes object)"));
  EXPECT_THAT(ParseManifests("--- just words\n", "t.yaml"),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("document 1 is a string")));
}

TEST(ManifestTest, ParseErrorsCarryTheSourceName) {
  EXPECT_THAT(ParseManifests("a: 1\n- b\n", "dir/x.yaml"),
              StatusIs(StatusCode::kInvalidArgument, StartsWith("dir/x.yaml:2:1: ")));
}

TEST(ManifestTest, DuplicateKeysWarnAndKeepTheLastValue) {
  StatusOr<std::vector<ManifestDocument>> docs =
      ParseManifests("kind: A\na: 1\na: 2\n---\nkind: List\nitems: [{x: 1, x: 2}, {}]\n", "x.yaml");
  ASSERT_THAT(docs, IsOk());
  ASSERT_EQ(docs->size(), 3u);
  EXPECT_EQ((*docs)[0].object["a"], 2);
  EXPECT_THAT((*docs)[0].warnings,
              ElementsAre("x.yaml:3:1: duplicate key \"a\": kubectl keeps the last value"));
  EXPECT_THAT((*docs)[1].warnings, ElementsAre(StartsWith("x.yaml:6:16: duplicate key \"x\"")));
  EXPECT_TRUE((*docs)[2].warnings.empty());
}

TEST(ManifestTest, ManifestFileNames) {
  EXPECT_TRUE(IsManifestFileName("a.yaml"));
  EXPECT_TRUE(IsManifestFileName("a.yml"));
  EXPECT_TRUE(IsManifestFileName("a.json"));
  EXPECT_TRUE(IsManifestFileName("A.YAML"));
  EXPECT_FALSE(IsManifestFileName("a.yaml.bak"));
  EXPECT_FALSE(IsManifestFileName("a.txt"));
  EXPECT_FALSE(IsManifestFileName("yaml"));
}

TEST(ManifestTest, ListsDirectoriesRecursivelyAndSorted) {
  StatusOr<std::vector<std::string>> files = ListManifestFiles(kDir + "/tree");
  ASSERT_THAT(files, IsOk());
  EXPECT_THAT(*files,
              ElementsAre(kDir + "/tree/a.yaml", kDir + "/tree/b.yml", kDir + "/tree/c.JSON",
                          kDir + "/tree/sub/d.yaml", kDir + "/tree/sub/deeper/e.json"));
}

TEST(ManifestTest, ListsANamedFileWhateverItsExtension) {
  StatusOr<std::vector<std::string>> files = ListManifestFiles(kDir + "/tree/notes.txt");
  ASSERT_THAT(files, IsOk());
  EXPECT_THAT(*files, ElementsAre(kDir + "/tree/notes.txt"));
  EXPECT_THAT(ListManifestFiles(kDir + "/nope"), StatusIs(StatusCode::kNotFound));
}

}  // namespace
}  // namespace mgw
