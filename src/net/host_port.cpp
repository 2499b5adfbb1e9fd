#include "mgw/net/host_port.h"

#include <string>

#include "mgw/base/number.h"

namespace mgw {

StatusOr<HostPort> ParseHostPort(std::string_view text) {
  size_t colon = text.rfind(':');
  if (colon == std::string_view::npos) {
    return InvalidArgumentError("address \"" + std::string(text) + "\" has no port; use host:port");
  }
  HostPort hp;
  hp.host = std::string(text.substr(0, colon));
  if (hp.host.size() >= 2 && hp.host.front() == '[' && hp.host.back() == ']') {
    hp.host = hp.host.substr(1, hp.host.size() - 2);
  }
  if (hp.host.empty()) hp.host = "0.0.0.0";
  std::optional<int64_t> port = ParseDecimal(text.substr(colon + 1), 0, 65535);
  if (!port) {
    return InvalidArgumentError("address \"" + std::string(text) +
                                "\" has a bad port; use a number from 0 to 65535");
  }
  hp.port = static_cast<int>(*port);
  return hp;
}

}  // namespace mgw
