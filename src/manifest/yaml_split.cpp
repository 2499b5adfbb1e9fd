#include "manifest/yaml_split.h"

namespace mgw {
namespace {

// True for a line (its break included) that is `---` and then white space only.
bool IsSeparator(std::string_view line) {
  if (!line.starts_with("---")) return false;
  return line.find_first_not_of(" \t\r\n\v\f", 3) == std::string_view::npos;
}

}  // namespace

std::vector<YamlChunk> SplitYamlDocuments(std::string_view stream) {
  std::vector<YamlChunk> chunks;
  size_t start = 0;  // where the current chunk begins
  int start_line = 1;
  int line_no = 1;
  for (size_t pos = 0; pos < stream.size(); ++line_no) {
    const size_t nl = stream.find('\n', pos);
    const size_t next = nl == std::string_view::npos ? stream.size() : nl + 1;
    if (IsSeparator(stream.substr(pos, next - pos))) {
      if (pos > start) chunks.push_back({stream.substr(start, pos - start), start_line});
      start = next;
      start_line = line_no + 1;
    }
    pos = next;
  }
  if (start < stream.size()) chunks.push_back({stream.substr(start), start_line});
  return chunks;
}

}  // namespace mgw
