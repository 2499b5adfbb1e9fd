#include "manifest/yaml_events.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "support/status_matchers.h"

namespace mgw {
namespace {

using ::mgw::testing::IsOk;
using ::mgw::testing::StatusIs;

TEST(YamlEventsTest, ReportsNodesWithPositionsAndStyle) {
  YamlEventReader reader("\n&a x: 'q'\ny: !!int 7\n", 10);
  int scalars = 0;
  for (;;) {
    StatusOr<YamlEvent> e = reader.Next();
    ASSERT_THAT(e, IsOk());
    if (e->type == YamlEventType::kStreamEnd) break;
    if (e->type != YamlEventType::kScalar) continue;
    ++scalars;
    if (e->value == "x") {
      EXPECT_EQ(e->anchor, "a");
      EXPECT_TRUE(e->plain);
      EXPECT_EQ(e->line, 11);
      EXPECT_EQ(e->column, 1);  // a node starts at its anchor
    } else if (e->value == "q") {
      EXPECT_FALSE(e->plain);
    } else if (e->value == "7") {
      EXPECT_EQ(e->tag, "tag:yaml.org,2002:int");
    }
  }
  EXPECT_EQ(scalars, 4);
}

TEST(YamlEventsTest, MalformedInputNamesLineAndColumnEveryTime) {
  YamlEventReader reader("a: b: c\n", 3);
  StatusOr<YamlEvent> e = reader.Next();
  while (e.ok() && e->type != YamlEventType::kStreamEnd) e = reader.Next();
  EXPECT_THAT(e, StatusIs(StatusCode::kInvalidArgument,
                          "3:5: mapping values are not allowed in this context"));
  EXPECT_THAT(reader.Next(), StatusIs(StatusCode::kInvalidArgument));
}

}  // namespace
}  // namespace mgw
