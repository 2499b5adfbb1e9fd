#include "mgw/rules/k8s_names.h"

#include <string>

#include <gtest/gtest.h>

namespace mgw {
namespace {

struct NameCase {
  std::string input;
  bool subdomain;
  bool label;
};

// Expectations follow k8s.io/apimachinery validation.IsDNS1123Subdomain/Label.
TEST(K8sNamesTest, MatchesApimachineryGrammar) {
  const NameCase cases[] = {
      {"a", true, true},
      {"0", true, true},
      {"abc-123", true, true},
      {"a--b", true, true},
      {"must-gather-output", true, true},
      {"a.b", true, false},
      {"a-1.b-2.c", true, false},
      {"11.22.33", true, false},
      {"", false, false},
      {"-a", false, false},
      {"a-", false, false},
      {".a", false, false},
      {"a.", false, false},
      {"a..b", false, false},
      {"a.-b", false, false},
      {"a-.b", false, false},
      {".", false, false},
      {"-", false, false},
      {"A", false, false},
      {"aBc", false, false},
      {"a_b", false, false},
      {"a b", false, false},
      {" a", false, false},
      {"a\n", false, false},
      {"a/b", false, false},
      {"a:b", false, false},
      {"caf\xc3\xa9", false, false},  // "café" in UTF-8
      {"\xff\xfe", false, false},     // not UTF-8 at all
      {std::string("a\0b", 3), false, false},
  };
  for (const NameCase& c : cases) {
    EXPECT_EQ(IsDns1123Subdomain(c.input), c.subdomain) << "subdomain: \"" << c.input << "\"";
    EXPECT_EQ(IsDns1123Label(c.input), c.label) << "label: \"" << c.input << "\"";
  }
}

TEST(K8sNamesTest, LabelLengthLimitIs63Bytes) {
  EXPECT_TRUE(IsDns1123Label(std::string(63, 'a')));
  EXPECT_FALSE(IsDns1123Label(std::string(64, 'a')));
}

TEST(K8sNamesTest, SubdomainLengthLimitIs253Bytes) {
  // Labels of 63 bytes joined by dots: 4 * 63 + 3 = 255, trimmed to the edge.
  std::string name = std::string(63, 'a') + "." + std::string(63, 'b') + "." +
                     std::string(63, 'c') + "." + std::string(61, 'd');
  ASSERT_EQ(name.size(), 253u);
  EXPECT_TRUE(IsDns1123Subdomain(name));
  EXPECT_FALSE(IsDns1123Subdomain(name + "d"));
  EXPECT_TRUE(IsDns1123Subdomain(std::string(253, 'x')));
  EXPECT_FALSE(IsDns1123Subdomain(std::string(254, 'x')));
}

TEST(K8sNamesTest, SubdomainDoesNotLimitEachLabel) {
  // apimachinery checks only the total length of a subdomain, so a 64-byte label passes.
  EXPECT_TRUE(IsDns1123Subdomain(std::string(64, 'a') + ".b"));
}

TEST(K8sNamesTest, HugeInputIsRejectedQuickly) {
  EXPECT_FALSE(IsDns1123Subdomain(std::string(1 << 20, 'a')));
  EXPECT_FALSE(IsDns1123Label(std::string(1 << 20, 'a')));
}

}  // namespace
}  // namespace mgw
