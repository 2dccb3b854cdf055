// Duplicate detection: checking a new registration against a registry of
// 100,000 persons, as the registry does it (blocking keys -> the persons filed
// under them in Redis -> their profiles -> scores; CheckForDuplicates),
// beside the baseline it avoids: scoring the new household against every
// person. One redis-server started here on a loopback port; synthetic
// persons with names drawn from the transliteration corpus' names, so that
// common names (Mohammed, Olena) make crowded blocks as they do in a district.
// One JSON line with medians; the target is well under 100 ms per registration.
//
//   ankommen-duplicates-bench [--persons 100000] [--checks 200]
#include <algorithm>
#include <iostream>
#include <random>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "ankommen/registry/v1/registry.pb.h"
#include "domain/duplicates.h"
#include "duplicate_check.h"
#include "store/ids.h"
#include "store/outbox.h"
#include "store/redis.h"
#include "registry.h"
#include "sample_names.h"
#include "stats.h"
#include "storage/household_store.h"
#include "support/servers.h"

namespace {

using namespace ankommen;
namespace v1 = ankommen::registry::v1;

// Registrations as the registry stores them, drawn by sample_names.h.
struct Generator {
  bench::NameDraw draw;
  explicit Generator(uint64_t seed) : draw(seed) {}
  uint64_t Next() { return draw.Next(); }
  v1::Household Household(int partition) {
    v1::Household h;
    h.set_household_id(NewId("hh", partition));
    for (const auto& drawn : draw.Family(6)) {
      auto* p = h.add_members();
      p->set_person_id(NewId("p", partition));
      p->set_household_id(h.household_id());
      p->set_given_names(drawn.given);
      p->set_family_name(drawn.family);
      p->set_birth_date(drawn.birth_date);
      p->set_nationality(drawn.nationality);
    }
    return h;
  }
};

std::vector<std::string> Command(const IndexOp& op) {
  switch (op.kind) {
    case IndexOp::Kind::kSet: return {"SET", op.key, op.member};
    case IndexOp::Kind::kSortedAdd: return {"ZADD", op.key, absl::StrFormat("%.17g", op.score), op.member};
    default: return {};
  }
}

using bench::Median;
using bench::Percentile;

}  // namespace

