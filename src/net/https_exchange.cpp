#include "mgw/net/https_exchange.h"

namespace mgw {

HttpsExchange::HttpsExchange(HttpsRequest request, ExchangeLoop& loop, uint64_t connection)
    : request_(std::move(request)), loop_(loop), connection_(connection) {}

void HttpsExchange::Send(HttpsResponse response) {
  if (dispatcher_.load() == std::this_thread::get_id()) {
    held_ = std::move(response);  // the handler is still running on the loop
  } else if (loop_.OnLoopThread()) {
    loop_.AnswerHere(connection_, timer_, std::move(response));
  } else {
    loop_.Post(connection_, timer_, std::move(response));
  }
}

void HttpsExchange::OnDeadline(Clock::time_point due, std::function<void()> fn) {
  timer_ = loop_.AddTimer(due, std::move(fn));
}

}  // namespace mgw
