// The outbox, relay and inbox against real redis-server and nats-server.
#include "store/outbox.h"

#include <gtest/gtest.h>

#include <set>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "bus/bus.h"
#include "observability/metrics.h"
#include "store/command.h"
#include "store/redis.h"
#include "support/servers.h"

namespace ankommen {
namespace {

class OutboxTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto pool = RedisPool::Connect(redis_.url(), 4);
    ASSERT_TRUE(pool.ok()) << pool.status();
    pool_ = std::move(*pool);
    auto bus = Bus::Connect(nats_.url(), "outbox-test", &metrics_);
    ASSERT_TRUE(bus.ok()) << bus.status();
    bus_ = std::move(*bus);
    StreamSpec spec;
    spec.name = "TEST";
    spec.subjects = {"ankommen.test.>"};
    ASSERT_TRUE(bus_->EnsureStream(spec).ok());
    outbox_ = std::make_unique<Outbox>(*pool_, keys_);
    relay_ = std::make_unique<OutboxRelay>(*pool_, *bus_, keys_, &metrics_);
  }

  Commit MakeCommit(const std::string& idem, int64_t expected_version, const std::string& event_id) {
    Commit c;
    c.partition = 5;
    c.aggregate_key = keys_.Key(5, "thing:t_5");
    c.expected_version = expected_version;
    c.state = "state-" + event_id;
    c.idempotency_key = keys_.Idempotency(5, "make", idem);
    c.fingerprint = "fp-" + idem;
    c.response = "answer-" + event_id;
    c.events.push_back({"ankommen.test.made", event_id, "test.Made", "payload-" + event_id});
    c.index_ops.push_back(IndexOp::SortedAdd(keys_.Key(5, "index"), "t_5"));
    return c;
  }

  testing::RedisServer redis_;
  testing::NatsServer nats_;
  Metrics metrics_;
  KeySpace keys_{"test"};
  std::unique_ptr<RedisPool> pool_;
  std::unique_ptr<Bus> bus_;
  std::unique_ptr<Outbox> outbox_;
  std::unique_ptr<OutboxRelay> relay_;
};

TEST_F(OutboxTest, StateEventsIndexAndAnswerAreWrittenTogether) {
  auto result = outbox_->Apply(MakeCommit("k1", 0, "ev_1"));
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->outcome, CommitResult::Outcome::kCommitted);
  EXPECT_EQ(result->version, 1);
  auto stored = outbox_->Load(keys_.Key(5, "thing:t_5"));
  ASSERT_TRUE(stored.ok() && stored->has_value());
  EXPECT_EQ((*stored)->state, "state-ev_1");
  EXPECT_EQ(redis_.Command({"XLEN", keys_.Outbox(5)}), "1");
  EXPECT_EQ(redis_.Command({"ZCARD", keys_.Key(5, "index")}), "1");
  auto prior = outbox_->FindPrior(keys_.Idempotency(5, "make", "k1"));
  ASSERT_TRUE(prior.ok() && prior->has_value());
  EXPECT_EQ((*prior)->response, "answer-ev_1");
}

TEST_F(OutboxTest, SortedIndexScoresKeepEveryDigit) {
  // A due time in unix seconds: six significant digits would move it by hours.
  Commit c = MakeCommit("k1", 0, "ev_1");
  c.index_ops = {IndexOp::SortedAdd(keys_.Key(5, "due"), "m_1", 1795221234.0)};
  ASSERT_TRUE(outbox_->Apply(c).ok());
  EXPECT_EQ(redis_.Command({"ZSCORE", keys_.Key(5, "due"), "m_1"}), "1795221234");
}

TEST_F(OutboxTest, ACommitWithoutAnIdempotencyKeyIsGuardedByItsVersionAlone) {
  Commit c = MakeCommit("k1", 0, "ev_1");
  c.idempotency_key.clear();
  c.fingerprint.clear();
  auto first = outbox_->Apply(c);
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(first->outcome, CommitResult::Outcome::kCommitted);
  auto stale = outbox_->Apply(c);  // still expects version 0
  ASSERT_TRUE(stale.ok());
  EXPECT_EQ(stale->outcome, CommitResult::Outcome::kConflict);
  c.fingerprint = "half";
  EXPECT_FALSE(outbox_->Apply(c).ok()) << "a key without a fingerprint (or the reverse) is a mistake";
}

