#include "mgw/rules/image_ref.h"

#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "support/status_matchers.h"

namespace mgw {
namespace {

using ::mgw::testing::StatusIs;
using ::testing::HasSubstr;

const std::string kSha = "sha256:" + std::string(64, 'a');
const std::string kOtherSha = "sha256:" + std::string(64, 'b');

struct GoodCase {
  std::string input;
  std::string domain;
  std::string path;
  std::string tag;
  std::string digest;
};

// Expected results are what distribution/reference's ParseNormalizedNamed followed by
// TagNameOnly yields for the same input.
TEST(ImageRefTest, NormalisesLikeDistributionReference) {
  const GoodCase cases[] = {
      {"ubuntu", "docker.io", "library/ubuntu", "latest", ""},
      {"ubuntu:22.04", "docker.io", "library/ubuntu", "22.04", ""},
      {"docker.io/ubuntu", "docker.io", "library/ubuntu", "latest", ""},
      {"index.docker.io/ubuntu", "docker.io", "library/ubuntu", "latest", ""},
      {"index.docker.io/foo/bar", "docker.io", "foo/bar", "latest", ""},
      {"docker.io/library/ubuntu:latest", "docker.io", "library/ubuntu", "latest", ""},
      {"foo/bar", "docker.io", "foo/bar", "latest", ""},
      {"foo/bar/baz:1", "docker.io", "foo/bar/baz", "1", ""},
      {"quay.io/openshift/origin-must-gather", "quay.io", "openshift/origin-must-gather", "latest",
       ""},
      {"quay.io/openshift/origin-must-gather:4.15", "quay.io", "openshift/origin-must-gather",
       "4.15", ""},
      {"localhost/a", "localhost", "a", "latest", ""},
      {"localhost:5000/a/b:v1", "localhost:5000", "a/b", "v1", ""},
      {"registry:5000/team/img", "registry:5000", "team/img", "latest", ""},
      {"127.0.0.1:5000/img", "127.0.0.1:5000", "img", "latest", ""},
      {"[::1]:5000/img:v1", "[::1]:5000", "img", "v1", ""},
      {"[2001:db8::1]/img", "[2001:db8::1]", "img", "latest", ""},
      {"my-registry.example.com/a__b/c.d/e--f_g:T_a.g-1", "my-registry.example.com",
       "a__b/c.d/e--f_g", "T_a.g-1", ""},
      {"ubuntu@" + kSha, "docker.io", "library/ubuntu", "", kSha},
      {"quay.io/a/b@" + kSha, "quay.io", "a/b", "", kSha},
      {"quay.io/a/b:v1@" + kSha, "quay.io", "a/b", "v1", kSha},
      {"quay.io/a/b@sha384:" + std::string(96, '0'), "quay.io", "a/b", "",
       "sha384:" + std::string(96, '0')},
      {"quay.io/a/b@sha512:" + std::string(128, 'f'), "quay.io", "a/b", "",
       "sha512:" + std::string(128, 'f')},
      // A first component with upper case is taken as a registry host, not a repository.
      {"UPPER/x", "UPPER", "x", "latest", ""},
      {"Quay.io/x", "Quay.io", "x", "latest", ""},
      // With no '/', a "host:port" is a name and a tag (distribution's familiar-name rule).
      {"localhost:5000", "docker.io", "library/localhost", "5000", ""},
      {"docker.io", "docker.io", "library/docker.io", "latest", ""},
      {"ubuntu:" + std::string(128, 'x'), "docker.io", "library/ubuntu", std::string(128, 'x'), ""},
  };
  for (const GoodCase& c : cases) {
    StatusOr<ImageRef> ref = ParseImageRef(c.input);
    ASSERT_TRUE(ref.ok()) << c.input << ": " << ref.status();
    EXPECT_EQ(ref->domain, c.domain) << c.input;
    EXPECT_EQ(ref->path, c.path) << c.input;
    EXPECT_EQ(ref->tag, c.tag) << c.input;
    EXPECT_EQ(ref->digest, c.digest) << c.input;
  }
}

TEST(ImageRefTest, RendersNameStringAndIdentity) {
  StatusOr<ImageRef> plain = ParseImageRef("ubuntu");
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ(plain->Name(), "docker.io/library/ubuntu");
  EXPECT_EQ(plain->ToString(), "docker.io/library/ubuntu:latest");
  EXPECT_EQ(plain->IdentityKey(), "docker.io/library/ubuntu:latest");

  StatusOr<ImageRef> both = ParseImageRef("quay.io/a/b:v1@" + kSha);
  ASSERT_TRUE(both.ok());
  EXPECT_EQ(both->ToString(), "quay.io/a/b:v1@" + kSha);
  EXPECT_EQ(both->IdentityKey(), "quay.io/a/b@" + kSha);
}

struct SameCase {
  std::string a;
  std::string b;
  bool same;
};

TEST(ImageRefTest, SameImageComparesNormalisedIdentity) {
  const SameCase cases[] = {
      {"ubuntu", "docker.io/library/ubuntu:latest", true},
      {"ubuntu", "index.docker.io/library/ubuntu", true},
      {"ubuntu:latest", "docker.io/ubuntu", true},
      {"quay.io/openshift/origin-must-gather", "quay.io/openshift/origin-must-gather:latest", true},
      {"quay.io/a/b@" + kSha, "quay.io/a/b:v1@" + kSha, true},
      {"quay.io/a/b:v2@" + kSha, "quay.io/a/b:v1@" + kSha, true},
      {"ubuntu", "ubuntu:22.04", false},
      {"ubuntu", "library/ubuntu/x", false},
      {"quay.io/a/b", "quay.io/a/b@" + kSha, false},
      {"quay.io/a/b:v1", "quay.io/a/b:v1@" + kSha, false},
      {"quay.io/a/b@" + kSha, "quay.io/a/b@" + kOtherSha, false},
      {"quay.io/a/b@" + kSha, "quay.io/a/c@" + kSha, false},
      {"quay.io/a/b", "docker.io/a/b", false},
      {"localhost/a", "localhost:5000/a", false},
  };
  for (const SameCase& c : cases) {
    StatusOr<ImageRef> a = ParseImageRef(c.a);
    StatusOr<ImageRef> b = ParseImageRef(c.b);
    ASSERT_TRUE(a.ok() && b.ok()) << c.a << " / " << c.b;
    EXPECT_EQ(SameImage(*a, *b), c.same) << c.a << " vs " << c.b;
    EXPECT_EQ(SameImage(*b, *a), c.same) << c.b << " vs " << c.a;
    EXPECT_EQ(a->IdentityKey() == b->IdentityKey(), c.same) << c.a << " vs " << c.b;
  }
}

struct BadCase {
  std::string input;
  std::string message_part;
};

TEST(ImageRefTest, RejectsMalformedReferencesNamingThePart) {
  const BadCase cases[] = {
      {"", "empty"},
      {":tag", "must start with a repository name"},
      {"@" + kSha, "must start with a repository name"},
      {"/ubuntu", "must start with a repository name"},
      {"Ubuntu", "repository name must be lowercase"},
      {"docker.io/UPPER/x", "repository name must be lowercase"},
      {"quay.io/org/Image:v1", "repository name must be lowercase"},
      {"localhost/Foo", "repository name must be lowercase"},
      {"a:b:c", "tag \"b:c\" is invalid"},
      {"ubuntu:", "tag \"\" is invalid"},
      {"ubuntu:.v1", "tag \".v1\" is invalid"},
      {"ubuntu:-v1", "tag \"-v1\" is invalid"},
      {"ubuntu:v 1", "contains whitespace"},
      {"ubuntu:" + std::string(129, 'x'), "tag must not be more than 128 characters"},
      {"x@sha256:short", "digest \"sha256:short\" is invalid"},
      {"x@sha256:" + std::string(63, 'a'), "exactly 64 hex digits, got 63"},
      {"x@sha256:" + std::string(65, 'a'), "exactly 64 hex digits, got 65"},
      {"x@sha256:" + std::string(64, 'A'), "lowercase hex"},
      {"x@sha256:" + std::string(64, 'g'), "digest"},
      {"x@md5:" + std::string(32, 'a'), "algorithm \"md5\" is not supported"},
      {"x@SHA256:" + std::string(64, 'a'), "not supported"},
      {"x@" + std::string(64, 'a'), "digest"},
      {"x@", "digest \"\" is invalid"},
      {"x@" + kSha + "@" + kSha, "digest"},
      {"quay.io/x/", "empty component"},
      {"quay.io//x", "empty component"},
      {"quay.io/", "empty component"},
      {"foo//bar", "empty component"},
      {"quay.io/a..b", "path component \"a..b\" is invalid"},
      {"quay.io/a___b", "path component"},
      {"quay.io/-a", "path component"},
      {"quay.io/a-", "path component"},
      {"quay.io/a_", "path component"},
      {"quay.io/a._b", "path component"},
      {"quay.io/a:b/c", "tag \"b/c\" is invalid"},
      {"ubuntu latest", "contains whitespace"},
      {" ubuntu", "contains whitespace"},
      {"ubuntu\n", "contains whitespace"},
      {"quay.io /x", "contains whitespace"},
      {"-quay.io/x", "registry host \"-quay.io\""},
      {"quay-.io/x", "registry host"},
      {"quay..io/x", "registry host"},
      {"a_b.com/x", "registry host \"a_b.com\""},
      {"user@quay.io/x", "registry host"},
      {"quay.io:/x", "registry port"},
      {"quay.io:abc/x", "registry port"},
      {"quay.io:5000:1/x", "registry port"},
      {"[]:5000/x", "registry host \"[]\""},
      {"[]/x", "path component \"[]\""},
      {"[::1/x", "registry host"},
      {"[zz::1]:5000/x", "registry host"},
      {"[::1]x/x", "registry port"},
      {std::string(64, 'a'), "64-hex image ID"},
      {"caf\xc3\xa9/x", "path component \"caf\\xc3\\xa9\""},
      {"quay.io/\xff\xfe", "path component \"\\xff\\xfe\""},
      {"quay.io/x:\xff", "tag \"\\xff\" is invalid"},
      {std::string("quay.io/a\0b", 11), "path component \"a\\x00b\""},
      {"quay.io/" + std::string(256, 'a'), "must not be more than 255 characters, got 256"},
  };
  for (const BadCase& c : cases) {
    EXPECT_THAT(ParseImageRef(c.input),
                StatusIs(StatusCode::kInvalidArgument, HasSubstr(c.message_part)))
        << c.input;
  }
}

// Callers show the value next to the message, so the message names only the problem.
TEST(ImageRefTest, MessageNamesTheProblemWithoutRepeatingTheInput) {
  EXPECT_THAT(ParseImageRef("Ubuntu"),
              StatusIs(StatusCode::kInvalidArgument,
                       "repository name must be lowercase, got \"library/Ubuntu\""));
  EXPECT_THAT(ParseImageRef("Not A Reference"),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("whitespace")));
}

TEST(ImageRefTest, PathLimitIs255CharactersExcludingTheHost) {
  // distribution/reference bounds the path; the registry host does not count.
  EXPECT_TRUE(ParseImageRef("quay.io/" + std::string(255, 'a')).ok());
  EXPECT_TRUE(ParseImageRef("a/" + std::string(253, 'b')).ok());   // docker.io/a/bbb...: 255
  EXPECT_FALSE(ParseImageRef("a/" + std::string(254, 'b')).ok());  // 256
  EXPECT_FALSE(ParseImageRef(std::string(248, 'b')).ok());         // library/ + 248 = 256
  EXPECT_TRUE(ParseImageRef(std::string(247, 'b')).ok());
}

TEST(ImageRefTest, MegabyteInputsFailWithShortMessages) {
  const std::string huge_inputs[] = {
      std::string(1 << 20, 'a'),
      "quay.io/" + std::string(1 << 20, 'A'),
      "quay.io/x:" + std::string(1 << 20, 't'),
      "quay.io/x@sha256:" + std::string(1 << 20, 'a'),
      std::string(1 << 20, '/'),
      std::string(1 << 20, '\xff'),
  };
  for (const std::string& input : huge_inputs) {
    StatusOr<ImageRef> ref = ParseImageRef(input);
    EXPECT_THAT(ref, StatusIs(StatusCode::kInvalidArgument)) << input.substr(0, 20);
    EXPECT_LT(ref.status().message().size(), 800u) << input.substr(0, 20);
  }
}

TEST(ImageRefTest, ParsedFormIsAFixedPoint) {
  const std::string inputs[] = {"ubuntu", "quay.io/a/b:v1@" + kSha, "localhost:5000/a/b:v1",
                                "[::1]:5000/img", "UPPER/x"};
  for (const std::string& input : inputs) {
    StatusOr<ImageRef> once = ParseImageRef(input);
    ASSERT_TRUE(once.ok()) << input;
    StatusOr<ImageRef> twice = ParseImageRef(once->ToString());
    ASSERT_TRUE(twice.ok()) << once->ToString();
    EXPECT_EQ(twice->ToString(), once->ToString());
  }
}

}  // namespace
}  // namespace mgw
