// The rules for the MustGather fields that shape how a run gathers and where its output
// goes besides the PVC: spec.additionalConfig (audit logs), spec.proxyConfig and
// spec.uploadTarget. Pure functions over JSON; CheckMustGather calls CheckGatherOptions,
// so the webhook, the reconciler and `validate` all apply them. Thread-safe.
//
// Proxy URLs may carry credentials (http://user:secret@proxy:3128). No message made here
// contains them: every proxy value shown is passed through RedactUrlCredentials first.
#ifndef MGW_RULES_GATHER_OPTIONS_RULES_H_
#define MGW_RULES_GATHER_OPTIONS_RULES_H_

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "mgw/rules/field_error.h"

namespace mgw {

// The upstream operator's message for its uploadTarget union rule, used verbatim by the
// CRD's CEL rule and by the webhook.
inline constexpr std::string_view kUploadUnionMessage =
    "sftp upload target config is required when upload type is SFTP, and forbidden otherwise";
inline constexpr size_t kCaseIdMaxLength = 64;

// Appends to `errors` every problem with spec.additionalConfig, spec.proxyConfig and
// spec.uploadTarget of the MustGather spec `spec` (an object):
// - additionalConfig an object; audit a boolean, and not true together with a non-empty
//   mustGatherImage or images (audit logs come from the default image's script);
// - proxyConfig an object; httpProxy and httpsProxy absolute http:// or https:// URLs with
//   a host; noProxy a comma-separated list of hosts, domains (".example.com" or
//   "*.example.com"), IPs or CIDRs, or "*";
// - uploadTarget an object; type "SFTP"; type and sftp present together; sftp.caseID
//   1..64 letters, digits or '-'; caseManagementAccountSecretRef.name a DNS-1123
//   subdomain; host a DNS name or IP literal with an optional :port; internalUser a
//   boolean.
void CheckGatherOptions(const nlohmann::json& spec, FieldErrors& errors);

// `url` with any user information (between "//" and the last '@' of the authority)
// replaced by "REDACTED", so it can appear in a message, log line, Event or status.
std::string RedactUrlCredentials(std::string_view url);

// True when `url` is an absolute http:// or https:// URL with a non-empty host and an
// optional numeric port in 1..65535.
bool IsProxyUrl(std::string_view url);

// True when `entry` is one NO_PROXY element: "*", a host or domain (optionally with a
// leading "." or "*."), an IPv4 or bracketed/unbracketed IPv6 address, or a CIDR; each
// optionally followed by ":port" (hosts and IPv4 only).
bool IsNoProxyEntry(std::string_view entry);

// True when `host` is a DNS name (labels of letters, digits and '-') or an IP literal
// ("[v6]" when followed by a port), optionally followed by ":port" (1..65535).
bool IsHostWithOptionalPort(std::string_view host);

}  // namespace mgw

#endif  // MGW_RULES_GATHER_OPTIONS_RULES_H_
