// Events: the course service applying the registry's HouseholdRegistered
// events (consumer, inbox, entitlement rules, the learner's record and its
// outbox event in one commit, metrics) beside raw JetStream — the same number
// of messages of the same size, consumed with a handler that does nothing —
// on the same nats-server, through the same consumer code and settings (a
// batch's partitions side by side on ANKOMMEN_CONSUMER_WORKERS threads). Both
// start from a stream already holding every event. Then the outbox relay
// draining n events beside publishing them one at a time. One JSON line with the ratio; the target is 60 % of raw JetStream (issue 24; an earlier one asked 30 %).
//
//   ankommen-events-bench [--events 5000] [--workers 4]
#include <csignal>
#include <iostream>
#include <map>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "bus/bus.h"
#include "domain/facts.h"
#include "store/ids.h"
#include "bus/streams.h"
#include "store/outbox.h"
#include "store/redis.h"
#include "runtime/config.h"
#include "support/sample_households.h"
#include "support/servers.h"

namespace {

// From the first of n events a stream's consumers have finished (handled and
// acknowledged, as the server counts them) to the last. Polled every 5 ms for
// both consumers alike: asking the server costs it work, so both pay the same.
absl::Duration TimeDrain(ankommen::Bus& bus, const std::string& stream, int n) {
  // Armed once the server counts all n waiting for the (stopped) consumer.
  bool armed = false;
  absl::Time first = absl::InfiniteFuture();
  const absl::Time give_up = absl::Now() + absl::Minutes(10);
  while (absl::Now() < give_up) {
    auto left = bus.Unfinished(stream);
    if (left.ok()) {
      if (*left >= n) armed = true;
      if (armed && *left < n && first == absl::InfiniteFuture()) first = absl::Now();
      if (armed && *left == 0) return absl::Now() - first;
    }
    absl::SleepFor(absl::Milliseconds(5));
  }
  std::cerr << "events not drained from " << stream << " in 10 minutes\n";
  std::exit(1);
}

}  // namespace

