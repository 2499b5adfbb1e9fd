#include "mgw/net/host_port.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "support/status_matchers.h"

namespace mgw {
namespace {

using ::mgw::testing::IsOk;
using ::mgw::testing::StatusIs;

TEST(HostPortTest, Parses) {
  struct Case {
    std::string in, host;
    int port;
  };
  for (const Case& c : {Case{"0.0.0.0:9443", "0.0.0.0", 9443}, Case{":8081", "0.0.0.0", 8081},
                        Case{"[::1]:1", "::1", 1}, Case{"localhost:0", "localhost", 0}}) {
    StatusOr<HostPort> hp = ParseHostPort(c.in);
    ASSERT_THAT(hp, IsOk()) << c.in;
    EXPECT_EQ(hp->host, c.host);
    EXPECT_EQ(hp->port, c.port);
  }
  for (const char* bad : {"9443", "host:", "host:x", "host:70000", "host:123456"}) {
    EXPECT_THAT(ParseHostPort(bad), StatusIs(StatusCode::kInvalidArgument)) << bad;
  }
}

}  // namespace
}  // namespace mgw
