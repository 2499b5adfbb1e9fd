// Whole numbers read from text the one way the project reads them: ASCII digits only, no
// sign, no spaces, within stated bounds. Pure.
#ifndef MGW_BASE_NUMBER_H_
#define MGW_BASE_NUMBER_H_

#include <cstdint>
#include <optional>
#include <string_view>

namespace mgw {

// The value of `text`, one or more decimal digits, when it lies in [min, max]; nullopt
// for anything else (empty, a sign, spaces, other characters, out of range, overflow).
// REQUIRES: 0 <= min <= max.
std::optional<int64_t> ParseDecimal(std::string_view text, int64_t min, int64_t max);

}  // namespace mgw

#endif  // MGW_BASE_NUMBER_H_
