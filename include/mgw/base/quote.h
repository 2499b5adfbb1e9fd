// Quoting user-supplied text inside messages people read. Input may be any
// bytes of any length; the output is always short, printable and unambiguous.
#ifndef MGW_BASE_QUOTE_H_
#define MGW_BASE_QUOTE_H_

#include <cstddef>
#include <string>
#include <string_view>

namespace mgw {

// Returns `text` in double quotes: printable ASCII kept, every other byte (and
// '"', '\') written as \xNN. Past about `max_bytes` of output the rest is dropped
// and the input's length noted, as in "aaaa...(1048576 bytes)", so a megabyte of
// input still yields a one-line message.
std::string QuoteBytes(std::string_view text, size_t max_bytes = 64);

// Returns `text` as a JSON string literal, the way kubectl and Go's %q show a
// value: "a\"b". Invalid UTF-8 becomes U+FFFD instead of failing.
std::string QuoteJson(std::string_view text);

// Appends QuoteJson(text) to `out`, without building a JSON value for the
// common case of ASCII text (this runs for every field of every log line).
void AppendQuotedJson(std::string& out, std::string_view text);

}  // namespace mgw

#endif  // MGW_BASE_QUOTE_H_
