#include "manifest/yaml_scalar.h"

#include <array>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <limits>
#include <optional>

namespace mgw {
namespace {

using nlohmann::json;

constexpr std::string_view kCoreTagPrefix = "tag:yaml.org,2002:";

// What go-yaml's resolver decided a scalar is.
enum class Kind { kNull, kBool, kInt, kFloat, kString, kTimestamp };

struct Resolved {
  Kind kind;
  json value;
};

Resolved AsString(std::string_view text) { return {Kind::kString, json(text)}; }

char Lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

// go-yaml's first-character hint: 'S' sign, 'D' digit, 'M' a word, '.' a float, 0 none.
char Hint(char c) {
  if (c == '+' || c == '-') return 'S';
  if (c >= '0' && c <= '9') return 'D';
  if (std::string_view("yYnNtTfFoO~").find(c) != std::string_view::npos) return 'M';
  return c == '.' ? '.' : 0;
}

// go-yaml's table of words: YAML 1.1 booleans, nulls and the special floats.
enum class Word { kTrue, kFalse, kNull, kNan, kInf, kMinusInf };
struct WordEntry {
  std::string_view text;
  Word word;
};
constexpr std::array<WordEntry, 38> kWords = {{
    {"y", Word::kTrue},         {"Y", Word::kTrue},         {"yes", Word::kTrue},
    {"Yes", Word::kTrue},       {"YES", Word::kTrue},       {"true", Word::kTrue},
    {"True", Word::kTrue},      {"TRUE", Word::kTrue},      {"on", Word::kTrue},
    {"On", Word::kTrue},        {"ON", Word::kTrue},        {"n", Word::kFalse},
    {"N", Word::kFalse},        {"no", Word::kFalse},       {"No", Word::kFalse},
    {"NO", Word::kFalse},       {"false", Word::kFalse},    {"False", Word::kFalse},
    {"FALSE", Word::kFalse},    {"off", Word::kFalse},      {"Off", Word::kFalse},
    {"OFF", Word::kFalse},      {"~", Word::kNull},         {"null", Word::kNull},
    {"Null", Word::kNull},      {"NULL", Word::kNull},      {".nan", Word::kNan},
    {".NaN", Word::kNan},       {".NAN", Word::kNan},       {".inf", Word::kInf},
    {".Inf", Word::kInf},       {".INF", Word::kInf},       {"+.inf", Word::kInf},
    {"+.Inf", Word::kInf},      {"+.INF", Word::kInf},      {"-.inf", Word::kMinusInf},
    {"-.Inf", Word::kMinusInf}, {"-.INF", Word::kMinusInf},
}};

std::optional<Resolved> LookupWord(std::string_view t) {
  constexpr double kInf = std::numeric_limits<double>::infinity();
  if (t.empty()) return Resolved{Kind::kNull, json(nullptr)};
  for (const WordEntry& w : kWords) {
    if (w.text.size() != t.size() || w.text[0] != t[0] || w.text != t) continue;
    switch (w.word) {
      case Word::kTrue:
        return Resolved{Kind::kBool, json(true)};
      case Word::kFalse:
        return Resolved{Kind::kBool, json(false)};
      case Word::kNull:
        return Resolved{Kind::kNull, json(nullptr)};
      case Word::kNan:
        return Resolved{Kind::kFloat, json(std::numeric_limits<double>::quiet_NaN())};
      case Word::kInf:
        return Resolved{Kind::kFloat, json(kInf)};
      case Word::kMinusInf:
        return Resolved{Kind::kFloat, json(-kInf)};
    }
  }
  return std::nullopt;
}

int DigitValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (Lower(c) >= 'a' && Lower(c) <= 'z') return Lower(c) - 'a' + 10;
  return 99;
}

// Go's strconv.ParseUint(s, base, 64) for text without underscores; base 0 reads a
// 0b/0o/0x prefix, and a bare leading 0 means octal.
std::optional<uint64_t> GoParseUint(std::string_view s, int base) {
  if (s.empty()) return std::nullopt;
  if (base == 0) {
    base = 10;
    if (s[0] == '0') {
      const char p = s.size() >= 3 ? Lower(s[1]) : '\0';
      base = p == 'b' ? 2 : p == 'x' ? 16 : 8;
      s.remove_prefix(p == 'b' || p == 'o' || p == 'x' ? 2 : 1);
    }
  }
  uint64_t n = 0;
  const auto b = static_cast<uint64_t>(base);
  for (char c : s) {
    const auto d = static_cast<uint64_t>(DigitValue(c));
    if (d >= b || n > (std::numeric_limits<uint64_t>::max() - d) / b) return std::nullopt;
    n = n * b + d;
  }
  return n;
}

// Go's strconv.ParseInt(s, base, 64): an optional sign, then GoParseUint.
std::optional<int64_t> GoParseInt(std::string_view s, int base) {
  const bool neg = !s.empty() && s[0] == '-';
  if (!s.empty() && (s[0] == '+' || s[0] == '-')) s.remove_prefix(1);
  std::optional<uint64_t> u = GoParseUint(s, base);
  constexpr uint64_t kCutoff = uint64_t{1} << 63;
  if (!u || *u > kCutoff || (!neg && *u == kCutoff)) return std::nullopt;
  return neg ? static_cast<int64_t>(0 - *u) : static_cast<int64_t>(*u);
}

bool AllDigits(std::string_view s) {
  return !s.empty() && s.find_first_not_of("0123456789") == std::string_view::npos;
}

// go-yaml's float pattern: ^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$
bool IsYamlStyleFloat(std::string_view s) {
  if (!s.empty() && (s[0] == '+' || s[0] == '-')) s.remove_prefix(1);
  const size_t e = s.find_first_of("eE");
  std::string_view mantissa = s.substr(0, e);
  if (e != std::string_view::npos) {
    std::string_view exp = s.substr(e + 1);
    if (!exp.empty() && (exp[0] == '+' || exp[0] == '-')) exp.remove_prefix(1);
    if (!AllDigits(exp)) return false;
  }
  const size_t dot = mantissa.find('.');
  if (dot == std::string_view::npos) return AllDigits(mantissa);
  if (dot == 0) return AllDigits(mantissa.substr(1));
  std::string_view frac = mantissa.substr(dot + 1);
  return AllDigits(mantissa.substr(0, dot)) && (frac.empty() || AllDigits(frac));
}

// strconv.ParseFloat for text already in IsYamlStyleFloat's form: nullopt when the
// value overflows, as Go reports a range error then.
std::optional<double> ParseFiniteFloat(std::string_view s) {
  const std::string copy(s);
  const double v = std::strtod(copy.c_str(), nullptr);
  if (std::isinf(v)) return std::nullopt;
  return v;
}

// Go's underscoreOK: underscores only between digits (or after a base prefix).
bool UnderscoresOk(std::string_view s) {
  char saw = '^';
  if (!s.empty() && (s[0] == '+' || s[0] == '-')) s.remove_prefix(1);
  size_t i = 0;
  bool hex = false;
  if (s.size() >= 2 && s[0] == '0' && std::string_view("box").find(Lower(s[1])) != s.npos) {
    i = 2;
    saw = '0';
    hex = Lower(s[1]) == 'x';
  }
  for (; i < s.size(); ++i) {
    const char c = Lower(s[i]);
    if ((c >= '0' && c <= '9') || (hex && c >= 'a' && c <= 'f')) {
      saw = '0';
    } else if (c == '_') {
      if (saw != '0') return false;
      saw = '_';
    } else {
      if (saw == '_') return false;
      saw = '!';
    }
  }
  return saw != '_';
}

std::string WithoutUnderscores(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    if (c != '_') out += c;
  }
  return out;
}

