#include "manifest/yaml_events.h"

#include <string>

#include <yaml.h>

namespace mgw {

struct YamlEventReader::State {
  std::string_view text;     // what libyaml reads: the caller's text or `rewritten`
  std::string rewritten;     // the text with go-yaml's \' escapes spelled \x27
  bool check_slash = false;  // the text has a \/ that may sit in a double-quoted scalar
  size_t cursor_chars = 0;   // CharsToBytes' last position, in characters and bytes
  size_t cursor_bytes = 0;
  yaml_parser_t parser{};
  yaml_event_t event{};
  bool has_event = false;
  int line_offset = 0;
  Status error;
};

namespace {

// libyaml counts marks in characters; this is the byte offset of character `chars`.
size_t ByteOffset(std::string_view text, size_t chars, size_t from_chars, size_t from_bytes) {
  size_t bytes = from_bytes;
  for (size_t c = from_chars; c < chars && bytes < text.size(); ++c) {
    ++bytes;
    while (bytes < text.size() && (static_cast<unsigned char>(text[bytes]) & 0xC0) == 0x80) {
      ++bytes;
    }
  }
  return bytes;
}

// The character index where libyaml stops with "found unknown escape character",
// parsing `text` to its end; npos when it stops for any other reason or not at all.
size_t UnknownEscapeAt(std::string_view text) {
  yaml_parser_t parser;
  if (yaml_parser_initialize(&parser) == 0) return std::string_view::npos;
  yaml_parser_set_input_string(&parser, reinterpret_cast<const unsigned char*>(text.data()),
                               text.size());
  size_t at = std::string_view::npos;
  for (;;) {
    yaml_event_t event;
    if (yaml_parser_parse(&parser, &event) == 0) {
      if (parser.problem != nullptr &&
          std::string_view(parser.problem) == "found unknown escape character") {
        at = parser.problem_mark.index;
      }
      break;
    }
    const bool end = event.type == YAML_STREAM_END_EVENT;
    yaml_event_delete(&event);
    if (end) break;
  }
  yaml_parser_delete(&parser);
  return at;
}

// go-yaml v2 knows the escape \' in double-quoted scalars, which libyaml 0.2.5 does
// not: each \' that libyaml stops at becomes \x27, the same character.
std::string SpellQuoteEscapes(std::string_view text) {
  std::string out(text);
  for (int rounds = 0; rounds < 10000; ++rounds) {
    const size_t chars = UnknownEscapeAt(out);
    if (chars == std::string_view::npos) break;
    const size_t at = ByteOffset(out, chars, 0, 0);
    if (out.compare(at, 2, "\\'") != 0) break;
    out.replace(at, 2, "\\x27");
  }
  return out;
}

}  // namespace

YamlEventReader::YamlEventReader(std::string_view text, int first_line, bool json)
    : state_(std::make_unique<State>()) {
  State& s = *state_;
  s.line_offset = first_line - 1;
  s.text = text;
  if (text.find("\\'") != std::string_view::npos) {
    s.rewritten = SpellQuoteEscapes(text);
    s.text = s.rewritten;
  }
  s.check_slash = !json && s.text.find("\\/") != std::string_view::npos;
  if (yaml_parser_initialize(&s.parser) == 0) {
    s.error = InternalError("libyaml could not allocate a parser");
    return;
  }
  yaml_parser_set_input_string(&s.parser, reinterpret_cast<const unsigned char*>(s.text.data()),
                               s.text.size());
}

YamlEventReader::~YamlEventReader() {
  if (state_->has_event) yaml_event_delete(&state_->event);
  yaml_parser_delete(&state_->parser);
}

namespace {

// The byte offset of a scalar's source, from libyaml's character count.
size_t BytesAt(std::string_view text, size_t& cursor_chars, size_t& cursor_bytes, size_t chars) {
  if (chars < cursor_chars) cursor_chars = cursor_bytes = 0;
  cursor_bytes = ByteOffset(text, chars, cursor_chars, cursor_bytes);
  cursor_chars = chars;
  return cursor_bytes;
}

// True when the double-quoted scalar source `quoted` uses the escape \/, which
// libyaml 0.2.5 accepts and go-yaml v2 refuses.
bool HasSlashEscape(std::string_view quoted) {
  for (size_t i = 0; i + 1 < quoted.size(); ++i) {
    if (quoted[i] != '\\') continue;
    if (quoted[i + 1] == '/') return true;
    ++i;
  }
  return false;
}

std::string_view View(const yaml_char_t* s) {
  return s == nullptr ? std::string_view() : std::string_view(reinterpret_cast<const char*>(s));
}

YamlEventType TypeOf(yaml_event_type_t t) {
  switch (t) {
    case YAML_STREAM_START_EVENT:
      return YamlEventType::kStreamStart;
    case YAML_DOCUMENT_START_EVENT:
      return YamlEventType::kDocumentStart;
    case YAML_DOCUMENT_END_EVENT:
      return YamlEventType::kDocumentEnd;
    case YAML_ALIAS_EVENT:
      return YamlEventType::kAlias;
    case YAML_SCALAR_EVENT:
      return YamlEventType::kScalar;
    case YAML_SEQUENCE_START_EVENT:
      return YamlEventType::kSequenceStart;
    case YAML_SEQUENCE_END_EVENT:
      return YamlEventType::kSequenceEnd;
    case YAML_MAPPING_START_EVENT:
      return YamlEventType::kMappingStart;
    case YAML_MAPPING_END_EVENT:
      return YamlEventType::kMappingEnd;
    default:
      return YamlEventType::kStreamEnd;
  }
}

// Copies the node fields of a libyaml event into `out`.
void FillNode(const yaml_event_t& e, YamlEvent& out) {
  switch (e.type) {
    case YAML_ALIAS_EVENT:
      out.anchor = View(e.data.alias.anchor);
      break;
    case YAML_SCALAR_EVENT:
      out.anchor = View(e.data.scalar.anchor);
      out.tag = View(e.data.scalar.tag);
      out.value = std::string_view(reinterpret_cast<const char*>(e.data.scalar.value),
                                   e.data.scalar.length);
      out.plain = e.data.scalar.plain_implicit != 0;
      break;
    case YAML_SEQUENCE_START_EVENT:
      out.anchor = View(e.data.sequence_start.anchor);
      out.tag = View(e.data.sequence_start.tag);
      break;
    case YAML_MAPPING_START_EVENT:
      out.anchor = View(e.data.mapping_start.anchor);
      out.tag = View(e.data.mapping_start.tag);
      break;
    default:
      break;
  }
}

}  // namespace

StatusOr<YamlEvent> YamlEventReader::Next() {
  State& s = *state_;
  if (!s.error.ok()) return s.error;
  if (s.has_event) yaml_event_delete(&s.event);
  s.has_event = false;
  if (yaml_parser_parse(&s.parser, &s.event) == 0) {
    const yaml_mark_t& mark = s.parser.problem_mark;
    std::string problem = s.parser.problem != nullptr ? s.parser.problem : "malformed YAML";
    if (s.parser.context != nullptr) {
      problem +=
          " (" + std::string(s.parser.context) + " at line " +
          std::to_string(s.parser.context_mark.line + 1 + static_cast<size_t>(s.line_offset)) + ")";
    }
    s.error =
        InvalidArgumentError(std::to_string(mark.line + 1 + static_cast<size_t>(s.line_offset)) +
                             ":" + std::to_string(mark.column + 1) + ": " + problem);
    return s.error;
  }
  s.has_event = true;
  if (s.check_slash && s.event.type == YAML_SCALAR_EVENT &&
      s.event.data.scalar.style == YAML_DOUBLE_QUOTED_SCALAR_STYLE) {
    const size_t begin = BytesAt(s.text, s.cursor_chars, s.cursor_bytes, s.event.start_mark.index);
    const size_t end = BytesAt(s.text, s.cursor_chars, s.cursor_bytes, s.event.end_mark.index);
    if (HasSlashEscape(s.text.substr(begin, end - begin))) {
      s.error = InvalidArgumentError(
          std::to_string(s.event.start_mark.line + 1 + static_cast<size_t>(s.line_offset)) + ":" +
          std::to_string(s.event.start_mark.column + 1) +
          ": found unknown escape character \\/ (kubectl's YAML reader has no such escape)");
      return s.error;
    }
  }
  YamlEvent out;
  out.type = TypeOf(s.event.type);
  out.line = static_cast<int>(s.event.start_mark.line) + 1 + s.line_offset;
  out.column = static_cast<int>(s.event.start_mark.column) + 1;
  FillNode(s.event, out);
  return out;
}

}  // namespace mgw
