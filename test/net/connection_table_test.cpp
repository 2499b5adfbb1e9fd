#include "net/connection_table.h"

#include <gtest/gtest.h>

namespace mgw {
namespace {

TEST(ConnectionTableTest, NewHandshakesDisplaceTheOldestHandshakeOnly) {
  ConnectionTable table(2);
  EXPECT_EQ(table.Admit(10), std::nullopt);
  EXPECT_TRUE(table.Establish(10));  // established: never displaced
  EXPECT_EQ(table.Admit(11), std::nullopt);
  EXPECT_EQ(table.Admit(12), std::nullopt);
  EXPECT_EQ(table.Admit(13), std::optional<uint64_t>(11));
  EXPECT_EQ(table.Admit(14), std::optional<uint64_t>(12));
  EXPECT_EQ(table.handshakes(), 2u);
  EXPECT_EQ(table.established(), 1u);
  EXPECT_FALSE(table.InHandshake(11));
  EXPECT_TRUE(table.InHandshake(14));
  for (uint64_t id = 15; id < 1000; ++id) EXPECT_NE(table.Admit(id), std::optional<uint64_t>(10));
  EXPECT_EQ(table.established(), 1u);
}

TEST(ConnectionTableTest, EstablishAndForgetTrackEachConnectionOnce) {
  ConnectionTable table(0);  // treated as 1
  EXPECT_EQ(table.Admit(2), std::nullopt);
  EXPECT_EQ(table.Admit(3), std::optional<uint64_t>(2));
  EXPECT_FALSE(table.Establish(2));  // displaced, no longer known
  EXPECT_TRUE(table.Establish(3));
  EXPECT_FALSE(table.Establish(3));
  EXPECT_TRUE(table.Forget(3));
  EXPECT_FALSE(table.Forget(3));
  EXPECT_EQ(table.Admit(4), std::nullopt);
  EXPECT_FALSE(table.Forget(4));  // was still in its handshake
  EXPECT_EQ(table.handshakes(), 0u);
}

}  // namespace
}  // namespace mgw
