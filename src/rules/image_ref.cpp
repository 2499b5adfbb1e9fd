#include "mgw/rules/image_ref.h"

#include <algorithm>
#include <string>

#include "mgw/base/quote.h"

namespace mgw {
namespace {

constexpr std::string_view kDefaultDomain = "docker.io";
constexpr std::string_view kLegacyDefaultDomain = "index.docker.io";
constexpr std::string_view kLocalhost = "localhost";
constexpr std::string_view kOfficialRepoPrefix = "library/";
constexpr std::string_view kDefaultTag = "latest";
constexpr size_t kMaxPathLength = 255;
constexpr size_t kMaxTagLength = 128;
constexpr size_t kMaxQuoted = 160;

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsLower(char c) { return c >= 'a' && c <= 'z'; }
bool IsUpper(char c) { return c >= 'A' && c <= 'Z'; }
bool IsAlnum(char c) { return IsDigit(c) || IsLower(c) || IsUpper(c); }
bool IsLowerAlnum(char c) { return IsDigit(c) || IsLower(c); }
bool IsWord(char c) { return IsAlnum(c) || c == '_'; }
bool IsHex(char c) { return IsDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }
bool IsLowerHex(char c) { return IsDigit(c) || (c >= 'a' && c <= 'f'); }
bool HasUpper(std::string_view s) { return std::any_of(s.begin(), s.end(), IsUpper); }
bool AllOf(std::string_view s, bool (*pred)(char)) { return std::all_of(s.begin(), s.end(), pred); }

// A 64-hex image ID, which distribution refuses to read as a repository name.
bool IsBareIdentifier(std::string_view s) { return s.size() == 64 && AllOf(s, IsLowerHex); }

struct Split {
  std::string domain;
  std::string remainder;  // path[:tag][@digest]
};

// distribution's splitDockerDomain: the first '/'-separated part is a registry host when it
// is "localhost", contains '.' or ':', or has upper case; otherwise the host is docker.io.
Split SplitDockerDomain(std::string_view s) {
  Split out;
  const size_t slash = s.find('/');
  const std::string_view first = s.substr(0, slash);
  const bool names_registry =
      slash != std::string_view::npos &&
      (first == kLocalhost || first.find_first_of(".:") != std::string_view::npos ||
       HasUpper(first));
  if (names_registry) {
    out = {std::string(first), std::string(s.substr(slash + 1))};
  } else {
    out = {std::string(kDefaultDomain), std::string(s)};
  }
  if (out.domain == kLegacyDefaultDomain) out.domain = kDefaultDomain;
  if (out.domain == kDefaultDomain && out.remainder.find('/') == std::string::npos) {
    out.remainder.insert(0, kOfficialRepoPrefix);
  }
  return out;
}

// [a-zA-Z0-9] or [a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9].
bool IsDomainComponent(std::string_view c) {
  if (c.empty() || !IsAlnum(c.front()) || !IsAlnum(c.back())) return false;
  return AllOf(c, [](char ch) { return IsAlnum(ch) || ch == '-'; });
}

bool IsHostName(std::string_view host) {
  size_t start = 0;
  while (true) {
    const size_t dot = host.find('.', start);
    const size_t len = dot == std::string_view::npos ? dot : dot - start;
    if (!IsDomainComponent(host.substr(start, len))) return false;
    if (dot == std::string_view::npos) return true;
    start = dot + 1;
  }
}

// host[:port], host a dotted name or a bracketed IPv6 address (no zone).
Status CheckDomain(std::string_view domain) {
  std::string_view host = domain;
  std::string_view rest;
  bool host_ok = false;
  if (!domain.empty() && domain.front() == '[') {
    const size_t close = domain.find(']');
    host = domain.substr(0, close == std::string_view::npos ? close : close + 1);
    rest = domain.substr(host.size());
    host_ok = close != std::string_view::npos && close > 1 &&
              AllOf(host.substr(1, close - 1), [](char c) { return IsHex(c) || c == ':'; });
  } else {
    host = domain.substr(0, domain.find(':'));
    rest = domain.substr(host.size());
    host_ok = IsHostName(host);
  }
  if (!host_ok) {
    return InvalidArgumentError(
        "registry host " + QuoteBytes(host, kMaxQuoted) +
        " is invalid: use dot-separated letters, digits and inner '-' (e.g. quay.io), or [IPv6]");
  }
  if (!rest.empty() &&
      (rest.size() < 2 || rest.front() != ':' || !AllOf(rest.substr(1), IsDigit))) {
    return InvalidArgumentError("registry port in " + QuoteBytes(domain, kMaxQuoted) +
                                " must be ':' and digits");
  }
  return Status();
}

// [a-z0-9]+ joined by one '.', one '_', "__" or any run of '-'.
bool IsPathComponent(std::string_view c) {
  size_t i = 0;
  while (true) {
    const size_t run = i;
    while (i < c.size() && IsLowerAlnum(c[i])) ++i;
    if (i == run) return false;  // separators must sit between alphanumerics
    if (i == c.size()) return true;
    if (c[i] == '.') {
      ++i;
    } else if (c[i] == '_') {
      i += (i + 1 < c.size() && c[i + 1] == '_') ? 2 : 1;
    } else if (c[i] == '-') {
      while (i < c.size() && c[i] == '-') ++i;
    } else {
      return false;
    }
  }
}

Status CheckPath(std::string_view path) {
  size_t start = 0;
  while (true) {
    const size_t slash = path.find('/', start);
    const std::string_view comp =
        path.substr(start, slash == std::string_view::npos ? slash : slash - start);
    if (comp.empty()) {
      return InvalidArgumentError("repository path " + QuoteBytes(path, kMaxQuoted) +
                                  " has an empty component: remove the extra or trailing '/'");
    }
    if (!IsPathComponent(comp)) {
      return InvalidArgumentError(
          "repository path component " + QuoteBytes(comp, kMaxQuoted) +
          " is invalid: use lowercase letters and digits separated by '.', '_', '__' or '-'");
    }
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  if (path.size() > kMaxPathLength) {
    return InvalidArgumentError("repository name must not be more than 255 characters, got " +
                                std::to_string(path.size()));
  }
  return Status();
}

Status CheckTag(std::string_view tag) {
  const bool chars_ok = AllOf(tag, [](char c) { return IsWord(c) || c == '.' || c == '-'; });
  if (tag.empty() || !IsWord(tag.front()) || !chars_ok) {
    return InvalidArgumentError("tag " + QuoteBytes(tag, kMaxQuoted) +
                                " is invalid: use letters, digits, '_', '.' and '-', not starting "
                                "with '.' or '-'");
  }
  if (tag.size() > kMaxTagLength) {
    return InvalidArgumentError("tag must not be more than 128 characters, got " +
                                std::to_string(tag.size()));
  }
  return Status();
}

// Hex length of the algorithms go-digest registers; 0 for any other algorithm.
size_t HexLengthOf(std::string_view algorithm) {
  if (algorithm == "sha256") return 64;
  if (algorithm == "sha384") return 96;
  if (algorithm == "sha512") return 128;
  return 0;
}

// [A-Za-z][A-Za-z0-9]* joined by single '-', '_', '+' or '.'.
bool IsAlgorithm(std::string_view a) {
  bool need_letter = true;
  for (char c : a) {
    if (need_letter) {
      if (!IsUpper(c) && !IsLower(c)) return false;
      need_letter = false;
    } else if (c == '-' || c == '_' || c == '+' || c == '.') {
      need_letter = true;
    } else if (!IsAlnum(c)) {
      return false;
    }
  }
  return !need_letter;
}

Status CheckDigest(std::string_view digest) {
  const size_t colon = digest.find(':');
  const std::string_view algorithm = digest.substr(0, colon);
  const std::string_view hex = colon == std::string_view::npos ? "" : digest.substr(colon + 1);
  if (!IsAlgorithm(algorithm) || hex.size() < 32 || !AllOf(hex, IsHex)) {
    return InvalidArgumentError("digest " + QuoteBytes(digest, kMaxQuoted) +
                                " is invalid: write it as sha256:<64 lowercase hex digits>");
  }
  const size_t want = HexLengthOf(algorithm);
  if (want == 0) {
    return InvalidArgumentError("digest algorithm " + QuoteBytes(algorithm, kMaxQuoted) +
                                " is not supported: use sha256, sha384 or sha512");
  }
  if (hex.size() != want) {
    return InvalidArgumentError(std::string(algorithm) + " digest must have exactly " +
                                std::to_string(want) + " hex digits, got " +
                                std::to_string(hex.size()));
  }
  if (!AllOf(hex, IsLowerHex)) {
    return InvalidArgumentError("digest " + QuoteBytes(digest, kMaxQuoted) +
                                " must use lowercase hex digits");
  }
  return Status();
}

// Splits "path[:tag][@digest]" and checks each part; the digest part may itself hold ':'.
StatusOr<ImageRef> ParseRemainder(std::string domain, std::string_view remainder) {
  ImageRef ref;
  ref.domain = std::move(domain);
  const size_t at = remainder.find('@');
  const std::string_view name_tag = remainder.substr(0, at);
  const size_t colon = name_tag.find(':');
  const std::string_view path = name_tag.substr(0, colon);
  MGW_RETURN_IF_ERROR(CheckDomain(ref.domain));
  MGW_RETURN_IF_ERROR(CheckPath(path));
  ref.path = std::string(path);
  if (colon != std::string_view::npos) {
    const std::string_view tag = name_tag.substr(colon + 1);
    MGW_RETURN_IF_ERROR(CheckTag(tag));
    ref.tag = std::string(tag);
  }
  if (at != std::string_view::npos) {
    const std::string_view digest = remainder.substr(at + 1);
    MGW_RETURN_IF_ERROR(CheckDigest(digest));
    ref.digest = std::string(digest);
  }
  if (ref.tag.empty() && ref.digest.empty()) ref.tag = kDefaultTag;  // TagNameOnly
  return ref;
}

StatusOr<ImageRef> Parse(std::string_view text) {
  if (text.empty()) return InvalidArgumentError("it is empty; write e.g. quay.io/org/image:tag");
  if (text.front() == ':' || text.front() == '@' || text.front() == '/') {
    return InvalidArgumentError("it must start with a repository name, e.g. quay.io/org/image");
  }
  if (IsBareIdentifier(text)) {
    return InvalidArgumentError(
        "a bare 64-hex image ID is not a repository name; write name@sha256:<hex> instead");
  }
  if (text.find_first_of(" \t\r\n\v\f") != std::string_view::npos) {
    return InvalidArgumentError("it contains whitespace; an image reference has none");
  }
  Split split = SplitDockerDomain(text);
  const std::string_view remainder = split.remainder;
  const std::string_view repository = remainder.substr(0, remainder.find(':'));
  if (HasUpper(repository.substr(0, repository.find('@')))) {
    return InvalidArgumentError("repository name must be lowercase, got " +
                                QuoteBytes(repository, kMaxQuoted));
  }
  return ParseRemainder(std::move(split.domain), remainder);
}

}  // namespace

std::string ImageRef::Name() const { return domain + "/" + path; }

std::string ImageRef::ToString() const {
  std::string out = Name();
  if (!tag.empty()) out += ":" + tag;
  if (!digest.empty()) out += "@" + digest;
  return out;
}

std::string ImageRef::IdentityKey() const {
  return digest.empty() ? Name() + ":" + tag : Name() + "@" + digest;
}

StatusOr<ImageRef> ParseImageRef(std::string_view text) { return Parse(text); }

bool SameImage(const ImageRef& a, const ImageRef& b) {
  // IdentityKey's equality, without building the keys.
  if (a.domain != b.domain || a.path != b.path || a.digest != b.digest) return false;
  return !a.digest.empty() || a.tag == b.tag;
}

}  // namespace mgw
