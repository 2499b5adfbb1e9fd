#include "mgw/net/body_budget.h"

namespace mgw {

bool BodyBudget::TryReserve(size_t bytes) {
  size_t used = in_use_.load(std::memory_order_relaxed);
  do {
    if (bytes > limit_ || used > limit_ - bytes) return false;
  } while (!in_use_.compare_exchange_weak(used, used + bytes, std::memory_order_relaxed));
  return true;
}

void BodyBudget::Release(size_t bytes) { in_use_.fetch_sub(bytes, std::memory_order_relaxed); }

}  // namespace mgw
