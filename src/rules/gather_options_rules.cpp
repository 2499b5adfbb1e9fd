#include "mgw/rules/gather_options_rules.h"

#include <cctype>

#include <arpa/inet.h>

#include "mgw/base/json_access.h"
#include "mgw/base/number.h"
#include "mgw/rules/k8s_names.h"
#include "mgw/rules/mustgather_api.h"

namespace mgw {
namespace {

using nlohmann::json;

const json* At(const json& obj, std::string_view key) { return JsonAt(obj, {key}); }

bool IsPort(std::string_view s) { return ParseDecimal(s, 1, 65535).has_value(); }

bool IsIp(std::string_view s, int family) {
  std::string text(s);
  unsigned char buf[16];
  return inet_pton(family, text.c_str(), buf) == 1;
}

// Letters, digits and '-' in labels separated by '.', each label 1..63 and not starting
// or ending with '-'; case-insensitive (host names are).
bool IsDnsName(std::string_view s) {
  if (s.empty() || s.size() > kDns1123SubdomainMaxLength) return false;
  size_t start = 0;
  while (start <= s.size()) {
    size_t end = s.find('.', start);
    if (end == std::string_view::npos) end = s.size();
    std::string_view label = s.substr(start, end - start);
    if (label.empty() || label.size() > kDns1123LabelMaxLength || label.front() == '-' ||
        label.back() == '-') {
      return false;
    }
    for (char c : label) {
      if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-') return false;
    }
    start = end + 1;
  }
  return true;
}

// Splits "host:port", "[v6]:port", "[v6]", "v6" or "host"; false when malformed.
bool SplitHostPort(std::string_view in, std::string_view& host, std::string_view& port) {
  port = {};
  if (!in.empty() && in.front() == '[') {
    size_t close = in.find(']');
    if (close == std::string_view::npos) return false;
    host = in.substr(1, close - 1);
    std::string_view rest = in.substr(close + 1);
    if (rest.empty()) return IsIp(host, AF_INET6);
    if (rest.front() != ':') return false;
    port = rest.substr(1);
    return IsIp(host, AF_INET6) && IsPort(port);
  }
  size_t colon = in.find(':');
  if (colon != std::string_view::npos && in.find(':', colon + 1) != std::string_view::npos) {
    host = in;  // an unbracketed IPv6 address, no port
    return IsIp(host, AF_INET6);
  }
  host = in.substr(0, colon);
  if (colon != std::string_view::npos) {
    port = in.substr(colon + 1);
    if (!IsPort(port)) return false;
  }
  return !host.empty();
}

bool IsCidr(std::string_view s) {
  size_t slash = s.find('/');
  if (slash == std::string_view::npos) return false;
  std::string_view ip = s.substr(0, slash);
  bool v4 = IsIp(ip, AF_INET);
  if (!v4 && !IsIp(ip, AF_INET6)) return false;
  return ParseDecimal(s.substr(slash + 1), 0, v4 ? 32 : 128).has_value();
}

struct Checker {
  FieldErrors& errors;

  void Error(FieldError e) { errors.push_back(std::move(e)); }

  bool IsType(const json& v, json::value_t t, std::string_view field, std::string_view what) {
    if (v.type() == t) return true;
    Error(Invalid(std::string(field), v, "must be " + std::string(what)));
    return false;
  }

