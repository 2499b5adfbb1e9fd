#include "manifest/fast_yaml.h"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <string>
#include <utility>

#include "manifest/fast_yaml_scalar.h"
#include "manifest/yaml_core_schema.h"

namespace mgw {
namespace {

using nlohmann::json;

struct Mark {
  int line = 1;  // 1-based, as YamlDocument reports them
  int column = 1;
};

enum class Context { kMapValue, kSeqItem };

// Only printable bytes, spaces and LF or CRLF line breaks: no tabs, no control
// characters, no lone CR. Bytes from 0x80 up (UTF-8) pass.
bool HasOnlyPlainBytes(std::string_view text) {
  for (size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if ((c >= 0x20 && c != 0x7F) || c == '\n') continue;
    if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') continue;
    return false;
  }
  return true;
}

// `---` or `...` at the start of `line`, followed by nothing but spaces and a comment.
bool IsMarkerLine(std::string_view line) {
  if (line.size() == 3) return true;
  if (line[3] != ' ') return false;
  size_t rest = line.find_first_not_of(' ', 3);
  return rest == std::string_view::npos || line[rest] == '#';
}

YamlDocument NullDocument(int line) {
  YamlDocument doc;
  doc.line = line;
  return doc;
}

// A recursive-descent parser over lines. Every member function returns false to
// decline; the parser is then abandoned, so no state needs unwinding.
class Parser {
 public:
  explicit Parser(std::string_view text)
      : text_(text), budget_(std::max(kMinYamlNodeBudget, text.size())) {}

  bool ParseStream(std::vector<YamlDocument>& docs);

 private:
  bool NextContentLine();
  bool ParseRoot(YamlDocument& doc);
  bool ParseValue(int parent, Context ctx, json& out, Mark& mark);
  bool ParseNode(int parent, bool block_ok, json& out, Mark& mark);
  bool ParseFlow(int parent, const Mark& mark, json& out, std::vector<int>* item_lines);
  bool ParseLiteral(int parent, json& out);
  bool ParseMapping(int indent, LineScalar key, json& out);
  bool ParseSequence(json& out, std::vector<int>* item_lines);
  bool FinishLine(int parent);
  bool IsSeqEntry() const {
    return col_ < line_.size() && line_[col_] == '-' &&
           (col_ + 1 == line_.size() || line_[col_ + 1] == ' ');
  }
  bool Enter() { return ++depth_ <= kMaxFastBlockDepth; }
  Mark Here() const { return {number_ + 1, static_cast<int>(col_) + 1}; }
  // The line yaml-cpp gives a null document that runs to the end of the input.
  int EndLine() const { return static_cast<int>(std::count(text_.begin(), text_.end(), '\n')) + 1; }

