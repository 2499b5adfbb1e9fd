#include "manifest/yaml_events.h"

#include <optional>
#include <string>

#include <yaml.h>

#include "manifest/yaml_respell.h"

namespace mgw {

struct YamlEventReader::State {
  std::string_view text;           // what libyaml reads: the caller's text or `rewritten`
  std::string rewritten;           // the text as RespellForLibyaml spelled it
  bool restore_stand_ins = false;  // scalars may hold RespellForLibyaml's stand-ins
  std::string value;               // a scalar's value with them restored
  bool check_slash = false;        // the text has a \/ that may sit in a double-quoted scalar
  size_t cursor_chars = 0;         // BytesAt's last position for events, in characters and bytes
  size_t cursor_bytes = 0;
  size_t queue_chars = 0;  // and for the tokens libyaml has scanned ahead
  size_t queue_bytes = 0;
  size_t slash_checked = 0;  // tokens ahead that start before this character are checked
  yaml_parser_t parser{};
  yaml_event_t event{};
  bool has_event = false;
  int line_offset = 0;
  Status error;
};

YamlEventReader::YamlEventReader(std::string_view text, int first_line)
    : state_(std::make_unique<State>()) {
  State& s = *state_;
  s.line_offset = first_line - 1;
  s.text = text;
  Respelled respelled = RespellForLibyaml(text);
  s.restore_stand_ins = respelled.stand_ins;
  if (!respelled.text.empty()) {
    s.rewritten = std::move(respelled.text);
    s.text = s.rewritten;
  }
  s.check_slash = s.text.find("\\/") != std::string_view::npos;
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
  cursor_bytes = MarkByteOffset(text, chars, cursor_chars, cursor_bytes);
  cursor_chars = chars;
  return cursor_bytes;
}

// The double-quoted scalar that ends `node`, a node's source: a scalar event starts
// at the node's anchor or tag, and comments may come between them and the scalar. Its
// opening quote is the last one before the closing quote that no odd run of
// backslashes escapes.
std::string_view QuotedPart(std::string_view node) {
  if (node.size() < 2) return node;
  for (size_t i = node.size() - 1; i-- > 0;) {
    if (node[i] != '"') continue;
    size_t backslashes = 0;
    while (backslashes < i && node[i - 1 - backslashes] == '\\') ++backslashes;
    if (backslashes % 2 == 0) return node.substr(i);
  }
  return node;
}

// True when the double-quoted scalar that ends the node source `node` uses the
// escape \/, which libyaml 0.2.5 accepts and go-yaml v2 refuses.
bool HasSlashEscape(std::string_view node) {
  const std::string_view quoted = QuotedPart(node);
  for (size_t i = 0; i + 1 < quoted.size(); ++i) {
    if (quoted[i] != '\\') continue;
    if (quoted[i + 1] == '/') return true;
    ++i;
  }
  return false;
}

// True when the double-quoted scalar between `start` and `end` uses \/.
bool SlashEscapeIn(std::string_view text, const yaml_mark_t& start, const yaml_mark_t& end,
                   size_t& cursor_chars, size_t& cursor_bytes) {
  const size_t begin = BytesAt(text, cursor_chars, cursor_bytes, start.index);
  const size_t stop = BytesAt(text, cursor_chars, cursor_bytes, end.index);
  return HasSlashEscape(text.substr(begin, stop - begin));
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
      out.plain = e.data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
      break;
    case YAML_SEQUENCE_START_EVENT:
      out.anchor = View(e.data.sequence_start.anchor);
      out.tag = View(e.data.sequence_start.tag);
      out.block = e.data.sequence_start.style == YAML_BLOCK_SEQUENCE_STYLE;
      break;
    case YAML_MAPPING_START_EVENT:
      out.anchor = View(e.data.mapping_start.anchor);
      out.tag = View(e.data.mapping_start.tag);
      out.block = e.data.mapping_start.style == YAML_BLOCK_MAPPING_STYLE;
      break;
    default:
      break;
  }
}

bool IsFlowStart(yaml_token_type_t t) {
  return t == YAML_FLOW_SEQUENCE_START_TOKEN || t == YAML_FLOW_MAPPING_START_TOKEN;
}

// True for a token that starts a node, and so is saved as a possible simple key when
// it comes where one may start.
bool StartsNode(yaml_token_type_t t) {
  return IsFlowStart(t) || t == YAML_SCALAR_TOKEN || t == YAML_ALIAS_TOKEN ||
         t == YAML_ANCHOR_TOKEN || t == YAML_TAG_TOKEN;
}

