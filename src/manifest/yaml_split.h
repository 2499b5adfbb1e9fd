// A YAML stream cut into documents the way kubectl cuts it before it converts each one
// (k8s.io/apimachinery's YAMLReader): at every line that is `---` followed by nothing
// but white space. Other document markers (`--- value`, `...`) are left to the YAML
// parser, as in kubectl. Pure; thread-safe.
#ifndef MGW_MANIFEST_YAML_SPLIT_H_
#define MGW_MANIFEST_YAML_SPLIT_H_

#include <string_view>
#include <vector>

namespace mgw {

struct YamlChunk {
  std::string_view text;  // the document's lines, separators left out
  int first_line = 1;     // 1-based line of text's first byte in the stream
};

// The non-empty chunks of `stream` in order. Blank or comment-only chunks are kept
// (kubectl converts them to null); a stream of separators alone has none.
std::vector<YamlChunk> SplitYamlDocuments(std::string_view stream);

}  // namespace mgw

#endif  // MGW_MANIFEST_YAML_SPLIT_H_
