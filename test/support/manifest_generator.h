// Random YAML streams shaped like Kubernetes manifests, for the differential test
// against kubectl's converter (kubectl_yaml_oracle_test): block mappings and sequences
// at varied indents, compact `- key: value` items, sequences at their key's indent, flow
// collections, tricky plain and quoted scalars, comments, blank lines, document markers, CRLF.
// Deterministic: the same seed gives the same text on every run.
#ifndef MGW_TEST_MANIFEST_GENERATOR_H_
#define MGW_TEST_MANIFEST_GENERATOR_H_

#include <cstdint>
#include <string>

namespace mgw::testing {

// A YAML stream of one to three documents built from `seed`.
std::string GenerateManifestYaml(uint32_t seed);

// `text` with one to three random edits (a byte deleted, inserted or replaced, a line
// duplicated) drawn from `seed`, to reach the edges of the subset.
std::string MutateYaml(const std::string& text, uint32_t seed);

}  // namespace mgw::testing

#endif  // MGW_TEST_MANIFEST_GENERATOR_H_
