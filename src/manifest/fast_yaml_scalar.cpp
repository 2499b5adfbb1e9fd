#include "manifest/fast_yaml_scalar.h"

#include <cstdint>

#include "manifest/yaml_core_schema.h"

namespace mgw {
namespace {

using nlohmann::json;

// yaml-cpp takes a key as a simple key only when its ':' is at most 1024 bytes past
// its start; keys near that limit are left to it.
constexpr size_t kMaxKeySpan = 1000;

void SkipSpaces(std::string_view line, size_t& pos) {
  while (pos < line.size() && line[pos] == ' ') ++pos;
}

bool IsSafeAfterDash(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '.' ||
         c == '-' || c == '_';
}

// A plain scalar may start at line[pos]: not an indicator, and only ASCII so that a
// stray byte order mark or other oddity stays yaml-cpp's business.
bool IsPlainStart(std::string_view line, size_t pos) {
  const char c = line[pos];
  if (static_cast<unsigned char>(c) >= 0x80) return false;
  if (c == '-') return pos + 1 < line.size() && IsSafeAfterDash(line[pos + 1]);
  return std::string_view("?:,[]{}#&*!|>'\"%@`").find(c) == std::string_view::npos;
}

void AppendUtf8(uint32_t cp, std::string& out) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

// `digits` hex digits at line[pos] as a Unicode scalar value (no surrogates).
bool HexEscape(std::string_view line, size_t pos, size_t digits, std::string& out) {
  if (pos + digits > line.size()) return false;
  uint32_t cp = 0;
  for (size_t i = pos; i < pos + digits; ++i) {
    const char c = line[i];
    const char lower = static_cast<char>(c | 0x20);
    uint32_t d = 0;
    if (c >= '0' && c <= '9') {
      d = static_cast<uint32_t>(c - '0');
    } else if (lower >= 'a' && lower <= 'f') {
      d = static_cast<uint32_t>(lower - 'a' + 10);
    } else {
      return false;
    }
    cp = cp * 16 + d;
  }
  if ((cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF) return false;
  AppendUtf8(cp, out);
  return true;
}

// The escapes whose yaml-cpp 0.7 result is plain: \N and \_ are left to it.
bool SimpleEscape(char c, std::string& out) {
  static constexpr std::string_view kFrom = "0abtnvfre \"/\\'";
  static constexpr std::string_view kTo("\0\a\b\t\n\v\f\r\x1B \"/\\'", 14);
  size_t i = kFrom.find(c);
  if (i == std::string_view::npos) return false;
  out += kTo[i];
  return true;
}

bool ScanDoubleQuoted(std::string_view line, size_t& pos, std::string& out) {
  size_t i = pos + 1;
  while (true) {
    size_t stop = line.find_first_of("\"\\", i);
    if (stop == std::string_view::npos) return false;
    out.append(line.substr(i, stop - i));
    if (line[stop] == '"') {
      pos = stop + 1;
      return true;
    }
    if (stop + 1 >= line.size()) return false;
    const char e = line[stop + 1];
    const size_t digits = e == 'x' ? 2 : e == 'u' ? 4 : e == 'U' ? 8 : 0;
    if (digits > 0 ? !HexEscape(line, stop + 2, digits, out) : !SimpleEscape(e, out)) return false;
    i = stop + 2 + digits;
  }
}

bool ScanSingleQuoted(std::string_view line, size_t& pos, std::string& out) {
  size_t i = pos + 1;
  while (true) {
    size_t stop = line.find('\'', i);
    if (stop == std::string_view::npos) return false;
    out.append(line.substr(i, stop - i));
    if (stop + 1 >= line.size() || line[stop + 1] != '\'') {
      pos = stop + 1;
      return true;
    }
    out += '\'';
    i = stop + 2;
  }
}

bool ScanQuoted(std::string_view line, size_t& pos, std::string& out) {
  return line[pos] == '"' ? ScanDoubleQuoted(line, pos, out) : ScanSingleQuoted(line, pos, out);
}

bool IsQuote(char c) { return c == '"' || c == '\''; }

std::string_view TrimRight(std::string_view s) {
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  return s;
}

// A plain scalar inside a flow collection: up to the next , ] or }, or for a key up
// to a ':' and a space. A ':' followed by anything else is part of the scalar (an
// image such as quay.io/a/b:1). False at characters whose flow meaning varies.
bool ScanFlowPlain(std::string_view line, size_t& pos, bool key, std::string_view& out) {
  if (pos >= line.size() || !IsPlainStart(line, pos)) return false;
  size_t end = pos;
  for (;; ++end) {
    end = line.find_first_of(",[]{}:#?\"'", end);
    if (end == std::string_view::npos) return false;  // the collection would not close
    if (line[end] != ':') break;
    const char next = end + 1 < line.size() ? line[end + 1] : ' ';
    if (next == ' ') break;
    if (std::string_view(",[]{}").find(next) != std::string_view::npos) return false;
  }
  const bool at_colon = line[end] == ':';
  if (at_colon != key || (!key && line[end] != ',' && line[end] != ']' && line[end] != '}')) {
    return false;
  }
  out = line.substr(pos, end - pos);
  if (key && out.back() == ' ') return false;  // "a :" is rare; leave it to yaml-cpp
  out = TrimRight(out);
  pos = end;
  return true;
}

bool FlowNode(std::string_view line, size_t& pos, int depth, json& out, size_t& nodes);

// After an entry: true at ',' (not a trailing one) or the closing `close`.
bool FlowSeparator(std::string_view line, size_t& pos, char close, bool& done) {
  SkipSpaces(line, pos);
  if (pos >= line.size()) return false;
  if (line[pos] == close) {
    ++pos;
    done = true;
    return true;
  }
  if (line[pos] != ',') return false;
  ++pos;
  SkipSpaces(line, pos);
  return pos < line.size() && line[pos] != close && line[pos] != ',';
}

bool FlowSequence(std::string_view line, size_t& pos, int depth, json& out, size_t& nodes) {
  out = json::array();
  SkipSpaces(line, ++pos);
  if (pos < line.size() && line[pos] == ']') return ++pos, true;
  for (bool done = false; !done;) {
    json item;
    if (!FlowNode(line, pos, depth + 1, item, nodes)) return false;
    out.push_back(std::move(item));
    if (!FlowSeparator(line, pos, ']', done)) return false;
  }
  return true;
}

bool FlowKey(std::string_view line, size_t& pos, std::string& key) {
  if (pos >= line.size()) return false;
  const size_t start = pos;
  if (IsQuote(line[pos])) {
    if (!ScanQuoted(line, pos, key)) return false;
    SkipSpaces(line, pos);
    if (pos >= line.size() || line[pos] != ':') return false;
  } else {
    std::string_view plain;
    if (!ScanFlowPlain(line, pos, true, plain) || !IsOrdinaryPlainKey(plain)) return false;
    key = plain;
  }
  return pos - start <= kMaxKeySpan;
}

bool FlowMapping(std::string_view line, size_t& pos, int depth, json& out, size_t& nodes) {
  out = json::object();
  SkipSpaces(line, ++pos);
  if (pos < line.size() && line[pos] == '}') return ++pos, true;
  for (bool done = false; !done;) {
    std::string key;
    if (!FlowKey(line, pos, key)) return false;
    ++pos;  // the ':'
    ++nodes;
    SkipSpaces(line, pos);
    if (pos >= line.size() || line[pos] == ',' || line[pos] == '}') return false;
    json value;
    if (!FlowNode(line, pos, depth + 1, value, nodes)) return false;
    if (!out.get_ref<json::object_t&>().emplace(std::move(key), std::move(value)).second) {
      return false;
    }
    if (!FlowSeparator(line, pos, '}', done)) return false;
  }
  return true;
}

bool FlowNode(std::string_view line, size_t& pos, int depth, json& out, size_t& nodes) {
  SkipSpaces(line, pos);
  if (pos >= line.size() || depth > kMaxFastFlowDepth) return false;
  ++nodes;
  const char c = line[pos];
  if (c == '[') return FlowSequence(line, pos, depth, out, nodes);
  if (c == '{') return FlowMapping(line, pos, depth, out, nodes);
  if (IsQuote(c)) {
    std::string text;
    if (!ScanQuoted(line, pos, text)) return false;
    out = std::move(text);
    return true;
  }
  std::string_view plain;
  if (!ScanFlowPlain(line, pos, false, plain)) return false;
  out = ResolvePlainScalar(plain);
  return true;
}

}  // namespace

bool IsOrdinaryPlainKey(std::string_view key) {
  return !key.empty() && key != "~" && key != "null" && key != "Null" && key != "NULL" &&
         key != "<<";
}

bool ScanBlockScalar(std::string_view line, size_t& pos, LineScalar& out) {
  if (pos >= line.size()) return false;
  const size_t start = pos;
  if (IsQuote(line[pos])) {
    if (!ScanQuoted(line, pos, out.text)) return false;
    out.quoted = true;
    size_t after = pos;
    SkipSpaces(line, after);
    out.is_key = after < line.size() && line[after] == ':' &&
                 (after + 1 == line.size() || line[after + 1] == ' ');
    if (out.is_key) pos = after + 1;
    return !out.is_key || after - start <= kMaxKeySpan;
  }
  if (!IsPlainStart(line, pos)) return false;
  size_t end = pos;
  for (; end < line.size(); ++end) {
    const char c = line[end];
    if (c == ':' && (end + 1 == line.size() || line[end + 1] == ' ')) {
      out.is_key = true;
      break;
    }
    if (c == '#' && line[end - 1] == ' ') break;
  }
  if (out.is_key && end - start > kMaxKeySpan) return false;
  std::string_view text = TrimRight(line.substr(start, end - start));
  out.text = text;
  pos = out.is_key ? end + 1 : end;
  return true;
}

bool ScanFlowCollection(std::string_view line, size_t& pos, json& out, size_t& nodes) {
  return pos < line.size() && (line[pos] == '[' || line[pos] == '{') &&
         FlowNode(line, pos, 1, out, nodes);
}

}  // namespace mgw
