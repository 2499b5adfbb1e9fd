#include "mgw/manifest/yaml_json.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>

#include "manifest/json_stream.h"
#include "manifest/yaml_events.h"
#include "manifest/yaml_scalar.h"
#include "manifest/yaml_split.h"
#include "mgw/base/number.h"
#include "mgw/base/quote.h"

namespace mgw {
namespace {

using nlohmann::json;

constexpr std::string_view kMergeTag = "tag:yaml.org,2002:merge";

struct Position {
  int line = 1;
  int column = 1;
};

// An anchored node: its value and how many nodes go-yaml decodes when it is aliased.
// go-yaml v2 names a node by its anchor when the node starts, so an alias inside it
// means the node itself (refused), and an anchor redefined inside wins over it.
struct Anchored {
  json value;
  size_t decodes = 1;
  size_t node = 0;    // which node holds the name, numbered as they start
  bool open = false;  // that node is still being read
};

// An open mapping or sequence.
struct Frame {
  json value;
  Position at;
  std::string anchor;
  size_t anchor_node = 0;  // its number in Anchored::node
  size_t decodes = 1;      // this node and everything in it, aliases expanded
  bool is_map = false;
  bool flow = false;          // written in flow style ([...] or {...})
  bool has_key = false;       // a key was read; its value comes next
  bool merge = false;         // that key is `<<`
  bool record_lines = false;  // this is root.items: record each item's line
  std::string key;
  Position key_at;
  std::vector<std::string> merged;  // keys a merge set; overriding them is no duplicate
};

// go-yaml v2's allowedAliasRatio: the share of decoded nodes that may come from aliases.
double AllowedAliasRatio(size_t decodes) {
  constexpr double kLow = 400000;
  constexpr double kHigh = 4000000;
  const auto d = static_cast<double>(decodes);
  if (d <= kLow) return 0.99;
  if (d >= kHigh) return 0.10;
  return 0.99 - 0.89 * ((d - kLow) / (kHigh - kLow));
}

// Builds one document from parser events; the first error stops it.
class Builder {
 public:
  explicit Builder(std::string_view source) : source_(source) {
    stack_.reserve(16);  // a manifest's depth, so opening a level rarely moves the others
  }

  // Handles one node event. False after an error (see error()).
  bool Handle(const YamlEvent& e);
  const Status& error() const { return error_; }
  // True once the root node is complete.
  bool done() const { return done_; }
  // The document, or the first problem kubectl meets when it writes it as JSON.
  StatusOr<YamlDocument> Finish();

 private:
  bool Fail(Position at, std::string_view problem);
  bool Count(Position at, size_t decodes, size_t aliased);
  bool AwaitingKey() const {
    return !stack_.empty() && stack_.back().is_map && !stack_.back().has_key;
  }
  bool OnScalar(const YamlEvent& e, Position at);
  bool OnAlias(const YamlEvent& e, Position at);
  bool Open(const YamlEvent& e, Position at, bool is_map);
  bool Close();
  bool SetKey(Position at, json key);
  bool Add(json value, Position at, std::string_view anchor, size_t decodes);
  bool Merge(Frame& top, json value, Position at);
  void Insert(Frame& top, json value);
  std::string Defer(Position at, std::string_view problem);
  const Status* Survivor(const json& v) const;

