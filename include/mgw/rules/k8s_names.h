// Kubernetes name grammars (k8s.io/apimachinery/pkg/util/validation).
#ifndef MGW_RULES_K8S_NAMES_H_
#define MGW_RULES_K8S_NAMES_H_

#include <string_view>

namespace mgw {

inline constexpr size_t kDns1123SubdomainMaxLength = 253;
inline constexpr size_t kDns1123LabelMaxLength = 63;

// The CEL format library's message for a bad DNS-1123 subdomain, verbatim from the
// PVC proposal, so the webhook and the CRD's rule read the same.
inline constexpr std::string_view kDns1123SubdomainMessage =
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or "
    "'.', and must start and end with an alphanumeric character";

// True when `s` is 1..253 bytes of dot-separated labels, each [a-z0-9]([-a-z0-9]*[a-z0-9])?.
bool IsDns1123Subdomain(std::string_view s);

// True when `s` is 1..63 bytes matching [a-z0-9]([-a-z0-9]*[a-z0-9])?.
bool IsDns1123Label(std::string_view s);

}  // namespace mgw

#endif  // MGW_RULES_K8S_NAMES_H_
