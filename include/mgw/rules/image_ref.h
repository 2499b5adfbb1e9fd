// Container image references, parsed and normalised the way container runtimes
// do (github.com/distribution/reference: ParseNormalizedNamed + TagNameOnly):
// "ubuntu" is "docker.io/library/ubuntu:latest". Pure functions.
#ifndef MGW_RULES_IMAGE_REF_H_
#define MGW_RULES_IMAGE_REF_H_

#include <string>
#include <string_view>

#include "mgw/base/status.h"

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

// Parses and normalises `text`: the first '/'-part is the registry host when it is
// "localhost" or contains '.', ':' or upper case (so "UPPER/x" is host "UPPER"), else
// docker.io; "index.docker.io" becomes docker.io; a one-part docker.io path gets "library/";
// no tag and no digest means tag "latest". Digests must be sha256/sha384/sha512 with
// exactly 64/96/128 lowercase hex digits. INVALID_ARGUMENT, with a message quoting the
// input and naming the bad part, for an empty string, upper-case repository path, bad
// host or port, bad path component, bad tag (not [\w][\w.-]{0,127}), bad digest, a bare
// 64-hex image ID, or a path (the name without the host) longer than 255 characters.
// Deliberate deviation: distribution accepts a first part such as "a_b.io" as a path with
// no host at all; that form has no registry to pull from, so it is rejected here.
StatusOr<ImageRef> ParseImageRef(std::string_view text);

// True when both have the same IdentityKey().
bool SameImage(const ImageRef& a, const ImageRef& b);

}  // namespace mgw

#endif  // MGW_RULES_IMAGE_REF_H_
