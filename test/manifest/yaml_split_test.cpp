#include "manifest/yaml_split.h"

#include <gtest/gtest.h>

namespace mgw {
namespace {

TEST(YamlSplitTest, CutsAtDashLinesOnly) {
  std::vector<YamlChunk> chunks = SplitYamlDocuments("a: 1\n---\nb: 2\n--- \t\r\nc: 3\n--- x\nd");
  ASSERT_EQ(chunks.size(), 3u);
  EXPECT_EQ(chunks[0].text, "a: 1\n");
  EXPECT_EQ(chunks[0].first_line, 1);
  EXPECT_EQ(chunks[1].text, "b: 2\n");
  EXPECT_EQ(chunks[1].first_line, 3);
  EXPECT_EQ(chunks[2].text, "c: 3\n--- x\nd");  // `--- x` is the parser's business
  EXPECT_EQ(chunks[2].first_line, 5);
}

TEST(YamlSplitTest, DropsEmptyChunksKeepsCommentOnlyOnes) {
  std::vector<YamlChunk> chunks = SplitYamlDocuments("---\n---\n# note\n---\n");
  ASSERT_EQ(chunks.size(), 1u);
  EXPECT_EQ(chunks[0].text, "# note\n");
  EXPECT_EQ(chunks[0].first_line, 3);
  EXPECT_TRUE(SplitYamlDocuments("").empty());
  EXPECT_EQ(SplitYamlDocuments("----\n").size(), 1u);  // four dashes: not a separator
  EXPECT_EQ(SplitYamlDocuments("a\n...\nb\n").size(), 1u);
}

}  // namespace
}  // namespace mgw
