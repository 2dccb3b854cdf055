// How the housing service keeps its state in Redis. Accommodations live in
// the partition their id names, households in the registry's household
// partition:
//   ankommen:housing:{housing:pN}:acc:<id>        hash {v, data = AccommodationRecord}
//   ankommen:housing:{housing:pN}:accommodations  sorted set of accommodation ids
//   ankommen:housing:{housing:pN}:offer:<id>      the accommodation of an offer
//   ankommen:housing:{housing:pN}:household:<id>  hash {v, data = HouseholdRecord}
//   ankommen:housing:{housing:pN}:households      sorted set of households in the district's care
//   ankommen:housing:{housing:allocation}:…       the allocation lease (lease.h)
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "store/aggregates.h"
#include "ankommen/housing/v1/state.pb.h"
#include "store/outbox.h"

namespace ankommen::housing {

using LoadedAccommodation = Loaded<v1::AccommodationRecord>;
using LoadedHousehold = Loaded<v1::HouseholdRecord>;

class HousingStore {
 public:
  HousingStore(Outbox& outbox, RedisPool& redis) : outbox_(outbox), redis_(redis) {}

  Outbox& outbox() { return outbox_; }
  RedisPool& redis() { return redis_; }
  const KeySpace& keys() const { return outbox_.keys(); }

  std::string AccommodationKey(const std::string& id) const;
  std::string AccommodationIndexKey(int partition) const { return keys().Key(partition, "accommodations"); }
  std::string OfferKey(const std::string& offer_id) const;
  std::string HouseholdKey(const std::string& household_id) const;

  absl::StatusOr<std::optional<LoadedAccommodation>> LoadAccommodation(const std::string& id);
  absl::StatusOr<std::optional<LoadedHousehold>> LoadHousehold(const std::string& household_id);
  absl::StatusOr<std::optional<std::string>> FindOfferAccommodation(const std::string& offer_id);
  absl::StatusOr<std::vector<LoadedAccommodation>> LoadAllAccommodations();
  absl::StatusOr<std::vector<LoadedHousehold>> LoadHouseholdsInCare();

  // Keeps `households` true to the household's status (in care: listed).
  IndexOp CareIndex(const v1::HouseholdRecord& household) const;

 private:
  Outbox& outbox_;
  RedisPool& redis_;
};

}  // namespace ankommen::housing
