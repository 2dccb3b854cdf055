#include "store/ids.h"

#include <set>
#include <thread>
#include <vector>

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

// A simulated run repeats: the same causes mint the same ids on any thread,
// in any order; nothing minted twice.
class DerivedIdsTest : public ::testing::Test {
 protected:
  void TearDown() override { DrawIdsAtRandom(); }

  static std::vector<std::string> MintUnder(const std::string& cause, int n) {
    std::vector<std::string> ids;
    const IdCause open(cause);
    for (int i = 0; i < n; ++i) ids.push_back(NewId("rq", i % kPartitions));
    return ids;
  }
};

TEST_F(DerivedIdsTest, TheSameCauseMintsTheSameIdsOnAnyThreadInAnyOrder) {
  DeriveIds("courses/1");
  const auto a = MintUnder("ev_1", 5);
  const auto b = MintUnder("ev_2", 5);
  std::vector<std::string> b_again, a_again;
  std::thread([&] { b_again = MintUnder("ev_2", 5); }).join();
  std::thread([&] { a_again = MintUnder("ev_1", 5); }).join();
  EXPECT_EQ(a, a_again);
  EXPECT_EQ(b, b_again);
  for (int i = 0; i < 5; ++i) {
    EXPECT_TRUE(IsValidId(a[i], "rq")) << a[i];
    EXPECT_EQ(PartitionOfId(a[i]), i);
  }
  EXPECT_NE(a, b);
  DeriveIds("courses/2");  // the service started again: its calls count from zero again
  EXPECT_NE(MintUnder("ev_1", 5), a);
}

TEST_F(DerivedIdsTest, ARetriedDecisionMintsWhatTheFirstAttemptMinted) {
  DeriveIds("housing/1");
  const IdCause call("RunAllocation@0");
  std::vector<std::string> first, retried, next;
  const std::string change = ChildCause("change");
  for (auto* attempt : {&first, &retried}) {
    const IdCause open(change);
    attempt->push_back(NewId("of", 1));
    attempt->push_back(NewId("ev", 0));
  }
  {
    const IdCause open(ChildCause("change"));
    next.push_back(NewId("of", 1));
  }
  EXPECT_EQ(first, retried);
  EXPECT_NE(next[0], first[0]);
}

TEST_F(DerivedIdsTest, DerivedIdsAreUnique) {
  DeriveIds("registry/1");
  std::set<std::string> seen;
  for (int cause = 0; cause < 100; ++cause) {
    for (const auto& id : MintUnder("key-" + std::to_string(cause), 100)) EXPECT_TRUE(seen.insert(id).second) << id;
  }
  for (int i = 0; i < 1000; ++i) EXPECT_TRUE(seen.insert(NewId("rq", 0)).second);  // no cause open
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
  EXPECT_EQ(keys.Key(7, "profile:", "p_7"), keys.Key(7, "profile:p_7"));
  EXPECT_EQ(keys.Key(15, "blocking:", "af"), "ankommen:registry:{registry:p15}:blocking:af");
  // Outside the partitions (a caller's bug): still the one format, never a read past the end.
  EXPECT_EQ(keys.Key(16, "x"), "ankommen:registry:{registry:p16}:x");
  EXPECT_EQ(keys.Key(-1, "x"), "ankommen:registry:{registry:p-1}:x");
}

}  // namespace
}  // namespace ankommen
