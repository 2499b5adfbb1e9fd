#include "manifest/json_stream.h"

#include <cstdint>
#include <limits>
#include <string>
#include <utility>

#include <nlohmann/json.hpp>

#include "mgw/base/quote.h"

namespace mgw {
namespace {

using nlohmann::json;

// encoding/json's white space, the only bytes allowed between two values.
bool IsJsonSpace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

size_t SkipSpace(std::string_view text, size_t at) {
  while (at < text.size() && IsJsonSpace(text[at])) ++at;
  return at;
}

struct Position {
  int line = 1;
  int column = 1;
};

// 1-based line and column (in UTF-8 characters, as libyaml counts them) of byte
// offsets into `text`, asked for in mostly increasing order, so counted incrementally.
class Cursor {
 public:
  explicit Cursor(std::string_view text) : text_(text) {}

  Position At(size_t offset) {
    if (offset < offset_) *this = Cursor(text_);
    for (; offset_ < offset && offset_ < text_.size(); ++offset_) {
      const auto c = static_cast<unsigned char>(text_[offset_]);
      if (c == '\n') {
        at_ = {at_.line + 1, 1};
      } else if ((c & 0xC0) != 0x80) {
        ++at_.column;
      }
    }
    return at_;
  }

 private:
  std::string_view text_;
  size_t offset_ = 0;
  Position at_;
};

// INVALID_ARGUMENT "<source>:LINE:COL: <problem>" at byte `at`.
Status ErrorAt(std::string_view source, Cursor& cursor, size_t at, std::string_view problem) {
  const Position p = cursor.At(at);
  return InvalidArgumentError(std::string(source) + ":" + std::to_string(p.line) + ":" +
                              std::to_string(p.column) + ": " + std::string(problem));
}

// The byte after the JSON number at `at`, by JSON's grammar: a leading 0 is a number
// of its own (`01` is 0, then 1, to encoding/json's Decoder as to nlohmann).
size_t NumberEnd(std::string_view text, size_t at) {
  auto digits = [&] {
    while (at < text.size() && text[at] >= '0' && text[at] <= '9') ++at;
  };
  if (at < text.size() && text[at] == '-') ++at;
  if (at < text.size() && text[at] == '0') {
    ++at;
  } else {
    digits();
  }
  if (at < text.size() && text[at] == '.') {
    ++at;
    digits();
  }
  if (at < text.size() && (text[at] == 'e' || text[at] == 'E')) {
    ++at;
    if (at < text.size() && (text[at] == '+' || text[at] == '-')) ++at;
    digits();
  }
  return at;
}

// The byte after the token that starts at `at`, a token nlohmann has accepted.
size_t TokenEnd(std::string_view text, size_t at) {
  switch (text[at]) {
    case '"':
      for (++at; at < text.size() && text[at] != '"'; ++at) {
        if (text[at] == '\\') ++at;
      }
      return at + 1;
    case 't':
    case 'n':
      return at + 4;
    case 'f':
      return at + 5;
    case '{':
    case '}':
    case '[':
    case ']':
      return at + 1;
    default:
      return NumberEnd(text, at);
  }
}

// nlohmann's message for a parse error without its prefix, position and the bytes it
// last read (they may be invalid UTF-8, and we give the position ourselves).
std::string Problem(const std::string& what) {
  std::string_view m = what;
  if (size_t bracket = m.find("] "); bracket != std::string_view::npos)
    m.remove_prefix(bracket + 2);
  if (m.starts_with("parse error")) {
    if (size_t colon = m.find(": "); colon != std::string_view::npos) m.remove_prefix(colon + 2);
  }
  m = m.substr(0, m.find("; last read"));
  std::string out(m);
  if (out.find("UTF-8") != std::string::npos || out.find("surrogate") != std::string::npos) {
    out = "invalid Unicode in a string, which kubectl would read as U+FFFD: " + out;
  }
  return out + " (the stream starts with '{', so kubectl reads it as JSON)";
}

// An open object or array.
struct Frame {
  json value;
  size_t at = 0;              // byte offset of its bracket
  std::string key;            // an object's key whose value comes next
  size_t key_at = 0;          // and where that key starts
  bool record_lines = false;  // this is root.items: record each item's line
};

// nlohmann's SAX handler for one value of the stream, starting at byte `start`: builds
// the document and finds each token's position in the text by skipping, from the end of
// the token before, the white space, commas and colons nlohmann reports no event for.
class ValueReader {
 public:
  ValueReader(std::string_view text, size_t start, std::string_view source, Cursor& cursor)
      : text_(text), start_(start), end_(start), source_(source), cursor_(cursor) {}

