// HouseholdStore's reads for duplicate detection (household_store.h): the
// persons filed under blocking keys, their profiles (or, for persons stored
// before profiles were, their households), what a check compares, and the
// held persons under review.
#include <algorithm>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string_view>
#include <tuple>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "google/protobuf/arena.h"
#include "household_store.h"
#include "store/ids.h"
#include "store/redis.h"

namespace ankommen::registry {

absl::StatusOr<HouseholdStore::Filed> HouseholdStore::PersonsUnderKeys(const std::vector<std::string>& blocking_keys,
                                                                       int per_key) {
  // Each key's latest `per_key`, and one more: was anyone left out? One set
  // per key (BlockingKey), all in one round trip. Redis answers those filed
  // in the same millisecond in the same order on every run (by id, reversed).
  Filed filed;
  if (blocking_keys.empty()) return filed;
  std::vector<std::vector<std::string>> reads;
  reads.reserve(blocking_keys.size());
  const std::string limit = std::to_string(per_key + 1);
  for (const auto& k : blocking_keys) {
    reads.push_back({"ZRANGE", BlockingKey(k), "+inf", "-inf", "BYSCORE", "REV", "LIMIT", "0", limit});
  }
  auto replies = redis_.Pipeline(reads);
  if (!replies.ok()) return replies.status();
  // Each person once, in the order first found. A crowded name's keys hold
  // mostly the same persons: the replies' own strings are looked up, and
  // only a person not seen before is copied.
  absl::flat_hash_set<std::string_view> seen;
  size_t replied = 0;
  for (const auto& under_key : *replies) replied += under_key.elements.size();
  seen.reserve(replied);
  for (const auto& under_key : *replies) {
    const auto& ids = under_key.elements;
    const size_t taken = std::min(ids.size(), static_cast<size_t>(per_key));
    if (ids.size() > taken) ++filed.crowded;
    for (size_t i = 0; i < taken; ++i) {
      if (seen.insert(ids[i].str).second) filed.person_ids.push_back(ids[i].str);
    }
  }
  return filed;
}

absl::Status HouseholdStore::VisitHouseholdsOf(const std::vector<std::string>& person_ids,
                                               const std::function<void(const v1::Household&)>& visit) {
  if (person_ids.empty()) return absl::OkStatus();
  std::vector<std::vector<std::string>> gets;
  gets.reserve(person_ids.size());
  for (const auto& id : person_ids) gets.push_back({"GET", PersonKey(id)});
  auto refs = redis_.Pipeline(gets);
  if (!refs.ok()) return refs.status();
  // Each household once, however many of its members are asked for.
  std::set<std::string> wanted;
  for (const auto& r : *refs) {
    if (r.is_nil() || r.str == "erased" || absl::StartsWith(r.str, "merged:")) continue;
    wanted.insert(r.str);
  }
  std::vector<std::vector<std::string>> loads;
  for (const auto& household_id : wanted) loads.push_back({"HGET", HouseholdKey(household_id), "data"});
  if (loads.empty()) return absl::OkStatus();
  auto households = redis_.Pipeline(loads);
  if (!households.ok()) return households.status();
  // A check parses dozens of households and drops them at once: on one arena
  // their hundreds of strings are one allocation's worth, freed together.
  google::protobuf::Arena arena;
  for (const auto& reply : *households) {
    auto* h = google::protobuf::Arena::CreateMessage<v1::Household>(&arena);
    if (reply.is_nil() || !h->ParseFromString(reply.str)) continue;
    for (auto& p : *h->mutable_members()) p.set_household_id(h->household_id());
    visit(*h);
  }
  return absl::OkStatus();
}

namespace {

// Whether a person shares one of `wanted` blocking keys; each (names, date)
// keyed once per check, as a crowded block's households are full of the same.
class SharesAKey {
 public:
  explicit SharesAKey(const std::vector<std::string>& wanted) : wanted_(wanted.begin(), wanted.end()) {}
  explicit SharesAKey(const std::vector<PersonProfile>& members) {
    for (const auto& m : members) {
      for (auto& k : BlockingKeys(m)) wanted_.insert(std::move(k));
    }
  }
  bool operator()(const PersonProfile& p) {
    auto [it, fresh] = known_.try_emplace({p.given_names, p.family_name, p.birth_date}, false);
    if (fresh) {
      for (const auto& k : BlockingKeys(p)) it->second = it->second || wanted_.count(k) > 0;
    }
    return it->second;
  }