  std::string_view source_;
  Status error_;
  YamlDocument doc_;
  bool done_ = false;
  std::vector<Frame> stack_;
  std::unordered_map<std::string, Anchored> anchors_;
  size_t anchored_nodes_ = 0;
  size_t decodes_ = 1;  // go-yaml counts the document node too
  size_t aliased_ = 0;
  // Problems kubectl meets only if they survive into the final document (a later
  // duplicate key may replace them): bad keys, stored under a marker key naming the
  // entry, and infinite or NaN values.
  std::vector<Status> deferred_;
  size_t nonfinite_ = SIZE_MAX;  // the deferred_ entry of the first such value
};

constexpr std::string_view kBadKeyMarker = "\x01mgw-bad-key-";

std::string Builder::Defer(Position at, std::string_view problem) {
  Fail(at, problem);
  deferred_.push_back(std::move(error_));
  error_ = Status::Ok();
  return std::string(kBadKeyMarker) + std::to_string(deferred_.size() - 1);
}

// The deferred problem of the first bad key or value left in `v`, or null.
const Status* Builder::Survivor(const json& v) const {
  if (v.is_number_float() && !std::isfinite(v.get<double>())) return &deferred_[nonfinite_];
  if (!v.is_structured()) return nullptr;
  for (auto it = v.begin(); it != v.end(); ++it) {
    if (v.is_object() && std::string_view(it.key()).starts_with(kBadKeyMarker)) {
      std::optional<int64_t> i =
          ParseDecimal(std::string_view(it.key()).substr(kBadKeyMarker.size()), 0,
                       static_cast<int64_t>(deferred_.size()) - 1);
      if (i) return &deferred_[static_cast<size_t>(*i)];
    }
    if (const Status* s = Survivor(it.value())) return s;
  }
  return nullptr;
}

StatusOr<YamlDocument> Builder::Finish() {
  if (!deferred_.empty()) {
    if (const Status* s = Survivor(doc_.root)) return *s;
  }
  return std::move(doc_);
}

bool Builder::Fail(Position at, std::string_view problem) {
  if (error_.ok()) {
    error_ = InvalidArgumentError(std::string(source_) + ":" + std::to_string(at.line) + ":" +
                                  std::to_string(at.column) + ": " + std::string(problem));
  }
  return false;
}

// go-yaml's excessive-aliasing rule, checked as the counts grow.
bool Builder::Count(Position at, size_t decodes, size_t aliased) {
  decodes_ += decodes;
  aliased_ += aliased;
  if (aliased_ > 100 && decodes_ > 1000 &&
      static_cast<double>(aliased_) / static_cast<double>(decodes_) > AllowedAliasRatio(decodes_)) {
    return Fail(at, "document contains excessive aliasing");
  }
  return true;
}

bool Builder::Handle(const YamlEvent& e) {
  const Position at{e.line, e.column};
  switch (e.type) {
    case YamlEventType::kScalar:
      return OnScalar(e, at);
    case YamlEventType::kAlias:
      return OnAlias(e, at);
    case YamlEventType::kSequenceStart:
      return Open(e, at, false);
    case YamlEventType::kMappingStart:
      return Open(e, at, true);
    case YamlEventType::kSequenceEnd:
    case YamlEventType::kMappingEnd:
      return Close();
    default:
      return true;
  }
}

bool Builder::OnScalar(const YamlEvent& e, Position at) {
  // In a flow collection go-yaml v2 ends a plain scalar at `?` and reads the `?` as a
  // key indicator, which cannot follow a node there; libyaml reads on.
  if (e.plain && !stack_.empty() && stack_.back().flow &&
      e.value.find('?') != std::string_view::npos) {
    return Fail(at,
                "a plain scalar in a flow collection ends at '?' for kubectl, and a '?' key "
                "cannot follow it there");
  }
  const bool plain = e.plain && e.tag.empty();
  if (AwaitingKey() && e.value == "<<" && (plain || e.tag == kMergeTag)) {
    Frame& top = stack_.back();
    top.has_key = true;
    top.merge = true;
    top.key_at = at;
    return true;  // go-yaml does not decode the merge key itself
  }
  if (AwaitingKey() && e.anchor.empty() && IsPlainString(e.tag, e.value, plain)) {
    if (!Count(at, 1, 0)) return false;
    Frame& top = stack_.back();
    top.key.assign(e.value);
    top.key_at = at;
    top.merge = false;
    top.has_key = true;
    return true;  // a string key, as SetKey would set it
  }
  StatusOr<json> v = ResolveYamlScalar(e.tag, e.value, plain);
  if (!v.ok()) return Fail(at, v.status().message());
  if (!Count(at, 1, 0)) return false;
  if (AwaitingKey()) {
    if (!e.anchor.empty()) anchors_[std::string(e.anchor)] = {*v, 1, ++anchored_nodes_};
    return SetKey(at, *std::move(v));
  }
  if (v->is_number_float() && !std::isfinite(v->get<double>()) && nonfinite_ == SIZE_MAX) {
    Defer(at, QuoteJson(std::string(e.value)) +
                  " is infinite or NaN, which JSON cannot hold; kubectl refuses it too");
    nonfinite_ = deferred_.size() - 1;
  }
  return Add(*std::move(v), at, e.anchor, 1);
}

bool Builder::OnAlias(const YamlEvent& e, Position at) {
  auto it = anchors_.find(std::string(e.anchor));
  if (it == anchors_.end()) {
    return Fail(at, "unknown anchor '" + std::string(e.anchor) + "' referenced");
  }
  if (it->second.open) {
    return Fail(at, "anchor '" + std::string(e.anchor) + "' value contains itself");
  }
  const size_t nodes = it->second.decodes;
  if (!Count(at, 1 + nodes, nodes)) return false;
  if (AwaitingKey()) return SetKey(at, it->second.value);
  return Add(it->second.value, at, "", 1 + nodes);
}

bool Builder::SetKey(Position at, json key) {
  Frame& top = stack_.back();
  if (key.is_string()) {
    top.key = std::move(key.get_ref<std::string&>());
  } else {
    StatusOr<std::string> text = YamlKeyText(key);
    top.key = text.ok() ? *std::move(text) : Defer(at, text.status().message());
  }
  top.key_at = at;
  top.merge = false;
  top.has_key = true;
  return true;
}

bool Builder::Open(const YamlEvent& e, Position at, bool is_map) {
  if (AwaitingKey()) return Fail(at, "a mapping key must be a scalar");
  if (stack_.size() >= kMaxYamlDepth) {
    return Fail(at, "nesting deeper than " + std::to_string(kMaxYamlDepth) + " levels");
  }
  const bool merge_list = !stack_.empty() && stack_.back().merge && !is_map;
  if (!Count(at, merge_list ? 0 : 1, 0)) return false;  // a merged list is not decoded itself
  Frame f;
  f.value = is_map ? json::object() : json::array();
  f.at = at;
  f.anchor = std::string(e.anchor);
  if (!f.anchor.empty()) {
    f.anchor_node = ++anchored_nodes_;
    anchors_[f.anchor] = {json(), 0, f.anchor_node, true};
  }
  f.decodes = merge_list ? 0 : 1;
  f.is_map = is_map;
  f.flow = !e.block;
  f.record_lines = !is_map && stack_.size() == 1 && stack_[0].is_map && !stack_[0].merge &&
                   stack_[0].key == "items";
  stack_.push_back(std::move(f));
  return true;
}

bool Builder::Close() {
  if (stack_.empty()) return true;
  Frame f = std::move(stack_.back());
  stack_.pop_back();
  auto named = f.anchor.empty() ? anchors_.end() : anchors_.find(f.anchor);
  const bool still_named = named != anchors_.end() && named->second.node == f.anchor_node;
  return Add(std::move(f.value), f.at, still_named ? std::string_view(f.anchor) : "", f.decodes);
}

bool Builder::Add(json value, Position at, std::string_view anchor, size_t decodes) {
  if (!anchor.empty()) anchors_[std::string(anchor)] = {value, decodes, ++anchored_nodes_};
  if (stack_.empty()) {
    doc_.root = std::move(value);
    done_ = true;
    doc_.line = at.line;
    doc_.column = at.column;
    return true;
  }
  Frame& top = stack_.back();
  top.decodes += decodes;
  if (!top.is_map) {
    if (top.record_lines) doc_.item_lines.push_back(at.line);
    top.value.push_back(std::move(value));
    return true;
  }
  top.has_key = false;
  if (top.merge) return Merge(top, std::move(value), at);
  Insert(top, std::move(value));
  return true;
}

// Sets top.key, warning when an earlier explicit key of the same text is replaced.
void Builder::Insert(Frame& top, json value) {
  auto& object = top.value.get_ref<json::object_t&>();
  auto [it, inserted] = object.try_emplace(std::move(top.key), std::move(value));
  if (inserted) return;
  // try_emplace moved neither the key nor the value: the key was there already.
  auto merged = std::find(top.merged.begin(), top.merged.end(), it->first);
  if (merged != top.merged.end()) {
    top.merged.erase(merged);
  } else {
    doc_.warnings.push_back(std::string(source_) + ":" + std::to_string(top.key_at.line) + ":" +
                            std::to_string(top.key_at.column) + ": duplicate key " +
                            QuoteJson(it->first) + ": kubectl keeps the last value");
  }
  it->second = std::move(value);
}

// A merge (<<) value: a mapping, or a list of them where earlier ones win. Merged keys
// replace what the mapping holds so far, as go-yaml v2 does.
bool Builder::Merge(Frame& top, json value, Position at) {
  const bool list = value.is_array();
  if (!value.is_object() && !(list && std::all_of(value.begin(), value.end(),
                                                  [](const json& m) { return m.is_object(); }))) {
    return Fail(top.key_at,
                "map merge requires map or sequence of maps as the value (the value of <<)");
  }
  (void)at;
  auto apply = [&top](json& source) {
    for (auto& [k, v] : source.get_ref<json::object_t&>()) {
      top.value[k] = std::move(v);
      top.merged.push_back(k);
    }
  };
  if (!list) {
    apply(value);
    return true;
  }
  for (auto m = value.rbegin(); m != value.rend(); ++m) apply(*m);
  return true;
}

Status WithSource(std::string_view source, const Status& status) {
  return InvalidArgumentError(std::string(source) + ":" + std::string(status.message()));
}

// Handles the root's first event `root` (a copy), with the event after it when the root
// is a block mapping whose first key is a collection go-yaml v2 forgets as a key
// (YamlEventReader::StartsForgottenKey): go-yaml's root is then that collection alone,
// and `root_only` is set, for go-yaml's document ends with it.
Status ReadRootStart(YamlEventReader& reader, Builder& builder, const YamlEvent& root,
                     std::string_view source, bool& root_only) {
  const bool candidate = root.type == YamlEventType::kMappingStart && root.block &&
                         root.anchor.empty() && root.tag.empty();
  if (candidate) {
    StatusOr<YamlEvent> key = reader.Next();
    if (!key.ok()) return WithSource(source, key.status());
    root_only =
        (key->type == YamlEventType::kMappingStart || key->type == YamlEventType::kSequenceStart) &&
        !key->block && key->index == root.index && reader.StartsForgottenKey();
    if (!root_only && !builder.Handle(root)) return builder.error();
    if (!builder.Handle(*key)) return builder.error();
    return Status::Ok();
  }
  if (!builder.Handle(root)) return builder.error();
  return Status::Ok();
}

// Reads the first document of `chunk` as far as go-yaml v2 reads it: its root node and
// the document's end, where go-yaml stops.
StatusOr<YamlDocument> ReadDocument(const YamlChunk& chunk, std::string_view source) {
  YamlEventReader reader(chunk.text, chunk.first_line);
  Builder builder(source);
  bool first = true;
  bool root_only = false;
  for (;;) {
    if (builder.done()) {
      if (root_only) break;
      StatusOr<YamlEvent> end = reader.NextAfterRoot();
      if (!end.ok()) return WithSource(source, end.status());
      break;
    }
    StatusOr<YamlEvent> e = reader.Next();
    if (!e.ok()) return WithSource(source, e.status());
    if (e->type == YamlEventType::kDocumentEnd || e->type == YamlEventType::kStreamEnd) break;
    if (first && e->type != YamlEventType::kStreamStart &&
        e->type != YamlEventType::kDocumentStart) {
      first = false;
      MGW_RETURN_IF_ERROR(ReadRootStart(reader, builder, *e, source, root_only));
      continue;
    }
    if (!builder.Handle(*e)) return builder.error();
  }
  MGW_ASSIGN_OR_RETURN(YamlDocument doc, builder.Finish());
  if (doc.root.is_null()) doc.line = chunk.first_line;
  return doc;
}

}  // namespace

StatusOr<std::vector<YamlDocument>> ParseYamlStream(std::string_view text,
                                                    std::string_view source_name) {
  std::vector<YamlDocument> docs;
  // kubectl reads a stream that starts with '{' as JSON, with a JSON decoder.
  const size_t first = text.find_first_not_of(" \t\r\n");
  if (first != std::string_view::npos && text[first] == '{') {
    return ParseJsonStream(text, source_name);
  }
  try {
    for (const YamlChunk& chunk : SplitYamlDocuments(text)) {
      MGW_ASSIGN_OR_RETURN(YamlDocument doc, ReadDocument(chunk, source_name));
      docs.push_back(std::move(doc));
    }
  } catch (const json::exception& e) {
    return InternalError(std::string(source_name) + ": " + e.what());
  }
  return docs;
}

}  // namespace mgw