TEST_F(OutboxTest, ARetryReplaysTheFirstAnswerAndWritesNothing) {
  ASSERT_TRUE(outbox_->Apply(MakeCommit("k1", 0, "ev_1")).ok());
  auto again = outbox_->Apply(MakeCommit("k1", 0, "ev_2"));
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->outcome, CommitResult::Outcome::kReplayed);
  EXPECT_EQ(again->prior.response, "answer-ev_1");
  EXPECT_EQ(redis_.Command({"XLEN", keys_.Outbox(5)}), "1");
}

TEST_F(OutboxTest, AStaleVersionConflictsAndWritesNothing) {
  ASSERT_TRUE(outbox_->Apply(MakeCommit("k1", 0, "ev_1")).ok());
  auto stale = outbox_->Apply(MakeCommit("k2", 0, "ev_2"));
  ASSERT_TRUE(stale.ok());
  EXPECT_EQ(stale->outcome, CommitResult::Outcome::kConflict);
  EXPECT_EQ(stale->version, 1);
  EXPECT_EQ(redis_.Command({"XLEN", keys_.Outbox(5)}), "1");
  auto fresh = outbox_->Apply(MakeCommit("k2", 1, "ev_2"));
  ASSERT_TRUE(fresh.ok());
  EXPECT_EQ(fresh->outcome, CommitResult::Outcome::kCommitted);
  EXPECT_EQ(fresh->version, 2);
}

// Several commits in one round trip: each checked and applied by itself.
TEST_F(OutboxTest, ApplyEachCommitsEachByItsOwnChecks) {
  ASSERT_TRUE(outbox_->Apply(MakeCommit("k1", 0, "ev_1")).ok());
  Commit other = MakeCommit("k3", 0, "ev_3");
  other.aggregate_key = keys_.Key(5, "thing:t_other");
  auto results = outbox_->ApplyEach({MakeCommit("k1", 0, "ev_x"),    // a retry: the first answer
                                     MakeCommit("k2", 0, "ev_2"),     // stale: conflicts
                                     other,                           // new: committed
                                     MakeCommit("k4", 1, "ev_4")});   // on the version now: committed
  ASSERT_TRUE(results.ok()) << results.status();
  ASSERT_EQ(results->size(), 4u);
  ASSERT_TRUE((*results)[0].ok() && (*results)[1].ok() && (*results)[2].ok() && (*results)[3].ok());
  EXPECT_EQ((*results)[0]->outcome, CommitResult::Outcome::kReplayed);
  EXPECT_EQ((*results)[0]->prior.response, "answer-ev_1");
  EXPECT_EQ((*results)[1]->outcome, CommitResult::Outcome::kConflict);
  EXPECT_EQ((*results)[2]->outcome, CommitResult::Outcome::kCommitted);
  EXPECT_EQ((*results)[2]->version, 1);
  EXPECT_EQ((*results)[3]->outcome, CommitResult::Outcome::kCommitted);
  EXPECT_EQ((*results)[3]->version, 2);
  EXPECT_EQ((*outbox_->Load(keys_.Key(5, "thing:t_5")))->state, "state-ev_4");
  EXPECT_EQ((*outbox_->Load(keys_.Key(5, "thing:t_other")))->state, "state-ev_3");
  // ev_1, ev_3 and ev_4: nothing of the retry or the stale one.
  EXPECT_EQ(redis_.Command({"XLEN", keys_.Outbox(5)}), "3");
  EXPECT_FALSE(outbox_->FindPrior(keys_.Idempotency(5, "make", "k2"))->has_value());
}

