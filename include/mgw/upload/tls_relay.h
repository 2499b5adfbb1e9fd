// TLS to an https:// proxy for an SSH session that needs a plain file descriptor:
// libssh reads and writes a socket, not a TLS stream. The TLS session runs over the
// proxy connection, and one thread copies bytes between it and one end of a socket
// pair; the caller gets the other end and uses it as if it were the connection.
// Thread-safe: the relay's thread is its own; the object may be destroyed from any one
// thread.
#ifndef MGW_UPLOAD_TLS_RELAY_H_
#define MGW_UPLOAD_TLS_RELAY_H_

#include <chrono>
#include <memory>
#include <string>

#include "mgw/base/status.h"
#include "mgw/upload/tcp_connect.h"

namespace mgw {

struct TlsPeer {
  std::string server_name;  // sent as SNI and checked against the certificate (name or IP)
  std::string ca_file{};    // PEM bundle to trust; empty: the system's (SSL_CERT_FILE honoured)
  std::string shown{};      // how messages name the peer, e.g. "proxy https://p:443"
};

class TlsRelay {
 public:
  // Runs the TLS handshake over `connection` within `timeout`, then starts relaying.
  // FAILED_PRECONDITION when the peer's certificate is not trusted for `peer.server_name`
  // (retrying cannot help); UNAVAILABLE when the handshake fails otherwise or times out;
  // INVALID_ARGUMENT when `peer.ca_file` cannot be loaded.
  static StatusOr<std::unique_ptr<TlsRelay>> Start(Socket connection, const TlsPeer& peer,
                                                   std::chrono::milliseconds timeout);
  // Stops relaying and closes both connections. Close the local end's users first.
  ~TlsRelay();
  TlsRelay(const TlsRelay&) = delete;
  TlsRelay& operator=(const TlsRelay&) = delete;

  // The plain end: what is written to it goes out over TLS, what arrives over TLS can be
  // read from it. End of stream on it when the TLS connection ends. Call once.
  Socket TakeLocalEnd();

 private:
  struct State;
  explicit TlsRelay(std::unique_ptr<State> state);

  std::unique_ptr<State> state_;
};

}  // namespace mgw

#endif  // MGW_UPLOAD_TLS_RELAY_H_
