#include "net/connection_table.h"

#include <algorithm>

namespace mgw {

ConnectionTable::ConnectionTable(size_t max_handshakes)
    : max_handshakes_(std::max<size_t>(max_handshakes, 1)) {}

std::optional<uint64_t> ConnectionTable::Admit(uint64_t id) {
  std::optional<uint64_t> displaced;
  if (handshakes_.size() >= max_handshakes_) {
    displaced = *handshakes_.begin();
    handshakes_.erase(handshakes_.begin());
  }
  handshakes_.insert(id);
  return displaced;
}

bool ConnectionTable::Establish(uint64_t id) {
  if (handshakes_.erase(id) == 0) return false;
  established_.insert(id);
  return true;
}

bool ConnectionTable::Forget(uint64_t id) {
  handshakes_.erase(id);
  return established_.erase(id) > 0;
}

}  // namespace mgw
