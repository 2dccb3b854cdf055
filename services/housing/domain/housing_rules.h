// The rules of housing, pure over the stored records: the minimum standard
// (beds, m² per person), one household never split, a flat for one
// household, flats before shared accommodation, the vacancy register, and
// leases that pass to the tenants.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "ankommen/housing/v1/state.pb.h"
#include "problem.h"

namespace ankommen::housing {

struct Standards {
  int square_metres_per_person = 6;  // the least living space: the Land's standard (Saxony's here)
  // What a place in shared accommodation costs against a flat, in km of
  // travel: flats first, unless the only flat is this much farther away.
  int shared_extra_cost_km = 25;
};

// Persons moved in or offered.
int Persons(const v1::AccommodationRecord& record);
int FreeBeds(const v1::AccommodationRecord& record);
// m² still free under the standard for the persons already there.
int FreeSquareMetres(const v1::AccommodationRecord& record, const Standards& standards);
// Households it can still take: a flat one (when empty), shared accommodation one per free bed.
int FreeHouseholdSlots(const v1::AccommodationRecord& record);

// Active, and for a flat: reported vacant from today or earlier.
bool Available(const v1::AccommodationRecord& record, absl::CivilDay today);

// The accommodation as the API shows it, with its counts.
v1::Accommodation View(const v1::AccommodationRecord& record);

// Whether the household fits: enough beds and m² for the standard, step-free
// when needed, a flat empty. FAILED_PRECONDITION says why not.
absl::Status Fits(const v1::AccommodationRecord& record, const v1::Household& household, const Standards& standards);

// Holds the place for an offer (the whole household, or nothing).
absl::Status AddOffer(v1::AccommodationRecord& record, const v1::Occupancy& occupancy, const Standards& standards,
                      const v1::Household& household);
// The authority confirmed: the household moves in.
absl::StatusOr<v1::Occupancy> Confirm(v1::AccommodationRecord& record, const std::string& offer_id, int64_t now);
// Declined or moved out: the place is free again. Returns the occupancy as it was.
absl::StatusOr<v1::Occupancy> Release(v1::AccommodationRecord& record, const std::string& household_id);
// The lease passes to the household living in the flat: it leaves the stock.
absl::Status TransferLease(v1::AccommodationRecord& record, const std::string& household_id);

// A new status that lets a lease pass (protection granted, residence permit;
// the registry's ResidenceStatus numbers).
bool LeaseCanPassWith(int residence_status);

// The allocation as a placement problem (services/placement): demand i is
// waiting[i] (beds and m² for all its persons, one household place, its
// registered area as a wish), place j is places[j] (what is free of it);
// candidates only where the household fits, never a place it declined, and
// shared accommodation costs extra so that flats come first.
placement::Problem BuildHousingProblem(const std::vector<const v1::HouseholdRecord*>& waiting,
                                       const std::vector<const v1::AccommodationRecord*>& places,
                                       const Standards& standards, absl::CivilDay today, double max_km);

// Figures per social area, for planners and the metrics.
std::vector<v1::AreaFigures> Figures(const std::vector<v1::AccommodationRecord>& accommodations,
                                     const std::vector<v1::HouseholdRecord>& households,
                                     const std::map<std::string, int>& social_workers, const Standards& standards);

}  // namespace ankommen::housing
