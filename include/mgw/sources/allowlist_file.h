// The custom-image allowlist read from a manifest file: `serve --allowlist-file` and
// `validate --allowlist-file`. Reading is I/O; picking the object is pure.
// Thread-compatible.
#ifndef MGW_SOURCES_ALLOWLIST_FILE_H_
#define MGW_SOURCES_ALLOWLIST_FILE_H_

#include <string>
#include <string_view>
#include <vector>

#include "mgw/base/status.h"
#include "mgw/manifest/manifest.h"
#include "mgw/rules/allowlist.h"

namespace mgw {

// True when `object` is a MustGatherImage: kind "MustGatherImage" and an apiVersion
// that is absent or in group operator.openshift.io.
bool IsMustGatherImage(const nlohmann::json& object);

// The Allowlist from the one MustGatherImage among `docs` (parsed from `path`);
// objects of other kinds are ignored. Its source is "PATH:LINE". INVALID_ARGUMENT,
// naming `path`, when there is no MustGatherImage, more than one, one whose
// apiVersion is in another group, or one AllowlistFromObject rejects.
StatusOr<Allowlist> AllowlistFromDocuments(const std::vector<ManifestDocument>& docs,
                                           std::string_view path);

// Reads `path` (YAML or JSON; several documents and Lists allowed) and returns
// AllowlistFromDocuments of it. Errors are those of ReadFileToString, ParseManifests
// and AllowlistFromDocuments.
StatusOr<Allowlist> LoadAllowlistFile(const std::string& path);

}  // namespace mgw

#endif  // MGW_SOURCES_ALLOWLIST_FILE_H_
