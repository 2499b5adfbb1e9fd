#include "mgw/connection_tracker.h"

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

namespace mgw {
namespace {

using namespace std::chrono_literals;
using Clock = ConnectionTracker::Clock;

// A connected socket pair: `server` is what the tracker sees, `client` the peer.
struct SocketPair {
  SocketPair() {
    int fds[2];
    EXPECT_EQ(socketpair(AF_UNIX, SOCK_STREAM, 0, fds), 0);
    server = fds[0];
    client = fds[1];
  }
  ~SocketPair() {
    close(server);
    close(client);
  }
  // True when the peer has seen the server side shut down (end of stream).
  bool ClientSeesEof() const {
    char c;
    return recv(client, &c, 1, MSG_DONTWAIT) == 0;
  }
  int server = -1, client = -1;
};

// Walks the calling thread's connection to the idle keep-alive state.
void ServeOneRequest(ConnectionTracker& t, int fd) {
  t.OnBytesReceived(fd, false);  // handshake records
  t.OnHandshakeDone();
  t.OnBytesReceived(fd, true);  // the request
  t.OnRequestRead();
  t.OnResponseWritten();
}

// Runs a connection on its own thread (the tracker keys connections by thread):
// serves one request, then stays idle until Finish().
class IdleConnection {
 public:
  IdleConnection(ConnectionTracker& t, int fd)
      : thread_([this, &t, fd] {
          t.BeginConnection();
          ServeOneRequest(t, fd);
          std::unique_lock<std::mutex> lock(mu_);
          idle_ = true;
          cv_.notify_all();
          cv_.wait(lock, [this] { return finish_; });
          lock.unlock();
          t.OnSocketReleased();
          t.EndConnection();
        }) {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [this] { return idle_; });
  }
  ~IdleConnection() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      finish_ = true;
      cv_.notify_all();
    }
    thread_.join();
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool idle_ = false, finish_ = false;
  std::thread thread_;
};

TEST(ConnectionTrackerTest, FollowsAConnectionThroughItsStates) {
  ConnectionTracker t;
  SocketPair s;
  EXPECT_FALSE(t.RequestStart().has_value());
  t.BeginConnection();
  EXPECT_EQ(t.counts().fresh, 1u);
  t.OnBytesReceived(s.server, false);
  EXPECT_EQ(t.counts().fresh, 1u) << "handshake records keep it new";
  t.OnHandshakeDone();
  EXPECT_EQ(t.counts().idle, 1u) << "connected, no request yet";
  t.OnBytesReceived(s.server, true);
  EXPECT_EQ(t.counts().reading, 1u);
  t.OnRequestRead();
  EXPECT_EQ(t.counts().serving, 1u);
  t.OnResponseWritten();
  EXPECT_EQ(t.counts().idle, 1u);
  t.OnSocketReleased();
  t.EndConnection();
  ConnectionTracker::Counts n = t.counts();
  EXPECT_EQ(n.fresh + n.reading + n.serving + n.idle, 0u);
}

TEST(ConnectionTrackerTest, RequestStartIsAcceptTimeThenFirstByteOfEachRequest) {
  ConnectionTracker t;
  SocketPair s;
  Clock::time_point before = Clock::now();
  t.BeginConnection();
  Clock::time_point begun = Clock::now();
  ServeOneRequest(t, s.server);
  ASSERT_TRUE(t.RequestStart().has_value());
  Clock::time_point first = *t.RequestStart();
  EXPECT_GE(first, before);
  EXPECT_LE(first, begun) << "the first request is timed from the accept, handshake included";
  Clock::time_point idle_at = Clock::now();
  t.OnBytesReceived(s.server, true);  // the next request on the kept-alive connection
  EXPECT_GE(*t.RequestStart(), idle_at);
  t.OnBytesReceived(s.server, true);  // more of the same request: unchanged
  Clock::time_point second = *t.RequestStart();
  t.OnRequestRead();
  EXPECT_EQ(*t.RequestStart(), second);
  t.EndConnection();
  EXPECT_FALSE(t.RequestStart().has_value());
}

