// Selective JSON decoding: parse a document completely (so every syntax error is
// found exactly as nlohmann::json::parse finds it, with the same message) but build
// only the members a caller reads. Memory is the kept parts plus the lexer's token
// buffer, whatever the shape of the rest. Thread-compatible; pure apart from `clock`.
#ifndef MGW_BASE_JSON_SELECT_H_
#define MGW_BASE_JSON_SELECT_H_

#include <chrono>
#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "mgw/base/clock.h"
#include "mgw/base/status.h"

namespace mgw {

// Which parts of a value to keep. When the value is an object, only the members
// named in `members` are kept, each by its own selector (all members when
// `keep_all`). When it is an array or scalar, it is kept whole if `keep_other`;
// otherwise a scalar is kept and an array becomes an empty array (its type only).
struct JsonSelector {
  std::map<std::string, JsonSelector, std::less<>> members;
  bool keep_all = false;
  bool keep_other = true;
  // For TrySelectJsonFast with captures only (SelectJson ignores it): when >= 0,
  // a string value here goes to captures[capture] instead of the tree.
  int capture = -1;

  // A selector that keeps the whole value.
  static JsonSelector All();
};

struct JsonSelectLimits {
  // Most values (scalars, arrays, objects) the kept parts may hold.
  size_t max_values = 65536;
  // The clock is read once per this many parse events.
  size_t deadline_check_every = 4096;
  std::optional<std::chrono::steady_clock::time_point> deadline;
  // TrySelectJsonFast declines a document nested deeper than this (the root
  // container is level 1), so a caller with a depth rule need not pre-scan
  // what the fast path accepts. SelectJson ignores it.
  size_t fast_max_depth = 1024;
  SteadyClock clock;  // null: the system's
};

// Parses `text` as one JSON document (strict, no comments: what json::parse
// accepts) into `out`, keeping what `select` names. Errors:
//   INVALID_ARGUMENT  not JSON; the message is nlohmann's exception text, verbatim.
//   RESOURCE_EXHAUSTED  the kept parts exceed limits.max_values.
//   DEADLINE_EXCEEDED  limits.deadline passed during the parse.
// On error `out` holds what was kept before the parse stopped (possibly partial
// objects). Never throws.
Status SelectJson(std::string_view text, const JsonSelector& select, const JsonSelectLimits& limits,
                  nlohmann::json& out);

}  // namespace mgw

#endif  // MGW_BASE_JSON_SELECT_H_
