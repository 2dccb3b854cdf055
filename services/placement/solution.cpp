#include <algorithm>
#include <memory>
#include <set>

#include "absl/strings/str_cat.h"
#include "geo.h"
#include "internal.h"
#include "solver.h"

namespace ankommen::placement {

int Solution::placed() const {
  return static_cast<int>(std::count_if(placements.begin(), placements.end(),
                                        [](const Placement& p) { return p.place >= 0; }));
}

const char* UnplacedName(Unplaced u) {
  switch (u) {
    case Unplaced::kNoPlaceInReach: return "no_place_in_reach";
    case Unplaced::kPlacesFull: return "places_full";
    case Unplaced::kOutranked: return "outranked";
  }
  return "unknown";
}

namespace internal {

std::vector<std::pair<size_t, size_t>> CandidateRanges(const Problem& problem) {
  std::vector<std::pair<size_t, size_t>> ranges(problem.demands.size(), {0, 0});
  size_t c = 0;
  for (size_t d = 0; d < problem.demands.size(); ++d) {
    size_t begin = c;
    while (c < problem.candidates.size() && problem.candidates[c].demand == static_cast<int32_t>(d)) ++c;
    ranges[d] = {begin, c};
  }
  return ranges;
}

std::vector<int32_t> Greedy(const Problem& problem, const std::vector<int64_t>& cost) {
  std::vector<Amounts> remaining;
  remaining.reserve(problem.places.size());
  for (const auto& p : problem.places) remaining.push_back(p.capacity);
  auto ranges = CandidateRanges(problem);
  std::vector<int32_t> place_of(problem.demands.size(), -1);
  std::vector<size_t> order;
  for (int32_t d : PriorityOrder(problem)) {
    const Demand& demand = problem.demands[static_cast<size_t>(d)];
    auto [begin, end] = ranges[static_cast<size_t>(d)];
    order.resize(end - begin);
    for (size_t i = 0; i < order.size(); ++i) order[i] = begin + i;
    std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return cost[a] < cost[b]; });
    for (size_t c : order) {
      auto& room = remaining[static_cast<size_t>(problem.candidates[c].place)];
      if (!Fits(demand.need, room)) continue;
      for (int k = 0; k < kKinds; ++k) room[k] -= demand.need[k];
      place_of[static_cast<size_t>(d)] = problem.candidates[c].place;
      break;
    }
  }
  return place_of;
}

Solution Finish(const Problem& problem, const Objective& objective, std::string_view solver,
                const std::vector<int32_t>& place_of_demand, double bound, bool optimal) {
  Solution s;
  s.solver = std::string(solver);
  s.placements.resize(problem.demands.size());
  for (size_t d = 0; d < problem.demands.size(); ++d) {
    s.placements[d].demand = static_cast<int32_t>(d);
    s.placements[d].place = place_of_demand[d];
  }
  s.objective = Evaluate(problem, objective, place_of_demand);
  s.bound = optimal ? s.objective : bound;
  s.optimal = optimal;
  Explain(problem, s);
  return s;
}

}  // namespace internal

// An explanation names at most this many places, nearest first.
constexpr size_t kNamedPlaces = 10;

void Explain(const Problem& problem, Solution& solution) {
  auto ranges = internal::CandidateRanges(problem);
  bool any_unplaced = false;
  for (auto& p : solution.placements) {
    const Demand& d = problem.demands[static_cast<size_t>(p.demand)];
    if (p.place < 0) {
      any_unplaced = true;
      continue;
    }
    auto [begin, end] = ranges[static_cast<size_t>(p.demand)];
    for (size_t c = begin; c < end; ++c) {
      if (problem.candidates[c].place != p.place) continue;
      p.reason.km = problem.candidates[c].km;
      p.reason.extra_cost = problem.candidates[c].extra_cost;
      break;
    }
    p.reason.days_waited = d.days_waited;
    p.reason.obliged = d.obliged;
    p.reason.wish_met = !d.wish_area.empty() && d.wish_area == problem.places[static_cast<size_t>(p.place)].area;
  }
  if (!any_unplaced) return;
  // With candidates, the demand could have had a seat: others got them.
  // Without, look again near it: places without enough free capacity are
  // not candidates, and people need to hear that they exist but are full.
  std::unique_ptr<GridIndex> index;
  std::vector<GeoPoint> locations;
  for (auto& p : solution.placements) {
    if (p.place >= 0) continue;
    const Demand& d = problem.demands[static_cast<size_t>(p.demand)];
    auto [begin, end] = ranges[static_cast<size_t>(p.demand)];
    if (begin < end) {
      p.why_not = Unplaced::kOutranked;
      for (size_t c = begin; c < end && p.places_in_reach.size() < kNamedPlaces; ++c) {
        p.places_in_reach.push_back(problem.candidates[c].place);
      }
      continue;
    }
    if (index == nullptr) {
      for (const auto& place : problem.places) locations.push_back(place.location);
      index = std::make_unique<GridIndex>(locations, 10);
    }
    std::vector<std::pair<double, int32_t>> in_reach;
    index->ForEachWithin(d.home, d.max_km, [&](int32_t i, double km) { in_reach.push_back({km, i}); });
    std::sort(in_reach.begin(), in_reach.end());
    for (const auto& [km, i] : in_reach) {
      if (p.places_in_reach.size() == kNamedPlaces) break;
      p.places_in_reach.push_back(i);
    }
    p.why_not = in_reach.empty() ? Unplaced::kNoPlaceInReach : Unplaced::kPlacesFull;
  }
}

absl::Status Verify(const Problem& problem, const Solution& solution) {
  if (solution.placements.size() != problem.demands.size()) {
    return absl::InternalError("a placement per demand is missing");
  }
  std::vector<Amounts> used(problem.places.size(), Amounts{});
  std::set<std::pair<int32_t, int32_t>> pairs;
  for (const auto& c : problem.candidates) pairs.insert({c.demand, c.place});
  for (const auto& p : solution.placements) {
    if (p.place < 0) continue;
    if (!pairs.count({p.demand, p.place})) {
      return absl::InternalError(absl::StrCat("demand ", p.demand, " placed at a place that is not a candidate"));
    }
    for (int k = 0; k < kKinds; ++k) used[static_cast<size_t>(p.place)][k] += problem.demands[static_cast<size_t>(p.demand)].need[k];
  }
  for (size_t i = 0; i < problem.places.size(); ++i) {
    for (int k = 0; k < kKinds; ++k) {
      if (used[i][k] > problem.places[i].capacity[k]) {
        return absl::InternalError(absl::StrCat("place ", problem.places[i].id, " over capacity in kind ", k));
      }
    }
  }
  return absl::OkStatus();
}

}  // namespace ankommen::placement
