#include "domain/housing_rules.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "text/field_checks.h"
#include "geo.h"

namespace ankommen::housing {

int Persons(const v1::AccommodationRecord& record) {
  int n = 0;
  for (const auto& o : record.occupancies()) n += o.persons();
  return n;
}

int FreeBeds(const v1::AccommodationRecord& record) {
  return std::max(0, record.accommodation().beds() - Persons(record));
}

int FreeSquareMetres(const v1::AccommodationRecord& record, const Standards& standards) {
  return std::max(0, record.accommodation().square_metres() - Persons(record) * standards.square_metres_per_person);
}

int FreeHouseholdSlots(const v1::AccommodationRecord& record) {
  if (record.accommodation().kind() == v1::KIND_FLAT) return record.occupancies_size() == 0 ? 1 : 0;
  return FreeBeds(record);
}

bool Available(const v1::AccommodationRecord& record, absl::CivilDay today) {
  const v1::Accommodation& a = record.accommodation();
  if (a.status() != v1::ACCOMMODATION_STATUS_ACTIVE) return false;
  if (a.kind() == v1::KIND_SHARED) return true;
  absl::CivilDay from;
  return a.vacant() && ParseIsoDate(a.vacant_from(), from) && from <= today;
}

v1::Accommodation View(const v1::AccommodationRecord& record) {
  v1::Accommodation a = record.accommodation();
  a.set_persons(Persons(record));
  a.set_households(record.occupancies_size());
  return a;
}

absl::Status Fits(const v1::AccommodationRecord& record, const v1::Household& household, const Standards& standards) {
  const v1::Accommodation& a = record.accommodation();
  if (a.status() != v1::ACCOMMODATION_STATUS_ACTIVE) {
    return absl::FailedPreconditionError(absl::StrCat(a.accommodation_id(), " is no longer in the district's stock"));
  }
  if (FreeHouseholdSlots(record) < 1) {
    return absl::FailedPreconditionError(absl::StrCat(a.accommodation_id(), " is a flat already taken"));
  }
  if (FreeBeds(record) < household.persons()) {
    return absl::FailedPreconditionError(absl::StrCat(a.accommodation_id(), " has ", FreeBeds(record),
                                                      " free beds; the household of ", household.persons(),
                                                      " stays together"));
  }
  if (FreeSquareMetres(record, standards) < household.persons() * standards.square_metres_per_person) {
    return absl::FailedPreconditionError(absl::StrCat(a.accommodation_id(), " lacks the living space of ",
                                                      standards.square_metres_per_person, " m² per person"));
  }
  if (household.step_free() && !a.step_free()) {
    return absl::FailedPreconditionError(absl::StrCat(a.accommodation_id(), " is not step-free"));
  }
  return absl::OkStatus();
}

absl::Status AddOffer(v1::AccommodationRecord& record, const v1::Occupancy& occupancy, const Standards& standards,
                      const v1::Household& household) {
  for (const auto& o : record.occupancies()) {
    if (o.household_id() == occupancy.household_id()) {
      return absl::AlreadyExistsError(absl::StrCat(occupancy.household_id(), " already has a place here"));
    }
  }
  if (occupancy.persons() != household.persons()) return absl::InternalError("the offer is not for the whole household");
  if (auto s = Fits(record, household, standards); !s.ok()) return s;
  *record.add_occupancies() = occupancy;
  return absl::OkStatus();
}

absl::StatusOr<v1::Occupancy> Confirm(v1::AccommodationRecord& record, const std::string& offer_id, int64_t now) {
  for (auto& o : *record.mutable_occupancies()) {
    if (o.offer_id() != offer_id) continue;
    if (o.state() == v1::Occupancy::STATE_OCCUPIED) {
      return absl::FailedPreconditionError(absl::StrCat("offer ", offer_id, " was already confirmed"));
    }
    o.set_state(v1::Occupancy::STATE_OCCUPIED);
    o.set_since(now);
    return o;
  }
  return absl::FailedPreconditionError(absl::StrCat("offer ", offer_id, " is no longer open"));
}

absl::StatusOr<v1::Occupancy> Release(v1::AccommodationRecord& record, const std::string& household_id) {
  auto* all = record.mutable_occupancies();
  for (auto it = all->begin(); it != all->end(); ++it) {
    if (it->household_id() != household_id) continue;
    v1::Occupancy gone = *it;
    all->erase(it);
    // A flat left empty is free again at once; it stays in the register.
    if (record.accommodation().kind() == v1::KIND_FLAT && all->empty()) record.mutable_accommodation()->set_vacant(true);
    return gone;
  }
  return absl::FailedPreconditionError(absl::StrCat(household_id, " has no place in ",
                                                    record.accommodation().accommodation_id()));
}

absl::Status TransferLease(v1::AccommodationRecord& record, const std::string& household_id) {
  const v1::Accommodation& a = record.accommodation();
  if (a.kind() != v1::KIND_FLAT || !a.lease_transferable()) {
    return absl::FailedPreconditionError(absl::StrCat(a.accommodation_id(), " has no lease that can pass"));
  }
  if (record.occupancies_size() != 1 || record.occupancies(0).household_id() != household_id ||
      record.occupancies(0).state() != v1::Occupancy::STATE_OCCUPIED) {
    return absl::FailedPreconditionError(absl::StrCat(household_id, " does not live in ", a.accommodation_id()));
  }
  record.mutable_accommodation()->set_status(v1::ACCOMMODATION_STATUS_TRANSFERRED);
  record.mutable_accommodation()->set_vacant(false);
  return absl::OkStatus();
}

bool LeaseCanPassWith(int residence_status) {
  return residence_status == 3 /* protection granted */ || residence_status == 4 /* residence permit */;
}

placement::Problem BuildHousingProblem(const std::vector<const v1::HouseholdRecord*>& waiting,
                                       const std::vector<const v1::AccommodationRecord*>& places,
                                       const Standards& standards, absl::CivilDay today, double max_km) {
  placement::Problem problem;
  for (const auto* h : waiting) {
    const v1::Household& household = h->household();
    placement::Demand d;
    d.id = household.household_id();
    d.home = {h->location().lat(), h->location().lon()};
    d.need[placement::kBed] = household.persons();
    d.need[placement::kSquareMetre] = household.persons() * standards.square_metres_per_person;
    d.need[placement::kHouseholds] = 1;
    absl::CivilDay since;
    d.days_waited = ParseIsoDate(household.waiting_since(), since) ? static_cast<int32_t>(today - since) : 0;
    d.max_km = max_km;
    d.wish_area = household.social_area();
    problem.demands.push_back(std::move(d));
  }
  for (const auto* a : places) {
    placement::Amounts capacity{};
    capacity[placement::kBed] = FreeBeds(*a);
    capacity[placement::kSquareMetre] = FreeSquareMetres(*a, standards);
    capacity[placement::kHouseholds] = FreeHouseholdSlots(*a);
    const v1::Accommodation& acc = a->accommodation();
    problem.places.push_back({acc.accommodation_id(), {acc.coordinates().lat(), acc.coordinates().lon()}, capacity,
                              acc.social_area()});
  }
  problem.candidates = placement::GenerateCandidates(problem.demands, problem.places, 0, [&](int32_t d, int32_t p) {
    const v1::HouseholdRecord& h = *waiting[static_cast<size_t>(d)];
    const v1::AccommodationRecord& a = *places[static_cast<size_t>(p)];
    for (const auto& declined : h.declined_ids()) {
      if (declined == a.accommodation().accommodation_id()) return false;
    }
    return Fits(a, h.household(), standards).ok();
  });
  for (auto& c : problem.candidates) {
    if (places[static_cast<size_t>(c.place)]->accommodation().kind() == v1::KIND_SHARED) {
      c.extra_cost = standards.shared_extra_cost_km * 100;  // the engine counts hundredths of a km
    }
  }
  return problem;
}

std::vector<v1::AreaFigures> Figures(const std::vector<v1::AccommodationRecord>& accommodations,
                                     const std::vector<v1::HouseholdRecord>& households,
                                     const std::map<std::string, int>& social_workers, const Standards& standards) {
  std::map<std::string, v1::AreaFigures> areas;
  std::map<std::string, int> square_metres;
  for (const auto& r : accommodations) {
    const v1::Accommodation& a = r.accommodation();
    if (a.status() != v1::ACCOMMODATION_STATUS_ACTIVE) continue;
    auto& f = areas[a.social_area()];
    f.set_beds(f.beds() + a.beds());
    int housed = 0;
    for (const auto& o : r.occupancies()) {
      if (o.state() == v1::Occupancy::STATE_OCCUPIED) housed += o.persons();
    }
    f.set_beds_used(f.beds_used() + Persons(r));
    f.set_persons_housed(f.persons_housed() + housed);
    if (a.kind() == v1::KIND_FLAT) f.set_persons_in_flats(f.persons_in_flats() + housed);
    if (housed > 0) {
      square_metres[a.social_area()] += a.square_metres();
      // Below the standard: the place holds more people than its m² allow.
      if (a.square_metres() < housed * standards.square_metres_per_person) {
        f.set_standard_violations(f.standard_violations() + 1);
      }
    }
  }
  std::map<std::string, const v1::Accommodation*> by_id;
  for (const auto& r : accommodations) by_id[r.accommodation().accommodation_id()] = &r.accommodation();
  for (const auto& h : households) {
    if (h.erased()) continue;
    if (h.household().status() == v1::HOUSEHOLD_STATUS_WAITING) {
      auto& f = areas[h.household().social_area()];
      f.set_households_waiting(f.households_waiting() + 1);
    }
    // Refugee social work's caseload: AsylbLG recipients in shared accommodation, where they live.
    const auto at = by_id.find(h.household().accommodation_id());
    if (h.household().status() == v1::HOUSEHOLD_STATUS_HOUSED && at != by_id.end() &&
        at->second->kind() == v1::KIND_SHARED) {
      auto& f = areas[at->second->social_area()];
      f.set_caseload_persons(f.caseload_persons() + h.asylblg_person_ids_size());
    }
  }
  for (const auto& [area, n] : social_workers) areas[area].set_social_workers(n);
  std::vector<v1::AreaFigures> out;
  for (auto& [area, f] : areas) {
    f.set_social_area(area);
    if (f.persons_housed() > 0) {
      f.set_share_in_flats(static_cast<double>(f.persons_in_flats()) / f.persons_housed());
      f.set_square_metres_per_person(static_cast<double>(square_metres[area]) / f.persons_housed());
    }
    if (f.social_workers() > 0) {
      f.set_persons_per_social_worker(static_cast<double>(f.caseload_persons()) / f.social_workers());
    }
    out.push_back(std::move(f));
  }
  return out;
}

}  // namespace ankommen::housing