// The inbox for several events: one round trip of commits, and whatever
// cannot commit on the state read beforehand is decided again alone.
TEST_F(OutboxTest, RunInboxEachDecidesAgainAloneWhatChangedSinceItsRead) {
  const std::string a = keys_.Key(3, "counter:a"), b = keys_.Key(3, "counter:b"), c = keys_.Key(3, "counter:c");
  auto count = [&](const std::string& key, int64_t version, int value) {
    Decision d;
    d.commit.aggregate_key = key;
    d.commit.expected_version = version;
    d.commit.state = std::to_string(value);
    d.record = key;
    return d;
  };
  // b changes after the caller's read of it (version 0); c's event was applied before.
  ASSERT_TRUE(RunInbox(*outbox_, 3, "ev_c", [&]() -> absl::StatusOr<Decision> { return count(c, 0, 1); }).ok());
  Commit meanwhile;
  meanwhile.partition = 3;
  meanwhile.aggregate_key = b;
  meanwhile.state = "10";
  ASSERT_TRUE(outbox_->Apply(meanwhile).ok());
  int again_a = 0, again_b = 0, again_c = 0;
  std::vector<InboxItem> items = {
      {3, "ev_a", [&]() -> absl::StatusOr<Decision> { return count(a, 0, 1); },
       [&]() -> absl::StatusOr<Decision> { ++again_a; return count(a, 0, 1); }},
      {3, "ev_b", [&]() -> absl::StatusOr<Decision> { return count(b, 0, 1); },  // read before the change
       [&]() -> absl::StatusOr<Decision> { ++again_b; return count(b, 1, 11); }},
      {3, "ev_c", [&]() -> absl::StatusOr<Decision> { return count(c, 1, 2); },  // its record is there
       [&]() -> absl::StatusOr<Decision> { ++again_c; return count(c, 1, 2); }},
      {3, "ev_d", []() -> absl::StatusOr<Decision> { return absl::UnavailableError("read failed"); },
       [&]() -> absl::StatusOr<Decision> { return count(keys_.Key(3, "counter:d"), 0, 1); }},
  };
  auto outcomes = RunInboxEach(*outbox_, items);
  ASSERT_EQ(outcomes.size(), 4u);
  for (const auto& o : outcomes) ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_FALSE(outcomes[0]->replayed);
  EXPECT_FALSE(outcomes[1]->replayed);
  EXPECT_TRUE(outcomes[2]->replayed) << "applied once, whatever is delivered again";
  EXPECT_FALSE(outcomes[3]->replayed);
  EXPECT_EQ(again_a, 0) << "committed on its first decision";
  EXPECT_EQ(again_b, 1) << "its aggregate changed since the read";
  EXPECT_EQ(again_c, 0);
  EXPECT_EQ((*outbox_->Load(a))->state, "1");
  EXPECT_EQ((*outbox_->Load(b))->state, "11");
  EXPECT_EQ((*outbox_->Load(c))->state, "1");
  EXPECT_EQ((*outbox_->Load(keys_.Key(3, "counter:d")))->state, "1");
}

TEST_F(OutboxTest, RelayPublishesWithTheEventIdAndEmptiesTheOutbox) {
  ASSERT_TRUE(outbox_->Apply(MakeCommit("k1", 0, "ev_1")).ok());
  ASSERT_TRUE(outbox_->Apply(MakeCommit("k2", 1, "ev_2")).ok());
  auto published = relay_->DrainOnce();
  ASSERT_TRUE(published.ok()) << published.status();
  EXPECT_EQ(*published, 2);
  EXPECT_EQ(*relay_->Pending(), 0);
  auto events = bus_->ReadStream("TEST", 1, 10);
  ASSERT_TRUE(events.ok());
  ASSERT_EQ(events->size(), 2u);
  EXPECT_EQ((*events)[0].event_id, "ev_1");
  EXPECT_EQ((*events)[0].event_type, "test.Made");
  EXPECT_EQ((*events)[1].payload, "payload-ev_2");
}

// What a copy of Redis has handed to JetStream (a restore cuts the stream there).
TEST_F(OutboxTest, TheRelayMarksTheLastSequenceItPublishedWhereItRemovesTheEntry) {
  ASSERT_TRUE(bus_->Publish({"ankommen.test.other", "ev_before", "test.Other", "x"}).ok());  // sequence 1
  ASSERT_TRUE(outbox_->Apply(MakeCommit("k1", 0, "ev_1")).ok());
  ASSERT_TRUE(outbox_->Apply(MakeCommit("k2", 1, "ev_2")).ok());
  EXPECT_EQ(pool_->Command({"HGET", keys_.Published(5), "TEST"})->str, "") << "nothing published yet";
  ASSERT_TRUE(relay_->DrainOnce().ok());
  EXPECT_EQ(pool_->Command({"HGET", keys_.Published(5), "TEST"})->str, "3");
  // Published again after a crash, a duplicate is acknowledged at the first copy's place: the mark stays.
  ASSERT_TRUE(outbox_->Apply(MakeCommit("k3", 2, "ev_3")).ok());
  ASSERT_TRUE(bus_->Publish({"ankommen.test.made", "ev_3", "test.Made", "payload-ev_3"}).ok());  // sequence 4
  ASSERT_TRUE(bus_->Publish({"ankommen.test.other", "ev_later", "test.Other", "x"}).ok());     // sequence 5
  ASSERT_TRUE(relay_->DrainOnce().ok());
  EXPECT_EQ(pool_->Command({"HGET", keys_.Published(5), "TEST"})->str, "4");
  EXPECT_EQ(*relay_->Pending(), 0);
}

