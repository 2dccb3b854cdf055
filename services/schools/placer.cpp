#include "placer.h"

#include <functional>
#include <map>
#include <set>
#include <unordered_map>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "ankommen/schools/v1/events.pb.h"
#include "store/command.h"
#include "domain/school_rules.h"
#include "domain/validation.h"
#include "text/field_checks.h"
#include "geo.h"
#include "store/ids.h"
#include "observability/log.h"
#include "solver.h"
#include "bus/streams.h"

namespace ankommen::schools {
namespace {

// A Kita other than the one a sibling goes to costs as much as 30 km more:
// siblings together unless no place is free there.
constexpr int32_t kAwayFromSiblingsCost = 3000;

absl::Status Fenced(int64_t record_fence, int64_t fence) {
  if (record_fence > fence) return absl::AbortedError("the placement lease moved to another replica; this run stops");
  return absl::OkStatus();
}

placement::GeoPoint Point(const ankommen::common::v1::ApproxLocation& l) { return {l.lat(), l.lon()}; }

// Removes the candidates whose place is among those rejected for the demand.
void DropRejected(placement::Problem& problem, const std::function<std::set<std::string>(int32_t)>& rejected_for) {
  std::map<int32_t, std::set<std::string>> rejected;
  bool any = false;
  for (int32_t d = 0; d < static_cast<int32_t>(problem.demands.size()); ++d) {
    rejected[d] = rejected_for(d);
    any = any || !rejected[d].empty();
  }
  if (!any) return;
  std::erase_if(problem.candidates, [&](const placement::Candidate& c) {
    return rejected[c.demand].contains(problem.places[static_cast<size_t>(c.place)].id);
  });
}

// Children of the groups a run left waiting over `long_wait_days` while a
// place within their reach (not one rejected for them) still has a free seat
// after the run — one seat is enough to count, though a group needs as many
// as it has children.
int LeftWaitingWithSeatInReach(const placement::Problem& problem, const placement::Solution& solution,
                               int long_wait_days, const std::function<std::set<std::string>(int32_t)>& rejected_for) {
  std::vector<int32_t> free(problem.places.size());
  for (size_t p = 0; p < problem.places.size(); ++p) free[p] = problem.places[p].capacity[placement::kSeat];
  std::vector<bool> placed(problem.demands.size());
  for (const auto& p : solution.placements) {
    if (p.place < 0) continue;
    placed[static_cast<size_t>(p.demand)] = true;
    free[static_cast<size_t>(p.place)] -= problem.demands[static_cast<size_t>(p.demand)].need[placement::kSeat];
  }
  int children = 0;
  for (size_t d = 0; d < problem.demands.size(); ++d) {
    const placement::Demand& demand = problem.demands[d];
    if (placed[d] || demand.days_waited <= long_wait_days) continue;
    const std::set<std::string> rejected = rejected_for(static_cast<int32_t>(d));
    for (size_t p = 0; p < problem.places.size(); ++p) {
      const placement::Place& place = problem.places[p];
      if (free[p] > 0 && !rejected.contains(place.id) &&
          placement::HaversineKm(demand.home, place.location) <= demand.max_km) {
        children += demand.need[placement::kSeat];
        break;
      }
    }
  }
  return children;
}

// The places the office rejected for any child of a group: none is proposed
// to the group (siblings go together) again.
std::set<std::string> RejectedForGroup(const std::vector<std::string>& person_ids,
                                       const std::unordered_map<std::string, const v1::ChildRecord*>& by_id) {
  std::set<std::string> rejected;
  for (const auto& id : person_ids) {
    for (const auto& place : RejectedPlaces(by_id.at(id)->child())) rejected.insert(place);
  }
  return rejected;
}

int DaysSince(const std::string& iso, absl::CivilDay today) {
  absl::CivilDay since;
  return ParseIsoDate(iso, since) ? static_cast<int>(std::max<absl::civil_diff_t>(0, today - since)) : 0;
}

}  // namespace

Placer::Placer(Schools& schools, std::string holder, PlacerOptions options)
    : LeasedRunner(schools.store().redis(), schools.store().keys(), "placement", std::move(holder), options,
                   [&schools] { return schools.RefreshGauges(); }),
      schools_(schools) {}

absl::StatusOr<v1::RunPlacementResponse> Placer::RunOnce() {
  return WithLease<v1::RunPlacementResponse>([&](int64_t fence) -> absl::StatusOr<v1::RunPlacementResponse> {
    v1::RunPlacementResponse report;
    if (auto s = Sweep(); !s.ok()) return s;
    if (auto s = LeaveImported(fence); !s.ok()) return s;
    if (auto s = Place(fence, report); !s.ok()) return s;
    if (auto s = ReportGaps(); !s.ok()) return s;
    if (report.placed() > 0) {
      log::Info("placement_run", {{"open", report.open()}, {"placed", report.placed()},
                                  {"still_waiting", report.still_waiting()}, {"solver", report.solver()}});
    }
    return report;
  });
}

absl::Status Placer::Sweep() {
  SchoolStore& store = schools_.store();
  auto schools = store.LoadAllSchools();
  if (!schools.ok()) return schools.status();
  auto kitas = store.LoadAllKitas();
  if (!kitas.ok()) return kitas.status();
  auto children = store.LoadActiveChildren();
  if (!children.ok()) return children.status();
  // Where each child sits according to the schools and Kitas: the truth.
  std::unordered_map<std::string, v1::Placement> held;
  for (const auto& s : *schools) {
    for (const auto& p : s.record.pupils()) {
      v1::Placement& at = held[p.person_id()];
      at.set_status(p.proposed() ? v1::CHILD_STATUS_PROPOSED : v1::CHILD_STATUS_PLACED);
      at.set_place_id(s.record.school().school_id());
      at.set_class_id(p.class_id());
      at.set_phase(p.phase());
      at.mutable_placed_at()->set_seconds(p.placed_at());
    }
  }
  for (const auto& k : *kitas) {
    for (const auto& c : k.record.children()) {
      v1::Placement& at = held[c.person_id()];
      at.set_status(c.proposed() ? v1::CHILD_STATUS_PROPOSED : v1::CHILD_STATUS_PLACED);
      at.set_place_id(k.record.kita().kita_id());
      at.mutable_placed_at()->set_seconds(c.placed_at());
    }
  }
  for (const auto& c : *children) {
    const v1::Placement& claims = c.record.child().placement();
    auto it = held.find(c.record.child().person_id());
    if (it != held.end()) {
      if (claims.place_id() == it->second.place_id()) continue;
      if (claims.status() == v1::CHILD_STATUS_WAITING && claims.place_id().empty()) {
        // Seated, but the child's record missed it.
        v1::Placement followed = it->second;
        followed.set_reason(claims.reason());
        if (auto s = schools_.FollowPlacement(c.record.child().person_id(), followed); !s.ok()) return s;
      }
    } else if (HoldsPlace(claims.status())) {
      // The record claims a seat nobody holds for it (released, but it missed it).
      v1::Placement open;
      open.set_status(v1::CHILD_STATUS_WAITING);
      open.set_reason("placed again: the earlier place was released");
      if (auto s = schools_.FollowPlacement(c.record.child().person_id(), open); !s.ok()) return s;
    }
  }
  return absl::OkStatus();
}

absl::Status Placer::LeaveImported(int64_t fence) {
  SchoolStore& store = schools_.store();
  auto schools = store.LoadAllSchools();
  if (!schools.ok()) return schools.status();
  const absl::CivilDay today = schools_.Today();
  for (const auto& loaded_school : *schools) {
    const std::string& school_id = loaded_school.record.school().school_id();
    v1::SchoolRecord probe = loaded_school.record;
    if (!schools::LeaveImported(probe, today, schools_.settings().daz.daz_weeks)) continue;
    auto s = ApplyChange(store.outbox(), PartitionOfId(school_id), [&]() -> absl::StatusOr<std::optional<Commit>> {
      auto loaded = store.LoadSchool(school_id);
      if (!loaded.ok()) return loaded.status();
      if (!loaded->has_value()) return std::optional<Commit>();
      v1::SchoolRecord record = std::move((*loaded)->record);
      if (auto f = Fenced(record.fence(), fence); !f.ok()) return f;
      if (!schools::LeaveImported(record, today, schools_.settings().daz.daz_weeks)) return std::optional<Commit>();
      record.set_fence(fence);
      Commit c;
      c.aggregate_key = store.SchoolKey(school_id);
      c.expected_version = (*loaded)->version;
      c.state = record.SerializeAsString();
      return std::optional<Commit>(std::move(c));
    });
    if (!s.ok()) return s;
  }
  return absl::OkStatus();
}

absl::Status Placer::Place(int64_t fence, v1::RunPlacementResponse& report) {
  SchoolStore& store = schools_.store();
  auto schools = store.LoadAllSchools();
  if (!schools.ok()) return schools.status();
  auto kitas = store.LoadAllKitas();
  if (!kitas.ok()) return kitas.status();
  auto loaded_children = store.LoadActiveChildren();
  if (!loaded_children.ok()) return loaded_children.status();
  std::vector<v1::ChildRecord> waiting;
  std::unordered_map<std::string, const v1::ChildRecord*> by_id;
  std::unordered_map<std::string, std::string> household_of;  // every child followed
  for (const auto& c : *loaded_children) {
    household_of[c.record.child().person_id()] = c.record.child().household_id();
    if (c.record.child().placement().status() == v1::CHILD_STATUS_WAITING) waiting.push_back(c.record);
  }
  for (const auto& c : waiting) by_id[c.child().person_id()] = &c;
  report.set_open(static_cast<int32_t>(waiting.size()));
  const absl::CivilDay today = schools_.Today();
  const int64_t now = absl::ToUnixSeconds(schools_.clock().Now());
  // Proposals wait for the schools office where the district asks for it.
  const bool confirm = schools_.settings().confirm_placements;

  // Schools, one problem per school type: sibling groups need as many seats as they are.
  const std::vector<SiblingGroup> groups = GroupSiblings(waiting);
  for (v1::SchoolType type : {v1::SCHOOL_TYPE_GS, v1::SCHOOL_TYPE_OS, v1::SCHOOL_TYPE_GYMNASIUM, v1::SCHOOL_TYPE_BSZ}) {
    placement::Problem problem;
    std::vector<const SiblingGroup*> demand_groups;
    for (const auto& g : groups) {
      if (g.school_type != type) continue;
      const v1::ChildRecord& first = *by_id.at(g.person_ids.front());
      placement::Demand d;
      d.id = absl::StrCat(g.household_id, "/", TypeLabel(type));
      d.home = Point(first.location());
      d.need[placement::kSeat] = static_cast<int32_t>(g.person_ids.size());
      d.days_waited = DaysSince(first.child().waiting_since(), today);
      d.obliged = true;  // Schulpflicht
      auto limit = schools_.settings().max_km.find(type);
      d.max_km = limit != schools_.settings().max_km.end() ? limit->second : 20;
      problem.demands.push_back(std::move(d));
      demand_groups.push_back(&g);
    }
    std::vector<const v1::SchoolRecord*> places;
    for (const auto& s : *schools) {
      if (s.record.school().school_type() != type) continue;
      const int free = FreeSeats(s.record);
      if (free <= 0) continue;
      placement::Amounts capacity{};
      capacity[placement::kSeat] = free;
      problem.places.push_back({s.record.school().school_id(), Point(s.record.school().location().coordinates()),
                                capacity, s.record.school().location().social_area()});
      places.push_back(&s.record);
    }
    if (problem.demands.empty() || problem.places.empty()) {
      schools_.SetLeftWaiting(TypeLabel(type), 0);
      continue;
    }
    problem.candidates = placement::GenerateCandidates(problem.demands, problem.places);
    // A place the office rejected for a child is not proposed to it (or its siblings) again.
    auto rejected_for = [&](int32_t demand) {
      return RejectedForGroup(demand_groups[static_cast<size_t>(demand)]->person_ids, by_id);
    };
    DropRejected(problem, rejected_for);
    const std::string solver_name(placement::SolverForPolicy(problem, schools_.settings().policy));
    auto solver = placement::MakeSolver(solver_name);
    if (!solver.ok()) return solver.status();
    auto solution = (*solver)->Solve(problem);
    if (!solution.ok()) return solution.status();
    report.set_solver(solution->solver);
    const int left_waiting = LeftWaitingWithSeatInReach(problem, *solution, kLongSchoolWaitDays, rejected_for);
    schools_.SetLeftWaiting(TypeLabel(type), left_waiting);
    report.set_left_waiting_with_seat_in_reach(report.left_waiting_with_seat_in_reach() + left_waiting);
    for (const auto& p : solution->placements) {
      if (p.place < 0) continue;
      const SiblingGroup& g = *demand_groups[static_cast<size_t>(p.demand)];
      const std::string school_id = places[static_cast<size_t>(p.place)]->school().school_id();
      std::vector<v1::Pupil> seated;
      std::string area;
      auto s = ApplyChange(store.outbox(), PartitionOfId(school_id), [&]() -> absl::StatusOr<std::optional<Commit>> {
        auto loaded = store.LoadSchool(school_id);
        if (!loaded.ok()) return loaded.status();
        if (!loaded->has_value()) return std::optional<Commit>();
        v1::SchoolRecord record = std::move((*loaded)->record);
        if (auto f = Fenced(record.fence(), fence); !f.ok()) return f;
        // Seats cut meanwhile: the next run places this group.
        std::vector<int> phases;
        for (const auto& id : g.person_ids) phases.push_back(StartPhase(by_id.at(id)->child().cefr_level(), schools_.settings().daz));
        if (!SeatPupils(record, g.person_ids, now, confirm, phases).ok()) return std::optional<Commit>();
        record.set_fence(fence);
        area = record.school().location().social_area();
        Commit c;
        c.aggregate_key = store.SchoolKey(school_id);
        c.expected_version = (*loaded)->version;
        c.state = record.SerializeAsString();
        seated.clear();
        for (const auto& id : g.person_ids) {
          const v1::Pupil* pupil = FindPupil(record, id);
          seated.push_back(*pupil);
          // A proposal tells nobody yet: the event follows the office's confirmation.
          if (!confirm) {
            c.events.push_back(ToOutgoing(streams::kSchoolPlaced, schools_.SchoolPlacedEvent(record, *pupil, *by_id.at(id), "")));
          }
        }
        return std::optional<Commit>(std::move(c));
      });
      if (!s.ok()) return s;
      for (const auto& pupil : seated) {
        v1::Placement at;
        at.set_status(confirm ? v1::CHILD_STATUS_PROPOSED : v1::CHILD_STATUS_PLACED);
        at.set_place_id(school_id);
        at.set_class_id(pupil.class_id());
        at.set_phase(pupil.phase());
        at.set_km(p.reason.km);
        at.mutable_placed_at()->set_seconds(now);
        at.set_reason(absl::StrFormat("a DaZ seat %.1f km from home, with siblings of this school type%s", p.reason.km,
                                      pupil.phase() == 2 ? ", from phase 2 by the German recorded" : ""));
        if (auto f = schools_.FollowPlacement(pupil.person_id(), at); !f.ok() && !absl::IsFailedPrecondition(f)) return f;
        schools_.ObserveWait(TypeLabel(type), DaysSince(by_id.at(pupil.person_id())->child().waiting_since(), today));
        report.set_placed(report.placed() + 1);
      }
    }
  }

  // Kitas, one problem per age group, the older first: children of one
  // household and group go together, to a Kita whose day covers the care they
  // need; a younger sibling is placed where an older one has its place,
  // unless no place is free there.
  std::map<std::string, std::set<std::string>> siblings_kitas;  // household -> Kitas holding its children
  auto note_sibling_place = [&](const std::string& person_id, const std::string& kita_id) {
    auto it = household_of.find(person_id);
    if (it != household_of.end()) siblings_kitas[it->second].insert(kita_id);
  };
  for (const auto& k : *kitas) {
    for (const auto& c : k.record.children()) note_sibling_place(c.person_id(), k.record.kita().kita_id());
  }
  std::vector<v1::ChildRecord> sought;
  for (const auto& c : waiting) {
    if (SoughtYet(c.child(), today, schools_.settings().kita_ahead_days)) sought.push_back(c);
  }
  const std::vector<KitaGroup> kita_groups = GroupKitaSiblings(sought);
  for (v1::AgeGroup group : {v1::AGE_GROUP_3_TO_SCHOOL, v1::AGE_GROUP_UNDER_3}) {
    placement::Problem problem;
    std::vector<const KitaGroup*> demand_groups;
    for (const auto& g : kita_groups) {
      if (g.age_group != group) continue;
      const v1::ChildRecord& first = *by_id.at(g.person_ids.front());
      placement::Demand d;
      d.id = absl::StrCat(g.household_id, "/", GroupLabel(group));
      d.home = Point(first.location());
      d.need[placement::kSeat] = static_cast<int32_t>(g.person_ids.size());
      d.days_waited = DaysSince(first.child().waiting_since(), today);
      d.max_km = schools_.settings().kita_max_km;
      problem.demands.push_back(std::move(d));
      demand_groups.push_back(&g);
    }
    std::vector<const v1::KitaRecord*> places;
    for (const auto& k : *kitas) {
      const int free = FreePlaces(k.record, group);
      if (free <= 0) continue;
      placement::Amounts capacity{};
      capacity[placement::kSeat] = free;
      problem.places.push_back({k.record.kita().kita_id(), Point(k.record.kita().location().coordinates()), capacity,
                                k.record.kita().location().social_area()});
      places.push_back(&k.record);
    }
    if (problem.demands.empty() || problem.places.empty()) continue;
    problem.candidates = placement::GenerateCandidates(problem.demands, problem.places, 0, [&](int32_t d, int32_t p) {
      return CoversHours(places[static_cast<size_t>(p)]->kita(), demand_groups[static_cast<size_t>(d)]->care_hours);
    });
    for (auto& c : problem.candidates) {
      const auto it = siblings_kitas.find(demand_groups[static_cast<size_t>(c.demand)]->household_id);
      if (it != siblings_kitas.end() && !it->second.contains(places[static_cast<size_t>(c.place)]->kita().kita_id())) {
        c.extra_cost += kAwayFromSiblingsCost;
      }
    }
    auto rejected_for = [&](int32_t demand) {
      return RejectedForGroup(demand_groups[static_cast<size_t>(demand)]->person_ids, by_id);
    };
    DropRejected(problem, rejected_for);
    auto solver = placement::MakeSolver(placement::SolverForPolicy(problem, schools_.settings().policy));
    if (!solver.ok()) return solver.status();
    auto solution = (*solver)->Solve(problem);
    if (!solution.ok()) return solution.status();
    for (const auto& p : solution->placements) {
      if (p.place < 0) continue;
      const KitaGroup& g = *demand_groups[static_cast<size_t>(p.demand)];
      const std::string kita_id = places[static_cast<size_t>(p.place)]->kita().kita_id();
      bool made = false;
      auto s = ApplyChange(store.outbox(), PartitionOfId(kita_id), [&]() -> absl::StatusOr<std::optional<Commit>> {
        made = false;
        auto loaded = store.LoadKita(kita_id);
        if (!loaded.ok()) return loaded.status();
        if (!loaded->has_value()) return std::optional<Commit>();
        v1::KitaRecord record = std::move((*loaded)->record);
        if (auto f = Fenced(record.fence(), fence); !f.ok()) return f;
        // All of the group or none (places taken meanwhile: the next run places it).
        if (FreePlaces(record, group) < static_cast<int>(g.person_ids.size())) return std::optional<Commit>();
        Commit c;
        for (const auto& id : g.person_ids) {
          if (!AddKitaChild(record, id, group, now, confirm).ok()) return std::optional<Commit>();
          if (!confirm) {
            c.events.push_back(ToOutgoing(streams::kKitaPlaced, schools_.KitaPlacedEvent(record, *by_id.at(id), "")));
          }
        }
        record.set_fence(fence);
        c.aggregate_key = store.KitaKey(kita_id);
        c.expected_version = (*loaded)->version;
        c.state = record.SerializeAsString();
        made = true;
        return std::optional<Commit>(std::move(c));
      });
      if (!s.ok()) return s;
      if (!made) continue;
      for (const auto& id : g.person_ids) {
        note_sibling_place(id, kita_id);
        v1::Placement at;
        at.set_status(confirm ? v1::CHILD_STATUS_PROPOSED : v1::CHILD_STATUS_PLACED);
        at.set_place_id(kita_id);
        at.set_km(p.reason.km);
        at.mutable_placed_at()->set_seconds(now);
        at.set_reason(absl::StrFormat("a Kita place %.1f km from home%s", p.reason.km,
                                      g.person_ids.size() > 1 ? ", with siblings of its group" : ""));
        if (auto f = schools_.FollowPlacement(id, at); !f.ok() && !absl::IsFailedPrecondition(f)) return f;
        schools_.ObserveWait("kita", DaysSince(by_id.at(id)->child().waiting_since(), today));
        report.set_placed(report.placed() + 1);
      }
    }
  }
  report.set_still_waiting(report.open() - report.placed());
  return absl::OkStatus();
}

absl::Status Placer::ReportGaps() {
  v1::GetCapacityResponse capacity;
  if (auto s = schools_.GetCapacity({}, capacity, {}); !s.ok()) return s;
  SchoolStore& store = schools_.store();
  for (const auto& row : capacity.areas()) {
    const std::string gap = absl::StrCat(row.social_area(), "|", TypeLabel(row.school_type()), "|",
                                         GroupLabel(row.age_group()));
    const std::string key = store.GapKey(gap);
    auto s = ApplyChange(store.outbox(), PartitionOfKey(gap), [&]() -> absl::StatusOr<std::optional<Commit>> {
      auto last = LoadAggregate<v1::AreaCapacity>(store.outbox(), key);
      if (!last.ok()) return last.status();
      const int before = last->has_value() ? (*last)->record.waiting() : 0;
      const int short_before = last->has_value() ? (*last)->record.short_by() : 0;
      // Only a change is news: a gap opening, growing, shrinking or closing.
      if (before == row.waiting() && short_before == row.short_by()) return std::optional<Commit>();
      v1::CapacityGapDetected e;
      *e.mutable_meta() = schools_.Meta("");
      e.set_social_area(row.social_area());
      e.set_school_type(row.school_type());
      e.set_age_group(row.age_group());
      e.set_waiting(row.waiting());
      e.set_short_by(row.short_by());
      Commit c;
      c.aggregate_key = key;
      c.expected_version = last->has_value() ? (*last)->version : 0;
      c.state = row.SerializeAsString();
      c.events.push_back(ToOutgoing(streams::kCapacityGapDetected, e));
      return std::optional<Commit>(std::move(c));
    });
    if (!s.ok()) return s;
  }
  return absl::OkStatus();
}

}  // namespace ankommen::schools
