#include "support/manifest_generator.h"

#include <random>
#include <set>
#include <string_view>

namespace mgw::testing {
namespace {

constexpr std::string_view kKeys[] = {
    "apiVersion", "kind",  "metadata", "name",       "namespace", "labels", "spec", "image", "args",
    "storage",    "claim", "subPath",  "x-y",        "1",         "true",   "0x10", "-dash", "a:b",
    "with space", "a.b/c", "items",    "\"quoted\"", "'single'",  "\"\"",
};

// Plain scalars for block context: typed, untyped and awkward ones.
constexpr std::string_view kPlain[] = {
    "x",
    "mg-artifacts",
    "30m",
    "0",
    "-12",
    "+5",
    "-0",
    "0777",
    "0o17",
    "0x1F",
    "0xff",
    "1.5",
    ".5",
    "1.",
    "-2.5e-3",
    "1e3",
    ".inf",
    "-.Inf",
    "+.INF",
    ".NaN",
    "~",
    "null",
    "Null",
    "NULL",
    "true",
    "True",
    "FALSE",
    "yes",
    "on",
    "1_000",
    "2025-09-01",
    "quay.io/a/b:1",
    "http://x:8/",
    "a#b",
    "x,y",
    "x[0]",
    "x]",
    "--flag=1",
    "-x",
    "9223372036854775807",
    "-9223372036854775809",
    "18446744073709551616",
    "1e999",
    "1e-999",
    "\xC3\xA9t\xC3\xA9",
    "a  b",
    "0b101",
    "+0x1",
    "1.2.3",
    "TrUe",
    "x!",
    "a&b *c",
    "a|b",
    "x>y",
    "50%",
    "a: b",  // a key where a value belongs: YAML refuses it
};

constexpr std::string_view kQuoted[] = {
    "\"\"",
    "\"true\"",
    "\"5\"",
    "\"a\\nb\"",
    "\"\\u00e9\\x41\\/\\\\\"",
    "\"tab\\there\"",
    "'it''s'",
    "''",
    "\"# not a comment\"",
    "\"a: b\"",
    "' lead and trail '",
    "\"\\U0001F600\"",
    "\"\\0\\a\\b\\e\\f\\v\\r\\ \"",
    "'\"'",
    "\"\\'\"",
};

constexpr std::string_view kFlowPlain[] = {"x",    "1",     "-1",   "true",          "~",
                                           "a b",  "0x1F",  ".inf", "quay.io/a/b:1", "1e3",
                                           "null", "False", "x:y",  "http://x:8/"};

class Generator {
 public:
  explicit Generator(uint32_t seed) : rng_(seed) {}

  std::string Stream();

 private:
  size_t Pick(size_t n) { return rng_() % n; }
  bool Chance(size_t percent) { return Pick(100) < percent; }
  int Step() { return static_cast<int>(Pick(4)) + 1; }
  std::string Spaces(int n) { return std::string(static_cast<size_t>(n), ' '); }
  std::string Scalar();
  std::string Flow(int depth);
  std::string EndOfLine() { return Chance(10) ? " # note\n" : "\n"; }
  void Literal(int indent);
  void Filler();
  void Mapping(int indent, int depth, bool inline_first);
  void Value(int indent, int depth);
  void Sequence(int indent, int depth, bool inline_first);
  void Document();