TEST_F(OutboxTest, ACrashAfterPublishingPublishesAgainAndJetStreamDropsTheDuplicate) {
  ASSERT_TRUE(outbox_->Apply(MakeCommit("k1", 0, "ev_1")).ok());
  // The relay published, then died before deleting the entry.
  ASSERT_TRUE(bus_->Publish({"ankommen.test.made", "ev_1", "test.Made", "payload-ev_1"}).ok());
  ASSERT_TRUE(relay_->DrainOnce().ok());
  EXPECT_EQ(bus_->GetStreamState("TEST")->messages, 1u);
  EXPECT_EQ(*relay_->Pending(), 0);
}

TEST_F(OutboxTest, AnEventThatCannotBeStoredHoldsBackOnlyItsOwnPartition) {
  // Partition 3's first event names a subject no stream takes: JetStream
  // refuses it on every pass. Partitions before and after it are published.
  for (int p : {1, 3, 7}) {
    Commit c = MakeCommit(absl::StrCat("k", p), 0, absl::StrCat("ev_", p));
    c.partition = p;
    c.aggregate_key = keys_.Key(p, absl::StrCat("thing:t_", p));
    c.idempotency_key = keys_.Idempotency(p, "make", absl::StrCat("k", p));
    c.index_ops.clear();
    if (p == 3) {
      c.events.front().subject = "ankommen.nowhere.made";
      c.events.push_back({"ankommen.test.made", "ev_3b", "test.Made", "behind the refused one"});
    }
    ASSERT_TRUE(outbox_->Apply(c).ok());
  }
  for (int pass = 0; pass < 2; ++pass) {
    auto drained = relay_->DrainOnce();
    EXPECT_FALSE(drained.ok()) << "the pass reports the refused event";
    EXPECT_TRUE(absl::StrContains(drained.status().message(), "partition 3")) << drained.status();
  }
  EXPECT_EQ(redis_.Command({"XLEN", keys_.Outbox(1)}), "0");
  EXPECT_EQ(redis_.Command({"XLEN", keys_.Outbox(7)}), "0");
  EXPECT_EQ(redis_.Command({"XLEN", keys_.Outbox(3)}), "2") << "the refused event and the one behind it wait, in order";
  auto events = bus_->ReadStream("TEST", 1, 10);
  ASSERT_TRUE(events.ok());
  std::set<std::string> stored;
  for (const auto& e : *events) stored.insert(e.event_id);
  EXPECT_TRUE(stored.contains("ev_1"));
  EXPECT_TRUE(stored.contains("ev_7"));
}

TEST_F(OutboxTest, TheRelayThreadPublishesWhenWoken) {
  outbox_->set_wake([this](int partition) { relay_->Wake(partition); });
  relay_->Start(absl::Seconds(30));  // a long poll: only the wake-up can be quick
  ASSERT_TRUE(outbox_->Apply(MakeCommit("k1", 0, "ev_1")).ok());
  absl::Time deadline = absl::Now() + absl::Seconds(5);
  while (bus_->GetStreamState("TEST")->messages < 1 && absl::Now() < deadline) absl::SleepFor(absl::Milliseconds(10));
  EXPECT_EQ(bus_->GetStreamState("TEST")->messages, 1u);
  relay_->Stop();
}

// How many times Redis ran `command` since its counts were last reset.
long Calls(const testing::RedisServer& redis, const std::string& command) {
  const std::string stats = redis.Command({"INFO", "commandstats"});
  const std::string prefix = absl::StrCat("cmdstat_", command, ":calls=");
  const size_t at = stats.find(prefix);
  return at == std::string::npos ? 0 : std::stol(stats.substr(at + prefix.size()));
}