  bool null() { return Add(json(nullptr)); }
  bool boolean(bool v) { return Add(json(v)); }
  bool number_integer(int64_t v) { return Add(json(v)); }
  // encoding/json's numbers as apimachinery keeps them: int64 when they fit, else float64.
  bool number_unsigned(uint64_t v) {
    if (v > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
      return Add(json(static_cast<double>(v)));
    }
    return Add(json(static_cast<int64_t>(v)));
  }
  bool number_float(double v, const std::string& /*text*/) { return Add(json(v)); }
  bool string(std::string& v) { return Add(json(std::move(v))); }
  bool binary(json::binary_t& /*v*/) { return false; }  // not produced by JSON text
  bool start_object(size_t /*elements*/) { return Open(json::object()); }
  bool start_array(size_t /*elements*/) { return Open(json::array()); }
  bool end_object() { return Close(); }
  bool end_array() { return Close(); }
  bool key(std::string& k) {
    stack_.back().key_at = Token();
    stack_.back().key = std::move(k);
    return true;
  }
  bool parse_error(size_t position, const std::string& /*last_token*/,
                   const nlohmann::detail::exception& ex) {
    return Fail(start_ + (position > 0 ? position - 1 : 0), Problem(ex.what()));
  }

  const Status& error() const { return error_; }
  size_t end() const { return end_; }
  YamlDocument TakeDocument() { return std::move(doc_); }

 private:
  // The offset of the token an event stands for; the next token is looked for after it.
  size_t Token() {
    const size_t at = [&] {
      size_t i = end_;
      while (i < text_.size() && (IsJsonSpace(text_[i]) || text_[i] == ',' || text_[i] == ':')) {
        ++i;
      }
      return i;
    }();
    end_ = TokenEnd(text_, at);
    return at;
  }

  bool Fail(size_t at, std::string_view problem) {
    error_ = ErrorAt(source_, cursor_, at, problem);
    return false;
  }

  bool Open(json value) {
    const size_t at = Token();
    if (stack_.size() >= kMaxYamlDepth) {
      return Fail(at, "nesting deeper than " + std::to_string(kMaxYamlDepth) + " levels");
    }
    const bool items = value.is_array() && stack_.size() == 1 && stack_[0].value.is_object() &&
                       stack_[0].key == "items";
    if (items) doc_.item_lines.clear();  // a repeated "items" replaces the lines too
    stack_.push_back({std::move(value), at, {}, 0, items});
    return true;
  }

  bool Close() {
    Token();
    Frame f = std::move(stack_.back());
    stack_.pop_back();
    return Place(std::move(f.value), f.at);
  }

  bool Add(json value) { return Place(std::move(value), Token()); }

  // Puts a complete value where it belongs: the root, an array's end or an object's key.
  bool Place(json value, size_t at) {
    if (stack_.empty()) {
      const Position p = cursor_.At(at);
      doc_.root = std::move(value);
      doc_.line = p.line;
      doc_.column = p.column;
      return true;
    }
    Frame& top = stack_.back();
    if (top.value.is_array()) {
      if (top.record_lines) doc_.item_lines.push_back(cursor_.At(at).line);
      top.value.push_back(std::move(value));
      return true;
    }
    auto& object = top.value.get_ref<json::object_t&>();
    auto [it, inserted] = object.try_emplace(std::move(top.key), std::move(value));
    if (!inserted) {  // try_emplace moved neither: kubectl keeps the last value
      const Position p = cursor_.At(top.key_at);
      doc_.warnings.push_back(std::string(source_) + ":" + std::to_string(p.line) + ":" +
                              std::to_string(p.column) + ": duplicate key " + QuoteJson(it->first) +
                              ": kubectl keeps the last value");
      it->second = std::move(value);
    }
    return true;
  }

  std::string_view text_;
  size_t start_;
  size_t end_;  // the byte after the last token an event stood for
  std::string_view source_;
  Cursor& cursor_;
  Status error_;
  YamlDocument doc_;
  std::vector<Frame> stack_;
};

// Reads the value that starts at byte `at` into `docs`; the byte after it.
StatusOr<size_t> ReadValue(std::string_view text, size_t at, std::string_view source,
                           Cursor& cursor, std::vector<YamlDocument>& docs) {
  // nlohmann skips a byte order mark where its input starts; encoding/json refuses it.
  if (text.substr(at).starts_with("\xEF\xBB\xBF")) {
    return ErrorAt(source, cursor, at,
                   "a byte order mark where a JSON value should start (the stream starts with "
                   "'{', so kubectl reads it as JSON)");
  }
  ValueReader reader(text, at, source, cursor);
  if (!json::sax_parse(text.data() + at, text.data() + text.size(), &reader,
                       json::input_format_t::json, /*strict=*/false)) {
    return reader.error();
  }
  if (reader.end() <= at) {  // never loop on a value whose end was not found
    return InternalError(std::string(source) + ": no progress reading JSON at byte " +
                         std::to_string(at));
  }
  docs.push_back(reader.TakeDocument());
  return reader.end();
}

}  // namespace

StatusOr<std::vector<YamlDocument>> ParseJsonStream(std::string_view text,
                                                    std::string_view source_name) {
  std::vector<YamlDocument> docs;
  Cursor cursor(text);
  try {
    // encoding/json's Decoder: values one after another until only white space is left.
    size_t at = SkipSpace(text, 0);
    while (at < text.size()) {
      MGW_ASSIGN_OR_RETURN(const size_t end, ReadValue(text, at, source_name, cursor, docs));
      at = SkipSpace(text, end);
    }
  } catch (const json::exception& e) {
    return InternalError(std::string(source_name) + ": " + e.what());
  }
  return docs;
}

}  // namespace mgw
