#include "allocator.h"

#include <unordered_map>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "ankommen/housing/v1/events.pb.h"
#include "store/command.h"
#include "domain/housing_rules.h"
#include "domain/validation.h"
#include "store/ids.h"
#include "observability/log.h"
#include "solver.h"
#include "bus/streams.h"

namespace ankommen::housing {

Allocator::Allocator(Housing& housing, std::string holder, AllocatorOptions options)
    : LeasedRunner(housing.store().redis(), housing.store().keys(), "allocation", std::move(holder), options,
                   [&housing] { return housing.RefreshGauges(); }),
      housing_(housing) {}

absl::StatusOr<v1::RunAllocationResponse> Allocator::RunOnce() {
  return WithLease<v1::RunAllocationResponse>([&](int64_t fence) -> absl::StatusOr<v1::RunAllocationResponse> {
    v1::RunAllocationResponse report;
    if (auto s = Sweep(); !s.ok()) return s;
    if (auto s = Allocate(fence, report); !s.ok()) return s;
    if (report.offers_made() > 0) {
      log::Info("housing_run", {{"waiting", report.waiting()}, {"offers_made", report.offers_made()},
                                {"solver", report.solver()}});
    }
    return report;
  });
}

absl::Status Allocator::Sweep() {
  HousingStore& store = housing_.store();
  auto accommodations = store.LoadAllAccommodations();
  if (!accommodations.ok()) return accommodations.status();
  auto households = store.LoadHouseholdsInCare();
  if (!households.ok()) return households.status();
  std::unordered_map<std::string, std::pair<std::string, v1::Occupancy>> held;  // household -> place, occupancy
  for (const auto& a : *accommodations) {
    for (const auto& o : a.record.occupancies()) held[o.household_id()] = {a.record.accommodation().accommodation_id(), o};
  }
  for (const auto& h : *households) {
    const v1::Household& household = h.record.household();
    auto it = held.find(household.household_id());
    if (it == held.end()) {
      if (household.status() != v1::HOUSEHOLD_STATUS_OFFERED && household.status() != v1::HOUSEHOLD_STATUS_HOUSED) continue;
      // It claims a place nobody holds for it: back to waiting.
      auto s = housing_.FollowHousehold(household.household_id(), [](v1::Household& x) -> absl::StatusOr<bool> {
        x.set_status(v1::HOUSEHOLD_STATUS_WAITING);
        x.clear_offer_id();
        x.clear_accommodation_id();
        return true;
      });
      if (!s.ok() && !absl::IsFailedPrecondition(s)) return s;
      continue;
    }
    const auto& [acc_id, occupancy] = it->second;
    const auto want = occupancy.state() == v1::Occupancy::STATE_OCCUPIED ? v1::HOUSEHOLD_STATUS_HOUSED
                                                                          : v1::HOUSEHOLD_STATUS_OFFERED;
    if (household.status() == want && household.accommodation_id() == acc_id) continue;
    auto s = housing_.FollowHousehold(household.household_id(), [&](v1::Household& x) -> absl::StatusOr<bool> {
      x.set_status(want);
      x.set_accommodation_id(acc_id);
      x.set_offer_id(occupancy.offer_id());
      return true;
    });
    if (!s.ok() && !absl::IsFailedPrecondition(s)) return s;
  }
  return absl::OkStatus();
}

absl::Status Allocator::Allocate(int64_t fence, v1::RunAllocationResponse& report) {
  HousingStore& store = housing_.store();
  auto accommodations = store.LoadAllAccommodations();
  if (!accommodations.ok()) return accommodations.status();
  auto households = store.LoadHouseholdsInCare();
  if (!households.ok()) return households.status();
  const Standards& standards = housing_.settings().standards;
  const absl::CivilDay today = housing_.Today();

  std::vector<const v1::HouseholdRecord*> waiting;
  for (const auto& h : *households) {
    if (h.record.household().status() == v1::HOUSEHOLD_STATUS_WAITING && h.record.household().persons() > 0) {
      waiting.push_back(&h.record);
    }
  }
  std::vector<const v1::AccommodationRecord*> places;
  for (const auto& a : *accommodations) {
    if (Available(a.record, today) && FreeHouseholdSlots(a.record) > 0) places.push_back(&a.record);
  }
  report.set_waiting(static_cast<int32_t>(waiting.size()));
  if (waiting.empty() || places.empty()) return absl::OkStatus();
  placement::Problem problem = BuildHousingProblem(waiting, places, standards, today, housing_.settings().max_km);
  const std::string solver_name(placement::SolverForPolicy(problem, housing_.settings().policy));
  auto solver = placement::MakeSolver(solver_name);
  if (!solver.ok()) return solver.status();
  auto solution = (*solver)->Solve(problem);
  if (!solution.ok()) return solution.status();
  report.set_solver(solution->solver);

  const int64_t now = absl::ToUnixSeconds(housing_.clock().Now());
  for (const auto& p : solution->placements) {
    if (p.place < 0) continue;
    const v1::Household& household = waiting[static_cast<size_t>(p.demand)]->household();
    const std::string acc_id = places[static_cast<size_t>(p.place)]->accommodation().accommodation_id();
    v1::Occupancy occupancy;
    occupancy.set_household_id(household.household_id());
    occupancy.set_offer_id(NewId(kOfferIdPrefix, PartitionOfId(acc_id)));
    occupancy.set_persons(household.persons());
    occupancy.set_state(v1::Occupancy::STATE_OFFERED);
    occupancy.set_since(now);
    bool made = false;
    v1::Kind kind = v1::KIND_UNSPECIFIED;
    auto s = ApplyChange(store.outbox(), PartitionOfId(acc_id), [&]() -> absl::StatusOr<std::optional<Commit>> {
      auto loaded = store.LoadAccommodation(acc_id);
      if (!loaded.ok()) return loaded.status();
      if (!loaded->has_value()) return std::optional<Commit>();
      v1::AccommodationRecord record = std::move((*loaded)->record);
      if (record.fence() > fence) return absl::AbortedError("the allocation lease moved to another replica");
      // Taken or changed meanwhile: the next run places this household.
      if (!AddOffer(record, occupancy, standards, household).ok()) return std::optional<Commit>();
      record.set_fence(fence);
      kind = record.accommodation().kind();
      v1::HousingOffered e;
      *e.mutable_meta() = housing_.Meta("");
      e.set_household_id(household.household_id());
      e.set_offer_id(occupancy.offer_id());
      e.set_accommodation_id(acc_id);
      e.set_kind(kind);
      e.set_social_area(record.accommodation().social_area());
      e.set_contact_person_id(waiting[static_cast<size_t>(p.demand)]->contact_person_id());
      e.set_accommodation_name(record.accommodation().name());
      Commit c;
      c.aggregate_key = store.AccommodationKey(acc_id);
      c.expected_version = (*loaded)->version;
      c.state = record.SerializeAsString();
      c.index_ops = {IndexOp::Set(store.OfferKey(occupancy.offer_id()), acc_id)};
      c.events.push_back(ToOutgoing(streams::kHousingOffered, e));
      made = true;
      return std::optional<Commit>(std::move(c));
    });
    if (!s.ok()) return s;
    if (!made) continue;
    auto followed = housing_.FollowHousehold(household.household_id(), [&](v1::Household& x) -> absl::StatusOr<bool> {
      if (x.status() != v1::HOUSEHOLD_STATUS_WAITING) return absl::FailedPreconditionError("no longer waiting");
      x.set_status(v1::HOUSEHOLD_STATUS_OFFERED);
      x.set_accommodation_id(acc_id);
      x.set_offer_id(occupancy.offer_id());
      x.set_reason(absl::StrFormat("%s %.1f km from where it was registered%s", KindLabel(kind) == "flat" ? "a flat" : "shared accommodation",
                                   p.reason.km, p.reason.wish_met ? ", in its social area" : ""));
      return true;
    });
    if (!followed.ok() && !absl::IsFailedPrecondition(followed)) return followed;
    report.set_offers_made(report.offers_made() + 1);
  }
  return absl::OkStatus();
}

}  // namespace ankommen::housing
