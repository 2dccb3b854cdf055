#include "household_store.h"

#include <algorithm>
#include <map>
#include <set>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "store/ids.h"
#include "store/redis.h"

namespace ankommen::registry {

std::string HouseholdStore::HouseholdKey(const std::string& household_id) const {
  return keys().Key(PartitionOfId(household_id), "household:" + household_id);
}

std::string HouseholdStore::PersonKey(const std::string& person_id) const {
  return keys().Key(PartitionOfId(person_id), "person:" + person_id);
}

std::string HouseholdStore::AreaKey(int partition, const std::string& social_area) const {
  return keys().Key(partition, "area:" + social_area);
}

std::string HouseholdStore::BlockingKey(const std::string& hashed) const {
  // The key is a hash in hex (duplicates.h): its last digit spreads the sets
  // evenly over the partitions.
  const char last = hashed.empty() ? '0' : hashed.back();
  const int digit = last >= 'a' ? last - 'a' + 10 : last - '0';
  return keys().Key(((digit % kPartitions) + kPartitions) % kPartitions, "blocking:", hashed);
}

std::string HouseholdStore::ProfileKey(const std::string& person_id) const {
  return keys().Key(PartitionOfId(person_id), "profile:", person_id);
}

std::string HouseholdStore::HeldKey(int partition) const { return keys().Key(partition, "duplicates:open"); }
std::string HouseholdStore::ClosedKey(int partition) const { return keys().Key(partition, "cases:closed"); }
std::string HouseholdStore::AgesDueKey(int partition) const { return keys().Key(partition, "ages:due"); }

namespace {
const absl::CivilDay kEpoch(1970, 1, 1);
}  // namespace

PersonProfile ProfileOf(const v1::Person& person) {
  return {person.person_id(), person.household_id(), person.given_names(), person.family_name(),
          person.birth_date(), person.nationality()};
}

namespace {
constexpr char kProfileSeparator = '\x1f';
constexpr int kProfileFields = 5;  // household, given names, family name, birth date, nationality
}  // namespace

std::string EncodeProfile(const v1::Person& person, const v1::Household& household) {
  std::string out = absl::StrCat(household.household_id(), std::string(1, kProfileSeparator), person.given_names(),
                                 std::string(1, kProfileSeparator), person.family_name(),
                                 std::string(1, kProfileSeparator), person.birth_date(),
                                 std::string(1, kProfileSeparator), person.nationality());
  for (const auto& m : household.members()) {
    if (m.person_id() != person.person_id()) absl::StrAppend(&out, std::string(1, kProfileSeparator), m.person_id());
  }
  return out;
}

std::optional<StoredProfile> DecodeProfile(const std::string& person_id, std::string_view stored,
                                           bool with_housemates) {
  // Split by hand, into views of the reply: a crowded check decodes dozens.
  auto next_field = [&stored, at = size_t{0}]() mutable -> std::optional<std::string_view> {
    if (at > stored.size()) return std::nullopt;
    const size_t end = std::min(stored.find(kProfileSeparator, at), stored.size());
    const std::string_view field = stored.substr(at, end - at);
    at = end + 1;
    return field;
  };
  std::string_view fields[kProfileFields];
  for (auto& field : fields) {
    auto f = next_field();
    if (!f) return std::nullopt;
    field = *f;
  }
  if (fields[0].empty()) return std::nullopt;
  StoredProfile out;
  out.profile.person_id = person_id;
  out.profile.household_id.assign(fields[0].data(), fields[0].size());
  out.profile.given_names.assign(fields[1].data(), fields[1].size());
  out.profile.family_name.assign(fields[2].data(), fields[2].size());
  out.profile.birth_date.assign(fields[3].data(), fields[3].size());
  out.profile.nationality.assign(fields[4].data(), fields[4].size());
  if (with_housemates) {
    while (auto housemate = next_field()) out.housemates.emplace_back(*housemate);
  }
  return out;
}

absl::StatusOr<std::optional<LoadedHousehold>> HouseholdStore::Load(const std::string& household_id) {
  auto stored = outbox_.Load(HouseholdKey(household_id));
  if (!stored.ok()) return stored.status();
  if (!stored->has_value()) return std::optional<LoadedHousehold>();
  LoadedHousehold loaded;
  if (!loaded.household.ParseFromString((*stored)->state)) {
    return absl::DataLossError(absl::StrCat("household ", household_id, " is stored unreadably"));
  }
  loaded.version = (*stored)->version;
  loaded.household.set_version(loaded.version);
  return std::optional<LoadedHousehold>(std::move(loaded));
}

absl::StatusOr<PersonRef> HouseholdStore::FindPerson(const std::string& person_id) {
  auto reply = redis_.Command({"GET", PersonKey(person_id)});
  if (!reply.ok()) return reply.status();
  PersonRef ref;
  if (reply->is_nil()) return ref;
  if (reply->str == "erased") {
    ref.state = PersonRef::State::kErased;
    return ref;
  }
  if (absl::StartsWith(reply->str, "merged:")) {
    ref.state = PersonRef::State::kMerged;
    ref.merged_into = reply->str.substr(7);
    return ref;
  }
  ref.state = PersonRef::State::kActive;
  ref.household_id = reply->str;
  return ref;
}

std::vector<IndexOp> HouseholdStore::IndexNew(const v1::Household& household, absl::Time filed_at) const {
  int p = PartitionOfId(household.household_id());
  std::vector<IndexOp> ops = {IndexOp::SortedAdd(AreaKey(p, household.social_area()), household.household_id())};
  for (const auto& person : household.members()) {
    ops.push_back(IndexOp::Set(PersonKey(person.person_id()), household.household_id()));
  }
  IndexDuplicates(v1::Household(), household, static_cast<double>(absl::ToUnixMillis(filed_at)), ops);
  return ops;
}

void HouseholdStore::IndexDuplicates(const v1::Household& before, const v1::Household& after, double filed_at_ms,
                                     std::vector<IndexOp>& ops) const {
  // Names and birth dates never change, so only joining and leaving members
  // move between blocking sets; the held set follows the open suspicions; a
  // profile is written when what it says changes (a member joins or leaves).
  auto find = [](const v1::Household& h, const std::string& id) -> const v1::Person* {
    for (const auto& p : h.members()) {
      if (p.person_id() == id) return &p;
    }
    return nullptr;
  };
  for (const auto& p : before.members()) {
    int partition = PartitionOfId(p.person_id());
    const v1::Person* now = find(after, p.person_id());
    if (now == nullptr) {
      for (const auto& k : BlockingKeys(ProfileOf(p))) ops.push_back(IndexOp::SortedRemove(BlockingKey(k), p.person_id()));
      ops.push_back(IndexOp::Delete(ProfileKey(p.person_id())));
    }
    if (p.suspected_duplicates_size() > 0 && (now == nullptr || now->suspected_duplicates_size() == 0)) {
      ops.push_back(IndexOp::SortedRemove(HeldKey(partition), p.person_id()));
    }
  }
  for (const auto& p : after.members()) {
    int partition = PartitionOfId(p.person_id());
    const v1::Person* was = find(before, p.person_id());
    if (was == nullptr) {
      for (const auto& k : BlockingKeys(ProfileOf(p))) {
        ops.push_back(IndexOp::SortedAdd(BlockingKey(k), p.person_id(), filed_at_ms));
      }
    }
    std::string profile = EncodeProfile(p, after);
    if (was == nullptr || EncodeProfile(*was, before) != profile) {
      ops.push_back(IndexOp::Set(ProfileKey(p.person_id()), std::move(profile)));
    }
    if (p.suspected_duplicates_size() > 0 && (was == nullptr || was->suspected_duplicates_size() == 0)) {
      ops.push_back(IndexOp::SortedAdd(HeldKey(partition), p.person_id(),
                                       static_cast<double>(p.suspected_duplicates(0).found_at().seconds())));
    }
  }
}

std::vector<IndexOp> HouseholdStore::IndexMoved(const v1::Household& before, const v1::Household& after,
                                                absl::Time filed_at) const {
  std::vector<IndexOp> ops;
  int p = PartitionOfId(after.household_id());
  bool was_listed = before.members_size() > 0;
  bool is_listed = after.members_size() > 0;
  if (was_listed && (!is_listed || before.social_area() != after.social_area())) {
    ops.push_back(IndexOp::SortedRemove(AreaKey(p, before.social_area()), before.household_id()));
  }
  if (is_listed && (!was_listed || before.social_area() != after.social_area())) {
    ops.push_back(IndexOp::SortedAdd(AreaKey(p, after.social_area()), after.household_id()));
  }
  IndexDuplicates(before, after, static_cast<double>(absl::ToUnixMillis(filed_at)), ops);
  // Closed cases wait for the retention job while anyone of them is left.
  const bool was_due = before.has_case_closed_at() && before.members_size() > 0;
  const bool is_due = after.has_case_closed_at() && after.members_size() > 0;
  if (is_due && !was_due) {
    ops.push_back(IndexOp::SortedAdd(ClosedKey(p), after.household_id(),
                                     static_cast<double>(after.case_closed_at().seconds())));
  }
  if (was_due && !is_due) ops.push_back(IndexOp::SortedRemove(ClosedKey(p), after.household_id()));
  return ops;
}

absl::StatusOr<HouseholdPage> HouseholdStore::ListByArea(const std::string& social_area, int page_size,
                                                        const std::string& token) {
  int partition = 0;
  std::string after;
  if (!token.empty()) {
    std::vector<std::string> parts = absl::StrSplit(token, absl::MaxSplits('/', 1));
    if (parts.size() != 2 || !absl::SimpleAtoi(parts[0], &partition) || partition < 0 || partition >= kPartitions) {
      return absl::InvalidArgumentError("page_token: is not a token this service gave out");
    }
    after = parts[1];
  }
  HouseholdPage page;
  std::vector<std::string> ids;
  int last_partition = partition;
  for (int p = partition; p < kPartitions && static_cast<int>(ids.size()) < page_size; ++p) {
    std::string min = (p == partition && !after.empty()) ? "(" + after : "-";
    auto reply = redis_.Command({"ZRANGEBYLEX", AreaKey(p, social_area), min, "+", "LIMIT", "0",
                                 std::to_string(page_size - static_cast<int>(ids.size()))});
    if (!reply.ok()) return reply.status();
    for (const auto& e : reply->elements) ids.push_back(e.str);
    last_partition = p;
  }
  std::vector<std::vector<std::string>> gets;
  for (const auto& id : ids) gets.push_back({"HMGET", HouseholdKey(id), "v", "data"});
  if (!gets.empty()) {
    auto replies = redis_.Pipeline(gets);
    if (!replies.ok()) return replies.status();
    for (size_t i = 0; i < replies->size(); ++i) {
      const auto& r = (*replies)[i];
      if (r.elements.size() < 2 || r.elements[1].is_nil()) continue;
      v1::Household h;
      if (!h.ParseFromString(r.elements[1].str)) continue;
      int64_t version = 0;
      (void)absl::SimpleAtoi(r.elements[0].str, &version);
      h.set_version(version);
      page.households.push_back(std::move(h));
    }
  }
  // A full page may have more behind it; an unfilled page means all partitions are done.
  if (static_cast<int>(ids.size()) == page_size) page.next_page_token = absl::StrCat(last_partition, "/", ids.back());
  return page;
}

absl::StatusOr<std::vector<std::pair<std::string, int64_t>>> HouseholdStore::ClosedCasesBefore(int64_t cutoff) {
  auto found = ScoredAcrossPartitions([this](int p) { return ClosedKey(p); }, "-inf", std::to_string(cutoff), 0);
  if (!found.ok()) return found.status();
  std::vector<std::pair<std::string, int64_t>> out;
  for (auto& [at, id] : *found) out.emplace_back(std::move(id), at);
  return out;
}

IndexOp HouseholdStore::AgesDue(const std::string& household_id, std::optional<absl::CivilDay> day) const {
  const std::string key = AgesDueKey(PartitionOfId(household_id));
  if (!day) return IndexOp::SortedRemove(key, household_id);
  return IndexOp::SortedAdd(key, household_id, static_cast<double>(*day - kEpoch));
}

absl::StatusOr<std::vector<std::pair<std::string, absl::CivilDay>>> HouseholdStore::AgesDueBy(absl::CivilDay day) {
  auto found = ScoredAcrossPartitions([this](int p) { return AgesDueKey(p); }, "-inf", std::to_string(day - kEpoch), 0);
  if (!found.ok()) return found.status();
  std::vector<std::pair<std::string, absl::CivilDay>> out;
  for (auto& [days, id] : *found) out.emplace_back(std::move(id), kEpoch + days);
  return out;
}

absl::StatusOr<std::optional<absl::CivilDay>> HouseholdStore::AgesDueOf(const std::string& household_id) {
  auto reply = redis_.Command({"ZSCORE", AgesDueKey(PartitionOfId(household_id)), household_id});
  if (!reply.ok()) return reply.status();
  int64_t days = 0;
  if (reply->str.empty() || !absl::SimpleAtoi(reply->str, &days)) return std::optional<absl::CivilDay>();
  return std::optional<absl::CivilDay>(kEpoch + days);
}

absl::Status HouseholdStore::ForgetAgesDue(const std::string& household_id) {
  auto reply = redis_.Command({"ZREM", AgesDueKey(PartitionOfId(household_id)), household_id});
  return reply.ok() ? absl::OkStatus() : reply.status();
}

absl::StatusOr<bool> HouseholdStore::AgesIndexed() {
  auto reply = redis_.Command({"EXISTS", keys().Key(0, "ages:indexed")});
  if (!reply.ok()) return reply.status();
  return reply->integer == 1;
}

absl::Status HouseholdStore::MarkAgesIndexed() {
  auto reply = redis_.Command({"SET", keys().Key(0, "ages:indexed"), "1"});
  return reply.ok() ? absl::OkStatus() : reply.status();
}

absl::StatusOr<std::vector<std::string>> HouseholdStore::AllHouseholdIds() {
  // A scan, once per store's life (AgesIndexed): the households have no list of their own.
  std::vector<std::string> ids;
  const std::string marker = ":household:";
  const std::string pattern = absl::StrCat("ankommen:", keys().service(), ":{", keys().service(), ":p*}", marker, "*");
  std::string cursor = "0";
  do {
    auto reply = redis_.Command({"SCAN", cursor, "MATCH", pattern, "COUNT", "1000"});
    if (!reply.ok()) return reply.status();
    if (reply->elements.size() != 2) return absl::InternalError("SCAN answered unexpectedly");
    cursor = reply->elements[0].str;
    for (const auto& key : reply->elements[1].elements) {
      const auto at = key.str.rfind(marker);
      if (at != std::string::npos) ids.push_back(key.str.substr(at + marker.size()));
    }
  } while (cursor != "0");
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  return ids;
}

absl::StatusOr<int> HouseholdStore::PlaceBlockingKeys() {
  // A scan at start (and daily, for what a replica of the earlier release
  // filed during a rolling update); nothing to move once all are placed.
  const std::string marker = ":dupkey:";
  const std::string pattern = absl::StrCat("ankommen:", keys().service(), ":{", keys().service(), ":p*}", marker, "*");
  int moved = 0;
  std::string cursor = "0";
  do {
    auto page = redis_.Command({"SCAN", cursor, "MATCH", pattern, "COUNT", "1000"});
    if (!page.ok()) return page.status();
    if (page->elements.size() != 2) return absl::InternalError("SCAN answered unexpectedly");
    cursor = page->elements[0].str;
    const auto& old_keys = page->elements[1].elements;
    if (old_keys.empty()) continue;
    std::vector<std::vector<std::string>> reads;
    for (const auto& key : old_keys) reads.push_back({"ZRANGE", key.str, "0", "-1", "WITHSCORES"});
    auto filed = redis_.Pipeline(reads);
    if (!filed.ok()) return filed.status();
    // Added where they belong before the old set goes: a move cut short is
    // done again, and ZADD of what is there already changes nothing.
    std::vector<std::vector<std::string>> moves;
    for (size_t i = 0; i < old_keys.size(); ++i) {
      const std::string& key = old_keys[i].str;
      const auto& entries = (*filed)[i].elements;
      if (!entries.empty()) {
        std::vector<std::string> add = {"ZADD", BlockingKey(key.substr(key.rfind(marker) + marker.size()))};
        for (size_t e = 0; e + 1 < entries.size(); e += 2) {
          add.push_back(entries[e + 1].str);
          add.push_back(entries[e].str);
        }
        moves.push_back(std::move(add));
      }
      moves.push_back({"DEL", key});
    }
    if (auto done = redis_.Pipeline(moves); !done.ok()) return done.status();
    moved += static_cast<int>(old_keys.size());
  } while (cursor != "0");
  return moved;
}

absl::StatusOr<std::vector<std::pair<int64_t, std::string>>> HouseholdStore::ScoredAcrossPartitions(
    const std::function<std::string(int)>& key, const std::string& min, const std::string& max, int limit) {
  std::vector<std::vector<std::string>> reads;
  for (int p = 0; p < kPartitions; ++p) {
    reads.push_back({"ZRANGEBYSCORE", key(p), min, max, "WITHSCORES"});
    if (limit > 0) reads.back().insert(reads.back().end(), {"LIMIT", "0", std::to_string(limit)});
  }
  auto replies = redis_.Pipeline(reads);
  if (!replies.ok()) return replies.status();
  std::vector<std::pair<int64_t, std::string>> found;
  for (const auto& r : *replies) {
    for (size_t i = 0; i + 1 < r.elements.size(); i += 2) {
      int64_t at = 0;
      (void)absl::SimpleAtoi(r.elements[i + 1].str, &at);
      found.emplace_back(at, r.elements[i].str);
    }
  }
  std::sort(found.begin(), found.end());
  return found;
}

absl::StatusOr<int64_t> HouseholdStore::AuditEntriesOlderThan(int partition, absl::Duration age, bool remove) {
  // Stream ids begin with the milliseconds Redis wrote them at, by its own
  // clock: the age is measured by that clock too, not by the service's (which
  // a simulation moves, and which may run apart from Redis's host).
  auto time = redis_.Command({"TIME"});
  if (!time.ok()) return time.status();
  int64_t seconds = 0, micros = 0;
  if (time->elements.size() < 2 || !absl::SimpleAtoi(time->elements[0].str, &seconds) ||
      !absl::SimpleAtoi(time->elements[1].str, &micros)) {
    return absl::InternalError("TIME: unexpected answer");
  }
  const int64_t now_ms = seconds * 1000 + micros / 1000;
  const std::string min_id = std::to_string(std::max<int64_t>(0, now_ms - absl::ToInt64Milliseconds(age)));
  const std::string key = AuditStreamKey(keys(), partition);
  if (remove) {
    auto reply = redis_.Command({"XTRIM", key, "MINID", min_id});
    if (!reply.ok()) return reply.status();
    return reply->integer;
  }
  auto reply = redis_.Command({"XRANGE", key, "-", "(" + min_id + "-0"});
  if (!reply.ok()) return reply.status();
  return static_cast<int64_t>(reply->elements.size());
}

absl::Status HouseholdStore::Audit(int partition, const AuditEntry& e) {
  return AppendAudit(redis_, keys(), partition, e);
}

IndexOp HouseholdStore::AuditOp(int partition, const AuditEntry& e) const {
  return AuditAppendOp(keys(), partition, e);
}

namespace {

// "1700000000000-3" -> its milliseconds and sequence, for ordering across partitions.
std::pair<int64_t, int64_t> IdOrder(const std::string& id) {
  std::pair<int64_t, int64_t> out{0, 0};
  std::vector<std::string> parts = absl::StrSplit(id, '-');
  if (parts.size() == 2) {
    (void)absl::SimpleAtoi(parts[0], &out.first);
    (void)absl::SimpleAtoi(parts[1], &out.second);
  }
  return out;
}

}  // namespace

absl::StatusOr<HouseholdStore::AuditPage> HouseholdStore::QueryAudit(const AuditQuery& query) {
  // The token: the last entry's stream id and partition; later pages start after it.
  std::string after_id;
  int after_partition = -1;
  if (!query.page_token.empty()) {
    std::vector<std::string> parts = absl::StrSplit(query.page_token, absl::MaxSplits('/', 1));
    if (parts.size() != 2 || !absl::SimpleAtoi(parts[1], &after_partition) || after_partition < 0 ||
        after_partition >= kPartitions || IdOrder(parts[0]).first == 0) {
      return absl::InvalidArgumentError("page_token: is not a token this service gave out");
    }
    after_id = parts[0];
  }
  const std::string since = query.since == absl::InfinitePast() ? "-" : std::to_string(absl::ToUnixMillis(query.since));
  const std::string until =
      query.until == absl::InfiniteFuture() ? "+" : std::to_string(absl::ToUnixMillis(query.until));
  std::vector<int> partitions;
  if (!query.subject.empty()) partitions.push_back(PartitionOfId(query.subject));
  else for (int p = 0; p < kPartitions; ++p) partitions.push_back(p);
  struct Found {
    std::pair<int64_t, int64_t> order;
    int partition;
    std::string id;
    AuditEntry entry;
  };
  std::vector<Found> found;
  for (int p : partitions) {
    // Filters apply after reading: read in chunks until the page can be filled.
    std::string start = since;
    if (!after_id.empty()) start = (p <= after_partition ? "(" : "") + after_id;
    int want = query.page_size + 1;
    while (want > 0) {
      auto reply = redis_.Command({"XRANGE", AuditStreamKey(keys(), p), start, until, "COUNT", "500"});
      if (!reply.ok()) return reply.status();
      if (reply->elements.empty()) break;
      for (const auto& item : reply->elements) {
        if (item.elements.size() < 2) continue;
        AuditEntry e = AuditEntryOf(item.elements[1]);
        if ((!query.subject.empty() && e.subject != query.subject) || (!query.actor.empty() && e.actor != query.actor)) {
          continue;
        }
        found.push_back({IdOrder(item.elements[0].str), p, item.elements[0].str, std::move(e)});
        --want;
      }
      if (reply->elements.size() < 500) break;
      start = "(" + reply->elements.back().elements[0].str;
    }
  }
  std::sort(found.begin(), found.end(), [](const Found& a, const Found& b) {
    return a.order != b.order ? a.order < b.order : a.partition < b.partition;
  });
  AuditPage page;
  for (size_t i = 0; i < found.size() && static_cast<int>(i) < query.page_size; ++i) {
    page.entries.emplace_back(absl::FromUnixMillis(found[i].order.first), std::move(found[i].entry));
  }
  if (static_cast<int>(found.size()) > query.page_size) {
    const Found& last = found[static_cast<size_t>(query.page_size) - 1];
    page.next_page_token = absl::StrCat(last.id, "/", last.partition);
  }
  return page;
}

absl::StatusOr<std::vector<AuditEntry>> HouseholdStore::ReadAudit(int partition) {
  return ReadAuditStream(redis_, keys(), partition);
}

}  // namespace ankommen::registry
