// Which of one event loop's connections are still in their TLS handshake, oldest
// first, and how many have finished it. A connection that has not finished its
// handshake has cost the client nothing but a SYN, so handshakes are admitted
// against their own cap, and a newcomer past that cap displaces the oldest
// unfinished handshake, never an established connection. Internal to
// https_loop. Not thread-safe: one loop thread owns each table.
#ifndef MGW_NET_CONNECTION_TABLE_H_
#define MGW_NET_CONNECTION_TABLE_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <set>

namespace mgw {

class ConnectionTable {
 public:
  // At most `max_handshakes` (at least 1) connections in their handshake at once.
  explicit ConnectionTable(size_t max_handshakes);

  // Records a newly accepted connection (ids grow with accept order). Returns the
  // handshake to close first to stay within the cap, the oldest one, if any.
  std::optional<uint64_t> Admit(uint64_t id);
  // The connection finished its handshake: true the first time (it now counts as
  // established), false when it already had or is unknown.
  bool Establish(uint64_t id);
  // Forgets the connection; true when it had been established.
  bool Forget(uint64_t id);

  bool InHandshake(uint64_t id) const { return handshakes_.count(id) > 0; }
  size_t handshakes() const { return handshakes_.size(); }
  size_t established() const { return established_.size(); }

 private:
  size_t max_handshakes_;
  std::set<uint64_t> handshakes_;  // ordered: begin() is the oldest
  std::set<uint64_t> established_;
};

}  // namespace mgw

#endif  // MGW_NET_CONNECTION_TABLE_H_
