// JetStream publishing, durable consumers, retries, dead letters and the inbox
// against a real nats-server (and redis-server for the inbox).
#include "bus/bus.h"

#include <algorithm>
#include <atomic>
#include <map>
#include <mutex>
#include <numeric>
#include <vector>

#include "absl/strings/str_cat.h"

#include <gtest/gtest.h>

#include "observability/metrics.h"
#include "store/outbox.h"
#include "store/redis.h"
#include "support/servers.h"

namespace ankommen {
namespace {

bool Eventually(const std::function<bool()>& condition, absl::Duration timeout = absl::Seconds(10)) {
  absl::Time deadline = absl::Now() + timeout;
  while (absl::Now() < deadline) {
    if (condition()) return true;
    absl::SleepFor(absl::Milliseconds(20));
  }
  return condition();
}

class BusTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto bus = Bus::Connect(nats_.url(), "bus-test", &metrics_);
    ASSERT_TRUE(bus.ok()) << bus.status();
    bus_ = std::move(*bus);
    ASSERT_TRUE(bus_->EnsureStream(DeadLetterStreamSpec()).ok());
    StreamSpec spec;
    spec.name = "TEST";
    spec.subjects = {"ankommen.test.>"};
    ASSERT_TRUE(bus_->EnsureStream(spec).ok());
  }

  // JetStream has nothing more to deliver to the stream's consumers and no
  // delivery awaits its ack: what a test counted so far is final.
  bool Settled() {
    auto unfinished = bus_->Unfinished("TEST");
    return unfinished.ok() && *unfinished == 0;
  }

  ConsumerSpec Spec(const std::string& durable, int max_deliver = 3) {
    ConsumerSpec spec;
    spec.stream = "TEST";
    spec.durable = durable;
    spec.max_deliver = max_deliver;
    spec.backoff = {absl::Milliseconds(50)};
    return spec;
  }

  testing::NatsServer nats_;
  Metrics metrics_;
  std::unique_ptr<Bus> bus_;
};

TEST_F(BusTest, EnsureStreamIsRepeatableAndUpdates) {
  StreamSpec spec;
  spec.name = "TEST";
  spec.subjects = {"ankommen.test.>", "ankommen.other.>"};
  EXPECT_TRUE(bus_->EnsureStream(spec).ok());
  EXPECT_TRUE(bus_->EnsureStream(spec).ok());
  EXPECT_TRUE(bus_->Publish({"ankommen.other.x", "e1", "t", "p"}).ok());
  EXPECT_EQ(bus_->GetStreamState("TEST")->messages, 1u);
}

TEST_F(BusTest, TheSameEventIdIsStoredOnce) {
  ASSERT_TRUE(bus_->Publish({"ankommen.test.a", "same", "t", "1"}).ok());
  ASSERT_TRUE(bus_->Publish({"ankommen.test.a", "same", "t", "1"}).ok());
  EXPECT_EQ(bus_->GetStreamState("TEST")->messages, 1u);
}

// Many at once, in order: where each is stored, a copy told as its first,
// and an event no stream takes told as failed without holding up the others' answers.
TEST_F(BusTest, PublishAllStoresInOrderAndAnswersForEach) {
  std::vector<OutgoingEvent> events;
  for (int i = 0; i < 50; ++i) events.push_back({"ankommen.test.a", absl::StrCat("all-", i), "t", absl::StrCat(i), i % 4});
  events.push_back({"ankommen.test.a", "all-7", "t", "7", 3});   // a copy of one already in the batch
  events.push_back({"ankommen.nowhere.x", "lost", "t", "x", 0});  // no stream has this subject
  const auto stored = bus_->PublishAll(events);
  ASSERT_EQ(stored.size(), events.size());
  for (int i = 0; i < 50; ++i) {
    ASSERT_TRUE(stored[static_cast<size_t>(i)].ok()) << i << ": " << stored[static_cast<size_t>(i)].status();
    EXPECT_EQ(stored[static_cast<size_t>(i)]->stream, "TEST");
    EXPECT_EQ(stored[static_cast<size_t>(i)]->sequence, static_cast<uint64_t>(i + 1)) << "stored in the order sent";
  }
  ASSERT_TRUE(stored[50].ok()) << stored[50].status();
  EXPECT_EQ(stored[50]->sequence, 8u) << "the copy is told where the first is";
  EXPECT_FALSE(stored[51].ok());
  EXPECT_EQ(bus_->GetStreamState("TEST")->messages, 50u);
  auto read = bus_->ReadStream("TEST", 1, 50);
  ASSERT_TRUE(read.ok()) << read.status();
  for (int i = 0; i < 50; ++i) {
    EXPECT_EQ((*read)[static_cast<size_t>(i)].payload, absl::StrCat(i));
    EXPECT_EQ((*read)[static_cast<size_t>(i)].partition, i % 4);
  }
}

