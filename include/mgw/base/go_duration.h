// Go time.Duration strings ("90s", "1h30m", "1.5h"), the format of
// metav1.Duration fields such as spec.mustGatherTimeout.
#ifndef MGW_BASE_GO_DURATION_H_
#define MGW_BASE_GO_DURATION_H_

#include <chrono>
#include <string_view>

#include "mgw/base/status.h"

namespace mgw {

// Parses a Go duration: an optional sign, then one or more decimal numbers each
// with a unit of ns, us (or µs U+00B5, μs U+03BC), ms, s, m or h. "0" alone is allowed. Errors:
// INVALID_ARGUMENT for bad syntax, OUT_OF_RANGE past ~292 years.
StatusOr<std::chrono::nanoseconds> ParseGoDuration(std::string_view text);

}  // namespace mgw

#endif  // MGW_BASE_GO_DURATION_H_
