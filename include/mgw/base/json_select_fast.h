// The fast path of SelectJson (json_select.h) for small documents: simdjson's
// validating DOM parser, then a walk that builds only the selected members.
// It either produces exactly what SelectJson would, or declines, and the caller
// then runs SelectJson, so errors and their messages always come from there.
// Thread-safe: each thread keeps its own reusable parser.
#ifndef MGW_BASE_JSON_SELECT_FAST_H_
#define MGW_BASE_JSON_SELECT_FAST_H_

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "mgw/base/json_select.h"

namespace mgw {

// Largest document the fast path takes; its parser's buffers grow to this.
inline constexpr size_t kMaxFastSelectBytes = 64 * 1024;

// When it returns true, `out` holds exactly what SelectJson(text, select, limits,
// out) would and that call would have returned OK (same values, same number
// types, duplicate keys resolved the same way). It returns false, leaving `out`
// unspecified, whenever it cannot promise that: text longer than
// kMaxFastSelectBytes, any simdjson error (invalid JSON, numbers simdjson does not
// represent as nlohmann does), more kept values than limits.max_values, or a
// deadline with so many parse events that SelectJson would read the clock, or
// nesting deeper than limits.fast_max_depth.
// Never throws.
bool TrySelectJsonFast(std::string_view text, const JsonSelector& select,
                       const JsonSelectLimits& limits, nlohmann::json& out);

// Strings handed over by the fast path instead of being built into the tree;
// nullopt where the document has no such member.
using JsonCaptures = std::vector<std::optional<std::string>>;

// The same, except that a member whose selector has `capture` = i (< captures.size())
// goes to captures[i] and not into `out`, which saves building and reading a
// tree node for each such string. It also declines when such a member is not a
// string (null included), when it appears twice, and when an object that holds
// captured members appears twice (SelectJson keeps only the last), so whatever
// it accepts means the same as SelectJson's tree. `captures` is reset first.
bool TrySelectJsonFast(std::string_view text, const JsonSelector& select,
                       const JsonSelectLimits& limits, nlohmann::json& out, JsonCaptures& captures);

}  // namespace mgw

#endif  // MGW_BASE_JSON_SELECT_FAST_H_
