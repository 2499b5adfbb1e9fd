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

// Reads events up to the root's end (the first event that leaves `depth` at zero).
void ReadRoot(YamlEventReader& reader) {
  int depth = 0;
  for (;;) {
    StatusOr<YamlEvent> e = reader.Next();
    ASSERT_THAT(e, IsOk());
    if (e->type == YamlEventType::kMappingStart || e->type == YamlEventType::kSequenceStart) {
      ++depth;
    } else if (e->type == YamlEventType::kMappingEnd || e->type == YamlEventType::kSequenceEnd) {
      if (--depth == 0) return;
    } else if (e->type == YamlEventType::kScalar && depth == 0) {
      return;
    }
  }
}

TEST(YamlEventsTest, AfterTheRootReadsNoFurtherThanGoYaml) {
  // libyaml looks past `{}` for a `:` and meets the `-`; go-yaml has forgotten `{}` as a
  // key by then and ends the document at it.
  YamlEventReader reader("\n\n    a:\n        b:\n         - 1\n  {}     -  2\n    c: d\n", 1);
  ReadRoot(reader);
  StatusOr<YamlEvent> end = reader.NextAfterRoot();
  ASSERT_THAT(end, IsOk());
  EXPECT_EQ(end->type, YamlEventType::kDocumentEnd);
  EXPECT_EQ(end->line, 6);
  EXPECT_EQ(end->column, 3);
}

TEST(YamlEventsTest, AfterTheRootAKeyGoYamlKeepsStillFails) {
  // `[a]` keeps its key in go-yaml too, which then meets the bad `@` as libyaml does.
  YamlEventReader reader("  a: 1\n[a] @\n", 1);
  ReadRoot(reader);
  EXPECT_THAT(reader.NextAfterRoot(),
              StatusIs(StatusCode::kInvalidArgument,
                       ::testing::HasSubstr("found character that cannot start any token")));
}

TEST(YamlEventsTest, ForgottenKeysAreFlowCollectionsWithoutKeysOnOneLine) {
  auto forgotten = [](std::string_view text) {
    YamlEventReader reader(text, 1);
    for (;;) {
      StatusOr<YamlEvent> e = reader.Next();
      if (!e.ok() || e->type == YamlEventType::kStreamEnd) return false;
      if ((e->type == YamlEventType::kSequenceStart || e->type == YamlEventType::kMappingStart) &&
          !e->block) {
        return reader.StartsForgottenKey();
      }
    }
  };
  EXPECT_TRUE(forgotten("[]: x\n"));
  EXPECT_TRUE(forgotten("- { }\n"));
  EXPECT_TRUE(forgotten("- [: a]\n"));  // no key may start after ':' in a flow
  EXPECT_FALSE(forgotten("- [a]\n"));
  EXPECT_FALSE(forgotten("- [ - a]\n"));  // go-yaml allows a key after '-', in a flow too
  EXPECT_FALSE(forgotten("- [[]]\n"));    // the inner one is a key of the outer's level
  EXPECT_FALSE(forgotten("- [\n  ]\n"));
  EXPECT_FALSE(forgotten("- [" + std::string(1100, ' ') + "]\n"));
}

}  // namespace
}  // namespace mgw
