#include "manifest/yaml_respell.h"

#include <optional>

#include <yaml.h>

namespace mgw {
namespace {

constexpr std::string_view kByteOrderMark = "\xEF\xBB\xBF";

// A replacement of `length` bytes at byte `at`.
struct Edit {
  size_t at = 0;
  size_t length = 0;
  std::string_view with;
};

bool IsTagFlowIndicator(char c) { return c == ',' || c == '[' || c == ']'; }

// A character libyaml 0.2.5 takes into a tag outside a %TAG directive.
bool IsLibyamlTagChar(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
         std::string_view("_-;/?:@&=+$.%!~*'()").find(c) != std::string_view::npos;
}

// True when some `!` is followed by tag characters and then `,`, `[` or `]`: where
// go-yaml's tag may run on and libyaml's stops. Cheap, so that only such texts are
// scanned for it.
bool MayHaveTagFlowIndicator(std::string_view text) {
  for (size_t i = text.find('!'); i != std::string_view::npos; i = text.find('!', i)) {
    while (i < text.size() && IsLibyamlTagChar(text[i])) ++i;
    if (i < text.size() && IsTagFlowIndicator(text[i])) return true;
  }
  return false;
}

// True when some `:` is followed by a character that makes libyaml refuse it in a
// plain scalar in a flow collection.
bool MayHaveFlowColon(std::string_view text) {
  for (size_t i = text.find(':'); i != std::string_view::npos; i = text.find(':', i + 1)) {
    if (i + 1 < text.size() &&
        std::string_view(",[]{}?").find(text[i + 1]) != std::string_view::npos) {
      return true;
    }
  }
  return false;
}

// The edit for the error libyaml's scanner stopped at, if go-yaml reads on there (a
// `:` only when `colons` may be respelled).
std::optional<Edit> AtScannerError(const yaml_parser_t& parser, std::string_view text,
                                   bool colons) {
  if (parser.problem == nullptr) return std::nullopt;
  const std::string_view problem = parser.problem;
  const size_t at = MarkByteOffset(text, parser.problem_mark.index);
  if (problem == "found unknown escape character" && text.compare(at, 2, "\\'") == 0) {
    return Edit{at, 2, "\\x27"};
  }
  // Where a tag stops at a flow indicator: after its suffix, or where its suffix starts.
  const std::string_view context = parser.context != nullptr ? parser.context : "";
  const bool in_tag =
      (problem == "did not find expected whitespace or line break" &&
       context == "while scanning a tag") ||
      (problem == "did not find expected tag URI" && context == "while parsing a tag");
  if (in_tag && at < text.size() && IsTagFlowIndicator(text[at])) return Edit{at, 1, ";"};
  if (colons && problem == "found unexpected ':'" && context == "while scanning a plain scalar" &&
      at < text.size() && text[at] == ':') {
    return Edit{at, 1, kColonStandIn};
  }
  return std::nullopt;
}

// The first place where libyaml's scanner reads `text` differently from go-yaml's: a
// \' it stops at, or a tag it ends at `,`, `[` or `]` (with an error, or, for `,` in a
// flow collection, without one), or a `:` it refuses in a flow plain scalar.
std::optional<Edit> FirstDifference(std::string_view text, bool colons) {
  yaml_parser_t parser;
  if (yaml_parser_initialize(&parser) == 0) return std::nullopt;
  yaml_parser_set_input_string(&parser, reinterpret_cast<const unsigned char*>(text.data()),
                               text.size());
  std::optional<Edit> edit;
  size_t chars = 0;
  size_t bytes = 0;
  for (;;) {
    yaml_token_t token;
    if (yaml_parser_scan(&parser, &token) == 0) {
      edit = AtScannerError(parser, text, colons);
      break;
    }
    const yaml_token_type_t type = token.type;
    const size_t end = token.end_mark.index;
    yaml_token_delete(&token);
    if (type == YAML_STREAM_END_TOKEN) break;
    if (type != YAML_TAG_TOKEN) continue;
    bytes = MarkByteOffset(text, end, chars, bytes);
    chars = end;
    if (bytes < text.size() && IsTagFlowIndicator(text[bytes])) {
      edit = Edit{bytes, 1, ";"};
      break;
    }
  }
  yaml_parser_delete(&parser);
  return edit;
}

// True when `text` holds a stand-in character of its own: then none may be used, for
// RestoreStandIns would turn that one too.
bool HoldsStandIns(std::string_view text) {
  return text.find(kByteOrderMarkStandIn) != std::string_view::npos ||
         text.find(kColonStandIn) != std::string_view::npos;
}

// Replaces the byte order marks after the first byte with the stand-in, where that
// is what go-yaml reads (see RespellForLibyaml). `text` holds no stand-in.
bool SpellByteOrderMarks(std::string_view text, std::string& out) {
  const size_t first = text.find(kByteOrderMark, 1);
  if (first == std::string_view::npos || text.starts_with("\xFF\xFE") ||
      text.starts_with("\xFE\xFF") || text.starts_with("\xEF\xBB\xBF\xEF\xBB\xBF")) {
    return false;
  }
  out.assign(text);
  for (size_t at = first; at != std::string::npos; at = out.find(kByteOrderMark, at + 3)) {
    out.replace(at, 3, kByteOrderMarkStandIn);
  }
  return true;
}

}  // namespace

Respelled RespellForLibyaml(std::string_view text) {
  Respelled out;
  const bool stand_ins_free = !HoldsStandIns(text);
  out.stand_ins = stand_ins_free && SpellByteOrderMarks(text, out.text);
  const bool colons = stand_ins_free && MayHaveFlowColon(text);
  if (text.find("\\'") == std::string_view::npos && !MayHaveTagFlowIndicator(text) && !colons) {
    return out;
  }
  if (out.text.empty()) out.text.assign(text);
  for (int rounds = 0; rounds < 10000; ++rounds) {
    std::optional<Edit> edit = FirstDifference(out.text, colons);
    if (!edit) break;
    out.stand_ins |= edit->with == kColonStandIn;
    out.text.replace(edit->at, edit->length, edit->with);
  }
  return out;
}

std::string RestoreStandIns(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (size_t i = 0; i < value.size();) {
    const std::string_view rest = value.substr(i);
    if (rest.starts_with(kByteOrderMarkStandIn)) {
      out += kByteOrderMark;
      i += 3;
    } else if (rest.starts_with(kColonStandIn)) {
      out += ':';
      i += 3;
    } else {
      out += value[i++];
    }
  }
  return out;
}

size_t MarkByteOffset(std::string_view text, size_t chars, size_t from_chars, size_t from_bytes) {
  size_t bytes = from_bytes;
  if (from_chars == 0 && from_bytes == 0 && text.starts_with(kByteOrderMark)) bytes = 3;
  for (size_t c = from_chars; c < chars && bytes < text.size(); ++c) {
    ++bytes;
    while (bytes < text.size() && (static_cast<unsigned char>(text[bytes]) & 0xC0) == 0x80) {
      ++bytes;
    }
  }
  return bytes;
}

}  // namespace mgw