// The '.' branch: strconv.ParseFloat of the text as written.
Resolved ResolveDotted(std::string_view text) {
  if (!UnderscoresOk(text)) return AsString(text);
  const std::string plain = WithoutUnderscores(text);
  if (!IsYamlStyleFloat(plain)) return AsString(text);
  std::optional<double> v = ParseFiniteFloat(plain);
  return v ? Resolved{Kind::kFloat, json(*v)} : AsString(text);
}

// go-yaml's date check: YYYY-M-D, optionally followed by a time. Timestamps stay
// strings; the check only matters for an explicit !!timestamp tag.
bool LooksLikeTimestamp(std::string_view s) {
  if (s.size() < 8 || !AllDigits(s.substr(0, 4)) || s[4] != '-') return false;
  size_t i = 5;
  for (int part = 0; part < 2; ++part) {
    const size_t start = i;
    while (i < s.size() && i - start < 2 && s[i] >= '0' && s[i] <= '9') ++i;
    if (i == start) return false;
    if (part == 0 && (i >= s.size() || s[i++] != '-')) return false;
  }
  return i == s.size() || s[i] == 'T' || s[i] == 't' || s[i] == ' ';
}

// The 'D' and 'S' branches: integers (any base), unsigned, floats, then 0b forms.
Resolved ResolveNumber(std::string_view text, bool timestamps) {
  if (timestamps && LooksLikeTimestamp(text)) return {Kind::kTimestamp, json(std::string(text))};
  const std::string plain = WithoutUnderscores(text);
  if (std::optional<int64_t> i = GoParseInt(plain, 0)) return {Kind::kInt, json(*i)};
  if (std::optional<uint64_t> u = GoParseUint(plain, 0)) return {Kind::kInt, json(*u)};
  if (IsYamlStyleFloat(plain)) {
    if (std::optional<double> f = ParseFiniteFloat(plain)) return {Kind::kFloat, json(*f)};
  }
  const bool negative = std::string_view(plain).starts_with("-0b");
  if (negative || std::string_view(plain).starts_with("0b")) {
    if (std::optional<int64_t> i =
            GoParseInt(std::string_view(plain).substr(negative ? 3 : 2), 2)) {
      return {Kind::kInt, json(negative ? -*i : *i)};
    }
  }
  return AsString(text);
}

