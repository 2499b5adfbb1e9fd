// libyaml's event parser behind a small C++ face: one document's events at a time,
// with 1-based positions and errors as Status. libyaml is the C library go-yaml v2
// (and so kubectl) was ported from, so both accept the same grammar. Not thread-safe;
// one reader per stream.
#ifndef MGW_MANIFEST_YAML_EVENTS_H_
#define MGW_MANIFEST_YAML_EVENTS_H_

#include <cstddef>
#include <memory>
#include <string_view>

#include "mgw/base/status.h"

namespace mgw {

enum class YamlEventType {
  kStreamStart,
  kStreamEnd,
  kDocumentStart,
  kDocumentEnd,
  kAlias,
  kScalar,
  kSequenceStart,
  kSequenceEnd,
  kMappingStart,
  kMappingEnd,
};

// One parser event. The views point into the reader and stay valid until its next Next().
struct YamlEvent {
  YamlEventType type = YamlEventType::kStreamEnd;
  int line = 1;             // 1-based, in the whole stream (the reader's line offset added)
  int column = 1;           // 1-based, in characters as libyaml counts them
  std::string_view anchor;  // the &anchor of a node, or the name an alias refers to
  std::string_view tag;     // the node's resolved tag ("tag:yaml.org,2002:int"), or empty
  std::string_view value;   // a scalar's text, escapes applied
  bool plain = false;       // a scalar written plain (unquoted, not a block scalar), tagged or not
  bool block = false;       // a mapping or sequence start in block style
  size_t index = 0;         // libyaml's character offset of the event in the reader's text
};

class YamlEventReader {
 public:
  // Reads `text` (UTF-8, UTF-16 with a byte order mark) whose first line is line
  // `first_line` of the stream. `text` must outlive the reader. Double-quoted scalars
  // follow go-yaml v2: \' is an escape and \/ is not.
  YamlEventReader(std::string_view text, int first_line);
  ~YamlEventReader();
  YamlEventReader(const YamlEventReader&) = delete;
  YamlEventReader& operator=(const YamlEventReader&) = delete;

  // The next event. INVALID_ARGUMENT "LINE:COL: <libyaml's problem>" for malformed
  // input (and for every call after that).
  StatusOr<YamlEvent> Next();

  // The event after a document's root node, read no further than go-yaml v2 reads
  // (see StartsForgottenKey): where libyaml fails looking ahead past a forgotten key
  // that opens the next line, go-yaml has already ended the document there, and so
  // does this (a kDocumentEnd at that key). Otherwise as Next().
  StatusOr<YamlEvent> NextAfterRoot();

  // True when the current event starts a flow collection that go-yaml v2's scanner
  // stops treating as a possible mapping key once it closes: one on a single line,
  // within 1024 characters, holding no entry that could itself be a key (`[]`, `{}`,
  // `[: a]`). go-yaml forgets it because closing the collection drops the wrong entry
  // of its simple-key index; its parser then takes the collection as a node before any
  // `:` after it is seen.
  bool StartsForgottenKey() const;

 private:
  // go-yaml v2 has no escape \/ (libyaml has one): INVALID_ARGUMENT "LINE:COL: ..." at
  // the first double-quoted scalar using it among those go-yaml has scanned by now, the
  // current event's or one in libyaml's queue of tokens scanned ahead (go-yaml scans the
  // same ones, but none past a collection it forgets as a key). Each token is looked at
  // once.
  Status CheckSlashEscapes();

  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace mgw

#endif  // MGW_MANIFEST_YAML_EVENTS_H_