TEST_F(OutboxTest, ACommitWakesTheRelayForItsOwnPartitionAlone) {
  outbox_->set_wake([this](int partition) { relay_->Wake(partition); });
  relay_->Start(absl::Seconds(30));  // its first pass reads every partition; then only the wake-ups
  absl::Time deadline = absl::Now() + absl::Seconds(5);
  // Its reads are one pipeline, each partition's XRANGE then XLEN: the last XLEN ends the pass.
  while (Calls(redis_, "xlen") < 16 && absl::Now() < deadline) absl::SleepFor(absl::Milliseconds(10));
  ASSERT_EQ(Calls(redis_, "xrange"), 16) << "the first pass reads every partition";
  redis_.Command({"CONFIG", "RESETSTAT"});
  ASSERT_TRUE(outbox_->Apply(MakeCommit("k1", 0, "ev_1")).ok());  // partition 5
  deadline = absl::Now() + absl::Seconds(5);
  while (bus_->GetStreamState("TEST")->messages < 1 && absl::Now() < deadline) absl::SleepFor(absl::Milliseconds(10));
  EXPECT_EQ(bus_->GetStreamState("TEST")->messages, 1u);
  EXPECT_EQ(Calls(redis_, "xrange"), 1) << "partition 5 read, the fifteen others not";
  EXPECT_EQ(redis_.Command({"XLEN", keys_.Outbox(5)}), "0");
  relay_->Stop();
}

TEST_F(OutboxTest, AnEntryNoCommitHereWokeForIsPublishedAtThePoll) {
  // Another replica's commit, whose relay stopped before publishing it: this
  // relay is not woken for it, and finds it when it reads every partition.
  relay_->Start(absl::Milliseconds(100));
  Outbox elsewhere(*pool_, keys_);  // wakes no one
  Commit c = MakeCommit("k9", 0, "ev_9");
  c.partition = 9;
  c.aggregate_key = keys_.Key(9, "thing:t_9");
  c.idempotency_key = keys_.Idempotency(9, "make", "k9");
  c.index_ops.clear();
  ASSERT_TRUE(elsewhere.Apply(c).ok());
  const absl::Time deadline = absl::Now() + absl::Seconds(5);
  while (bus_->GetStreamState("TEST")->messages < 1 && absl::Now() < deadline) absl::SleepFor(absl::Milliseconds(10));
  EXPECT_EQ(bus_->GetStreamState("TEST")->messages, 1u);
  EXPECT_EQ(redis_.Command({"XLEN", keys_.Outbox(9)}), "0");
  relay_->Stop();
}

TEST_F(OutboxTest, EventsWaitInTheOutboxWhileNatsIsDownAndFollowWhenItIsBack) {
  outbox_->set_wake([this](int partition) { relay_->Wake(partition); });
  relay_->Start(absl::Milliseconds(50));
  nats_.Stop();
  ASSERT_TRUE(outbox_->Apply(MakeCommit("k1", 0, "ev_1")).ok());  // state is written all the same
  // The relay tried, failed, and kept the event.
  auto failures = [&] {
    for (const auto& family : metrics_.registry().Collect()) {
      if (family.name == "ankommen_outbox_relay_failures_total" && !family.metric.empty()) {
        return family.metric[0].counter.value;
      }
    }
    return 0.0;
  };
  absl::Time tried_by = absl::Now() + absl::Seconds(15);  // a publish waits 5 s for a reconnect
  while (failures() < 1 && absl::Now() < tried_by) absl::SleepFor(absl::Milliseconds(10));
  EXPECT_GE(failures(), 1) << "the relay tried while NATS was down";
  EXPECT_EQ(*relay_->Pending(), 1);
  nats_.Start();  // the client reconnects by itself
  absl::Time deadline = absl::Now() + absl::Seconds(15);
  while (*relay_->Pending() > 0 && absl::Now() < deadline) absl::SleepFor(absl::Milliseconds(50));
  EXPECT_EQ(*relay_->Pending(), 0);
  relay_->Stop();
  auto state = bus_->GetStreamState("TEST");
  ASSERT_TRUE(state.ok()) << state.status();
  EXPECT_EQ(state->messages, 1u);
}

}  // namespace
}  // namespace ankommen
