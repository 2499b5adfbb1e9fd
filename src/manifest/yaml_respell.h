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

// Stand-ins: private-use characters libyaml reads as plain text, for characters it
// would read otherwise than go-yaml. Scalars must turn them back (RestoreStandIns).
inline constexpr std::string_view kByteOrderMarkStandIn = "\xEE\x80\x80";  // U+E000
inline constexpr std::string_view kColonStandIn = "\xEE\x80\x81";          // U+E001

struct Respelled {
  std::string text;        // empty when nothing was respelled: read the original
  bool stand_ins = false;  // scalars may hold stand-ins
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
//   kByteOrderMarkStandIn, unless the text already holds a stand-in or starts with
//   two marks (go-yaml then skips the first character of every line: not followed).
// - In a flow collection, go-yaml reads a `:` that is followed by `,`, `[`, `]`, `{`
//   or `}` as part of a plain scalar (`[nu:]` is ["nu:"]), where libyaml refuses it:
//   kColonStandIn, unless the text already holds a stand-in.
// Rewrites other than `\x27` keep every character in place; `\x27` is two characters
// longer than `\'`, which moves the columns after it on its line.
Respelled RespellForLibyaml(std::string_view text);

// `value` with each stand-in turned back into the character it stands for.
std::string RestoreStandIns(std::string_view value);

// The byte offset in UTF-8 `text` of libyaml's mark index `chars`, counting on from
// index `from_chars` at byte `from_bytes`. libyaml counts characters, and not a byte
// order mark at the start, which it skips before it counts.
size_t MarkByteOffset(std::string_view text, size_t chars, size_t from_chars = 0,
                      size_t from_bytes = 0);

}  // namespace mgw

#endif  // MGW_MANIFEST_YAML_RESPELL_H_
