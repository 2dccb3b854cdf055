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
// large instances small: regions whose demands cannot reach each other's
// places are solved apart, in parallel; and in a large region, demands with
// the same needs and wish living in the same small cell become one node whose
// supply is their number, with an arc to every place any of them reaches (as
// wide as the members who reach it). Its penalty arcs keep every member's
// priority. Afterwards the members are matched to the seats the flow chose,
// and a repair pass in priority order makes sure that nobody is left out while
// someone of lower priority holds a seat they could have had.
#include <algorithm>
#include <array>
#include <atomic>
#include <cmath>
#include <functional>
#include <map>
#include <numeric>
#include <set>
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

// Demands that are one node in the flow: same needs and wish, homes in one
// small cell. The node has an arc to every place any member reaches, as wide
// as the members who reach it, at their mean cost; afterwards the members are
// matched to the seats the flow chose.
struct Group {
  std::vector<int32_t> members;  // longest wait first
};

std::vector<Group> GroupDemands(const Problem& problem, const Objective& objective, const Region& region,
                                const SolverOptions& options) {
  std::vector<Group> groups;
  if (static_cast<int>(region.demands.size()) < options.aggregate_min_demands) {
    for (int32_t d : region.demands) groups.push_back({{d}});
    return groups;
  }
  const double cell_deg = options.aggregate_cell_km / 111.2;
  std::map<std::tuple<int64_t, int64_t, int32_t, uint64_t>, size_t> index;
  for (int32_t d : region.demands) {
    const Demand& demand = problem.demands[static_cast<size_t>(d)];
    double lon_scale = std::max(0.05, std::cos(demand.home.lat * 3.141592653589793 / 180.0));
    auto key = std::make_tuple(static_cast<int64_t>(std::floor(demand.home.lat / cell_deg)),
                               static_cast<int64_t>(std::floor(demand.home.lon * lon_scale / cell_deg)),
                               demand.need[kChildcare], std::hash<std::string>{}(demand.wish_area));
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

// Matches a group's members to the seats the flow gave it (seats: place ->
// count): members in priority order, each by an augmenting path, so that a
// member once matched stays matched and as many as possible are.
void MatchMembers(const Problem& problem, const std::vector<std::pair<size_t, size_t>>& ranges,
                  const std::vector<int32_t>& members, std::unordered_map<int32_t, int64_t> seats,
                  std::vector<int32_t>& place_of) {
  std::unordered_map<int32_t, std::vector<int32_t>> holders;  // place -> members seated there
  std::unordered_map<int32_t, int> visited;
  int round = 0;
  std::function<bool(int32_t)> seat = [&](int32_t d) {
    const auto [begin, end] = ranges[static_cast<size_t>(d)];
    for (size_t c = begin; c < end; ++c) {  // nearest first
      const int32_t p = problem.candidates[c].place;
      auto it = seats.find(p);
      if (it == seats.end() || it->second == 0) continue;
      if (static_cast<int64_t>(holders[p].size()) < it->second) {
        holders[p].push_back(d);
        place_of[static_cast<size_t>(d)] = p;
        return true;
      }
    }
    for (size_t c = begin; c < end; ++c) {  // full: move a holder elsewhere
      const int32_t p = problem.candidates[c].place;
      if (!seats.contains(p) || std::exchange(visited[p], round) == round) continue;
      auto& hs = holders[p];
      for (size_t i = 0; i < hs.size(); ++i) {
        int32_t h = hs[i];
        if (seat(h)) {
          hs[i] = d;
          place_of[static_cast<size_t>(d)] = p;
          return true;
        }
      }
    }
    return false;
  };
  for (int32_t d : members) {
    ++round;
    seat(d);
  }
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
  std::vector<Group> groups = GroupDemands(problem, objective, region, options);
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
    // Arcs to the places any member reaches, as wide as the members who reach it, at their mean cost.
    const bool childcare = problem.demands[static_cast<size_t>(members[0])].need[kChildcare] > 0;
    std::map<int32_t, std::pair<int64_t, int64_t>> reach;  // place -> (members, summed cost)
    for (int32_t d : members) {
      for (size_t c = ranges[static_cast<size_t>(d)].first; c < ranges[static_cast<size_t>(d)].second; ++c) {
        auto& r = reach[problem.candidates[c].place];
        r.first += 1;
        r.second += objective.arc_cost[c];
      }
    }
    for (const auto& [p, r] : reach) {
      int32_t arc = net.AddArc(node, childcare ? childcare_of(p) : seat_of(p), r.first, (r.second + r.first / 2) / r.first);
      group_arcs[gi].push_back({p, arc});
    }
  }
  absl::Time built = absl::Now();
  std::vector<int64_t> flow = SolveMinCostFlow(net, &result.solve_seconds);
  if (flow.empty()) return absl::InternalError("LEMON found no optimal flow");
  // Members take the seats the flow chose for their group.
  for (size_t gi = 0; gi < groups.size(); ++gi) {
    std::unordered_map<int32_t, int64_t> seats;
    for (const auto& [p, arc] : group_arcs[gi]) {
      if (int64_t f = flow[static_cast<size_t>(arc)]; f > 0) seats[p] = f;
    }
    if (!seats.empty()) MatchMembers(problem, ranges, groups[gi].members, std::move(seats), place_of);
  }
  result.build_seconds = absl::ToDoubleSeconds(built - start);
  return result;
}

// After aggregation, pooling the members' reach can leave a demand out whom
// the exact flow would place by moving someone else. In priority order, a
// demand left out takes a place in its reach whose holder can move to another
// place in the holder's reach that has room: one step of an augmenting path,
// which wins back most of what pooling lost. Nobody placed is unplaced.
void AugmentAfterAggregation(const Problem& problem, const std::vector<std::pair<size_t, size_t>>& ranges,
                             std::vector<int32_t>& place_of) {
  std::vector<Amounts> room;
  room.reserve(problem.places.size());
  for (const auto& p : problem.places) room.push_back(p.capacity);
  std::vector<std::vector<int32_t>> holders(problem.places.size());
  auto need = [&](int32_t d) -> const Amounts& { return problem.demands[static_cast<size_t>(d)].need; };
  auto add = [&](int32_t d, int32_t p, int sign) {
    for (int k = 0; k < kKinds; ++k) room[static_cast<size_t>(p)][k] -= sign * need(d)[k];
  };
  for (size_t d = 0; d < place_of.size(); ++d) {
    if (place_of[d] < 0) continue;
    add(static_cast<int32_t>(d), place_of[d], 1);
    holders[static_cast<size_t>(place_of[d])].push_back(static_cast<int32_t>(d));
  }
  // Places where no move helped a demand of this need (with childcare or
  // without) when last asked: rooms mostly shrink as this goes on, so they
  // are not asked again.
  std::vector<std::array<bool, 2>> stuck(problem.places.size(), {false, false});
  for (int32_t u : PriorityOrder(problem)) {
    if (place_of[static_cast<size_t>(u)] >= 0) continue;
    bool placed = false;
    const bool childcare = need(u)[kChildcare] > 0;
    for (size_t c = ranges[static_cast<size_t>(u)].first; c < ranges[static_cast<size_t>(u)].second && !placed; ++c) {
      const int32_t p = problem.candidates[c].place;
      if (internal::Fits(need(u), room[static_cast<size_t>(p)])) {
        add(u, p, 1);
        holders[static_cast<size_t>(p)].push_back(u);
        place_of[static_cast<size_t>(u)] = p;
        placed = true;
        break;
      }
      if (stuck[static_cast<size_t>(p)][childcare]) continue;
      auto& hs = holders[static_cast<size_t>(p)];
      for (size_t i = 0; i < hs.size() && !placed; ++i) {
        const int32_t v = hs[i];
        for (size_t cv = ranges[static_cast<size_t>(v)].first; cv < ranges[static_cast<size_t>(v)].second; ++cv) {
          const int32_t q = problem.candidates[cv].place;
          if (q == p || !internal::Fits(need(v), room[static_cast<size_t>(q)])) continue;
          Amounts freed = room[static_cast<size_t>(p)];
          for (int k = 0; k < kKinds; ++k) freed[k] += need(v)[k];
          if (!internal::Fits(need(u), freed)) break;
          add(v, p, -1);
          add(v, q, 1);
          holders[static_cast<size_t>(q)].push_back(v);
          place_of[static_cast<size_t>(v)] = q;
          hs[i] = u;
          add(u, p, 1);
          place_of[static_cast<size_t>(u)] = p;
          placed = true;
          break;
        }
      }
      if (!placed) stuck[static_cast<size_t>(p)][childcare] = true;
    }
  }
}

// After aggregation the members of a group were matched to its seats, and a
// group's seats may have gone to members other than those the flow counted
// as placed. Repair, in priority order: a demand left out takes a free seat in
// its reach, nearest first; failing that, the seat of the lowest-priority
// holder of a place in its reach who has a lower priority than its own — who
// then tries the same in turn. No one is then left out while someone of lower
// priority holds a seat they could have had, and no one placed is lost.
void RepairAfterAggregation(const Problem& problem, const Objective& objective,
                            const std::vector<std::pair<size_t, size_t>>& ranges, std::vector<int32_t>& place_of) {
  const auto& prio = objective.priority;
  std::vector<Amounts> room;
  room.reserve(problem.places.size());
  for (const auto& p : problem.places) room.push_back(p.capacity);
  // Holders of each place, lowest priority first; apart by childcare, since
  // only a childcare holder's seat comes with a childcare place.
  using Holders = std::set<std::pair<int64_t, int32_t>>;
  std::vector<std::array<Holders, 2>> holders(problem.places.size());
  auto take = [&](int32_t d, int32_t p) {
    const Demand& demand = problem.demands[static_cast<size_t>(d)];
    for (int k = 0; k < kKinds; ++k) room[static_cast<size_t>(p)][k] -= demand.need[k];
    holders[static_cast<size_t>(p)][demand.need[kChildcare] > 0].insert({prio[static_cast<size_t>(d)], d});
    place_of[static_cast<size_t>(d)] = p;
  };
  std::set<std::pair<int64_t, int32_t>> waiting;  // highest priority first: (-priority, demand)
  for (size_t d = 0; d < place_of.size(); ++d) {
    if (place_of[d] >= 0) take(static_cast<int32_t>(d), place_of[d]);
    else if (ranges[d].first != ranges[d].second) waiting.insert({-prio[d], static_cast<int32_t>(d)});
  }
  while (!waiting.empty()) {
    const int32_t d = waiting.begin()->second;
    waiting.erase(waiting.begin());
    const Demand& demand = problem.demands[static_cast<size_t>(d)];
    int32_t free_place = -1, victim = -1, victim_place = -1;
    for (size_t c = ranges[static_cast<size_t>(d)].first; c < ranges[static_cast<size_t>(d)].second; ++c) {
      const int32_t p = problem.candidates[c].place;
      const Amounts& r = room[static_cast<size_t>(p)];
      if (internal::Fits(demand.need, r)) {
        free_place = p;
        break;
      }
      for (const Holders& hs : holders[static_cast<size_t>(p)]) {
        if (hs.empty() || hs.begin()->first >= prio[static_cast<size_t>(d)]) continue;
        const int32_t v = hs.begin()->second;
        Amounts freed = r;
        for (int k = 0; k < kKinds; ++k) freed[k] += problem.demands[static_cast<size_t>(v)].need[k];
        if (!internal::Fits(demand.need, freed)) continue;
        if (victim < 0 || prio[static_cast<size_t>(v)] < prio[static_cast<size_t>(victim)]) {
          victim = v;
          victim_place = p;
        }
      }
    }
    if (free_place >= 0) {
      take(d, free_place);
    } else if (victim >= 0) {
      const Demand& out = problem.demands[static_cast<size_t>(victim)];
      holders[static_cast<size_t>(victim_place)][out.need[kChildcare] > 0].erase({prio[static_cast<size_t>(victim)], victim});
      for (int k = 0; k < kKinds; ++k) room[static_cast<size_t>(victim_place)][k] += out.need[k];
      place_of[static_cast<size_t>(victim)] = -1;
      take(d, victim_place);
      waiting.insert({-prio[static_cast<size_t>(victim)], victim});
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
  if (aggregated) {
    AugmentAfterAggregation(problem, ranges, place_of);
    RepairAfterAggregation(problem, objective, ranges, place_of);
  }
  // Merged demands make the answer near-optimal, not optimal: it says so by name.
  Solution s = internal::Finish(problem, objective, aggregated ? "flow_merged" : name(), place_of, 0, !aggregated);
  if (timings) {
    timings->build_seconds = build;
    timings->solve_seconds = solve;  // summed over regions: CPU time of LEMON
    timings->total_seconds = absl::ToDoubleSeconds(absl::Now() - start);
  }
  return s;
}

}  // namespace ankommen::placement
