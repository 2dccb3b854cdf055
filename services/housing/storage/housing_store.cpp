#include "storage/housing_store.h"

#include "store/ids.h"
#include "store/redis.h"

namespace ankommen::housing {

std::string HousingStore::AccommodationKey(const std::string& id) const {
  return keys().Key(PartitionOfId(id), "acc:" + id);
}
std::string HousingStore::OfferKey(const std::string& id) const { return keys().Key(PartitionOfId(id), "offer:" + id); }
std::string HousingStore::HouseholdKey(const std::string& id) const {
  return keys().Key(PartitionOfId(id), "household:" + id);
}

absl::StatusOr<std::optional<LoadedAccommodation>> HousingStore::LoadAccommodation(const std::string& id) {
  return LoadAggregate<v1::AccommodationRecord>(outbox_, AccommodationKey(id));
}

absl::StatusOr<std::optional<LoadedHousehold>> HousingStore::LoadHousehold(const std::string& id) {
  return LoadAggregate<v1::HouseholdRecord>(outbox_, HouseholdKey(id));
}

absl::StatusOr<std::optional<std::string>> HousingStore::FindOfferAccommodation(const std::string& offer_id) {
  auto reply = redis_.Command({"GET", OfferKey(offer_id)});
  if (!reply.ok()) return reply.status();
  if (reply->is_nil()) return std::optional<std::string>();
  return std::optional<std::string>(reply->str);
}

absl::StatusOr<std::vector<LoadedAccommodation>> HousingStore::LoadAllAccommodations() {
  return LoadIndexed<v1::AccommodationRecord>(redis_, keys(), "accommodations",
                                              [this](const std::string& id) { return AccommodationKey(id); });
}

absl::StatusOr<std::vector<LoadedHousehold>> HousingStore::LoadHouseholdsInCare() {
  return LoadIndexed<v1::HouseholdRecord>(redis_, keys(), "households",
                                          [this](const std::string& id) { return HouseholdKey(id); });
}

IndexOp HousingStore::CareIndex(const v1::HouseholdRecord& h) const {
  const std::string& id = h.household().household_id();
  const auto status = h.household().status();
  const bool in_care = !h.erased() && (status == v1::HOUSEHOLD_STATUS_WAITING || status == v1::HOUSEHOLD_STATUS_OFFERED ||
                                       status == v1::HOUSEHOLD_STATUS_HOUSED);
  const std::string key = keys().Key(PartitionOfId(id), "households");
  return in_care ? IndexOp::SortedAdd(key, id) : IndexOp::SortedRemove(key, id);
}

}  // namespace ankommen::housing
