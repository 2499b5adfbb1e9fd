// kubeconfig files (the format of ~/.kube/config) turned into a KubeConfig: the
// current (or named) context's cluster and user. Parsing is pure; files are read
// through the FileReader passed in. Thread-compatible.
#ifndef MGW_KUBE_KUBECONFIG_FILE_H_
#define MGW_KUBE_KUBECONFIG_FILE_H_

#include <string>
#include <string_view>
#include <vector>

#include "mgw/base/status.h"
#include "mgw/kube/kube_config.h"

namespace mgw {

// The files named by a $KUBECONFIG-style value: ':'-separated, empty entries dropped.
std::vector<std::string> SplitKubeconfigPaths(std::string_view value);

// Loads `paths` and merges them as kubectl does: the first file that sets
// current-context wins, and so does the first definition of each named context,
// cluster and user. `context` overrides current-context when non-empty. When
// `paths` has several entries, missing files are skipped; a single missing file is
// an error. Supported: server; certificate-authority(-data); token, tokenFile,
// client-certificate(-data) with client-key(-data). Relative paths are resolved
// against the directory of the file that names them; *-data fields are base64.
// Errors (INVALID_ARGUMENT, or the reader's for an unreadable file) name the file and
// context and say what is missing or unsupported: no current context, an unknown
// context, cluster or user, no server, http://, insecure-skip-tls-verify, exec or
// auth-provider plugins, basic auth, a certificate without its key, or no credentials.
StatusOr<KubeConfig> LoadKubeconfig(const std::vector<std::string>& paths, const FileReader& files,
                                    std::string_view context = "");

}  // namespace mgw

#endif  // MGW_KUBE_KUBECONFIG_FILE_H_