// An answer JetStream never gives — the server died holding the message —
// is not waited for again by every batch after it.
TEST_F(BusTest, AnAnswerThatNeverComesDoesNotHoldUpTheNextBatch) {
  nats_.Pause();
  const auto lost = bus_->PublishAll({{"ankommen.test.a", "lost-1", "t", "1", 0}}, absl::Milliseconds(300));
  ASSERT_EQ(lost.size(), 1u);
  EXPECT_FALSE(lost[0].ok()) << "a paused server answers nothing";
  nats_.Stop();  // with the message unread
  nats_.Start();
  ASSERT_TRUE(Eventually([&] { return bus_->Publish({"ankommen.test.a", "back", "t", "x"}).ok(); }, absl::Seconds(20)))
      << "the bus reconnects";
  const absl::Duration timeout = absl::Seconds(10);
  const absl::Time start = absl::Now();
  const auto next = bus_->PublishAll({{"ankommen.test.a", "next-1", "t", "2", 0}}, timeout);
  const absl::Duration took = absl::Now() - start;
  ASSERT_EQ(next.size(), 1u);
  EXPECT_TRUE(next[0].ok()) << next[0].status();
  EXPECT_LT(took, timeout / 2) << "the batch waited for the lost message's answer: " << took;
}

// A client that reconnects by itself keeps what is published while the server
// is away and sends it on reconnecting: events a batch reported as not stored
// would be stored behind the relay's back — and after an event lost with the
// old connection, which the relay sends again later, out of order.
TEST_F(BusTest, WhatABatchReportsNotStoredIsNotSentLaterByAReconnect) {
  ASSERT_TRUE(bus_->PublishAll({{"ankommen.test.a", "before", "t", "0", 0}})[0].ok());
  nats_.Stop();
  // The bus has noticed: what it asks JetStream now fails.
  ASSERT_TRUE(Eventually([&] { return !bus_->GetStreamState("TEST").ok(); }, absl::Seconds(20)));
  const auto while_away = bus_->PublishAll(
      {{"ankommen.test.a", "away-1", "t", "1", 0}, {"ankommen.test.a", "away-2", "t", "2", 0}}, absl::Seconds(2));
  ASSERT_EQ(while_away.size(), 2u);
  EXPECT_FALSE(while_away[0].ok());
  EXPECT_FALSE(while_away[1].ok());
  nats_.Start();
  ASSERT_TRUE(Eventually([&] { return bus_->Publish({"ankommen.test.a", "back", "t", "x"}).ok(); }, absl::Seconds(20)));
  // The next batch is stored (on a connection opened again), and nothing before it.
  std::vector<absl::StatusOr<Published>> after;
  ASSERT_TRUE(Eventually([&] {
    after = bus_->PublishAll({{"ankommen.test.a", "after", "t", "3", 0}});
    return after.size() == 1 && after[0].ok();
  }, absl::Seconds(20)));
  auto stored = bus_->ReadStream("TEST", 1, 10);
  ASSERT_TRUE(stored.ok()) << stored.status();
  std::vector<std::string> ids;
  for (const auto& e : *stored) ids.push_back(e.event_id);
  EXPECT_EQ(ids, (std::vector<std::string>{"before", "back", "after"}));
}