TEST(ConnectionTrackerTest, CloseIdleShutsTheLongestIdleFirst) {
  ConnectionTracker t;
  SocketPair older, newer;
  IdleConnection a(t, older.server);
  IdleConnection b(t, newer.server);
  EXPECT_EQ(t.counts().idle, 2u);
  EXPECT_EQ(t.CloseIdle(1), 1u);
  EXPECT_TRUE(older.ClientSeesEof());
  EXPECT_FALSE(newer.ClientSeesEof());
  EXPECT_EQ(t.CloseIdle(5), 1u) << "the first one is not closed twice";
  EXPECT_TRUE(newer.ClientSeesEof());
}

TEST(ConnectionTrackerTest, CloseIdleSkipsAConnectionWithARequestArriving) {
  ConnectionTracker t;
  SocketPair s;
  IdleConnection c(t, s.server);
  ASSERT_EQ(write(s.client, "P", 1), 1);
  EXPECT_EQ(t.CloseIdle(1), 0u);
  EXPECT_FALSE(s.ClientSeesEof());
}

TEST(ConnectionTrackerTest, BusyAndReleasedConnectionsAreNeverClosedAsIdle) {
  ConnectionTracker t;
  SocketPair s;
  t.BeginConnection();
  t.OnBytesReceived(s.server, true);
  t.OnRequestRead();
  EXPECT_EQ(t.CloseIdle(10), 0u);
  t.OnResponseWritten();
  t.OnSocketReleased();  // httplib is about to close the descriptor; it may be reused
  EXPECT_EQ(t.CloseIdle(10), 0u);
  EXPECT_FALSE(s.ClientSeesEof());
  t.EndConnection();
}

TEST(ConnectionTrackerTest, CloseStalledCutsSlowHandshakesAndRequests) {
  ConnectionTracker t;
  SocketPair s;
  t.BeginConnection();
  t.OnBytesReceived(s.server, false);
  EXPECT_EQ(t.CloseStalled(15s, Clock::now()), 0u);
  EXPECT_EQ(t.CloseStalled(15s, Clock::now() + 16s), 1u);
  EXPECT_TRUE(s.ClientSeesEof());
  t.EndConnection();
}

TEST(ConnectionTrackerTest, AConnectionWithoutARequestIsIdleAfterTheHandshake) {
  ConnectionTracker t;
  SocketPair s;
  t.BeginConnection();
  t.OnBytesReceived(s.server, false);
  EXPECT_EQ(t.CloseIdle(1), 0u) << "mid-handshake";
  t.OnHandshakeDone();
  EXPECT_EQ(t.CloseIdle(1), 1u);
  EXPECT_TRUE(s.ClientSeesEof());
  t.EndConnection();
}

TEST(ConnectionTrackerTest, IdleConnectionsAreNotStalled) {
  ConnectionTracker t;
  SocketPair s;
  IdleConnection c(t, s.server);
  EXPECT_EQ(t.CloseStalled(1s, Clock::now() + 1h), 0u);
}

TEST(ConnectionTrackerTest, HooksOutsideAConnectionAreIgnored) {
  ConnectionTracker t;
  SocketPair s;
  t.OnBytesReceived(s.server, true);
  t.OnRequestRead();
  t.OnResponseWritten();
  t.OnSocketReleased();
  t.EndConnection();
  ConnectionTracker::Counts n = t.counts();
  EXPECT_EQ(n.fresh + n.reading + n.serving + n.idle, 0u);
}

TEST(ConnectionTrackerTest, CurrentSocketIsKnownOnlyToTheServingThreadUntilReleased) {
  ConnectionTracker t;
  SocketPair s;
  EXPECT_EQ(t.CurrentSocket(), -1);  // no connection on this thread
  t.BeginConnection();
  EXPECT_EQ(t.CurrentSocket(), -1);  // no byte received yet
  t.OnBytesReceived(s.server, false);
  EXPECT_EQ(t.CurrentSocket(), s.server);
  int seen_elsewhere = 0;
  std::thread([&] { seen_elsewhere = t.CurrentSocket(); }).join();
  EXPECT_EQ(seen_elsewhere, -1);
  t.OnSocketReleased();
  EXPECT_EQ(t.CurrentSocket(), -1);
  t.EndConnection();
  EXPECT_EQ(t.CurrentSocket(), -1);
}

}  // namespace
}  // namespace mgw
