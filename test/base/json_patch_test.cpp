#include "mgw/base/json_patch.h"

#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "support/status_matchers.h"

namespace mgw {
namespace {

using ::mgw::testing::IsOk;
using ::mgw::testing::StatusIs;
using ::nlohmann::json;

struct Base64Case {
  std::string plain;
  std::string encoded;
};

// RFC 4648 §10 test vectors.
const Base64Case kRfc4648Vectors[] = {
    {"", ""},
    {"f", "Zg=="},
    {"fo", "Zm8="},
    {"foo", "Zm9v"},
    {"foob", "Zm9vYg=="},
    {"fooba", "Zm9vYmE="},
    {"foobar", "Zm9vYmFy"},
};

TEST(JsonPatchTest, Base64EncodesRfc4648Section10Vectors) {
  for (const Base64Case& c : kRfc4648Vectors)
    EXPECT_EQ(Base64Encode(c.plain), c.encoded) << c.plain;
}

TEST(JsonPatchTest, Base64DecodesRfc4648Section10Vectors) {
  for (const Base64Case& c : kRfc4648Vectors) {
    StatusOr<std::string> got = Base64Decode(c.encoded);
    ASSERT_THAT(got, IsOk()) << c.encoded;
    EXPECT_EQ(*got, c.plain);
  }
}

TEST(JsonPatchTest, Base64UsesStandardAlphabetForHighBits) {
  EXPECT_EQ(Base64Encode("\xfb\xff"), "+/8=");
  EXPECT_EQ(Base64Encode(std::string("\0\0\0", 3)), "AAAA");
}

TEST(JsonPatchTest, Base64RoundTripsEveryByteValueAtEveryLength) {
  std::string all;
  for (int i = 0; i < 256; ++i) all += static_cast<char>(i);
  for (size_t len = 0; len <= all.size(); ++len) {
    const std::string plain = all.substr(all.size() - len);
    StatusOr<std::string> got = Base64Decode(Base64Encode(plain));
    ASSERT_THAT(got, IsOk()) << len;
    EXPECT_EQ(*got, plain) << len;
  }
}

TEST(JsonPatchTest, Base64DecodeRejectsMalformedText) {
  const std::string bad[] = {
      "Zg",          // length not a multiple of 4
      "Zg=",         // ditto
      "Zm9vY",       // ditto
      "Z===",        // three padding characters
      "====",        // padding only
      "Zg==Zg==",    // padding in the middle
      "Z=g=",        // '=' inside the final quantum
      "Zm9v\nYmFy",  // line break
      " Zg=",        // whitespace
      "Zm9-",        // URL-safe alphabet
      "Zm9_",        // ditto
      "Zh==",        // non-zero fill bits after "f"
      "Zm9=",        // non-zero fill bits after "fo"
      "Zm\xff=",     // byte outside ASCII
      std::string("Zm\0v", 4),
  };
  for (const std::string& text : bad) {
    EXPECT_THAT(Base64Decode(text), StatusIs(StatusCode::kInvalidArgument)) << text;
  }
}

TEST(JsonPatchTest, Base64MatchesAdmissionDocExample) {
  // The Kubernetes docs encode this text verbatim, spaces included.
  const std::string doc_patch = R"([{"op": "add", "path": "/spec/replicas", "value": 3}])";
  const std::string doc_base64 =
      "W3sib3AiOiAiYWRkIiwgInBhdGgiOiAiL3NwZWMvcmVwbGljYXMiLCAidmFsdWUiOiAzfV0=";
  EXPECT_EQ(Base64Encode(doc_patch), doc_base64);
  StatusOr<std::string> decoded = Base64Decode(doc_base64);
  ASSERT_THAT(decoded, IsOk());
  EXPECT_EQ(*decoded, doc_patch);
  // The builder renders the same operation compactly; the JSON is equal.
  const json built = PatchBuilder().Add({"spec", "replicas"}, 3).ops();
  EXPECT_EQ(built, json::parse(*decoded));
  EXPECT_EQ(built.dump(), R"([{"op":"add","path":"/spec/replicas","value":3}])");
}

TEST(JsonPatchTest, EscapesPointerTokensPerRfc6901) {
  const std::pair<std::string, std::string> cases[] = {
      {"", ""},         {"spec", "spec"}, {"a/b", "a~1b"}, {"m~n", "m~0n"},      {"~1", "~01"},
      {"/", "~1"},      {"~/", "~0~1"},   {"/~", "~1~0"},  {"~~//", "~0~0~1~1"}, {"c%d", "c%d"},
      {"k\"l", "k\"l"}, {" ", " "},
  };
  for (const auto& [token, want] : cases) EXPECT_EQ(EscapePointerToken(token), want) << token;
}

TEST(JsonPatchTest, JoinsTokensIntoPointer) {
  EXPECT_EQ(JsonPointer({}), "");
  EXPECT_EQ(JsonPointer({""}), "/");
  EXPECT_EQ(JsonPointer({"spec", "storage"}), "/spec/storage");
  EXPECT_EQ(JsonPointer({"spec", "images", "0"}), "/spec/images/0");
  EXPECT_EQ(JsonPointer({"metadata", "annotations", "example.com/a~b"}),
            "/metadata/annotations/example.com~1a~0b");
}

TEST(JsonPatchTest, PointersResolveRfc6901ExampleDocument) {
  // RFC 6901 §5: every member of this document is reachable by its escaped key.
  const json doc = json::parse(R"({"foo": ["bar", "baz"], "": 0, "a/b": 1, "c%d": 2, "e^f": 3,
      "g|h": 4, "i\\j": 5, "k\"l": 6, " ": 7, "m~n": 8})");
  for (const auto& [key, value] : doc.items()) {
    const json::json_pointer ptr(JsonPointer({key}));
    EXPECT_EQ(doc.at(ptr), value) << key;
  }
  EXPECT_EQ(doc.at(json::json_pointer(JsonPointer({"foo", "1"}))), "baz");
}

TEST(JsonPatchTest, EmptyBuilderIsEmptyArray) {
  PatchBuilder builder;
  EXPECT_TRUE(builder.empty());
  EXPECT_EQ(builder.ops(), json::array());
}

TEST(JsonPatchTest, RendersOperationsInOrder) {
  PatchBuilder builder;
  builder.Add({"a"}, 1).Replace({"b"}, "x").Remove({"c"});
  EXPECT_FALSE(builder.empty());
  EXPECT_EQ(builder.ops(), json::parse(R"([
      {"op": "add", "path": "/a", "value": 1},
      {"op": "replace", "path": "/b", "value": "x"},
      {"op": "remove", "path": "/c"}])"));
}

TEST(JsonPatchTest, AddKeepsNullValueMember) {
  // RFC 6902 §4.1 requires a "value" member even when the value is null.
  const json ops = PatchBuilder().Add({"spec", "x"}, nullptr).ops();
  ASSERT_EQ(ops.size(), 1u);
  ASSERT_TRUE(ops[0].contains("value"));
  EXPECT_TRUE(ops[0]["value"].is_null());
}

struct ApplyCase {
  std::string name;
  std::string before;
  PatchBuilder patch;
  std::string after;
};

TEST(JsonPatchTest, BuiltPatchesApplyToExpectedDocuments) {
  const ApplyCase cases[] = {
      {"empty patch is identity", R"({"spec":{}})", PatchBuilder(), R"({"spec":{}})"},
      {"default storage type", R"({"spec":{"storage":{"persistentVolume":{}}}})",
       PatchBuilder().Add({"spec", "storage", "type"}, "PersistentVolume"),
       R"({"spec":{"storage":{"type":"PersistentVolume","persistentVolume":{}}}})"},
      {"add object then member", R"({"spec":{}})",
       PatchBuilder()
           .Add({"spec", "storage"}, json::object())
           .Add({"spec", "storage", "type"}, "PV"),
       R"({"spec":{"storage":{"type":"PV"}}})"},
      {"replace and remove", R"({"a":1,"b":2})", PatchBuilder().Replace({"a"}, 10).Remove({"b"}),
       R"({"a":10})"},
      {"append and insert into array", R"({"images":["a"]})",
       PatchBuilder().Add({"images", "-"}, "c").Add({"images", "1"}, "b"),
       R"({"images":["a","b","c"]})"},
      {"keys needing escapes", R"({"metadata":{"annotations":{}}})",
       PatchBuilder()
           .Add({"metadata", "annotations", "example.com/owner"}, "x")
           .Add({"metadata", "annotations", "a~b"}, "y"),
       R"({"metadata":{"annotations":{"example.com/owner":"x","a~b":"y"}}})"},
      {"empty key", R"({})", PatchBuilder().Add({""}, 1), R"({"":1})"},
  };
  for (const ApplyCase& c : cases) {
    EXPECT_EQ(json::parse(c.before).patch(c.patch.ops()), json::parse(c.after)) << c.name;
  }
}

}  // namespace
}  // namespace mgw