  std::string_view text_;
  size_t budget_;
  size_t nodes_ = 0;  // counted as the yaml-cpp path counts them, for its budget
  int depth_ = 0;
  size_t next_ = 0;  // offset of the first unread line
  int next_number_ = 0;
  // The current content line (not blank, not only a comment) and the cursor in it.
  std::string_view line_;
  int number_ = 0;       // 0-based
  int indent_ = -1;      // -1 at the end of the input and at a document marker
  bool eof_ = false;     // no line left
  bool marker_ = false;  // the line is `---` or `...`
  size_t col_ = 0;
  YamlDocument* doc_ = nullptr;
  std::vector<int>* items_ = nullptr;  // where the next node records item lines
};

bool Parser::NextContentLine() {
  while (next_ < text_.size()) {
    size_t nl = text_.find('\n', next_);
    size_t end = nl == std::string_view::npos ? text_.size() : nl;
    std::string_view line = text_.substr(next_, end - next_);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    number_ = next_number_++;
    next_ = end + 1;
    size_t indent = line.find_first_not_of(' ');
    if (indent == std::string_view::npos || line[indent] == '#') continue;
    line_ = line;
    col_ = indent;
    marker_ = indent == 0 && (line.starts_with("---") || line.starts_with("..."));
    indent_ = marker_ ? -1 : static_cast<int>(indent);
    return marker_ ? IsMarkerLine(line) : line[0] != '%';
  }
  line_ = {};
  col_ = 0;
  indent_ = -1;
  eof_ = true;
  marker_ = false;
  return true;
}

bool Parser::ParseStream(std::vector<YamlDocument>& docs) {
  bool open = false;  // a `---` was read and its document has no content yet
  if (!NextContentLine()) return false;
  while (!eof_) {
    if (marker_) {
      const bool start = line_[0] == '-';
      if (open) {
        docs.push_back(NullDocument(number_ + 1));
      } else if (!start && docs.empty()) {
        return false;  // yaml-cpp makes a document of a leading `...`
      }
      open = start;
      if (!NextContentLine()) return false;
      continue;
    }
    if (!open && !docs.empty()) return false;  // a document after `...` without `---`
    docs.emplace_back();
    if (!ParseRoot(docs.back())) return false;
    open = false;
    if (!eof_ && !marker_) return false;  // content outside the root node
  }
  if (open) docs.push_back(NullDocument(EndLine()));
  return nodes_ <= budget_;
}

bool Parser::ParseRoot(YamlDocument& doc) {
  doc_ = &doc;
  Mark mark;
  if (!ParseNode(-1, true, doc.root, mark)) return false;
  doc.line = mark.line;
  doc.column = mark.column;
  return true;
}

// The node after a `key:` or `-` indicator: on this line, on the following more
// indented lines, a sequence at the key's own indent, or null.
bool Parser::ParseValue(int parent, Context ctx, json& out, Mark& mark) {
  while (col_ < line_.size() && line_[col_] == ' ') ++col_;
  if (col_ < line_.size() && line_[col_] != '#') {
    return ParseNode(parent, ctx == Context::kSeqItem, out, mark);
  }
  if (!NextContentLine()) return false;
  if (indent_ > parent) return ParseNode(parent, true, out, mark);
  if (ctx == Context::kSeqItem) return false;  // yaml-cpp marks an empty item at the next token
  std::vector<int>* item_lines = std::exchange(items_, nullptr);
  if (indent_ == parent && IsSeqEntry()) {
    mark = Here();
    return ParseSequence(out, item_lines);
  }
  ++nodes_;
  out = nullptr;
  return true;
}

// The node at the cursor, which is on its first character. `block_ok`: a block
// mapping or sequence may start here (not after `key:` on the same line).
bool Parser::ParseNode(int parent, bool block_ok, json& out, Mark& mark) {
  mark = Here();
  std::vector<int>* item_lines = std::exchange(items_, nullptr);
  if (IsSeqEntry()) return block_ok && ParseSequence(out, item_lines);
  if (line_[col_] == '[' || line_[col_] == '{') return ParseFlow(parent, mark, out, item_lines);
  if (line_[col_] == '|') return ParseLiteral(parent, out);
  const int start = static_cast<int>(col_);
  LineScalar scalar;
  if (!ScanBlockScalar(line_, col_, scalar)) return false;
  if (scalar.is_key) return block_ok && ParseMapping(start, std::move(scalar), out);
  ++nodes_;
  out = scalar.quoted ? json(std::move(scalar.text)) : ResolvePlainScalar(scalar.text);
  return FinishLine(parent);
}

bool Parser::ParseFlow(int parent, const Mark& mark, json& out, std::vector<int>* item_lines) {
  if (!ScanFlowCollection(line_, col_, out, nodes_)) return false;
  if (item_lines != nullptr && out.is_array()) item_lines->assign(out.size(), mark.line);
  if (depth_ == 0 && out.is_object()) {  // a root flow mapping: its items are recorded too
    auto items = out.find("items");
    if (items != out.end() && items->is_array()) {
      doc_->item_lines.assign(items->size(), mark.line);
    }
  }
  return FinishLine(parent);
}

// A literal block scalar, `|` (clip) or `|-` (strip), whose lines are indented alike
// past `parent`. Declined: indentation and keep indicators, a header comment, leading
// empty lines, lines of spaces beyond the content indent, and a last line without a
// line break, where yaml-cpp's results take more care to match.
bool Parser::ParseLiteral(int parent, json& out) {
  const std::string_view header = line_.substr(col_);
  if (parent < 0 || (header != "|" && header != "|-")) return false;
  std::string text;
  size_t indent = 0;   // of the content, set by its first line
  size_t pending = 0;  // empty lines seen since the last content line
  while (next_ < text_.size()) {
    const size_t nl = text_.find('\n', next_);
    std::string_view line = text_.substr(next_, nl == std::string_view::npos ? nl : nl - next_);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    const size_t lead = line.find_first_not_of(' ');
    const bool blank = lead == std::string_view::npos;
    if (!blank && (lead < indent || static_cast<int>(lead) <= parent)) break;
    if (nl == std::string_view::npos || (blank && (indent == 0 || line.size() > indent))) {
      return false;
    }
    next_ = nl + 1;
    ++next_number_;
    if (blank) {
      ++pending;
      continue;
    }
    if (indent == 0) indent = lead;
    text.append(pending, '\n').append(line.substr(indent)) += '\n';
    pending = 0;
  }
  if (indent == 0) return false;
  if (header == "|-") text.pop_back();
  ++nodes_;
  out = std::move(text);
  return NextContentLine() && indent_ <= parent;
}

// After a scalar or flow collection: only a comment may follow on its line, and the
// next content line may not be more indented than `parent` (a continuation).
bool Parser::FinishLine(int parent) {
  size_t rest = line_.find_first_not_of(' ', col_);
  if (rest != std::string_view::npos && (line_[rest] != '#' || line_[rest - 1] != ' ')) {
    return false;
  }
  return NextContentLine() && indent_ <= parent;
}

// A block mapping whose keys are at column `indent`; `key`, its first key, was read.
bool Parser::ParseMapping(int indent, LineScalar key, json& out) {
  if (!Enter()) return false;
  out = json::object();
  ++nodes_;
  json::object_t& object = out.get_ref<json::object_t&>();
  const bool root = depth_ == 1;
  while (true) {
    if (!key.quoted && !IsOrdinaryPlainKey(key.text)) return false;
    ++nodes_;
    items_ = root && key.text == "items" ? &doc_->item_lines : nullptr;
    json value;
    Mark mark;
    if (!ParseValue(indent, Context::kMapValue, value, mark)) return false;
    if (!object.emplace(std::move(key.text), std::move(value)).second) return false;
    if (indent_ != indent) break;
    key = LineScalar();
    if (!ScanBlockScalar(line_, col_, key) || !key.is_key) return false;
  }
  --depth_;
  return indent_ < indent;
}

// A block sequence whose `-` indicators are at the cursor's column.
bool Parser::ParseSequence(json& out, std::vector<int>* item_lines) {
  const int indent = static_cast<int>(col_);
  if (!Enter()) return false;
  out = json::array();
  ++nodes_;
  do {
    ++col_;  // the '-'
    json item;
    Mark mark;
    if (!ParseValue(indent, Context::kSeqItem, item, mark)) return false;
    if (item_lines != nullptr) item_lines->push_back(mark.line);
    out.push_back(std::move(item));
  } while (indent_ == indent && IsSeqEntry());
  --depth_;
  return indent_ <= indent;
}

bool SameJson(const json& a, const json& b) {
  if (a.type() != b.type()) return false;
  if (a.is_number_float()) {
    const double x = a.get<double>();
    const double y = b.get<double>();
    return x == y ? std::signbit(x) == std::signbit(y) : std::isnan(x) && std::isnan(y);
  }
  if (!a.is_structured()) return a == b;
  if (a.size() != b.size()) return false;
  if (a.is_array()) return std::equal(a.begin(), a.end(), b.begin(), SameJson);
  for (auto it = a.begin(); it != a.end(); ++it) {
    auto other = b.find(it.key());
    if (other == b.end() || !SameJson(it.value(), *other)) return false;
  }
  return true;
}

}  // namespace

std::optional<std::vector<YamlDocument>> FastParseYamlStream(std::string_view text) {
  if (!HasOnlyPlainBytes(text)) return std::nullopt;
  std::vector<YamlDocument> docs;
  Parser parser(text);
  if (!parser.ParseStream(docs)) return std::nullopt;
  return docs;
}

bool SameYamlDocuments(const std::vector<YamlDocument>& a, const std::vector<YamlDocument>& b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(),
                                            [](const YamlDocument& x, const YamlDocument& y) {
                                              return x.line == y.line && x.column == y.column &&
                                                     x.item_lines == y.item_lines &&
                                                     SameJson(x.root, y.root);
                                            });
}

}  // namespace mgw
