#include "household_store.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "ids.h"
#include "redis.h"

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
  ref.state = PersonRef::State::kActive;
  ref.household_id = reply->str;
  return ref;
}

std::vector<IndexOp> HouseholdStore::IndexNew(const v1::Household& household) const {
  int p = PartitionOfId(household.household_id());
  std::vector<IndexOp> ops = {IndexOp::SortedAdd(AreaKey(p, household.social_area()), household.household_id())};
  for (const auto& person : household.members()) {
    ops.push_back(IndexOp::Set(PersonKey(person.person_id()), household.household_id()));
  }
  return ops;
}

std::vector<IndexOp> HouseholdStore::IndexMoved(const v1::Household& before, const v1::Household& after) const {
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

absl::Status HouseholdStore::Audit(int partition, const AuditEntry& e) {
  auto reply = redis_.Command({"XADD", keys().Key(partition, "audit"), "*", "at",
                               absl::FormatTime(absl::RFC3339_sec, absl::Now(), absl::UTCTimeZone()), "actor",
                               e.actor, "action", e.action, "subject", e.subject, "purpose", e.purpose,
                               "correlation_id", e.correlation_id});
  return reply.ok() ? absl::OkStatus() : reply.status();
}

absl::StatusOr<std::vector<AuditEntry>> HouseholdStore::ReadAudit(int partition) {
  auto reply = redis_.Command({"XRANGE", keys().Key(partition, "audit"), "-", "+"});
  if (!reply.ok()) return reply.status();
  std::vector<AuditEntry> out;
  for (const auto& entry : reply->elements) {
    if (entry.elements.size() < 2) continue;
    AuditEntry e;
    const auto& f = entry.elements[1].elements;
    for (size_t i = 0; i + 1 < f.size(); i += 2) {
      if (f[i].str == "actor") e.actor = f[i + 1].str;
      else if (f[i].str == "action") e.action = f[i + 1].str;
      else if (f[i].str == "subject") e.subject = f[i + 1].str;
      else if (f[i].str == "purpose") e.purpose = f[i + 1].str;
      else if (f[i].str == "correlation_id") e.correlation_id = f[i + 1].str;
    }
    out.push_back(std::move(e));
  }
  return out;
}

}  // namespace ankommen::registry
