// Container image references, parsed and normalised the way container runtimes
// do (github.com/distribution/reference: ParseNormalizedNamed + TagNameOnly):
// "ubuntu" is "docker.io/library/ubuntu:latest". Pure functions.
#ifndef MGW_IMAGE_REF_H_
#define MGW_IMAGE_REF_H_

#include <string>
#include <string_view>

#include "mgw/status.h"

namespace mgw {

struct ImageRef {
  std::string domain;  // "docker.io", "quay.io", "registry:5000", "localhost"
  std::string path;    // "library/ubuntu", "openshift/origin-must-gather"
  std::string tag;     // "latest" when neither tag nor digest was given; may be empty with a digest
  std::string digest;  // "sha256:<64 hex>" or empty

  // "domain/path", the repository name.
  std::string Name() const;
  // The fully normalised reference: "domain/path[:tag][@digest]".
  std::string ToString() const;
  // What decides "the same image": "domain/path@digest" when pinned, else "domain/path:tag".
  // A reference pinned by digest therefore only ever matches the same digest.
  std::string IdentityKey() const;
};

// Parses and normalises `text`. INVALID_ARGUMENT, with a message saying which part
// is wrong, for an empty string, upper-case repository, bad tag (more than 128
// characters or bad characters), bad digest, or a name longer than 255 characters.
StatusOr<ImageRef> ParseImageRef(std::string_view text);

// True when both parse and have the same IdentityKey().
bool SameImage(const ImageRef& a, const ImageRef& b);

}  // namespace mgw

#endif  // MGW_IMAGE_REF_H_
