// The fast path of SelectJson (json_select.h) for small documents: simdjson's
// validating DOM parser, then a walk that builds only the selected members.
// It either produces exactly what SelectJson would, or declines, and the caller
// then runs SelectJson, so errors and their messages always come from there.
// Thread-safe: each thread keeps its own reusable parser.
#ifndef MGW_BASE_JSON_SELECT_FAST_H_
#define MGW_BASE_JSON_SELECT_FAST_H_

#include <cstddef>
#include <string_view>

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

}  // namespace mgw

#endif  // MGW_BASE_JSON_SELECT_FAST_H_
