#include "mgw/upload/tcp_connect.h"

#include <cerrno>
#include <cstring>
#include <memory>

#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace mgw {
namespace {

using AddrList = std::unique_ptr<addrinfo, decltype(&freeaddrinfo)>;

StatusOr<AddrList> Resolve(const std::string& host, uint16_t port) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  int rc = getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &found);
  if (rc != 0) {
    return UnavailableError("DNS lookup of " + host + " failed: " + gai_strerror(rc));
  }
  return AddrList(found, &freeaddrinfo);
}

// 0 when `fd` connected to `addr` within `timeout`, else the errno of the failure.
int ConnectOne(int fd, const addrinfo& addr, std::chrono::milliseconds timeout) {
  int flags = fcntl(fd, F_GETFL);
  fcntl(fd, F_SETFL, flags | O_NONBLOCK);
  int rc = connect(fd, addr.ai_addr, addr.ai_addrlen);
  if (rc != 0 && errno != EINPROGRESS) return errno;
  if (rc != 0) {
    pollfd p{fd, POLLOUT, 0};
    int ready = poll(&p, 1, static_cast<int>(timeout.count()));
    if (ready == 0) return ETIMEDOUT;
    if (ready < 0) return errno;
    int err = 0;
    socklen_t len = sizeof(err);
    getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
    if (err != 0) return err;
  }
  fcntl(fd, F_SETFL, flags);
  return 0;
}

}  // namespace

Socket& Socket::operator=(Socket&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) close(fd_);
    fd_ = other.Release();
  }
  return *this;
}

Socket::~Socket() {
  if (fd_ >= 0) close(fd_);
}

int Socket::Release() {
  int fd = fd_;
  fd_ = -1;
  return fd;
}

StatusOr<Socket> TcpConnect(const std::string& host, uint16_t port,
                            std::chrono::milliseconds timeout) {
  MGW_ASSIGN_OR_RETURN(AddrList addrs, Resolve(host, port));
  int last_error = EHOSTUNREACH;
  for (const addrinfo* a = addrs.get(); a != nullptr; a = a->ai_next) {
    Socket sock(socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol));
    if (sock.fd() < 0) {
      last_error = errno;
      continue;
    }
    last_error = ConnectOne(sock.fd(), *a, timeout);
    if (last_error == 0) return sock;
  }
  return UnavailableError("TCP connection to " + host + ":" + std::to_string(port) +
                          " failed: " + std::strerror(last_error));
}

}  // namespace mgw