TEST_F(BusTest, AConsumerGetsEveryEventAndAcks) {
  for (int i = 0; i < 20; ++i) ASSERT_TRUE(bus_->Publish({"ankommen.test.a", "e" + std::to_string(i), "t", "p"}).ok());
  std::atomic<int> seen{0};
  auto consumer = bus_->Consume(Spec("all"), [&](const IncomingEvent& e) {
    EXPECT_EQ(e.event_type, "t");
    ++seen;
    return absl::OkStatus();
  });
  ASSERT_TRUE(consumer.ok()) << consumer.status();
  EXPECT_TRUE(Eventually([&] { return seen.load() == 20; }));
  (*consumer)->Stop();
  // Durable: a new consumer with the same name starts after what was acked.
  ASSERT_TRUE(bus_->Publish({"ankommen.test.a", "e20", "t", "p"}).ok());
  std::atomic<int> later{0};
  auto again = bus_->Consume(Spec("all"), [&](const IncomingEvent&) {
    ++later;
    return absl::OkStatus();
  });
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(Eventually([&] { return later.load() == 1; }));
  EXPECT_TRUE(Eventually([&] { return Settled(); }));
  EXPECT_EQ(later.load(), 1);
}

// A batch's partitions are handled side by side, each partition's events in
// the order published; a batch holding an event of no partition keeps the
// stream's order throughout.
TEST_F(BusTest, EachPartitionsEventsComeInOrderAndPartitionsSideBySide) {
  constexpr int kEach = 40, kPartitionsUsed = 4;
  for (int i = 0; i < kEach; ++i) {
    for (int p = 0; p < kPartitionsUsed; ++p) {
      ASSERT_TRUE(bus_->Publish({"ankommen.test.a", absl::StrCat("e", p, "-", i), "t", absl::StrCat(i), p}).ok());
    }
  }
  std::mutex mutex;
  std::map<int, std::vector<int>> order;  // partition -> payloads in the order handled
  std::atomic<int> running{0}, most_at_once{0};
  ConsumerSpec spec = Spec("lanes");
  spec.workers = 4;
  auto consumer = bus_->Consume(spec, [&](const IncomingEvent& e) {
    const int now = ++running;
    for (int seen = most_at_once.load(); now > seen && !most_at_once.compare_exchange_weak(seen, now);) {
    }
    absl::SleepFor(absl::Milliseconds(2));  // long enough for the lanes to overlap
    {
      std::lock_guard lock(mutex);
      order[e.partition].push_back(std::stoi(e.payload));
    }
    --running;
    return absl::OkStatus();
  });
  ASSERT_TRUE(consumer.ok()) << consumer.status();
  ASSERT_TRUE(Eventually([&] { return Settled(); }));
  (*consumer)->Stop();
  ASSERT_EQ(order.size(), static_cast<size_t>(kPartitionsUsed));
  for (const auto& [partition, payloads] : order) {
    ASSERT_EQ(payloads.size(), static_cast<size_t>(kEach)) << partition;
    for (int i = 0; i < kEach; ++i) EXPECT_EQ(payloads[static_cast<size_t>(i)], i) << "partition " << partition;
  }
  EXPECT_GT(most_at_once.load(), 1) << "partitions handled side by side";

  // With an event of no partition among them: one at a time, in the stream's order.
  for (int i = 0; i < 20; ++i) {
    ASSERT_TRUE(bus_->Publish({"ankommen.test.b", absl::StrCat("m", i), "t", absl::StrCat(i), i == 10 ? -1 : i % 4}).ok());
  }
  std::vector<int> handled;
  running = 0;
  most_at_once = 0;
  auto ordered = bus_->Consume(spec, [&](const IncomingEvent& e) {
    const int now = ++running;
    if (now > most_at_once) most_at_once = now;
    absl::SleepFor(absl::Milliseconds(2));
    {
      std::lock_guard lock(mutex);
      handled.push_back(std::stoi(e.payload));
    }
    --running;
    return absl::OkStatus();
  });
  ASSERT_TRUE(ordered.ok()) << ordered.status();
  ASSERT_TRUE(Eventually([&] { return Settled(); }));
  std::vector<int> expected(20);
  std::iota(expected.begin(), expected.end(), 0);
  EXPECT_EQ(handled, expected);
  EXPECT_EQ(most_at_once.load(), 1);
}

