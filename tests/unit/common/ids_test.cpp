#include "ids.h"

#include <set>

#include <gtest/gtest.h>

namespace ankommen {
namespace {

TEST(IdsTest, NewIdCarriesItsPartition) {
  for (int p = 0; p < kPartitions; ++p) {
    std::string id = NewId("hh", p);
    EXPECT_TRUE(IsValidId(id, "hh")) << id;
    EXPECT_EQ(PartitionOfId(id), p) << id;
  }
}

TEST(IdsTest, IdsAreUnique) {
  std::set<std::string> seen;
  for (int i = 0; i < 10000; ++i) EXPECT_TRUE(seen.insert(NewId("p", 3)).second);
}

TEST(IdsTest, MalformedIdsAreRejected) {
  EXPECT_FALSE(IsValidId("", "hh"));
  EXPECT_FALSE(IsValidId("hh_123", "hh"));
  EXPECT_FALSE(IsValidId("p_0123456789abcdef", "hh"));
  EXPECT_FALSE(IsValidId("hh_0123456789ABCDEF", "hh"));
  EXPECT_FALSE(IsValidId("hh_0123456789abcdeg", "hh"));
  EXPECT_TRUE(IsValidId("hh_0123456789abcdef", "hh"));
}

TEST(IdsTest, KeyPartitionIsStable) {
  // Part of the data format: a change would strand idempotency records.
  EXPECT_EQ(PartitionOfKey("abc"), PartitionOfKey("abc"));
  EXPECT_EQ(PartitionOfKey(""), static_cast<int>(2166136261u % kPartitions));
  std::set<int> partitions;
  for (int i = 0; i < 200; ++i) partitions.insert(PartitionOfKey("key-" + std::to_string(i)));
  EXPECT_EQ(partitions.size(), static_cast<size_t>(kPartitions));
}

TEST(IdsTest, KeysShareOneHashTagPerPartition) {
  KeySpace keys("registry");
  EXPECT_EQ(keys.Key(7, "household:hh_7"), "ankommen:registry:{registry:p7}:household:hh_7");
  EXPECT_EQ(keys.Outbox(7), "ankommen:registry:{registry:p7}:outbox");
  EXPECT_EQ(keys.Idempotency(7, "register", "k1"), "ankommen:registry:{registry:p7}:idem:register:k1");
  EXPECT_EQ(keys.Inbox(2, "courses", "ev_1"), "ankommen:registry:{registry:p2}:inbox:courses:ev_1");
}

}  // namespace
}  // namespace ankommen
