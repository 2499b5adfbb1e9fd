#include "mgw/net/host_port.h"

#include <cerrno>
#include <cstring>
#include <string>

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

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

namespace {

// The first address of `found` that binds and listens, or -1 with `error` set.
int BindFirst(addrinfo* found, int backlog, std::string& error) {
  for (addrinfo* a = found; a != nullptr; a = a->ai_next) {
    int fd = socket(a->ai_family, a->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, a->ai_protocol);
    if (fd < 0) {
      error = std::strerror(errno);
      continue;
    }
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    if (bind(fd, a->ai_addr, a->ai_addrlen) == 0 && listen(fd, backlog) == 0) return fd;
    error = std::strerror(errno);
    close(fd);
  }
  return -1;
}

}  // namespace

StatusOr<Listener> OpenListener(const HostPort& hp, int backlog) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
  addrinfo* found = nullptr;
  std::string service = std::to_string(hp.port);
  const char* host = hp.host.empty() ? nullptr : hp.host.c_str();
  std::string error;
  int fd = -1;
  if (int r = getaddrinfo(host, service.c_str(), &hints, &found); r != 0) {
    error = gai_strerror(r);
  } else {
    fd = BindFirst(found, backlog, error);
    freeaddrinfo(found);
  }
  if (fd < 0) {
    return UnavailableError("cannot listen on " + hp.host + ":" + std::to_string(hp.port) + ": " +
                            error);
  }
  sockaddr_storage bound{};
  socklen_t len = sizeof(bound);
  getsockname(fd, reinterpret_cast<sockaddr*>(&bound), &len);
  Listener out{fd, 0};
  out.port = ntohs(bound.ss_family == AF_INET6 ? reinterpret_cast<sockaddr_in6&>(bound).sin6_port
                                               : reinterpret_cast<sockaddr_in&>(bound).sin_port);
  return out;
}

}  // namespace mgw
