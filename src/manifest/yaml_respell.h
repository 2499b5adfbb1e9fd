// Rewrites of one YAML document's text that make libyaml 0.2.5 scan it as go-yaml v2
// (kubectl's YAML reader) does, where the two scanners differ. Each rewrite gives
// libyaml a spelling it reads as go-yaml reads the original: `\'` in a double-quoted
// scalar, a tag that runs on through `,`, `[` or `]`, and a byte order mark inside the
// text. Pure; thread-safe.
#ifndef MGW_MANIFEST_YAML_RESPELL_H_
#define MGW_MANIFEST_YAML_RESPELL_H_

#include <cstddef>
#include <string>
#include <string_view>

namespace mgw {

// What a byte order mark after the start of a document is respelled as: U+E000, a
// private-use character of the same width, which libyaml reads as text. Scalars must
// turn it back into U+FEFF (RestoreByteOrderMarks).
inline constexpr std::string_view kByteOrderMarkStandIn = "\xEE\x80\x80";

struct Respelled {
  std::string text;               // empty when nothing was respelled: read the original
  bool byte_order_marks = false;  // byte order marks became kByteOrderMarkStandIn
};

// `text` rewritten for libyaml where go-yaml v2 reads it differently:
// - `\'` in a double-quoted scalar is an escape to go-yaml, not to libyaml: `\x27`.
// - go-yaml takes `,`, `[` and `]` into a tag's suffix (`!!int]`, `![`, `!a,b`);
//   libyaml ends the tag there and refuses what follows or reads it as structure.
//   Each such character becomes `;`, which both read as part of a tag; either way the
//   tag is one neither knows, so the node is read as a string.
// - go-yaml skips a byte order mark only at the very start (its check looks at the
//   start of its buffer, not at the current position) and reads any other one as
//   text; libyaml skips one wherever a line starts. Those after the start become
//   kByteOrderMarkStandIn, unless the text already holds that character or starts with
//   two marks (go-yaml then skips the first character of every line: not followed).
// The tag and byte order mark rewrites keep every character in place; `\x27` is two
// characters longer than `\'`, which moves the columns after it on its line.
Respelled RespellForLibyaml(std::string_view text);

// `value` with each kByteOrderMarkStandIn turned back into U+FEFF.
std::string RestoreByteOrderMarks(std::string_view value);

// The byte offset of character `chars` of UTF-8 `text` (libyaml counts its marks in
// characters), counting on from character `from_chars` at byte `from_bytes`.
size_t Utf8ByteOffset(std::string_view text, size_t chars, size_t from_chars = 0,
                      size_t from_bytes = 0);

}  // namespace mgw

#endif  // MGW_MANIFEST_YAML_RESPELL_H_