// A batch handler gets a lane's events together, each partition's in order,
// and answers each by itself: acknowledged, retried or dead-lettered.
TEST_F(BusTest, ABatchHandlerGetsALanesEventsTogetherAndAnswersEachByItself) {
  constexpr int kEach = 10, kPartitionsUsed = 4;
  for (int i = 0; i < kEach; ++i) {
    for (int p = 0; p < kPartitionsUsed; ++p) {
      ASSERT_TRUE(bus_->Publish({"ankommen.test.a", absl::StrCat("e", p, "-", i), "t", absl::StrCat(i), p}).ok());
    }
  }
  std::mutex mutex;
  std::map<int, std::vector<int>> order;  // partition -> payloads in the order given
  std::map<std::string, int> tries;       // event id -> times given
  size_t calls = 0, most_in_one_call = 0;
  ConsumerSpec spec = Spec("batches", 2);
  spec.workers = 2;
  auto consumer = bus_->ConsumeBatches(spec, [&](const std::vector<IncomingEvent>& events) {
    std::lock_guard lock(mutex);
    ++calls;
    most_in_one_call = std::max(most_in_one_call, events.size());
    std::vector<absl::Status> statuses;
    for (const auto& e : events) {
      EXPECT_EQ(e.cause, absl::StrCat("batches<", e.event_id));
      const int n = ++tries[e.event_id];
      if (n == 1) order[e.partition].push_back(std::stoi(e.payload));
      // One fails for good, one once: each is answered apart from the others.
      if (e.event_id == "e1-3") {
        statuses.push_back(absl::InvalidArgumentError("unreadable"));
      } else if (e.event_id == "e2-5" && n == 1) {
        statuses.push_back(absl::UnavailableError("not yet"));
      } else {
        statuses.push_back(absl::OkStatus());
      }
    }
    return statuses;
  });
  ASSERT_TRUE(consumer.ok()) << consumer.status();
  ASSERT_TRUE(Eventually([&] { return Settled() && bus_->GetStreamState(kDeadLetterStream)->messages == 1; }));
  (*consumer)->Stop();
  std::lock_guard lock(mutex);
  ASSERT_EQ(order.size(), static_cast<size_t>(kPartitionsUsed));
  for (const auto& [partition, payloads] : order) {
    ASSERT_EQ(payloads.size(), static_cast<size_t>(kEach)) << partition;
    for (int i = 0; i < kEach; ++i) EXPECT_EQ(payloads[static_cast<size_t>(i)], i) << "partition " << partition;
  }
  EXPECT_GT(most_in_one_call, static_cast<size_t>(kEach)) << "a lane's events come in one call";
  EXPECT_LT(calls, static_cast<size_t>(kEach * kPartitionsUsed));
  EXPECT_EQ(tries["e1-3"], 1) << "dead-lettered at once";
  EXPECT_EQ(tries["e2-5"], 2) << "retried alone";
  EXPECT_EQ(tries["e0-0"], 1) << "acknowledged, not given again";
  auto dead = bus_->ReadStream(kDeadLetterStream, 1, 10);
  ASSERT_TRUE(dead.ok());
  ASSERT_EQ(dead->size(), 1u);
  EXPECT_EQ((*dead)[0].failure, "unreadable");
}

