// Tracks the HTTPS server's open connections so the server can tell idle
// keep-alive connections from busy ones, close the idle ones (when the worker
// pool is saturated, and on shutdown), cut connections stuck in a slow handshake
// or a slowly trickling request, and know when the current request began to
// arrive (the start of its deadline). cpp-httplib does not expose its sockets;
// the hooks below are fed by the worker pool, the TLS layer and the HTTP layer.
//
// Each connection is served by one worker thread for its whole life: the
// "connection hooks" run on that thread and find the connection through it.
// Everything else may be called from any thread.
#ifndef MGW_CONNECTION_TRACKER_H_
#define MGW_CONNECTION_TRACKER_H_

#include <atomic>
#include <chrono>
#include <cstddef>
#include <list>
#include <mutex>
#include <optional>

namespace mgw {

class ConnectionTracker {
 public:
  using Clock = std::chrono::steady_clock;

  // kNew: accepted, TLS handshake not done; kReading: request bytes are arriving;
  // kServing: the request is complete and being answered; kIdle: handshake done or
  // request answered, waiting for the next request on the kept-alive connection.
  enum class State { kNew, kReading, kServing, kIdle };

  struct Counts {
    size_t fresh = 0, reading = 0, serving = 0, idle = 0;
  };

  ConnectionTracker() = default;
  ConnectionTracker(const ConnectionTracker&) = delete;
  ConnectionTracker& operator=(const ConnectionTracker&) = delete;

  // Connection hooks, in the order of a connection's life. BeginConnection when a
  // worker takes an accepted socket; OnBytesReceived for every TLS record read
  // (the socket is learned here; `handshake_done` tells the handshake's records
  // from a request's); OnHandshakeDone when the handshake completes;
  // OnRequestRead once a request has been fully read; OnResponseWritten after its
  // response; OnSocketReleased just before the socket is closed; EndConnection
  // when the worker is done. Calls outside Begin/EndConnection are ignored.
  void BeginConnection();
  void OnBytesReceived(int fd, bool handshake_done);
  void OnHandshakeDone();
  void OnRequestRead();
  void OnResponseWritten();
  void OnSocketReleased();
  void EndConnection();

  // When the request being served on this thread's connection began to arrive
  // (for a connection's first request: when its socket was taken up, so the
  // handshake counts too), or nullopt when this thread serves no connection.
  std::optional<Clock::time_point> RequestStart() const;

  // The socket of this thread's connection, or -1 when it is not known yet, has
  // been released, or the thread serves no connection. For the serving thread
  // only: the number is its own until OnSocketReleased.
  int CurrentSocket() const;

  // Shuts down (SHUT_RDWR) up to `max_count` idle connections, longest idle
  // first, skipping any with unread bytes waiting (a request just arriving). Their
  // workers then see end-of-stream and finish. Returns how many were closed.
  size_t CloseIdle(size_t max_count);

  // Shuts down connections that have been in kNew or kReading for longer than
  // `limit` at `now`: a handshake or a request trickling in too slowly. A
  // connection whose socket is not yet known (no byte received) cannot be closed
  // here; the read timeout bounds it. Returns how many were closed.
  size_t CloseStalled(Clock::duration limit, Clock::time_point now);

  Counts counts() const;

 private:
  struct Conn {
    int fd = -1;  // guarded by mu_
    std::atomic<State> state{State::kNew};
    std::atomic<Clock::rep> since{0};  // when `state` was entered
  };
  Conn* Current() const;
  void Enter(Conn& c, State s, Clock::time_point at);
  bool ShutDownLocked(Conn& c);

  mutable std::mutex mu_;
  std::list<Conn> conns_;
};

}  // namespace mgw

#endif  // MGW_CONNECTION_TRACKER_H_