 private:
  std::set<std::string> wanted_;
  std::map<std::tuple<std::string, std::string, std::string>, bool> known_;
};

}  // namespace

absl::StatusOr<HouseholdStore::Compared> HouseholdStore::DuplicateCandidates(const v1::Household& household,
                                                                           int per_key) {
  Compared out;
  std::vector<std::string> keys;
  for (const auto& p : household.members()) {
    out.members.push_back(ProfileOf(p));
    for (auto& k : BlockingKeys(out.members.back())) keys.push_back(std::move(k));
  }
  auto filed = PersonsUnderKeys(keys, per_key);
  if (!filed.ok()) return filed.status();
  out.crowded_keys = filed->crowded;
  std::vector<std::string> unprofiled;
  auto profiles = LoadProfiles(filed->person_ids, /*with_housemates=*/out.crowded_keys > 0);
  if (!profiles.ok()) return profiles.status();
  for (size_t i = 0; i < filed->person_ids.size(); ++i) {
    auto& stored = (*profiles)[i];
    if (!stored) {
      unprofiled.push_back(filed->person_ids[i]);
      continue;
    }
    if (stored->profile.household_id == household.household_id()) continue;
    // Without a crowded key every person under the keys was found already.
    if (out.crowded_keys > 0 && !stored->housemates.empty()) {
      out.housemates.try_emplace(stored->profile.household_id, std::move(stored->housemates));
    }
    out.candidates.push_back(std::move(stored->profile));
  }
  // Persons stored before profiles were: their households are read, and with
  // a crowded key their members that share a key are compared at once.
  if (unprofiled.empty()) return out;
  const std::set<std::string> asked(unprofiled.begin(), unprofiled.end());
  std::set<std::string> seen(filed->person_ids.begin(), filed->person_ids.end());
  SharesAKey shares_a_key(keys);  // the members' keys, worked out above
  auto visited = VisitHouseholdsOf(unprofiled, [&](const v1::Household& h) {
    if (h.household_id() == household.household_id()) return;
    for (const auto& p : h.members()) {
      if (asked.count(p.person_id()) > 0 ||
          (out.crowded_keys > 0 && h.members_size() > 1 && seen.count(p.person_id()) == 0 &&
           shares_a_key(ProfileOf(p)))) {
        seen.insert(p.person_id());
        out.candidates.push_back(ProfileOf(p));
      }
    }
  });
  if (!visited.ok()) return visited;
  return out;
}

absl::StatusOr<std::vector<PersonProfile>> HouseholdStore::HousematesSharingAKey(
    const std::vector<std::string>& person_ids, const std::vector<PersonProfile>& members) {
  std::vector<PersonProfile> out;
  auto profiles = LoadProfiles(person_ids, /*with_housemates=*/false);
  if (!profiles.ok()) return profiles.status();
  SharesAKey shares_a_key(members);
  std::vector<std::string> unprofiled;
  for (size_t i = 0; i < person_ids.size(); ++i) {
    auto& stored = (*profiles)[i];
    if (!stored) {
      unprofiled.push_back(person_ids[i]);
    } else if (shares_a_key(stored->profile)) {
      out.push_back(std::move(stored->profile));
    }
  }
  // A household's profiles are written together; one without them is read.
  const std::set<std::string> asked(unprofiled.begin(), unprofiled.end());
  auto visited = VisitHouseholdsOf(unprofiled, [&](const v1::Household& h) {
    for (const auto& p : h.members()) {
      if (asked.count(p.person_id()) > 0 && shares_a_key(ProfileOf(p))) out.push_back(ProfileOf(p));
    }
  });
  if (!visited.ok()) return visited;
  return out;
}

absl::StatusOr<std::vector<std::optional<StoredProfile>>> HouseholdStore::LoadProfiles(
    const std::vector<std::string>& person_ids, bool with_housemates) {
  std::vector<std::optional<StoredProfile>> out;
  if (person_ids.empty()) return out;
  // One MGET: Redis reads and answers one command, not one per person (a
  // crowded check asks for dozens).
  std::vector<std::string> mget;
  mget.reserve(person_ids.size() + 1);
  mget.push_back("MGET");
  for (const auto& id : person_ids) mget.push_back(ProfileKey(id));
  auto reply = redis_.Command(mget);
  if (!reply.ok()) return reply.status();
  if (reply->elements.size() != person_ids.size()) {
    return absl::InternalError(absl::StrCat("redis: MGET of ", person_ids.size(), " profiles answered ",
                                            reply->elements.size()));
  }
  out.reserve(person_ids.size());
  for (size_t i = 0; i < person_ids.size(); ++i) {
    const auto& r = reply->elements[i];
    out.push_back(r.is_nil() ? std::nullopt : DecodeProfile(person_ids[i], r.str, with_housemates));
  }
  return out;
}

absl::StatusOr<std::vector<v1::Person>> HouseholdStore::LoadActivePersons(const std::vector<std::string>& person_ids) {
  const std::set<std::string> asked(person_ids.begin(), person_ids.end());
  std::vector<v1::Person> out;
  auto visited = VisitHouseholdsOf(person_ids, [&](const v1::Household& h) {
    for (const auto& p : h.members()) {
      if (asked.count(p.person_id()) > 0) out.push_back(p);
    }
  });
  if (!visited.ok()) return visited;
  return out;
}

absl::StatusOr<HeldPage> HouseholdStore::ListHeld(int page_size, const std::string& token) {
  // Oldest first across partitions: gather each partition's oldest entries
  // beyond the token's (found_at, id), then merge.
  int64_t after_time = -1;
  std::string after_id;
  if (!token.empty()) {
    std::vector<std::string> parts = absl::StrSplit(token, absl::MaxSplits('/', 1));
    if (parts.size() != 2 || !absl::SimpleAtoi(parts[0], &after_time) || after_time < 0) {
      return absl::InvalidArgumentError("page_token: is not a token this service gave out");
    }
    after_id = parts[1];
  }
  auto scored = ScoredAcrossPartitions([this](int p) { return HeldKey(p); },
                                       after_time < 0 ? "-inf" : std::to_string(after_time), "+inf", page_size + 1000);
  if (!scored.ok()) return scored.status();
  std::vector<std::pair<int64_t, std::string>> entries;
  for (auto& e : *scored) {
    if (after_time >= 0 && e <= std::make_pair(after_time, after_id)) continue;
    entries.push_back(std::move(e));
  }
  HeldPage page;
  if (static_cast<int>(entries.size()) > page_size) {
    entries.resize(page_size);
    page.next_page_token = absl::StrCat(entries.back().first, "/", entries.back().second);
  }
  std::vector<std::string> ids;
  for (const auto& e : entries) ids.push_back(e.second);
  auto persons = LoadActivePersons(ids);
  if (!persons.ok()) return persons.status();
  std::map<std::string, const v1::Person*> by_id;
  for (const auto& p : *persons) by_id[p.person_id()] = &p;
  for (const auto& id : ids) {
    auto it = by_id.find(id);
    if (it == by_id.end()) continue;
    for (const auto& s : it->second->suspected_duplicates()) page.held.push_back({id, it->second->household_id(), s});
  }
  return page;
}

absl::StatusOr<HeldStats> HouseholdStore::CountHeld() {
  std::vector<std::vector<std::string>> reads;
  for (int p = 0; p < kPartitions; ++p) {
    reads.push_back({"ZCARD", HeldKey(p)});
    reads.push_back({"ZRANGE", HeldKey(p), "0", "0", "WITHSCORES"});
  }
  auto replies = redis_.Pipeline(reads);
  if (!replies.ok()) return replies.status();
  HeldStats stats;
  for (size_t i = 0; i + 1 < replies->size(); i += 2) {
    stats.persons += (*replies)[i].integer;
    const auto& oldest = (*replies)[i + 1].elements;
    int64_t at = 0;
    if (oldest.size() == 2 && absl::SimpleAtoi(oldest[1].str, &at) &&
        (stats.oldest_found_at == 0 || at < stats.oldest_found_at)) {
      stats.oldest_found_at = at;
    }
  }
  return stats;
}

}  // namespace ankommen::registry
