// The store: what one command's write costs in Redis — the project's atomic
// commit (idempotency record, version check, state, an index entry and an
// outbox event, in one Lua script; outbox.h) — beside a plain SET of the same
// state, on one redis-server started here on a loopback port: one write per
// round trip at 1 and 8 clients, and 16 per round trip at 8. One JSON line
// per case with the ratio of the medians of three alternating runs; the
// target is at least 50 % of SET.
//
//   ankommen-store-bench [--ops 20000]
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <iostream>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "store/ids.h"
#include "store/outbox.h"
#include "store/redis.h"
#include "support/servers.h"

namespace {

using namespace ankommen;

// Failed operations over the whole run: a benchmark with any fails (exit 1).
std::atomic<long> failures{0};

// Runs `op(i)` for i in [0, ops) on `threads` threads; successful operations
// per second (a failed one is counted in `failures`, never as throughput).
// An op of `weight` writes fails as that many.
template <typename Op>
double Rate(int ops, int threads, int weight, const Op& op) {
  std::atomic<int> next{0}, failed{0};
  const absl::Time start = absl::Now();
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&] {
      for (int i = next++; i < ops; i = next++) {
        if (!op(i)) ++failed;
      }
    });
  }
  for (auto& w : workers) w.join();
  const double seconds = absl::ToDoubleSeconds(absl::Now() - start);
  if (failed > 0) std::cerr << failed * weight << " writes failed\n";
  failures += failed * weight;
  return (ops - failed) / seconds;
}

}  // namespace

int main(int argc, char** argv) {
  int ops = 20000;
  for (int i = 1; i + 1 < argc; ++i) {
    if (std::string(argv[i]) == "--ops") ops = std::stoi(argv[i + 1]);
  }
  testing::RedisServer server;
  const std::string state(200, 's');  // about a course record with a few holds
  std::cout << "store: " << ops << " writes per case, redis-server on 127.0.0.1:" << server.port() << "\n";
  std::string table = "\nclients  per trip  commits/s      SET/s  ratio  target\n";
  // One write per round trip, as a command makes it; then 16, as the course
  // service commits a lane of events (Outbox::ApplyEach) beside 16 SETs in
  // one pipeline: the round trips out of the picture, what is left is the
  // work redis-server does per write.
  for (auto [threads, per_trip] : {std::pair{1, 1}, std::pair{8, 1}, std::pair{8, 16}}) {
    auto pool = RedisPool::Connect(server.url(), threads);
    if (!pool.ok()) {
      std::cerr << pool.status() << "\n";
      return 1;
    }
    Outbox outbox(**pool, KeySpace("bench"));
    auto commit_of = [&](const std::string& run, int i) {
      Commit c;
      c.partition = i % kPartitions;
      c.aggregate_key = outbox.keys().Key(c.partition, absl::StrCat("seat:", run, i));
      c.expected_version = 0;
      c.state = state;
      c.idempotency_key = outbox.keys().Idempotency(c.partition, "reserve", absl::StrCat(run, i));
      c.fingerprint = "f";
      c.response = "ok";
      c.index_ops = {IndexOp::SortedAdd(outbox.keys().Key(c.partition, "seats"), absl::StrCat(run, i), i)};
      c.events = {{"ankommen.courses.offer.made", absl::StrCat("ev_", run, i), "bench.SeatOffered", std::string(120, 'e')}};
      return c;
    };
    std::vector<double> sets, commits;
    const int trips = ops / per_trip;
    for (int rep = 0; rep < 3; ++rep) {
      const std::string run = absl::StrCat(threads, "x", per_trip, "-", rep, "-");
      sets.push_back(per_trip * Rate(trips, threads, per_trip, [&](int trip) {
        std::vector<std::vector<std::string>> writes;
        for (int i = trip * per_trip; i < (trip + 1) * per_trip; ++i) {
          writes.push_back({"SET", absl::StrCat("bench:set:", run, i), state});
        }
        return (*pool)->Pipeline(writes).ok();
      }));
      commits.push_back(per_trip * Rate(trips, threads, per_trip, [&](int trip) {
        std::vector<Commit> batch;
        for (int i = trip * per_trip; i < (trip + 1) * per_trip; ++i) batch.push_back(commit_of(run, i));
        if (per_trip == 1) {
          auto r = outbox.Apply(batch[0]);
          return r.ok() && r->outcome == CommitResult::Outcome::kCommitted;
        }
        auto results = outbox.ApplyEach(batch);
        if (!results.ok()) return false;
        for (const auto& r : *results) {
          if (!r.ok() || r->outcome != CommitResult::Outcome::kCommitted) return false;
        }
        return true;
      }));
    }
    std::sort(sets.begin(), sets.end());
    std::sort(commits.begin(), commits.end());
    const double set = sets[1], commit = commits[1];  // medians
    std::cout << "{\"case\": \"store_commit\", \"threads\": " << threads << ", \"per_round_trip\": " << per_trip
              << ", \"ops\": " << trips * per_trip << ", \"ops_per_second\": " << static_cast<long>(commit)
              << ", \"baseline\": \"redis SET\", \"baseline_ops_per_second\": " << static_cast<long>(set)
              << ", \"ratio\": " << static_cast<double>(static_cast<long>(commit / set * 1000)) / 1000
              << ", \"target_ratio\": 0.5, \"cores\": " << std::thread::hardware_concurrency() << "}\n";
    table += absl::StrFormat("%7d %9d %10.0f %10.0f %6.2f  %s\n", threads, per_trip, commit, set, commit / set,
                             commit / set >= 0.5 ? ">= 0.5 met" : ">= 0.5 not met");
  }
  std::cout << table;
  if (failures > 0) {
    std::cerr << "store: " << failures << " operations failed; the figures above do not count them\n";
    return 1;
  }
  return 0;
}