TEST_F(BusTest, AFailedEventIsRedeliveredUntilItSucceeds) {
  ASSERT_TRUE(bus_->Publish({"ankommen.test.a", "flaky", "t", "p"}).ok());
  std::atomic<int> attempts{0};
  std::atomic<uint64_t> last_delivery{0};
  auto consumer = bus_->Consume(Spec("flaky", 5), [&](const IncomingEvent& e) {
    last_delivery = e.delivery;
    return ++attempts < 3 ? absl::UnavailableError("not yet") : absl::OkStatus();
  });
  ASSERT_TRUE(consumer.ok());
  EXPECT_TRUE(Eventually([&] { return attempts.load() == 3; }));
  EXPECT_TRUE(Eventually([&] { return Settled(); }));
  EXPECT_EQ(attempts.load(), 3);
  EXPECT_EQ(last_delivery.load(), 3u);
  EXPECT_EQ(bus_->GetStreamState(kDeadLetterStream)->messages, 0u);
}

TEST_F(BusTest, AnEventThatKeepsFailingGoesToTheDeadLetterStream) {
  ASSERT_TRUE(bus_->Publish({"ankommen.test.a", "poison", "t", "payload"}).ok());
  std::atomic<int> attempts{0};
  auto consumer = bus_->Consume(Spec("poisoned", 3), [&](const IncomingEvent&) {
    ++attempts;
    return absl::InternalError("cannot apply");
  });
  ASSERT_TRUE(consumer.ok());
  EXPECT_TRUE(Eventually([&] { return bus_->GetStreamState(kDeadLetterStream)->messages == 1; }));
  EXPECT_TRUE(Eventually([&] { return Settled(); }));
  EXPECT_EQ(attempts.load(), 3);
  auto dead = bus_->ReadStream(kDeadLetterStream, 1, 10);
  ASSERT_TRUE(dead.ok());
  ASSERT_EQ(dead->size(), 1u);
  EXPECT_EQ((*dead)[0].subject, "ankommen.dlq.poisoned");
  EXPECT_EQ((*dead)[0].original_subject, "ankommen.test.a");
  EXPECT_EQ((*dead)[0].failure, "cannot apply");
  // No copy of the event: the dead letter says where it is, and it is there.
  EXPECT_EQ((*dead)[0].payload, "");
  EXPECT_EQ((*dead)[0].original_stream, "TEST");
  ASSERT_GT((*dead)[0].original_sequence, 0u);
  auto original = bus_->ReadStream((*dead)[0].original_stream, (*dead)[0].original_sequence, 1);
  ASSERT_TRUE(original.ok());
  ASSERT_EQ(original->size(), 1u);
  EXPECT_EQ((*original)[0].event_id, "poison");
  EXPECT_EQ((*original)[0].payload, "payload");
}

TEST_F(BusTest, AMalformedEventIsDeadLetteredAtOnce) {
  ASSERT_TRUE(bus_->Publish({"ankommen.test.a", "garbage", "t", "x"}).ok());
  std::atomic<int> attempts{0};
  auto consumer = bus_->Consume(Spec("strict", 5), [&](const IncomingEvent&) {
    ++attempts;
    return absl::InvalidArgumentError("not a valid event");
  });
  ASSERT_TRUE(consumer.ok());
  EXPECT_TRUE(Eventually([&] { return bus_->GetStreamState(kDeadLetterStream)->messages == 1; }));
  EXPECT_EQ(attempts.load(), 1);
}

double MetricValue(Metrics& metrics, const std::string& name, const std::string& label_value) {
  for (const auto& family : metrics.registry().Collect()) {
    if (family.name != name) continue;
    for (const auto& m : family.metric) {
      for (const auto& l : m.label) {
        if (l.value == label_value) return family.type == prometheus::MetricType::Gauge ? m.gauge.value : m.counter.value;
      }
    }
  }
  return -1;
}

