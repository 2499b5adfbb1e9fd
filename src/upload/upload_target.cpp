#include "mgw/upload/upload_target.h"

#include <algorithm>
#include <optional>

#include <arpa/inet.h>

#include "mgw/base/number.h"
#include "mgw/base/quote.h"

namespace mgw {
namespace {

bool IsAlnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

StatusOr<uint16_t> ParsePort(std::string_view text, std::string_view whole) {
  std::optional<int64_t> port = ParseDecimal(text, 1, 65535);
  if (!port) {
    return InvalidArgumentError("host " + QuoteJson(whole) + ": the port " + QuoteJson(text) +
                                " must be a number from 1 to 65535");
  }
  return static_cast<uint16_t>(*port);
}

// The host and the text after it (":PORT" or "") for a bracketed IPv6 address.
StatusOr<HostAndPort> ParseBracketed(std::string_view text, uint16_t default_port) {
  size_t close = text.find(']');
  if (close == std::string_view::npos || close == 1) {
    return InvalidArgumentError("host " + QuoteJson(text) + ": an unclosed or empty '['");
  }
  HostAndPort out{std::string(text.substr(1, close - 1)), default_port};
  in6_addr address{};
  if (out.host.find('\0') != std::string::npos ||
      inet_pton(AF_INET6, out.host.c_str(), &address) != 1) {
    return InvalidArgumentError("host " + QuoteJson(text) +
                                ": only an IPv6 address goes in brackets, like [2001:db8::1]");
  }
  std::string_view rest = text.substr(close + 1);
  if (rest.empty()) return out;
  if (rest.front() != ':') {
    return InvalidArgumentError("host " + QuoteJson(text) + ": expected ':PORT' after ']'");
  }
  MGW_ASSIGN_OR_RETURN(out.port, ParsePort(rest.substr(1), text));
  return out;
}

bool IsHostChar(char c) { return IsAlnum(c) || c == '-' || c == '.' || c == '_' || c == ':'; }

}  // namespace

StatusOr<HostAndPort> ParseHostPort(std::string_view text, uint16_t default_port) {
  if (text.empty()) return InvalidArgumentError("the host must not be empty");
  if (text.front() == '[') return ParseBracketed(text, default_port);
  if (!std::all_of(text.begin(), text.end(), IsHostChar)) {
    return InvalidArgumentError("host " + QuoteJson(text) +
                                ": only a DNS name or IP address with an optional :PORT");
  }
  size_t colon = text.find(':');
  if (colon == std::string_view::npos) return HostAndPort{std::string(text), default_port};
  if (text.find(':', colon + 1) != std::string_view::npos) {
    return InvalidArgumentError("host " + QuoteJson(text) +
                                ": write an IPv6 address in brackets, like [2001:db8::1]:22");
  }
  if (colon == 0) return InvalidArgumentError("host " + QuoteJson(text) + ": the host is empty");
  HostAndPort out{std::string(text.substr(0, colon)), default_port};
  MGW_ASSIGN_OR_RETURN(out.port, ParsePort(text.substr(colon + 1), text));
  return out;
}

Status CheckCaseId(std::string_view case_id) {
  bool ok =
      !case_id.empty() && case_id.size() <= 64 &&
      std::all_of(case_id.begin(), case_id.end(), [](char c) { return IsAlnum(c) || c == '-'; });
  if (ok) return Status::Ok();
  return InvalidArgumentError("case ID " + QuoteJson(case_id) +
                              ": must be 1 to 64 letters, digits or '-'");
}

Status CheckNamePrefix(std::string_view prefix) {
  if (prefix.empty()) return Status::Ok();
  bool ok = prefix.size() <= 200 && prefix.front() != '.' &&
            std::all_of(prefix.begin(), prefix.end(),
                        [](char c) { return IsAlnum(c) || c == '-' || c == '_' || c == '.'; });
  if (ok) return Status::Ok();
  return InvalidArgumentError("name prefix " + QuoteJson(prefix) +
                              ": must be up to 200 letters, digits, '.', '_' or '-', not "
                              "starting with '.'");
}

std::string RemoteFileName(std::string_view case_id, std::string_view prefix,
                           std::string_view username, bool internal_user) {
  std::string name = internal_user ? std::string(username) + "/" : std::string();
  name += case_id;
  if (!prefix.empty()) name += "_" + std::string(prefix);
  return name + ".tar.gz";
}

std::string TemporaryFileName(std::string_view final_name) {
  return std::string(final_name) + ".part";
}

}  // namespace mgw
