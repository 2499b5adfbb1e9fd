#include "manifest/yaml_respell.h"

#include <string>

#include <gtest/gtest.h>

namespace mgw {
namespace {

// The text libyaml reads in place of `text`.
std::string Respell(std::string_view text) {
  Respelled r = RespellForLibyaml(text);
  return r.text.empty() ? std::string(text) : r.text;
}

TEST(YamlRespellTest, LeavesOrdinaryTextAlone) {
  for (std::string_view text :
       {"a: 1\n", "a: \"x!\"\nb: !!str [1]\n", "a: [!!int 1, !x 2]\n", "a: !<a,b> 1\n",
        "\xEF\xBB\xBF"
        "a: 1\n"}) {
    Respelled r = RespellForLibyaml(text);
    EXPECT_TRUE(r.text.empty() || r.text == text) << text;
    EXPECT_FALSE(r.stand_ins) << text;
  }
}

TEST(YamlRespellTest, SpellsQuoteEscapesAsGoYamlReadsThem) {
  EXPECT_EQ(Respell("a: \"it\\'s\"\nb: 'x\\'\n"), "a: \"it\\x27s\"\nb: 'x\\'\n");
}

// go-yaml v2 takes `,`, `[` and `]` into a tag (kubectl reads `!!int]` as "", a string
// with a tag nobody knows); libyaml stops the tag there.
TEST(YamlRespellTest, KeepsFlowIndicatorsInTagsAsGoYamlDoes) {
  EXPECT_EQ(Respell("!!int]\n"), "!!int;\n");
  EXPECT_EQ(Respell("![\n"), "!;\n");
  EXPECT_EQ(Respell("[!a, b]\n"), "[!a; b]\n");
  EXPECT_EQ(Respell("[!!,nt 2]\n"), "[!!;nt 2]\n");
  EXPECT_EQ(Respell("b: !![1, 2]\n"), "b: !!;1; 2]\n");
  EXPECT_EQ(Respell("- !a,b]c d\n"), "- !a;b;c d\n");
  EXPECT_EQ(Respell("a: \"!x,\" # !y]\n"), "a: \"!x,\" # !y]\n");  // no tags here
  EXPECT_EQ(Respell("\xEF\xBB\xBF"
                    "a: ![- x\n"),
            "\xEF\xBB\xBF"
            "a: !;- x\n");  // libyaml counts from after the byte order mark
}

// go-yaml v2 skips a byte order mark only at the start; others are text to it.
TEST(YamlRespellTest, ByteOrderMarksAfterTheStartBecomeText) {
  Respelled r = RespellForLibyaml(
      "\xEF\xBB\xBF"
      "a: 1\n\xEF\xBB\xBF"
      "b: 2\n");
  EXPECT_TRUE(r.stand_ins);
  EXPECT_EQ(r.text,
            "\xEF\xBB\xBF"
            "a: 1\n\xEE\x80\x80"
            "b: 2\n");
  EXPECT_EQ(RestoreStandIns("x\xEE\x80\x80y\xEE\x80\x80"), "x\xEF\xBB\xBFy\xEF\xBB\xBF");
  // Not followed: the stand-in is in the text already, or go-yaml's own quirk with two
  // marks at the start (it then skips the first character of every line).
  EXPECT_FALSE(RespellForLibyaml("a: \xEE\x80\x80\n\xEF\xBB\xBF"
                                 "b: 2\n")
                   .stand_ins);
  EXPECT_FALSE(RespellForLibyaml("\xEF\xBB\xBF\xEF\xBB\xBF"
                                 "a: 1\n\xEF\xBB\xBF"
                                 "b: 2\n")
                   .stand_ins);
}

// In a flow collection go-yaml reads `nu:` before `]` as a plain scalar; libyaml
// refuses the `:`.
TEST(YamlRespellTest, ColonsBeforeFlowIndicatorsBecomeText) {
  Respelled r = RespellForLibyaml("a: [nu:]\nb: {c:, d: e:f}\n");
  EXPECT_TRUE(r.stand_ins);
  EXPECT_EQ(r.text, "a: [nu\xEE\x80\x81]\nb: {c\xEE\x80\x81, d: e:f}\n");
  EXPECT_EQ(RestoreStandIns("nu\xEE\x80\x81"), "nu:");
  // Either stand-in in the text already: none is used, so none is turned back wrongly.
  EXPECT_FALSE(RespellForLibyaml("a: [\xEE\x80\x81, nu:]\n").stand_ins);
  EXPECT_FALSE(RespellForLibyaml("a: \xEE\x80\x81\n\xEF\xBB\xBF"
                                 "b: 2\n")
                   .stand_ins);
  EXPECT_FALSE(RespellForLibyaml("a: [\xEE\x80\x80, nu:]\n").stand_ins);
}

TEST(YamlRespellTest, MarkByteOffsetCountsCharactersAfterAByteOrderMark) {
  EXPECT_EQ(MarkByteOffset("a\xC3\xA9z", 2), 3u);
  EXPECT_EQ(MarkByteOffset("\xEF\xBB\xBF"
                           "ab",
                           1),
            4u);
  EXPECT_EQ(MarkByteOffset("a\xC3\xA9z", 3, 2, 3), 4u);
  EXPECT_EQ(MarkByteOffset("ab", 9), 2u);
}

}  // namespace
}  // namespace mgw
