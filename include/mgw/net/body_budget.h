// A server-wide cap on request-body bytes held at once. Each connection reserves a
// body's declared Content-Length before buffering it and gives the bytes back when
// the request is answered or the connection closes, so the sum of buffered bodies
// across all connections never passes the limit. Thread-safe (one atomic).
#ifndef MGW_NET_BODY_BUDGET_H_
#define MGW_NET_BODY_BUDGET_H_

#include <atomic>
#include <cstddef>

namespace mgw {

class BodyBudget {
 public:
  // REQUIRES: limit > 0. A body larger than `limit` never fits.
  explicit BodyBudget(size_t limit) : limit_(limit) {}

  // Takes `bytes` from the budget when they fit beside what is reserved;
  // false (and nothing taken) otherwise.
  bool TryReserve(size_t bytes);
  // Gives back bytes taken by a successful TryReserve.
  void Release(size_t bytes);

  size_t limit() const { return limit_; }
  size_t in_use() const { return in_use_.load(std::memory_order_relaxed); }

 private:
  const size_t limit_;
  std::atomic<size_t> in_use_{0};
};

}  // namespace mgw

#endif  // MGW_NET_BODY_BUDGET_H_
