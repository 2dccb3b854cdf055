#include "storage/school_store.h"

#include "domain/school_rules.h"
#include "store/ids.h"
#include "store/redis.h"

namespace ankommen::schools {

std::string SchoolStore::SchoolKey(const std::string& id) const { return keys().Key(PartitionOfId(id), "school:" + id); }
std::string SchoolStore::KitaKey(const std::string& id) const { return keys().Key(PartitionOfId(id), "kita:" + id); }
std::string SchoolStore::ChildKey(const std::string& id) const { return keys().Key(PartitionOfId(id), "child:" + id); }
std::string SchoolStore::HouseholdKey(const std::string& id) const {
  return keys().Key(PartitionOfId(id), "household:" + id);
}
std::string SchoolStore::GapKey(const std::string& gap) const { return keys().Key(PartitionOfKey(gap), "gap:" + gap); }

absl::StatusOr<std::optional<LoadedSchool>> SchoolStore::LoadSchool(const std::string& id) {
  return LoadAggregate<v1::SchoolRecord>(outbox_, SchoolKey(id));
}

absl::StatusOr<std::optional<LoadedKita>> SchoolStore::LoadKita(const std::string& id) {
  return LoadAggregate<v1::KitaRecord>(outbox_, KitaKey(id));
}

absl::StatusOr<std::optional<LoadedChild>> SchoolStore::LoadChild(const std::string& person_id) {
  return LoadAggregate<v1::ChildRecord>(outbox_, ChildKey(person_id));
}

absl::StatusOr<std::vector<std::string>> SchoolStore::HouseholdChildren(const std::string& household_id) {
  auto reply = redis_.Command({"ZRANGE", HouseholdKey(household_id), "0", "-1"});
  if (!reply.ok()) return reply.status();
  std::vector<std::string> out;
  for (const auto& e : reply->elements) out.push_back(e.str);
  return out;
}

absl::StatusOr<std::vector<LoadedSchool>> SchoolStore::LoadAllSchools() {
  return LoadIndexed<v1::SchoolRecord>(redis_, keys(), "schools", [this](const std::string& id) { return SchoolKey(id); });
}

absl::StatusOr<std::vector<LoadedKita>> SchoolStore::LoadAllKitas() {
  return LoadIndexed<v1::KitaRecord>(redis_, keys(), "kitas", [this](const std::string& id) { return KitaKey(id); });
}

absl::StatusOr<std::vector<LoadedChild>> SchoolStore::LoadActiveChildren() {
  return LoadIndexed<v1::ChildRecord>(redis_, keys(), "children", [this](const std::string& id) { return ChildKey(id); });
}

IndexOp SchoolStore::ActiveIndex(const v1::ChildRecord& c) const {
  const std::string key = keys().Key(PartitionOfId(c.child().person_id()), "children");
  const auto status = c.child().placement().status();
  const bool active = !c.erased() && (status == v1::CHILD_STATUS_WAITING || HoldsPlace(status));
  return active ? IndexOp::SortedAdd(key, c.child().person_id()) : IndexOp::SortedRemove(key, c.child().person_id());
}

}  // namespace ankommen::schools