  void CheckAudit(const json& spec);
  void CheckProxy(const json& spec);
  void CheckProxyUrl(const json& proxy, std::string_view key, std::string_view field);
  void CheckNoProxy(const json& proxy);
  void CheckUpload(const json& spec);
  void CheckSftp(const json& sftp);
  void CheckCaseId(const json& sftp);
  void CheckSecretRef(const json& sftp);
  void CheckHost(const json& sftp);
};

bool NamesCustomImage(const json& spec) {
  const json* one = At(spec, "mustGatherImage");
  const json* list = At(spec, "images");
  return (one != nullptr && !(one->is_string() && one->get_ref<const std::string&>().empty())) ||
         (list != nullptr && !(list->is_array() && list->empty()));
}

void Checker::CheckAudit(const json& spec) {
  const json* config = At(spec, "additionalConfig");
  if (config == nullptr || !IsType(*config, json::value_t::object, kAdditionalConfigField,
                                   "an object such as {\"audit\": true}")) {
    return;
  }
  const json* audit = At(*config, "audit");
  if (audit == nullptr || !IsType(*audit, json::value_t::boolean, kAuditField, "true or false")) {
    return;
  }
  if (*audit == true && NamesCustomImage(spec)) {
    Error(Forbidden(std::string(kAuditField),
                    "audit logs are gathered by the default image's /usr/bin/gather_audit_logs, "
                    "which a custom image may not have; remove spec.mustGatherImage and "
                    "spec.images, or set audit to false and gather audit logs with the custom "
                    "image's own script"));
  }
}

void Checker::CheckProxyUrl(const json& proxy, std::string_view key, std::string_view field) {
  const json* url = At(proxy, key);
  if (url == nullptr || !IsType(*url, json::value_t::string, field, "a string (a URL)")) return;
  const auto& s = url->get_ref<const std::string&>();
  if (s.empty() || IsProxyUrl(s)) return;
  Error(Invalid(std::string(field), RedactUrlCredentials(s),
                "must be an absolute http:// or https:// URL with a host, such as "
                "'http://proxy.example.com:3128'; leave it empty to use the cluster's proxy"));
}

void Checker::CheckNoProxy(const json& proxy) {
  const json* list = At(proxy, "noProxy");
  if (list == nullptr ||
      !IsType(*list, json::value_t::string, kNoProxyField, "a comma-separated string")) {
    return;
  }
  const auto& s = list->get_ref<const std::string&>();
  size_t start = 0;
  while (!s.empty() && start <= s.size()) {
    size_t end = s.find(',', start);
    if (end == std::string::npos) end = s.size();
    std::string_view entry = std::string_view(s).substr(start, end - start);
    while (!entry.empty() && entry.front() == ' ') entry.remove_prefix(1);
    while (!entry.empty() && entry.back() == ' ') entry.remove_suffix(1);
    if (!IsNoProxyEntry(entry)) {
      Error(Invalid(std::string(kNoProxyField), std::string(entry),
                    "every comma-separated entry must be a host, a domain such as "
                    "'.example.com', an IP address or a CIDR such as '10.0.0.0/16'"));
    }
    start = end + 1;
  }
}

void Checker::CheckProxy(const json& spec) {
  const json* proxy = At(spec, "proxyConfig");
  if (proxy == nullptr || !IsType(*proxy, json::value_t::object, kProxyConfigField,
                                  "an object with httpProxy, httpsProxy and noProxy")) {
    return;
  }
  CheckProxyUrl(*proxy, "httpProxy", kHttpProxyField);
  CheckProxyUrl(*proxy, "httpsProxy", kHttpsProxyField);
  CheckNoProxy(*proxy);
}

void Checker::CheckCaseId(const json& sftp) {
  const std::string field(kCaseIdField);
  const json* id = At(sftp, "caseID");
  if (id == nullptr || (id->is_string() && id->get_ref<const std::string&>().empty())) {
    Error(Required(field, "the support case number the output is uploaded to, e.g. '01234567'"));
    return;
  }
  if (!IsType(*id, json::value_t::string, field, "a string such as \"01234567\"")) return;
  const auto& s = id->get_ref<const std::string&>();
  bool ok = s.size() <= kCaseIdMaxLength;
  for (char c : s) ok = ok && (std::isalnum(static_cast<unsigned char>(c)) || c == '-');
  if (!ok) {
    Error(Invalid(field, *id,
                  "must be 1-64 letters, digits or '-' (it becomes part of the uploaded file's "
                  "name), e.g. '01234567'"));
  }
}

void Checker::CheckSecretRef(const json& sftp) {
  const std::string ref_field(kCaseSecretRefField);
  const std::string field(kCaseSecretNameField);
  const json* ref = At(sftp, "caseManagementAccountSecretRef");
  const json* name = ref != nullptr && ref->is_object() ? At(*ref, "name") : nullptr;
  if (ref != nullptr && !IsType(*ref, json::value_t::object, ref_field, "an object with a name")) {
    return;
  }
  if (name == nullptr || (name->is_string() && name->get_ref<const std::string&>().empty())) {
    Error(Required(field,
                   "name the Secret, in the MustGather's namespace, whose keys username and "
                   "password log in to the support case system"));
    return;
  }
  if (!IsType(*name, json::value_t::string, field, "a string")) return;
  const auto& s = name->get_ref<const std::string&>();
  if (s.size() > kDns1123SubdomainMaxLength) {
    Error(TooLong(field, *name, kDns1123SubdomainMaxLength));
  } else if (!IsDns1123Subdomain(s)) {
    Error(Invalid(field, *name,
                  std::string(kDns1123SubdomainMessage) + " (e.g. 'case-management-creds')"));
  }
}

void Checker::CheckHost(const json& sftp) {
  const std::string field(kSftpHostField);
  const json* host = At(sftp, "host");
  if (host == nullptr || !IsType(*host, json::value_t::string, field, "a string")) return;
  const auto& s = host->get_ref<const std::string&>();
  if (s.empty() || IsHostWithOptionalPort(s)) return;
  Error(Invalid(field, *host,
                "must be a DNS name or IP address with an optional ':port', e.g. '" +
                    std::string(kDefaultSftpHost) + "' (the default) or 'sftp.example.com:2222'"));
}

void Checker::CheckSftp(const json& sftp) {
  if (!IsType(sftp, json::value_t::object, kSftpField, "an object")) return;
  CheckCaseId(sftp);
  CheckSecretRef(sftp);
  CheckHost(sftp);
  if (const json* internal = At(sftp, "internalUser")) {
    IsType(*internal, json::value_t::boolean, kInternalUserField, "true or false");
  }
}

void Checker::CheckUpload(const json& spec) {
  const json* target = At(spec, "uploadTarget");
  if (target == nullptr ||
      !IsType(*target, json::value_t::object, kUploadTargetField, "an object")) {
    return;
  }
  const json* type = At(*target, "type");
  const json* sftp = At(*target, "sftp");
  const bool is_sftp = type != nullptr && *type == kUploadTypeSftp;
  if (type == nullptr) {
    Error(Required(std::string(kUploadTypeField), "set it to \"SFTP\", the only upload type"));
  } else if (!is_sftp) {
    Error(NotSupported(std::string(kUploadTypeField), *type, {std::string(kUploadTypeSftp)}));
  }
  if (is_sftp && sftp == nullptr) {
    Error(Required(std::string(kSftpField), std::string(kUploadUnionMessage)));
  } else if (!is_sftp && sftp != nullptr) {
    Error(Forbidden(std::string(kSftpField), std::string(kUploadUnionMessage)));
  }
  if (sftp != nullptr) CheckSftp(*sftp);
}

}  // namespace

void CheckGatherOptions(const json& spec, FieldErrors& errors) {
  if (!spec.is_object()) return;
  Checker c{errors};
  c.CheckAudit(spec);
  c.CheckProxy(spec);
  c.CheckUpload(spec);
}

std::string RedactUrlCredentials(std::string_view url) {
  size_t scheme = url.find("://");
  size_t start = scheme == std::string_view::npos ? 0 : scheme + 3;
  size_t end = url.find_first_of("/?#", start);
  std::string_view authority = url.substr(start, end == std::string_view::npos ? end : end - start);
  size_t at = authority.rfind('@');
  if (at == std::string_view::npos) return std::string(url);
  return std::string(url.substr(0, start)) + "REDACTED" + std::string(url.substr(start + at));
}

bool IsProxyUrl(std::string_view url) {
  size_t scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) return false;
  std::string_view scheme = url.substr(0, scheme_end);
  if (scheme != "http" && scheme != "https") return false;
  std::string_view rest = url.substr(scheme_end + 3);
  std::string_view authority = rest.substr(0, rest.find_first_of("/?#"));
  if (size_t at = authority.rfind('@'); at != std::string_view::npos) {
    authority.remove_prefix(at + 1);
  }
  std::string_view host, port;
  if (!SplitHostPort(authority, host, port)) return false;
  return IsDnsName(host) || IsIp(host, AF_INET) || IsIp(host, AF_INET6);
}

bool IsNoProxyEntry(std::string_view entry) {
  if (entry == "*") return true;
  if (IsCidr(entry) || IsIp(entry, AF_INET6)) return true;
  if (entry.substr(0, 2) == "*.") entry.remove_prefix(2);
  if (!entry.empty() && entry.front() == '.') entry.remove_prefix(1);
  std::string_view host, port;
  if (!SplitHostPort(entry, host, port)) return false;
  return IsDnsName(host) || IsIp(host, AF_INET) || IsIp(host, AF_INET6);
}

bool IsHostWithOptionalPort(std::string_view host_port) {
  std::string_view host, port;
  if (!SplitHostPort(host_port, host, port)) return false;
  return IsDnsName(host) || IsIp(host, AF_INET) || IsIp(host, AF_INET6);
}

}  // namespace mgw