// Scans the flow collection at the start of `text` (in characters, from where it
// opens). Its length up to and with its closing bracket when go-yaml v2 forgets it as a
// possible key (see StartsForgottenKey); nullopt when it spans lines, runs past
// go-yaml's 1024-character key limit, does not scan, or holds a possible key (a node
// right after its opening bracket, a comma or a `-`, where go-yaml allows one).
std::optional<size_t> ForgottenKeyLength(std::string_view text) {
  constexpr size_t kKeyLimit = 1024;
  // Its line only, after a `---` so that libyaml does not look ahead for a key there.
  constexpr size_t kPrefix = 4;
  const std::string line = "--- " + std::string(text.substr(0, text.find('\n')));
  yaml_parser_t parser;
  if (yaml_parser_initialize(&parser) == 0) return std::nullopt;
  yaml_parser_set_input_string(&parser, reinterpret_cast<const unsigned char*>(line.data()),
                               line.size());
  std::optional<size_t> length;
  int depth = 0;
  yaml_token_type_t prev = YAML_NO_TOKEN;
  for (;;) {
    yaml_token_t token;
    if (yaml_parser_scan(&parser, &token) == 0) break;
    const yaml_token_type_t type = token.type;
    const yaml_mark_t start = token.start_mark;
    const yaml_mark_t end = token.end_mark;
    yaml_token_delete(&token);
    if (type == YAML_STREAM_START_TOKEN || type == YAML_DOCUMENT_START_TOKEN) continue;
    if (type == YAML_STREAM_END_TOKEN || start.index > kPrefix + kKeyLimit) break;
    if (depth == 0 && !IsFlowStart(type)) break;
    if (depth == 1 && StartsNode(type) &&
        (IsFlowStart(prev) || prev == YAML_FLOW_ENTRY_TOKEN || prev == YAML_BLOCK_ENTRY_TOKEN)) {
      break;  // go-yaml saved a key at this depth; it keeps looking ahead as libyaml does
    }
    if (type == YAML_KEY_TOKEN && start.index == end.index) continue;  // libyaml's implied key
    prev = type;
    if (IsFlowStart(type)) ++depth;
    if (type == YAML_FLOW_SEQUENCE_END_TOKEN || type == YAML_FLOW_MAPPING_END_TOKEN) {
      if (--depth == 0) {
        length = end.index - kPrefix;
        break;
      }
    }
  }
  yaml_parser_delete(&parser);
  return length;
}

}  // namespace

bool YamlEventReader::StartsForgottenKey() const {
  const State& s = *state_;
  if (!s.has_event) return false;
  const bool flow = (s.event.type == YAML_SEQUENCE_START_EVENT &&
                     s.event.data.sequence_start.style == YAML_FLOW_SEQUENCE_STYLE) ||
                    (s.event.type == YAML_MAPPING_START_EVENT &&
                     s.event.data.mapping_start.style == YAML_FLOW_MAPPING_STYLE);
  if (!flow) return false;
  const size_t at = MarkByteOffset(s.text, s.event.start_mark.index, 0, 0);
  return ForgottenKeyLength(s.text.substr(at)).has_value();
}

StatusOr<YamlEvent> YamlEventReader::NextAfterRoot() {
  StatusOr<YamlEvent> next = Next();
  State& s = *state_;
  // After the root, go-yaml needs one token, the head of libyaml's queue here; libyaml
  // looks further ahead only while that token may still be a key.
  if (next.ok() || s.parser.error != YAML_SCANNER_ERROR ||
      s.parser.tokens.head == s.parser.tokens.tail || !IsFlowStart(s.parser.tokens.head->type)) {
    return next;
  }
  const yaml_mark_t head = s.parser.tokens.head->start_mark;
  const size_t at = MarkByteOffset(s.text, head.index, 0, 0);
  std::optional<size_t> length = ForgottenKeyLength(s.text.substr(at));
  if (!length || head.index + *length > s.parser.problem_mark.index) return next;
  YamlEvent end;
  end.type = YamlEventType::kDocumentEnd;
  end.line = static_cast<int>(head.line) + 1 + s.line_offset;
  end.column = static_cast<int>(head.column) + 1;
  end.index = head.index;
  return end;
}

namespace {

Status SlashEscapeError(const yaml_mark_t& at, int line_offset) {
  return InvalidArgumentError(
      std::to_string(at.line + 1 + static_cast<size_t>(line_offset)) + ":" +
      std::to_string(at.column + 1) +
      ": found unknown escape character \\/ (kubectl's YAML reader has no such escape)");
}

}  // namespace

Status YamlEventReader::CheckSlashEscapes() {
  State& s = *state_;
  if (!s.check_slash) return Status::Ok();
  const yaml_event_t& e = s.event;
  if (e.type == YAML_SCALAR_EVENT && e.data.scalar.style == YAML_DOUBLE_QUOTED_SCALAR_STYLE &&
      SlashEscapeIn(s.text, e.start_mark, e.end_mark, s.cursor_chars, s.cursor_bytes)) {
    return SlashEscapeError(e.start_mark, s.line_offset);
  }
  const yaml_token_t* head = s.parser.tokens.head;
  const yaml_token_t* tail = s.parser.tokens.tail;
  size_t limit = SIZE_MAX;  // go-yaml scans no further than a forgotten key's end
  if (head != tail && IsFlowStart(head->type)) {
    const size_t at = BytesAt(s.text, s.queue_chars, s.queue_bytes, head->start_mark.index);
    if (std::optional<size_t> length = ForgottenKeyLength(s.text.substr(at))) {
      limit = head->start_mark.index + *length;
    }
  }
  for (const yaml_token_t* t = head; t != tail && t->start_mark.index < limit; ++t) {
    if (t->start_mark.index < s.slash_checked) continue;
    s.slash_checked = t->end_mark.index;
    if (t->type == YAML_SCALAR_TOKEN && t->data.scalar.style == YAML_DOUBLE_QUOTED_SCALAR_STYLE &&
        SlashEscapeIn(s.text, t->start_mark, t->end_mark, s.queue_chars, s.queue_bytes)) {
      return SlashEscapeError(t->start_mark, s.line_offset);
    }
  }
  return Status::Ok();
}

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
  s.error = CheckSlashEscapes();
  if (!s.error.ok()) return s.error;
  YamlEvent out;
  out.type = TypeOf(s.event.type);
  out.line = static_cast<int>(s.event.start_mark.line) + 1 + s.line_offset;
  out.column = static_cast<int>(s.event.start_mark.column) + 1;
  out.index = s.event.start_mark.index;
  FillNode(s.event, out);
  if (s.restore_stand_ins && out.type == YamlEventType::kScalar) {
    s.value = RestoreStandIns(out.value);
    out.value = s.value;
  }
  return out;
}

}  // namespace mgw