// go-yaml's resolve() for the untagged or core-tagged scalar `text`.
Resolved ResolveText(std::string_view text, bool timestamps) {
  const char hint = text.empty() ? 'N' : Hint(text[0]);
  if (hint == 0) return AsString(text);
  if (std::optional<Resolved> word = LookupWord(text)) return *std::move(word);
  if (hint == '.') return ResolveDotted(text);
  if (hint == 'D' || hint == 'S') return ResolveNumber(text, timestamps);
  return AsString(text);
}

std::optional<Kind> KindOfTag(std::string_view name) {
  if (name == "null") return Kind::kNull;
  if (name == "bool") return Kind::kBool;
  if (name == "int") return Kind::kInt;
  if (name == "float") return Kind::kFloat;
  if (name == "timestamp") return Kind::kTimestamp;
  return std::nullopt;
}

std::string_view ShortTag(Kind k) {
  constexpr std::array<std::string_view, 6> kNames = {"!!null",  "!!bool", "!!int",
                                                      "!!float", "!!str",  "!!timestamp"};
  return kNames[static_cast<size_t>(k)];
}

int Base64Value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  return c == '+' ? 62 : c == '/' ? 63 : -1;
}

// Go's base64.StdEncoding.DecodeString: padded, line breaks ignored.
std::optional<std::string> DecodeBase64(std::string_view text) {
  std::string in;
  for (char c : text) {
    if (c != '\r' && c != '\n') in += c;
  }
  if (in.size() % 4 != 0) return std::nullopt;
  std::string out;
  for (size_t i = 0; i < in.size(); i += 4) {
    const size_t pad = in.compare(i + 2, 2, "==") == 0 ? 2 : in[i + 3] == '=' ? 1 : 0;
    if (pad > 0 && i + 4 != in.size()) return std::nullopt;
    uint32_t bits = 0;
    for (size_t j = 0; j < 4; ++j) {
      const int v = j >= 4 - pad ? 0 : Base64Value(in[i + j]);
      if (v < 0) return std::nullopt;
      bits = (bits << 6) | static_cast<uint32_t>(v);
    }
    for (size_t j = 0; j < 3 - pad; ++j) out += static_cast<char>((bits >> (16 - 8 * j)) & 0xFF);
  }
  return out;
}

// Length of the valid UTF-8 sequence at s[i], or 0 (Go's utf8.DecodeRune rules).
size_t Utf8Length(std::string_view s, size_t i) {
  const auto b = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char c = b(i);
  if (c < 0x80) return 1;
  const size_t n = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC2 ? 2 : 0;
  if (n == 0 || c > 0xF4 || i + n > s.size()) return 0;
  unsigned char lo = 0x80, hi = 0xBF;
  if (c == 0xE0) lo = 0xA0;
  if (c == 0xED) hi = 0x9F;
  if (c == 0xF0) lo = 0x90;
  if (c == 0xF4) hi = 0x8F;
  if (b(i + 1) < lo || b(i + 1) > hi) return 0;
  for (size_t k = 2; k < n; ++k) {
    if (b(i + k) < 0x80 || b(i + k) > 0xBF) return 0;
  }
  return n;
}

