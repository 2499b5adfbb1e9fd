// Opening a TCP connection by name, with the failure said the way a person needs it:
// a name that does not resolve, or a host that refuses or does not answer.
// Thread-safe.
#ifndef MGW_UPLOAD_TCP_CONNECT_H_
#define MGW_UPLOAD_TCP_CONNECT_H_

#include <chrono>
#include <cstdint>
#include <string>

#include "mgw/base/status.h"

namespace mgw {

// An open socket; closes it when destroyed unless Release() handed it on.
class Socket {
 public:
  Socket() = default;
  explicit Socket(int fd) : fd_(fd) {}
  Socket(Socket&& other) noexcept : fd_(other.Release()) {}
  Socket& operator=(Socket&& other) noexcept;
  Socket(const Socket&) = delete;
  Socket& operator=(const Socket&) = delete;
  ~Socket();

  int fd() const { return fd_; }
  // Gives up ownership: returns the descriptor and forgets it.
  int Release();

 private:
  int fd_ = -1;
};

// Connects to `host`:`port`, trying each address the name resolves to, each within
// `timeout`. UNAVAILABLE "DNS lookup of <host> failed: ..." when the name does not
// resolve, UNAVAILABLE "TCP connection to <host>:<port> failed: ..." (refused, timed
// out, unreachable) when no address answers.
StatusOr<Socket> TcpConnect(const std::string& host, uint16_t port,
                            std::chrono::milliseconds timeout);

}  // namespace mgw

#endif  // MGW_UPLOAD_TCP_CONNECT_H_