  std::mt19937 rng_;
  std::string out_;
};

std::string Generator::Scalar() {
  if (Chance(25)) return std::string(kQuoted[Pick(std::size(kQuoted))]);
  return std::string(kPlain[Pick(std::size(kPlain))]);
}

std::string Generator::Flow(int depth) {
  const bool map = Chance(40);
  const size_t n = Pick(4);
  std::string out = map ? "{" : "[";
  if (Chance(20)) out += " ";
  static constexpr std::string_view kFlowKeys[] = {"a", "b", "c d", "\"q\"", "1"};
  std::set<size_t> used;
  for (size_t i = 0; i < n; ++i) {
    if (i > 0) out += Chance(70) ? ", " : ",";
    if (map) {
      size_t k = Pick(std::size(kFlowKeys));
      if (!used.insert(k).second) continue;  // may leave a trailing comma: a decline case
      out += std::string(kFlowKeys[k]) + ": ";
    }
    if (depth < 2 && Chance(15)) {
      out += Flow(depth + 1);
    } else if (Chance(25)) {
      out += kQuoted[Pick(std::size(kQuoted))];
    } else {
      out += kFlowPlain[Pick(std::size(kFlowPlain))];
    }
  }
  return out + (Chance(20) ? " " : "") + (map ? "}" : "]");
}

// Sometimes a blank line or a comment line at some indent.
void Generator::Filler() {
  if (Chance(8)) out_ += "\n";
  if (Chance(6)) out_ += Spaces(static_cast<int>(Pick(6))) + "# comment\n";
}

void Generator::Mapping(int indent, int depth, bool inline_first) {
  const size_t n = Pick(4) + 1;
  std::set<size_t> used;
  for (size_t i = 0; i < n; ++i) {
    size_t k = Pick(std::size(kKeys));
    if (!used.insert(k).second && !Chance(3)) continue;  // now and then a duplicate key
    if (i > 0 || !inline_first) {
      Filler();
      out_ += Spaces(indent);
    }
    out_ += std::string(kKeys[k]) + ":";
    Value(indent, depth);
  }
}

// What follows `key:` for a key at `indent`.
void Generator::Value(int indent, int depth) {
  const size_t r = depth >= 5 ? 0 : Pick(100);
  if (r < 45) {
    out_ += " " + Scalar() + EndOfLine();
  } else if (r < 60) {
    out_ += EndOfLine();
    Mapping(indent + Step(), depth + 1, false);
  } else if (r < 75) {
    out_ += EndOfLine();
    Sequence(Chance(50) ? indent : indent + Step(), depth + 1, false);
  } else if (r < 85) {
    out_ += " " + Flow(0) + EndOfLine();
  } else if (r < 92) {
    Literal(indent);
  } else {
    out_ += EndOfLine();  // null
  }
}

void Generator::Sequence(int indent, int depth, bool inline_first) {
  const size_t n = Pick(3) + 1;
  for (size_t i = 0; i < n; ++i) {
    if (i > 0 || !inline_first) {
      Filler();
      out_ += Spaces(indent);
    }
    out_ += "-";
    const size_t r = depth >= 5 ? 0 : Pick(100);
    if (r < 35) {
      out_ += " " + Scalar() + EndOfLine();
    } else if (r < 70) {
      int gap = Chance(80) ? 1 : 3;
      out_ += Spaces(gap);
      Mapping(indent + 1 + gap, depth + 1, true);
    } else if (r < 78) {
      out_ += " ";
      Sequence(indent + 2, depth + 1, true);
    } else if (r < 90) {
      out_ += EndOfLine();
      Mapping(indent + Step(), depth + 1, false);
    } else if (r < 94) {
      out_ += " " + Flow(0) + EndOfLine();
    } else if (r < 98) {
      Literal(indent);
    } else {
      out_ += "\n";  // an empty item
    }
  }
}

// A literal block scalar after `key:` or `-` at `indent`.
void Generator::Literal(int indent) {
  static constexpr std::string_view kLines[] = {
      "x", "echo \"$HOME\" # kept", "# not a comment", "a: b", "  more indented", "", " "};
  out_ += Chance(50) ? " |\n" : " |-\n";
  const int content = indent + Step();
  const size_t n = Pick(4) + 1;
  for (size_t i = 0; i < n; ++i) {
    std::string_view line = kLines[Pick(std::size(kLines))];
    out_ += (line.empty() ? "" : Spaces(content)) + std::string(line) + "\n";
  }
}

void Generator::Document() {
  const size_t r = Pick(100);
  if (r < 15) {
    out_ += "apiVersion: v1\nkind: List\nitems:\n";
    Sequence(Chance(50) ? 0 : 2, 1, false);
  } else if (r < 20) {
    Sequence(0, 0, false);
  } else if (r < 23) {
    out_ += Scalar() + "\n";
  } else {
    Mapping(Chance(10) ? 2 : 0, 0, false);
  }
}

std::string Generator::Stream() {
  if (Chance(10)) out_ += "# header\n";
  if (Chance(30)) out_ += Chance(50) ? "---\n" : "--- # first\n";
  const size_t docs = Pick(3) + 1;
  for (size_t i = 0; i < docs; ++i) {
    if (i > 0) out_ += Chance(10) ? "...\n---\n" : "---\n";
    if (Chance(5)) out_ += "---\n";  // an empty document
    Document();
  }
  if (Chance(10)) out_ += Chance(50) ? "---\n" : "...\n";
  if (!Chance(10)) return out_;
  std::string crlf;
  for (char c : out_) crlf += c == '\n' ? "\r\n" : std::string(1, c);
  return crlf;
}

}  // namespace

std::string GenerateManifestYaml(uint32_t seed) { return Generator(seed).Stream(); }

std::string MutateYaml(const std::string& text, uint32_t seed) {
  static constexpr std::string_view kBytes = " -:#\n\"'[]{},&*!|>?%@\t\r~\\.0a";
  std::mt19937 rng(seed);
  std::string out = text;
  const size_t edits = rng() % 3 + 1;
  for (size_t i = 0; i < edits && !out.empty(); ++i) {
    const size_t pos = rng() % out.size();
    const char byte = kBytes[rng() % kBytes.size()];
    switch (rng() % 4) {
      case 0:
        out.erase(pos, 1);
        break;
      case 1:
        out.insert(pos, 1, byte);
        break;
      case 2:
        out[pos] = byte;
        break;
      default: {
        size_t start = out.rfind('\n', pos);
        start = start == std::string::npos ? 0 : start + 1;
        size_t end = out.find('\n', pos);
        end = end == std::string::npos ? out.size() : end + 1;
        out.insert(start, out.substr(start, end - start));
      }
    }
  }
  return out;
}

}  // namespace mgw::testing
