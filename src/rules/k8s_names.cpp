#include "mgw/rules/k8s_names.h"

namespace mgw {
namespace {

bool IsLowerAlnum(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }

// One label of the grammar, without a length limit: [a-z0-9]([-a-z0-9]*[a-z0-9])?.
bool IsLabelShape(std::string_view s) {
  if (s.empty() || !IsLowerAlnum(s.front()) || !IsLowerAlnum(s.back())) return false;
  for (char c : s) {
    if (!IsLowerAlnum(c) && c != '-') return false;
  }
  return true;
}

}  // namespace

bool IsDns1123Subdomain(std::string_view s) {
  if (s.empty() || s.size() > kDns1123SubdomainMaxLength) return false;
  // apimachinery bounds only the whole name here, not each label.
  size_t start = 0;
  while (true) {
    const size_t dot = s.find('.', start);
    if (!IsLabelShape(s.substr(start, dot == std::string_view::npos ? dot : dot - start))) {
      return false;
    }
    if (dot == std::string_view::npos) return true;
    start = dot + 1;
  }
}

bool IsDns1123Label(std::string_view s) {
  return s.size() <= kDns1123LabelMaxLength && IsLabelShape(s);
}

}  // namespace mgw