// What Go's JSON encoder writes for bytes: each invalid byte becomes U+FFFD.
std::string ValidUtf8(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size();) {
    const size_t n = Utf8Length(s, i);
    out += n == 0 ? std::string_view("\xEF\xBF\xBD") : s.substr(i, n);
    i += n == 0 ? 1 : n;
  }
  return out;
}

// Go's strconv.FormatFloat(f, 'g', -1, 32).
std::string GoFormatFloat32(double d) {
  if (std::isnan(d)) return ".nan";
  // Past float32's range (rounding included) Go's float32 is infinite, formatted so.
  if (std::fabs(d) >= 0x1.ffffffp127) return d > 0 ? ".inf" : "-.inf";
  std::array<char, 64> buf{};
  const auto f = static_cast<float>(d);
  auto [end, ec] =
      std::to_chars(buf.data(), buf.data() + buf.size(), f, std::chars_format::scientific);
  std::string_view sci(buf.data(), static_cast<size_t>(end - buf.data()));
  std::string sign(sci.starts_with('-') ? "-" : "");
  if (!sign.empty()) sci.remove_prefix(1);
  const size_t e = sci.find('e');
  std::string digits;
  for (char c : sci.substr(0, e)) {
    if (c != '.') digits += c;
  }
  int exp = std::atoi(std::string(sci.substr(e + 1)).c_str());
  if (digits == "0") return sign + "0";
  if (exp < -4 || exp >= 6) {  // %e with the shortest digits, two exponent digits at least
    std::string out = sign + digits.substr(0, 1);
    if (digits.size() > 1) out += "." + digits.substr(1);
    const std::string mag = std::to_string(exp < 0 ? -exp : exp);
    return out + (exp < 0 ? "e-" : "e+") + (mag.size() < 2 ? "0" : "") + mag;
  }
  if (exp < 0) {
    const int zeros = -exp - 1;
    return sign + "0." + std::string(static_cast<size_t>(zeros), '0') + digits;
  }
  const int digits_before_point = exp + 1;
  const auto point = static_cast<size_t>(digits_before_point);
  if (digits.size() <= point) return sign + digits + std::string(point - digits.size(), '0');
  return sign + digits.substr(0, point) + "." + digits.substr(point);
}

}  // namespace

bool IsPlainString(std::string_view tag, std::string_view text, bool plain) {
  return tag.empty() && (!plain || (!text.empty() && Hint(text[0]) == 0));
}

StatusOr<json> ResolveYamlScalar(std::string_view tag, std::string_view text, bool plain) {
  if (tag.empty()) return plain ? ResolveText(text, true).value : json(std::string(text));
  if (tag == "tag:yaml.org,2002:binary") {
    std::optional<std::string> bytes = DecodeBase64(text);
    if (!bytes) return InvalidArgumentError("!!binary value contains invalid base64 data");
    return json(ValidUtf8(*bytes));
  }
  std::optional<Kind> want;
  if (tag.starts_with(kCoreTagPrefix)) want = KindOfTag(tag.substr(kCoreTagPrefix.size()));
  if (!want) return json(std::string(text));  // !!str and every other tag: the text
  Resolved r = ResolveText(text, *want == Kind::kTimestamp);
  if (r.kind == *want) return std::move(r.value);
  if (*want == Kind::kFloat && r.kind == Kind::kInt) {
    return json(r.value.is_number_unsigned() ? static_cast<double>(r.value.get<uint64_t>())
                                             : static_cast<double>(r.value.get<int64_t>()));
  }
  return InvalidArgumentError("cannot decode " + std::string(ShortTag(r.kind)) + " `" +
                              std::string(text) + "` as a " + std::string(ShortTag(*want)));
}

StatusOr<std::string> YamlKeyText(const json& key) {
  if (key.is_string()) return key.get<std::string>();
  if (key.is_boolean()) return std::string(key.get<bool>() ? "true" : "false");
  if (key.is_number_integer() && !key.is_number_unsigned()) {
    return std::to_string(key.get<int64_t>());
  }
  if (key.is_number_unsigned() && key.get<uint64_t>() <= uint64_t{INT64_MAX}) {
    return std::to_string(key.get<uint64_t>());
  }
  if (key.is_number_float()) return GoFormatFloat32(key.get<double>());
  if (key.is_null()) return InvalidArgumentError("a mapping key may not be null");
  if (key.is_structured()) return InvalidArgumentError("a mapping key must be a scalar");
  return InvalidArgumentError("mapping key " + key.dump() + " is out of range");
}

}  // namespace mgw
