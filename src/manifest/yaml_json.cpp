#include "mgw/manifest/yaml_json.h"

#include <algorithm>
#include <istream>
#include <optional>
#include <streambuf>
#include <string>
#include <unordered_map>

#include <yaml-cpp/depthguard.h>
#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/exceptions.h>
#include <yaml-cpp/mark.h>
#include <yaml-cpp/parser.h>

#include "manifest/fast_yaml.h"
#include "manifest/yaml_core_schema.h"
#include "mgw/base/quote.h"

namespace mgw {
namespace {

using nlohmann::json;

Status ErrorAt(std::string_view source, const YAML::Mark& mark, std::string_view problem) {
  std::string out(source);
  if (!mark.is_null()) {
    out += ":" + std::to_string(mark.line + 1) + ":" + std::to_string(mark.column + 1);
  }
  return InvalidArgumentError(out + ": " + std::string(problem));
}

// An istream source over the caller's bytes, read in place.
class ViewBuf : public std::streambuf {
 public:
  explicit ViewBuf(std::string_view text) {
    char* begin = const_cast<char*>(text.data());  // get area only: never written
    setg(begin, begin, begin + text.size());
  }
};

bool IsBlank(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

// yaml-cpp 0.7 accepts a quoted scalar that runs to the end of input; this finds
// the closing quote of the scalar written at `pos` (after any &anchor and !tag).
bool QuoteIsTerminated(std::string_view text, size_t pos) {
  while (pos < text.size() && (text[pos] == '&' || text[pos] == '!')) {
    while (pos < text.size() && !IsBlank(text[pos])) ++pos;
    while (pos < text.size() && IsBlank(text[pos])) ++pos;
  }
  if (pos >= text.size() || (text[pos] != '"' && text[pos] != '\'')) return true;
  const char quote = text[pos];
  for (size_t i = pos + 1; i < text.size(); ++i) {
    if (quote == '"' && text[i] == '\\') {
      ++i;
    } else if (text[i] == quote) {
      if (quote == '"' || i + 1 >= text.size() || text[i + 1] != '\'') return true;
      ++i;  // '' is an escaped single quote
    }
  }
  return false;
}

// True when `gap` holds a "..." document-end marker at the start of a line.
bool HasDocumentEnd(std::string_view gap) {
  for (size_t i = gap.find("..."); i != std::string_view::npos; i = gap.find("...", i + 1)) {
    if (i == 0 || gap[i - 1] == '\n') return true;
  }
  return false;
}

struct Anchored {
  json value;
  size_t nodes = 1;
};

// An open mapping or sequence.
struct Frame {
  json value;
  YAML::Mark mark;
  YAML::anchor_t anchor = 0;
  size_t nodes = 1;  // this node plus everything in it, aliases expanded
  bool is_map = false;
  bool has_key = false;       // a key was read; its value comes next
  bool merge = false;         // that key is `<<`
  bool record_lines = false;  // this is root.items: record each item's line
  std::string key;
  YAML::Mark key_mark;
  std::vector<json> merges;
};

// Builds JSON documents from parser events. After the first error every event is
// ignored, so the parser can run to the end of the document without harm.
class Builder final : public YAML::EventHandler {
 public:
  Builder(std::string_view text, std::string_view source, size_t budget)
      : text_(text), source_(source), budget_(budget) {}

  const Status& error() const { return error_; }
  std::vector<YamlDocument> Take() { return std::move(docs_); }

  void OnDocumentStart(const YAML::Mark& mark) override;
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark& mark, YAML::anchor_t anchor) override;
  void OnAlias(const YAML::Mark& mark, YAML::anchor_t anchor) override;
  void OnScalar(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                const std::string& value) override;
  void OnSequenceStart(const YAML::Mark& mark, const std::string& /*tag*/, YAML::anchor_t anchor,
                       YAML::EmitterStyle::value /*style*/) override {
    Open(mark, anchor, false);
  }
  void OnSequenceEnd() override { Close(); }
  void OnMapStart(const YAML::Mark& mark, const std::string& /*tag*/, YAML::anchor_t anchor,
                  YAML::EmitterStyle::value /*style*/) override {
    Open(mark, anchor, true);
  }
  void OnMapEnd() override { Close(); }

 private:
  // Records the first error; false so callers can `return Fail(...)`-style bail out.
  bool Fail(const YAML::Mark& mark, std::string_view problem);
  // Starts handling an event at `mark` that adds `nodes` nodes; false to ignore it.
  bool Begin(const YAML::Mark& mark, size_t nodes);
  bool AwaitingKey() const {
    return !stack_.empty() && stack_.back().is_map && !stack_.back().has_key;
  }
  void SetKey(const YAML::Mark& mark, std::string key, bool merge);
  void Add(json value, const YAML::Mark& mark, YAML::anchor_t anchor, size_t nodes);
  void Open(const YAML::Mark& mark, YAML::anchor_t anchor, bool is_map);
  void Close();
  bool ApplyMerges(Frame& frame);

  std::string_view text_;
  std::string_view source_;
  size_t budget_;
  size_t used_ = 0;
  size_t last_pos_ = 0;  // the furthest event position seen, for the `---` check
  Status error_;
  std::vector<Frame> stack_;
  std::unordered_map<YAML::anchor_t, Anchored> anchors_;
  std::vector<YamlDocument> docs_;
};

bool Builder::Fail(const YAML::Mark& mark, std::string_view problem) {
  if (error_.ok()) error_ = ErrorAt(source_, mark, problem);
  return false;
}

bool Builder::Begin(const YAML::Mark& mark, size_t nodes) {
  if (!error_.ok()) return false;
  if (mark.pos > 0) last_pos_ = std::max(last_pos_, static_cast<size_t>(mark.pos));
  used_ += nodes;
  if (used_ <= budget_) return true;
  return Fail(mark, "more than " + std::to_string(budget_) +
                        " nodes once aliases are expanded (an alias bomb?)");
}

void Builder::OnDocumentStart(const YAML::Mark& mark) {
  if (!error_.ok()) return;
  size_t pos = std::min(static_cast<size_t>(std::max(mark.pos, 0)), text_.size());
  if (!docs_.empty() && !text_.substr(pos).starts_with("---") &&
      !HasDocumentEnd(text_.substr(last_pos_, pos - std::min(last_pos_, pos)))) {
    Fail(mark,
         "unexpected content after the document; fix the indentation or start a new "
         "document with ---");
    return;
  }
  docs_.emplace_back();
  anchors_.clear();
  stack_.clear();
}

void Builder::OnNull(const YAML::Mark& mark, YAML::anchor_t anchor) {
  if (!Begin(mark, 1)) return;
  if (AwaitingKey()) return SetKey(mark, "null", false);
  Add(json(nullptr), mark, anchor, 1);
}

void Builder::OnAlias(const YAML::Mark& mark, YAML::anchor_t anchor) {
  auto it = anchors_.find(anchor);
  size_t nodes = it == anchors_.end() ? 1 : it->second.nodes;
  if (!Begin(mark, nodes)) return;
  if (it == anchors_.end()) {
    Fail(mark, "an alias may not refer to a node that contains it");
    return;
  }
  const json& v = it->second.value;
  if (!AwaitingKey()) return Add(v, mark, 0, nodes);
  if (v.is_structured()) {
    Fail(mark, "a mapping key must be a scalar");
    return;
  }
  SetKey(mark, v.is_string() ? v.get<std::string>() : v.dump(), false);
}

void Builder::OnScalar(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                       const std::string& value) {
  if (!Begin(mark, 1)) return;
  if (tag != "?" && !QuoteIsTerminated(text_, static_cast<size_t>(std::max(mark.pos, 0)))) {
    Fail(mark, "unterminated quoted string");
    return;
  }
  if (AwaitingKey()) {
    if (anchor != 0) anchors_[anchor] = {json(value), 1};
    return SetKey(mark, value, tag == "?" && value == "<<");
  }
  StatusOr<json> v = ResolveTaggedScalar(tag, value);
  if (!v.ok()) {
    Fail(mark, v.status().message());
    return;
  }
  Add(std::move(v).value(), mark, anchor, 1);
}

void Builder::SetKey(const YAML::Mark& mark, std::string key, bool merge) {
  Frame& top = stack_.back();
  top.key = std::move(key);
  top.key_mark = mark;
  top.merge = merge;
  top.has_key = true;
}

void Builder::Add(json value, const YAML::Mark& mark, YAML::anchor_t anchor, size_t nodes) {
  if (anchor != 0) anchors_[anchor] = {value, nodes};
  if (stack_.empty()) {
    YamlDocument& doc = docs_.back();
    doc.root = std::move(value);
    doc.line = mark.line + 1;
    doc.column = mark.column + 1;
    return;
  }
  Frame& top = stack_.back();
  top.nodes += nodes;
  if (!top.is_map) {
    if (top.record_lines) docs_.back().item_lines.push_back(mark.line + 1);
    top.value.push_back(std::move(value));
    return;
  }
  top.has_key = false;
  if (top.merge) {
    top.merges.push_back(std::move(value));
  } else if (!top.value.get_ref<json::object_t&>()
                  .try_emplace(std::move(top.key), std::move(value))
                  .second) {  // try_emplace leaves the key alone when it is a duplicate
    Fail(top.key_mark, "duplicate key " + QuoteJson(top.key) + " in a mapping");
  }
}

void Builder::Open(const YAML::Mark& mark, YAML::anchor_t anchor, bool is_map) {
  if (!Begin(mark, 1)) return;
  if (AwaitingKey()) {
    Fail(mark, "a mapping key must be a scalar");
    return;
  }
  if (stack_.size() >= kMaxYamlDepth) {
    Fail(mark, "nesting deeper than " + std::to_string(kMaxYamlDepth) + " levels");
    return;
  }
  Frame f;
  f.value = is_map ? json::object() : json::array();
  f.mark = mark;
  f.anchor = anchor;
  f.is_map = is_map;
  f.record_lines = !is_map && stack_.size() == 1 && stack_[0].is_map && !stack_[0].merge &&
                   stack_[0].key == "items";
  stack_.push_back(std::move(f));
}

void Builder::Close() {
  if (!error_.ok() || stack_.empty()) return;
  Frame f = std::move(stack_.back());
  stack_.pop_back();
  if (f.is_map && !ApplyMerges(f)) return;
  Add(std::move(f.value), f.mark, f.anchor, f.nodes);
}

// YAML merge keys: earlier sources win over later ones, explicit keys over all.
bool Builder::ApplyMerges(Frame& frame) {
  for (const json& source : frame.merges) {
    const bool one = source.is_object();
    if (!one && !(source.is_array() && std::all_of(source.begin(), source.end(),
                                                   [](const json& m) { return m.is_object(); }))) {
      return Fail(frame.mark,
                  "the value of a merge key (<<) must be a mapping or a list of "
                  "mappings");
    }
    for (const json& m : one ? json::array({source}) : source) {
      for (auto it = m.begin(); it != m.end(); ++it) frame.value.emplace(it.key(), it.value());
    }
  }
  return true;
}

Status CheckEncoding(std::string_view text, std::string_view source) {
  if (!text.starts_with("\xFE\xFF") && !text.starts_with("\xFF\xFE") &&
      text.substr(0, 4).find('\0') == std::string_view::npos) {
    return Status::Ok();
  }
  return InvalidArgumentError(std::string(source) +
                              ": UTF-16 and UTF-32 are not supported; save the file as UTF-8");
}

}  // namespace

StatusOr<std::vector<YamlDocument>> ParseYamlStream(std::string_view text,
                                                    std::string_view source_name) {
  MGW_RETURN_IF_ERROR(CheckEncoding(text, source_name));
  std::string_view body = text.starts_with("\xEF\xBB\xBF") ? text.substr(3) : text;
  if (std::optional<std::vector<YamlDocument>> docs = FastParseYamlStream(body)) {
    return *std::move(docs);
  }
  return ParseYamlStreamWithYamlCpp(text, source_name);
}

StatusOr<std::vector<YamlDocument>> ParseYamlStreamWithYamlCpp(std::string_view text,
                                                               std::string_view source_name) {
  MGW_RETURN_IF_ERROR(CheckEncoding(text, source_name));
  if (text.starts_with("\xEF\xBB\xBF")) text.remove_prefix(3);  // so marks are byte offsets
  ViewBuf buf(text);
  std::istream in(&buf);
  Builder builder(text, source_name, std::max(kMinYamlNodeBudget, text.size()));
  try {
    YAML::Parser parser(in);
    while (parser.HandleNextDocument(builder)) MGW_RETURN_IF_ERROR(builder.error());
  } catch (const YAML::DeepRecursion& e) {  // the builder's own depth error comes first
    return builder.error().ok() ? ErrorAt(source_name, e.mark, "nesting is too deep")
                                : builder.error();
  } catch (const YAML::Exception& e) {
    return builder.error().ok() ? ErrorAt(source_name, e.mark, e.msg) : builder.error();
  } catch (const json::exception& e) {
    return InternalError(std::string(source_name) + ": " + e.what());
  }
  MGW_RETURN_IF_ERROR(builder.error());
  return builder.Take();
}

}  // namespace mgw
