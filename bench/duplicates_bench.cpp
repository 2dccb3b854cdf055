// Duplicate detection: checking a new registration against a registry of
// 100,000 persons, as the registry does it (blocking keys -> the persons filed
// under them in Redis -> their households -> scores; registry.cpp Suspects),
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
#include "store/ids.h"
#include "store/outbox.h"
#include "store/redis.h"
#include "storage/household_store.h"
#include "support/servers.h"

namespace {

using namespace ankommen;
namespace v1 = ankommen::registry::v1;

const std::vector<std::string> kGiven = {
    "Mohammed", "Muhammad", "Ahmad", "Ali", "Hussein", "Hassan", "Omar", "Yusuf", "Khaled", "Abdullah", "Mahmoud",
    "Karim", "Said", "Jamal", "Hamid", "Reza", "Mehdi", "Farid", "Amir", "Bilal", "Fatima", "Amina", "Zainab",
    "Mariam", "Aisha", "Nour", "Layla", "Rania", "Samira", "Yasmin", "Zahra", "Shirin", "Fatemeh", "Maryam",
    "Oleksandr", "Andriy", "Dmytro", "Serhii", "Ivan", "Mykola", "Olena", "Iryna", "Natalia", "Yuliia", "Olga",
    "Tetiana", "Oksana", "Tesfaye", "Haile", "Mehret", "Yonas", "Selam", "Dawit", "Senait", "Abraham", "Ruta"};
const std::vector<std::string> kFamilyRoots = {
    "Haddad", "Al-Hassan", "Kassem", "Rahimi", "Ahmadi", "Hosseini", "Karimi", "Mohammadi", "Yousefi", "Sultani",
    "Noori", "Haidari", "Qureshi", "Abdelaziz", "Khatib", "Shevchenko", "Kovalenko", "Bondarenko", "Tkachenko",
    "Kuznetsov", "Popov", "Melnyk", "Boyko", "Kravchenko", "Tesfamariam", "Gebremedhin", "Kidane", "Habte",
    "Berhane", "Tekle", "Osman", "Ibrahim", "Mustafa", "Saleh", "Darwish", "Nasser", "Hamdan", "Mansour"};
const std::vector<std::string> kSuffixes = {"", "i", "ov", "enko", "zada", "yar", "an", "ani", "o", "uk"};

struct Generator {
  std::mt19937_64 rng;
  explicit Generator(uint64_t seed) : rng(seed) {}
  template <typename T>
  const T& Pick(const std::vector<T>& v) { return v[rng() % v.size()]; }
  std::string Date(int from_year, int to_year) {
    // Many papers say 1 January for an unknown birthday.
    int year = from_year + static_cast<int>(rng() % (to_year - from_year + 1));
    if (rng() % 100 < 15) return absl::StrFormat("%04d-01-01", year);
    return absl::StrFormat("%04d-%02d-%02d", year, 1 + rng() % 12, 1 + rng() % 28);
  }
  v1::Household Household(int partition) {
    v1::Household h;
    h.set_household_id(NewId("hh", partition));
    std::string family = Pick(kFamilyRoots) + Pick(kSuffixes);
    int size = 1 + static_cast<int>(rng() % 6);
    for (int m = 0; m < size; ++m) {
      auto* p = h.add_members();
      p->set_person_id(NewId("p", partition));
      p->set_household_id(h.household_id());
      p->set_given_names(Pick(kGiven));
      p->set_family_name(family);
      p->set_birth_date(m < 2 ? Date(1950, 2004) : Date(2006, 2025));
      p->set_nationality(Pick(std::vector<std::string>{"SY", "AF", "UA", "ER", "IQ", "TR"}));
    }
    return h;
  }
};

std::vector<std::string> Command(const IndexOp& op) {
  switch (op.kind) {
    case IndexOp::Kind::kSet: return {"SET", op.key, op.member};
    case IndexOp::Kind::kSortedAdd: return {"ZADD", op.key, absl::StrCat(op.score), op.member};
    default: return {};
  }
}

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v[v.size() / 2];
}

double Percentile(std::vector<double> v, double q) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v[std::min(v.size() - 1, static_cast<size_t>(q * static_cast<double>(v.size())))];
}

}  // namespace

int main(int argc, char** argv) {
  int persons = 100000, checks = 200;
  for (int i = 1; i + 1 < argc; ++i) {
    if (std::string(argv[i]) == "--persons") persons = std::stoi(argv[i + 1]);
    if (std::string(argv[i]) == "--checks") checks = std::stoi(argv[i + 1]);
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
    for (const auto& op : store.IndexNew(h)) {
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
      v1::Household again = households[fresh.rng() % households.size()];
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
    std::vector<registry::PersonProfile> members;
    std::vector<std::string> keys;
    for (const auto& p : h.members()) {
      members.push_back(registry::ProfileOf(p));
      for (auto& k : registry::BlockingKeys(members.back())) keys.push_back(std::move(k));
    }
    auto ids = store.PersonsUnderKeys(keys);
    auto loaded = store.LoadActivePersons(*ids);
    if (!ids.ok() || !loaded.ok()) return 1;
    std::vector<registry::PersonProfile> found_profiles;
    for (const auto& p : *loaded) found_profiles.push_back(registry::ProfileOf(p));
    auto suspects = registry::FindSuspects(members, found_profiles);
    blocked_ms.push_back(absl::ToDoubleMilliseconds(absl::Now() - start));
    candidates.push_back(static_cast<double>(found_profiles.size()));
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
  return 0;
}
