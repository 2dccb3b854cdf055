// One-unit demands (a course seat, perhaps with a childcare place) as a
// minimum-cost flow, solved by LEMON's network simplex:
//
//   source -> demand -> [place's childcare node ->] place's seat node -> sink
//             demand ------------------------------------------------> sink  (unplaced, at its penalty)
//
// A demand that needs childcare can reach a place's seats only through its
// childcare places: the nested capacities. The penalties (objective.h) make
// the flow place as many as possible, then by priority, then nearest.
//
// LEMON's network simplex solves it (min_cost_flow.h). Two reductions keep
// large instances small: regions whose demands cannot
// reach each other's places are solved apart, in parallel; and in a large
// region, demands with the same needs and reach living in the same small cell
// become one node whose supply is their number. Its penalty arcs keep every
// member's priority, so the flow still leaves the shortest waits unplaced;
// afterwards the members take the places the flow chose, longest wait first.
#include <algorithm>
#include <atomic>
#include <cmath>
#include <map>
#include <numeric>
#include <thread>
#include <unordered_map>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "internal.h"
#include "min_cost_flow.h"
#include "solvers.h"

namespace ankommen::placement {
namespace {

struct Region {
  std::vector<int32_t> demands;
};

// Regions: connected components of the demand–place candidate graph.
std::vector<Region> Regions(const Problem& problem) {
  const size_t nd = problem.demands.size();
  std::vector<int32_t> parent(nd + problem.places.size());
  std::iota(parent.begin(), parent.end(), 0);
  auto find = [&](int32_t x) {
    while (parent[static_cast<size_t>(x)] != x) x = parent[static_cast<size_t>(x)] = parent[static_cast<size_t>(parent[static_cast<size_t>(x)])];
    return x;
  };
  for (const auto& c : problem.candidates) {
    int32_t a = find(c.demand), b = find(static_cast<int32_t>(nd) + c.place);
    if (a != b) parent[static_cast<size_t>(std::max(a, b))] = std::min(a, b);
  }
  std::unordered_map<int32_t, size_t> index;
  std::vector<Region> regions;
  auto ranges = internal::CandidateRanges(problem);
  for (size_t d = 0; d < nd; ++d) {
    if (ranges[d].first == ranges[d].second) continue;  // nothing in reach: unplaced, no flow needed
    auto [it, fresh] = index.try_emplace(find(static_cast<int32_t>(d)), regions.size());
    if (fresh) regions.emplace_back();
    regions[it->second].demands.push_back(static_cast<int32_t>(d));
  }
  // Largest first, so that threads finish together.
  std::stable_sort(regions.begin(), regions.end(),
                   [](const Region& a, const Region& b) { return a.demands.size() > b.demands.size(); });
  return regions;
}

// Demands that are one node in the flow: same needs, homes in one small
// cell, the same places in reach.
struct Group {
  std::vector<int32_t> members;  // longest wait first
};

std::vector<Group> GroupDemands(const Problem& problem, const Objective& objective,
                                const std::vector<std::pair<size_t, size_t>>& ranges, const Region& region,
                                const SolverOptions& options) {
  std::vector<Group> groups;
  if (static_cast<int>(region.demands.size()) < options.aggregate_min_demands) {
    for (int32_t d : region.demands) groups.push_back({{d}});
    return groups;
  }
  const double cell_deg = options.aggregate_cell_km / 111.2;
  std::map<std::tuple<int64_t, int64_t, int32_t, uint64_t>, size_t> index;
  std::vector<int32_t> reach;
  for (int32_t d : region.demands) {
    const Demand& demand = problem.demands[static_cast<size_t>(d)];
    double lon_scale = std::max(0.05, std::cos(demand.home.lat * 3.141592653589793 / 180.0));
    // Members must reach exactly the same places: then any of them can take
    // any seat the flow gives the group, and the longest waits take them.
    reach.clear();
    for (size_t c = ranges[static_cast<size_t>(d)].first; c < ranges[static_cast<size_t>(d)].second; ++c) {
      reach.push_back(problem.candidates[c].place);
    }
    std::sort(reach.begin(), reach.end());
    uint64_t reach_hash = 1469598103934665603ull;
    for (int32_t p : reach) reach_hash = (reach_hash ^ static_cast<uint64_t>(p)) * 1099511628211ull;
    auto key = std::make_tuple(static_cast<int64_t>(std::floor(demand.home.lat / cell_deg)),
                               static_cast<int64_t>(std::floor(demand.home.lon * lon_scale / cell_deg)),
                               demand.need[kChildcare], reach_hash);
    auto [it, fresh] = index.try_emplace(key, groups.size());
    if (fresh) groups.emplace_back();
    groups[it->second].members.push_back(d);
  }
  for (auto& g : groups) {
    std::stable_sort(g.members.begin(), g.members.end(), [&](int32_t a, int32_t b) {
      auto pa = objective.priority[static_cast<size_t>(a)], pb = objective.priority[static_cast<size_t>(b)];
      if (pa != pb) return pa > pb;
      return problem.demands[static_cast<size_t>(a)].id < problem.demands[static_cast<size_t>(b)].id;
    });
  }
  return groups;
}

struct RegionResult {
  bool aggregated = false;
  double build_seconds = 0, solve_seconds = 0;
};

// Solves one region; writes place_of for its demands.
absl::StatusOr<RegionResult> SolveRegion(const Problem& problem, const Objective& objective,
                                         const std::vector<std::pair<size_t, size_t>>& ranges, const Region& region,
                                         const SolverOptions& options, std::vector<int32_t>& place_of) {
  RegionResult result;
  absl::Time start = absl::Now();
  std::vector<Group> groups = GroupDemands(problem, objective, ranges, region, options);
  result.aggregated = groups.size() < region.demands.size();

  FlowNetwork net;
  net.source = net.AddNode();
  net.sink = net.AddNode();
  net.supply = static_cast<int64_t>(region.demands.size());
  std::unordered_map<int32_t, int32_t> seat_node, childcare_node;
  auto seat_of = [&](int32_t p) {
    auto [it, fresh] = seat_node.try_emplace(p, 0);
    if (fresh) {
      it->second = net.AddNode();
      net.AddArc(it->second, net.sink, problem.places[static_cast<size_t>(p)].capacity[kSeat], 0);
    }
    return it->second;
  };
  auto childcare_of = [&](int32_t p) {
    auto [it, fresh] = childcare_node.try_emplace(p, 0);
    if (fresh) {
      it->second = net.AddNode();
      net.AddArc(it->second, seat_of(p), problem.places[static_cast<size_t>(p)].capacity[kChildcare], 0);
    }
    return it->second;
  };
  // Per group: its arcs to places, to read the flow back.
  std::vector<std::vector<std::pair<int32_t, int32_t>>> group_arcs(groups.size());
  for (size_t gi = 0; gi < groups.size(); ++gi) {
    const auto& members = groups[gi].members;
    int32_t node = net.AddNode();
    net.AddArc(net.source, node, static_cast<int64_t>(members.size()), 0);
    // One penalty arc per priority: the flow leaves the cheapest (shortest waits) unplaced.
    for (size_t i = 0; i < members.size();) {
      size_t j = i;
      while (j < members.size() && objective.penalty[static_cast<size_t>(members[j])] ==
                                       objective.penalty[static_cast<size_t>(members[i])]) {
        ++j;
      }
      net.AddArc(node, net.sink, static_cast<int64_t>(j - i), objective.penalty[static_cast<size_t>(members[i])]);
      i = j;
    }
    // Arcs to the places the members reach, at their mean cost.
    std::map<int32_t, std::pair<int64_t, int64_t>> reach;  // place -> (members, summed cost)
    for (int32_t d : members) {
      for (size_t c = ranges[static_cast<size_t>(d)].first; c < ranges[static_cast<size_t>(d)].second; ++c) {
        auto& r = reach[problem.candidates[c].place];
        r.first += 1;
        r.second += objective.arc_cost[c];
      }
    }
    const bool childcare = problem.demands[static_cast<size_t>(members[0])].need[kChildcare] > 0;
    for (const auto& [p, r] : reach) {
      int32_t arc = net.AddArc(node, childcare ? childcare_of(p) : seat_of(p), r.first, (r.second + r.first / 2) / r.first);
      group_arcs[gi].push_back({p, arc});
    }
  }
  absl::Time built = absl::Now();
  std::vector<int64_t> flow = SolveMinCostFlow(net, &result.solve_seconds);
  if (flow.empty()) return absl::InternalError("LEMON found no optimal flow");
  // Members take the places the flow chose for their group, longest wait first, nearest first.
  for (size_t gi = 0; gi < groups.size(); ++gi) {
    std::unordered_map<int32_t, int64_t> left;
    for (const auto& [p, arc] : group_arcs[gi]) {
      if (int64_t f = flow[static_cast<size_t>(arc)]; f > 0) left[p] = f;
    }
    if (left.empty()) continue;
    for (int32_t d : groups[gi].members) {
      for (size_t c = ranges[static_cast<size_t>(d)].first; c < ranges[static_cast<size_t>(d)].second; ++c) {
        auto it = left.find(problem.candidates[c].place);
        if (it == left.end() || it->second == 0) continue;
        --it->second;
        place_of[static_cast<size_t>(d)] = it->first;
        break;
      }
    }
  }
  result.build_seconds = absl::ToDoubleSeconds(built - start);
  return result;
}

// A safety net after aggregation: members take their group's seats by
// nearness, which can leave a seat a member farther down the list could have
// had. Offer what is left, longest wait first, nearest first.
void FillLeftovers(const Problem& problem, const std::vector<std::pair<size_t, size_t>>& ranges,
                   std::vector<int32_t>& place_of) {
  std::vector<Amounts> room;
  for (const auto& p : problem.places) room.push_back(p.capacity);
  for (size_t d = 0; d < place_of.size(); ++d) {
    if (place_of[d] < 0) continue;
    for (int k = 0; k < kKinds; ++k) room[static_cast<size_t>(place_of[d])][k] -= problem.demands[d].need[k];
  }
  for (int32_t d : PriorityOrder(problem)) {
    if (place_of[static_cast<size_t>(d)] >= 0) continue;
    const Demand& demand = problem.demands[static_cast<size_t>(d)];
    for (size_t c = ranges[static_cast<size_t>(d)].first; c < ranges[static_cast<size_t>(d)].second; ++c) {
      auto& r = room[static_cast<size_t>(problem.candidates[c].place)];
      if (!internal::Fits(demand.need, r)) continue;
      for (int k = 0; k < kKinds; ++k) r[k] -= demand.need[k];
      place_of[static_cast<size_t>(d)] = problem.candidates[c].place;
      break;
    }
  }
}

}  // namespace

absl::StatusOr<Solution> FlowSolver::Solve(const Problem& problem, SolveTimings* timings) const {
  absl::Time start = absl::Now();
  for (const auto& d : problem.demands) {
    if (d.need[kSeat] != 1 || d.need[kChildcare] > 1 || d.need[kBed] != 0 || d.need[kSquareMetre] != 0 ||
        d.need[kHouseholds] != 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("flow solver takes one seat (and at most one childcare place) per demand; demand ", d.id,
                       " needs more: use the group solver"));
    }
  }
  Objective objective = MakeObjective(problem);
  auto ranges = internal::CandidateRanges(problem);
  std::vector<Region> regions = Regions(problem);
  std::vector<int32_t> place_of(problem.demands.size(), -1);
  std::vector<absl::StatusOr<RegionResult>> results(regions.size(), RegionResult{});
  std::atomic<size_t> next{0};
  auto work = [&] {
    for (size_t r = next++; r < regions.size(); r = next++) {
      results[r] = SolveRegion(problem, objective, ranges, regions[r], options_, place_of);
    }
  };
  int threads = options_.threads > 0 ? options_.threads : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  threads = std::min<int>(threads, static_cast<int>(regions.size()));
  std::vector<std::thread> pool;
  for (int t = 1; t < threads; ++t) pool.emplace_back(work);
  work();
  for (auto& t : pool) t.join();
  bool aggregated = false;
  double build = 0, solve = 0;
  for (const auto& r : results) {
    if (!r.ok()) return r.status();
    aggregated = aggregated || r->aggregated;
    build += r->build_seconds;
    solve += r->solve_seconds;
  }
  if (aggregated) FillLeftovers(problem, ranges, place_of);
  Solution s = internal::Finish(problem, objective, name(), place_of, 0, !aggregated);
  if (timings) {
    timings->build_seconds = build;
    timings->solve_seconds = solve;  // summed over regions: CPU time of LEMON
    timings->total_seconds = absl::ToDoubleSeconds(absl::Now() - start);
  }
  return s;
}

}  // namespace ankommen::placement