int main(int argc, char** argv) {
  int persons = 100000, checks = 200, crowded = 10000;
  for (int i = 1; i + 1 < argc; ++i) {
    if (std::string(argv[i]) == "--persons") persons = std::stoi(argv[i + 1]);
    if (std::string(argv[i]) == "--checks") checks = std::stoi(argv[i + 1]);
    if (std::string(argv[i]) == "--crowded") crowded = std::stoi(argv[i + 1]);
  }
  testing::RedisServer server;
  auto pool = RedisPool::Connect(server.url(), 2);
  if (!pool.ok()) {
    std::cerr << pool.status() << "\n";
    return 1;
  }
  Outbox outbox(**pool, KeySpace("registry"));
  registry::HouseholdStore store(outbox, **pool);

  // The registry as the registry itself would have written it.
  Generator gen(1);
  std::vector<registry::PersonProfile> everyone;
  std::vector<v1::Household> households;
  const absl::Time fill_start = absl::Now();
  std::vector<std::vector<std::string>> batch;
  auto flush = [&] {
    if (batch.empty()) return true;
    auto r = (*pool)->Pipeline(batch);
    batch.clear();
    return r.ok();
  };
  while (static_cast<int>(everyone.size()) < persons) {
    v1::Household h = gen.Household(static_cast<int>(households.size() % kPartitions));
    batch.push_back({"HSET", store.HouseholdKey(h.household_id()), "v", "1", "data", h.SerializeAsString()});
    for (const auto& op : store.IndexNew(h, absl::Now())) {
      if (auto c = Command(op); !c.empty()) batch.push_back(std::move(c));
    }
    for (const auto& p : h.members()) everyone.push_back(registry::ProfileOf(p));
    households.push_back(std::move(h));
    if (batch.size() > 2000 && !flush()) return 1;
  }
  if (!flush()) return 1;
  std::cout << "duplicates: " << everyone.size() << " persons in " << households.size()
            << " households written in " << absl::ToDoubleSeconds(absl::Now() - fill_start)
            << " s; redis-server on 127.0.0.1:" << server.port() << "\n";

  // New registrations: most new families, every fourth an existing family again.
  Generator fresh(2);
  std::vector<v1::Household> arrivals;
  for (int i = 0; i < checks; ++i) {
    if (i % 4 == 0) {
      v1::Household again = households[fresh.Next() % households.size()];
      again.set_household_id(NewId("hh", 0));
      for (auto& p : *again.mutable_members()) p.set_person_id(NewId("p", 0));
      arrivals.push_back(std::move(again));
    } else {
      arrivals.push_back(fresh.Household(0));
    }
  }

  // As the registry checks: blocking keys, Redis, scores.
  std::vector<double> blocked_ms, candidates;
  int duplicates_found = 0, duplicates_injected = 0;
  for (size_t i = 0; i < arrivals.size(); ++i) {
    const auto& h = arrivals[i];
    const absl::Time start = absl::Now();
    auto check = registry::CheckForDuplicates(store, h, registry::RegistrySettings{}.duplicate_candidates_per_key);
    if (!check.ok()) return 1;
    const auto& suspects = check->suspects;
    blocked_ms.push_back(absl::ToDoubleMilliseconds(absl::Now() - start));
    candidates.push_back(static_cast<double>(check->compared));
    if (i % 4 == 0) {
      ++duplicates_injected;
      if (!suspects.empty()) ++duplicates_found;
    }
  }

  // The baseline: every person scored, no Redis at all (a handful: it is slow).
  std::vector<double> scan_ms;
  for (size_t i = 1; i < arrivals.size() && scan_ms.size() < 5; i += 4) {
    std::vector<registry::PersonProfile> members;
    for (const auto& p : arrivals[i].members()) members.push_back(registry::ProfileOf(p));
    const absl::Time start = absl::Now();
    auto suspects = registry::FindSuspects(members, everyone);
    scan_ms.push_back(absl::ToDoubleMilliseconds(absl::Now() - start));
  }

  const double median = Median(blocked_ms), scan = Median(scan_ms);
  std::cout << absl::StrFormat(
      "{\"case\": \"duplicate_check\", \"persons\": %d, \"checks\": %d, \"median_ms\": %.2f, \"p90_ms\": %.2f, "
      "\"median_candidates\": %.0f, \"baseline\": \"score every person\", \"baseline_median_ms\": %.1f, "
      "\"speedup\": %.0f, \"families_registered_again\": %d, \"found\": %d, \"target_ms\": 100, \"cores\": %u}\n",
      static_cast<int>(everyone.size()), checks, median, Percentile(blocked_ms, 0.9), Median(candidates), scan,
      median > 0 ? scan / median : 0, duplicates_injected, duplicates_found, std::thread::hardware_concurrency());
  std::cout << absl::StrFormat(
      "\nper registration   median ms   p90 ms   candidates  target\n"
      "blocked (Redis)  %10.2f %8.2f %12.0f  < 100 ms %s\n"
      "every person     %10.1f %8s %12zu\n"
      "families registered again: %d, found: %d\n",
      median, Percentile(blocked_ms, 0.9), Median(candidates), median < 100 ? "met" : "not met", scan, "-",
      everyone.size(), duplicates_injected, duplicates_found);

  // A crowded block: `crowded` people of one name and the stand-in birth date
  // filed besides, then a check of one more, timed by part: reading the
  // candidates from Redis, and scoring them.
  if (crowded > 0) {
    for (int i = 0; i < crowded; ++i) {
      v1::Household h;
      h.set_household_id(NewId("hh", i % kPartitions));
      auto* p = h.add_members();
      p->set_person_id(NewId("p", i % kPartitions));
      p->set_household_id(h.household_id());
      p->set_given_names("Mohammad");
      p->set_family_name("Ahmadi");
      p->set_birth_date("1995-01-01");
      p->set_nationality("AF");
      batch.push_back({"HSET", store.HouseholdKey(h.household_id()), "v", "1", "data", h.SerializeAsString()});
      batch.push_back({"SET", store.PersonKey(p->person_id()), h.household_id()});
      for (const auto& op : store.IndexNew(h, absl::FromUnixMillis(1700000000000 + i))) {
        if (auto c = Command(op); !c.empty()) batch.push_back(std::move(c));
      }
      if (batch.size() > 2000 && !flush()) return 1;
    }
    if (!flush()) return 1;
    v1::Household one;
    one.set_household_id(NewId("hh", 0));
    auto* newcomer = one.add_members();
    newcomer->set_person_id(NewId("p", 0));
    newcomer->set_given_names("Mohammad");
    newcomer->set_family_name("Ahmadi");
    newcomer->set_birth_date("1995-01-01");
    newcomer->set_nationality("AF");
    std::vector<double> read_ms, score_ms, compared;
    for (int i = 0; i < checks; ++i) {
      const absl::Time start = absl::Now();
      auto c = store.DuplicateCandidates(one, registry::RegistrySettings{}.duplicate_candidates_per_key);
      if (!c.ok()) return 1;
      const absl::Time read = absl::Now();
      auto suspects = registry::FindSuspects(c->members, c->candidates);
      read_ms.push_back(absl::ToDoubleMilliseconds(read - start));
      score_ms.push_back(absl::ToDoubleMilliseconds(absl::Now() - read));
      compared.push_back(static_cast<double>(c->candidates.size()));
    }
    std::cout << absl::StrFormat(
        "{\"case\": \"crowded_block_check\", \"crowded\": %d, \"checks\": %d, \"read_median_ms\": %.2f, "
        "\"score_median_ms\": %.2f, \"compared\": %.0f}\n"
        "crowded block of %d: reading candidates %.2f ms, scoring %.2f ms (median), %.0f compared\n",
        crowded, checks, Median(read_ms), Median(score_ms), Median(compared), crowded, Median(read_ms),
        Median(score_ms), Median(compared));
  }
  return 0;
}