TEST_F(BusTest, BacklogIsReadFromJetStreamIntoAGauge) {
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(bus_->Publish({"ankommen.test.a", "b" + std::to_string(i), "t", "p"}).ok());
  std::atomic<bool> release{false};
  auto consumer = bus_->Consume(Spec("slow"), [&](const IncomingEvent&) {
    while (!release) absl::SleepFor(absl::Milliseconds(5));
    return absl::OkStatus();
  });
  ASSERT_TRUE(consumer.ok());
  EXPECT_TRUE(Eventually([&] { return MetricValue(metrics_, "ankommen_consumer_backlog_messages", "slow") == 5; }))
      << MetricValue(metrics_, "ankommen_consumer_backlog_messages", "slow") << " unacked "
      << MetricValue(metrics_, "ankommen_consumer_unacked_messages", "slow");
  release = true;
  (*consumer)->Stop();
  EXPECT_EQ(MetricValue(metrics_, "ankommen_events_consumed_total", "slow"), 5);
}

// The inbox: the consumer stores its effect and the event id in one step, so
// a redelivery (here: the ack was lost because the handler failed after
// storing) changes nothing the second time.
TEST_F(BusTest, TheInboxAppliesAnEventOnceWhateverIsRedelivered) {
  testing::RedisServer redis;
  auto pool = RedisPool::Connect(redis.url(), 2);
  ASSERT_TRUE(pool.ok());
  KeySpace keys("courses");
  Outbox outbox(**pool, keys);
  ASSERT_TRUE(bus_->Publish({"ankommen.test.a", "ev_once", "t", "p"}).ok());
  std::atomic<int> deliveries{0};
  auto consumer = bus_->Consume(Spec("counting", 5), [&](const IncomingEvent& e) -> absl::Status {
    ++deliveries;
    auto loaded = outbox.Load(keys.Key(1, "counter"));
    if (!loaded.ok()) return loaded.status();
    int64_t version = loaded->has_value() ? (*loaded)->version : 0;
    int count = loaded->has_value() ? std::stoi((*loaded)->state) : 0;
    Commit c;
    c.partition = 1;
    c.aggregate_key = keys.Key(1, "counter");
    c.expected_version = version;
    c.state = std::to_string(count + 1);
    c.idempotency_key = keys.Inbox(1, "counting", e.event_id);
    c.fingerprint = e.event_id;
    auto result = outbox.Apply(c);
    if (!result.ok()) return result.status();
    // Fail the first delivery after storing: JetStream delivers again.
    if (e.delivery == 1) return absl::UnavailableError("lost the ack");
    return absl::OkStatus();
  });
  ASSERT_TRUE(consumer.ok());
  EXPECT_TRUE(Eventually([&] { return deliveries.load() >= 2; }));
  EXPECT_TRUE(Eventually([&] { return Settled(); }));
  (*consumer)->Stop();
  EXPECT_EQ(deliveries.load(), 2);
  EXPECT_EQ((*outbox.Load(keys.Key(1, "counter")))->state, "1");
}

// A nats-server that lets in only who logs in: the services' credentials go
// in ANKOMMEN_NATS_URL (nats://user:password@host), and a refusal never
// repeats the password.
TEST(BusAuthTest, OnlyWhoLogsInGetsIn) {
  testing::NatsServer nats({"--user", "registry", "--pass", "s3cret"});
  const std::string host = "127.0.0.1:" + std::to_string(nats.port());
  EXPECT_FALSE(Bus::Connect("nats://" + host, "anonymous", nullptr, absl::Milliseconds(500)).ok());
  auto wrong = Bus::Connect("nats://registry:guess@" + host, "wrong", nullptr, absl::Milliseconds(500));
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(std::string(wrong.status().message()).find("guess"), std::string::npos) << wrong.status();
  auto bus = Bus::Connect("nats://registry:s3cret@" + host, "registry", nullptr);
  ASSERT_TRUE(bus.ok()) << bus.status();
  StreamSpec spec;
  spec.name = "AUTHED";
  spec.subjects = {"ankommen.authed.>"};
  ASSERT_TRUE((*bus)->EnsureStream(spec).ok());
  EXPECT_TRUE((*bus)->Publish({"ankommen.authed.x", "e1", "t", "p"}).ok());
  EXPECT_EQ((*bus)->GetStreamState("AUTHED")->messages, 1u);
}

}  // namespace
}  // namespace ankommen