int main(int argc, char** argv) {
  using namespace ankommen;
  int n = 5000;
  int workers = ServiceConfig{}.consumer_workers;  // as the services consume by default
  for (int i = 1; i + 1 < argc; ++i) {
    if (std::string(argv[i]) == "--events") n = std::stoi(argv[i + 1]);
    if (std::string(argv[i]) == "--workers") workers = std::stoi(argv[i + 1]);
  }
  const std::map<std::string, std::string> env = {{"ANKOMMEN_COURSES_ALLOCATION_PERIOD", "86400"},
                                                  {"ANKOMMEN_CONSUMER_WORKERS", absl::StrCat(workers)}};
  testing::NatsServer nats;
  testing::RedisServer redis;
  auto bus = Bus::Connect(nats.url(), "events-bench", nullptr);
  if (!bus.ok()) {
    std::cerr << bus.status() << "\n";
    return 1;
  }
  // The course service creates its consumer, then stops while the events pile up.
  testing::ServiceProcess courses(ANKOMMEN_COURSES_BINARY, "ankommen.courses.v1.CourseService", nats, redis, env);
  courses.process().Stop(SIGTERM);

  // N households of one adult entitled to an integration course, as the registry publishes them.
  size_t bytes = 0;
  const absl::CivilDay today = absl::ToCivilDay(absl::Now(), absl::UTCTimeZone());
  for (int i = 0; i < n; ++i) {
    auto household = testing::SampleRegistration("bench").household();
    household.mutable_members()->DeleteSubrange(1, household.members_size() - 1);
    household.set_household_id(NewId("hh", i % kPartitions));
    household.mutable_members(0)->set_person_id(NewId("p", i % kPartitions));
    household.mutable_members(0)->set_household_id(household.household_id());
    household.mutable_members(0)->set_residence_status(registry::v1::RESIDENCE_STATUS_PROTECTION_GRANTED);
    const std::string event_id = NewId("ev", i % kPartitions);
    auto event = registry::MakeHouseholdRegistered(household, {event_id, absl::Now(), "bench"}, today, LandRules{});
    const std::string payload = event.SerializeAsString();
    bytes = payload.size();
    // With its household's partition, as the registry's outbox relay publishes it.
    if (auto s = (*bus)->Publish(
            {streams::kHouseholdRegistered, event_id, event.GetDescriptor()->full_name(), payload, i % kPartitions});
        !s.ok()) {
      std::cerr << s.status() << "\n";
      return 1;
    }
  }

  // Both clocks run the same way, read off the server: from the first event
  // acknowledged to the last (the service's start-up, and the raw consumer's
  // creation, are not timed).
  absl::Duration took;
  std::thread watch([&] { took = TimeDrain(**bus, streams::kRegistry, n); });
  courses.Restart(env);
  watch.join();
  const double applied = n / absl::ToDoubleSeconds(took);

  // Raw JetStream: the same number of messages of the same size, a handler that does nothing.
  StreamSpec raw;
  raw.name = "BENCH";
  raw.subjects = {"bench.>"};
  if (auto s = (*bus)->EnsureStream(raw); !s.ok()) {
    std::cerr << s << "\n";
    return 1;
  }
  ConsumerSpec spec;
  spec.stream = "BENCH";
  spec.durable = "bench";
  spec.workers = workers;
  const auto count = [](const IncomingEvent&) { return absl::OkStatus(); };
  // Its consumer made first and stopped while the messages pile up, as the course service's.
  if (auto made = (*bus)->Consume(spec, count); made.ok()) {
    (*made)->Stop();
  } else {
    return 1;
  }
  const std::string payload(bytes, 'x');
  for (int i = 0; i < n; ++i) {
    if (auto s = (*bus)->Publish({"bench.raw", absl::StrCat("raw-", i), "bench.Raw", payload, i % kPartitions}); !s.ok()) {
      return 1;
    }
  }
  absl::Duration raw_took;
  std::thread raw_watch([&] { raw_took = TimeDrain(**bus, "BENCH", n); });
  auto consumer = (*bus)->Consume(spec, count);
  if (!consumer.ok()) return 1;
  raw_watch.join();
  const double baseline = n / absl::ToDoubleSeconds(raw_took);
  (*consumer)->Stop();

  std::cout << "{\"case\": \"registry_to_waiting_list\", \"events\": " << n << ", \"event_bytes\": " << bytes
            << ", \"applied_per_second\": " << static_cast<long>(applied)
            << ", \"baseline\": \"raw jetstream consume\", \"baseline_per_second\": " << static_cast<long>(baseline)
            << ", \"ratio\": " << static_cast<double>(static_cast<long>(applied / baseline * 1000)) / 1000
            << ", \"consumer_workers\": " << workers << ", \"target_ratio\": 0.6, \"cores\": " << std::thread::hardware_concurrency() << "}\n";
  std::cout << absl::StrFormat("\n%d events of %zu bytes: applied %.0f/s, raw JetStream %.0f/s, ratio %.2f (target 0.60)\n", n,
                               bytes, applied, baseline, applied / baseline);
  courses.process().Stop(SIGTERM);

  // The outbox relay: n events committed over the 16 partitions' outboxes,
  // drained to JetStream (each partition's entries published without waiting
  // for each answer, then marked in one script) — beside publishing the same
  // events one at a time, each waiting for its answer, as the relay did
  // before (it then also ran a script per event: the baseline leaves that out).
  auto pool = RedisPool::Connect(redis.url(), 2);
  if (!pool.ok()) return 1;
  const KeySpace keys("relaybench");
  Outbox outbox(**pool, keys);
  StreamSpec relayed_stream;
  relayed_stream.name = "RELAYBENCH";
  relayed_stream.subjects = {"relaybench.>"};
  if (auto s = (*bus)->EnsureStream(relayed_stream); !s.ok()) return 1;
  for (int i = 0; i < n; ++i) {
    Commit c;
    c.partition = i % kPartitions;
    c.aggregate_key = keys.Key(c.partition, absl::StrCat("thing:", i));
    c.state = payload;
    c.events.push_back({"relaybench.relayed", absl::StrCat("relayed-", i), "bench.Relayed", payload});
    if (auto r = outbox.Apply(c); !r.ok()) {
      std::cerr << r.status() << "\n";
      return 1;
    }
  }
  OutboxRelay relay(**pool, **bus, keys, nullptr);
  const absl::Time relay_start = absl::Now();
  int drained = 0;
  while (drained < n) {
    auto once = relay.DrainOnce();
    if (!once.ok()) {
      std::cerr << once.status() << "\n";
      return 1;
    }
    drained += *once;
  }
  const double relayed = n / absl::ToDoubleSeconds(absl::Now() - relay_start);
  const absl::Time one_start = absl::Now();
  for (int i = 0; i < n; ++i) {
    if (!(*bus)->Publish({"relaybench.one", absl::StrCat("one-", i), "bench.Relayed", payload, i % kPartitions}).ok()) {
      return 1;
    }
  }
  const double one_by_one = n / absl::ToDoubleSeconds(absl::Now() - one_start);
  std::cout << "{\"case\": \"outbox_relay\", \"events\": " << n << ", \"relayed_per_second\": " << static_cast<long>(relayed)
            << ", \"baseline\": \"publish one at a time, each answer awaited\", \"baseline_per_second\": "
            << static_cast<long>(one_by_one) << ", \"ratio\": "
            << static_cast<double>(static_cast<long>(relayed / one_by_one * 100)) / 100 << "}\n";
  return 0;
}
