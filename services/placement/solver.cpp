#include "solver.h"

#include <algorithm>
#include <numeric>

#include "absl/strings/str_cat.h"
#include "solvers.h"

namespace ankommen::placement {
namespace {

// Every solver sees demands and places in id order and each demand's
// candidates by distance, then place id. The answer then depends only on
// what the problem says, not on the order a service happened to list it in:
// ties fall the same way every run, broken by id.
bool InIdOrder(const Problem& problem) {
  auto by_id = [](const auto& a, const auto& b) { return a.id < b.id; };
  if (!std::is_sorted(problem.demands.begin(), problem.demands.end(), by_id)) return false;
  if (!std::is_sorted(problem.places.begin(), problem.places.end(), by_id)) return false;
  return std::is_sorted(problem.candidates.begin(), problem.candidates.end(), [](const Candidate& a, const Candidate& b) {
    if (a.demand != b.demand) return a.demand < b.demand;
    if (a.km != b.km) return a.km < b.km;
    return a.place < b.place;
  });
}

class InIdOrderSolver final : public Solver {
 public:
  explicit InIdOrderSolver(std::unique_ptr<Solver> inner) : inner_(std::move(inner)) {}
  std::string_view name() const override { return inner_->name(); }

  absl::StatusOr<Solution> Solve(const Problem& problem, SolveTimings* timings) const override {
    const auto nd = static_cast<int32_t>(problem.demands.size()), np = static_cast<int32_t>(problem.places.size());
    for (const Candidate& c : problem.candidates) {
      if (c.demand < 0 || c.demand >= nd || c.place < 0 || c.place >= np) {
        return absl::InvalidArgumentError(absl::StrCat("candidate (demand ", c.demand, ", place ", c.place,
                                                       ") names no demand or place of the problem"));
      }
    }
    if (InIdOrder(problem)) return inner_->Solve(problem, timings);
    // order[i]: the original index of the i-th in id order; rank: the inverse.
    auto id_order = [](const auto& items) {
      std::vector<int32_t> order(items.size());
      std::iota(order.begin(), order.end(), 0);
      std::stable_sort(order.begin(), order.end(), [&](int32_t a, int32_t b) {
        return items[static_cast<size_t>(a)].id < items[static_cast<size_t>(b)].id;
      });
      std::vector<int32_t> rank(items.size());
      for (size_t i = 0; i < order.size(); ++i) rank[static_cast<size_t>(order[i])] = static_cast<int32_t>(i);
      return std::make_pair(order, rank);
    };
    const auto [demand_order, demand_rank] = id_order(problem.demands);
    const auto [place_order, place_rank] = id_order(problem.places);
    Problem sorted;
    sorted.demands.reserve(problem.demands.size());
    for (int32_t d : demand_order) sorted.demands.push_back(problem.demands[static_cast<size_t>(d)]);
    sorted.places.reserve(problem.places.size());
    for (int32_t p : place_order) sorted.places.push_back(problem.places[static_cast<size_t>(p)]);
    sorted.candidates = problem.candidates;
    for (auto& c : sorted.candidates) {
      c.demand = demand_rank[static_cast<size_t>(c.demand)];
      c.place = place_rank[static_cast<size_t>(c.place)];
    }
    std::sort(sorted.candidates.begin(), sorted.candidates.end(), [](const Candidate& a, const Candidate& b) {
      if (a.demand != b.demand) return a.demand < b.demand;
      if (a.km != b.km) return a.km < b.km;
      return a.place < b.place;
    });
    if (!problem.preferences.empty()) {
      sorted.preferences.resize(problem.demands.size());
      for (size_t d = 0; d < problem.preferences.size() && d < problem.demands.size(); ++d) {
        auto& mine = sorted.preferences[static_cast<size_t>(demand_rank[d])];
        for (int32_t p : problem.preferences[d]) {
          mine.push_back(p >= 0 && static_cast<size_t>(p) < place_rank.size() ? place_rank[static_cast<size_t>(p)] : p);
        }
      }
    }
    auto solved = inner_->Solve(sorted, timings);
    if (!solved.ok()) return solved.status();
    // Back into the caller's order.
    Solution out = *std::move(solved);
    std::vector<Placement> placements(out.placements.size());
    for (auto& pl : out.placements) {
      const auto original = static_cast<size_t>(demand_order[static_cast<size_t>(pl.demand)]);
      pl.demand = static_cast<int32_t>(original);
      if (pl.place >= 0) pl.place = place_order[static_cast<size_t>(pl.place)];
      for (int32_t& p : pl.places_in_reach) p = place_order[static_cast<size_t>(p)];
      placements[original] = std::move(pl);
    }
    out.placements = std::move(placements);
    return out;
  }

 private:
  std::unique_ptr<Solver> inner_;
};

std::unique_ptr<Solver> InIdOrder(Solver* solver) { return std::make_unique<InIdOrderSolver>(std::unique_ptr<Solver>(solver)); }

}  // namespace

absl::StatusOr<std::unique_ptr<Solver>> MakeSolver(std::string_view name, SolverOptions options) {
  if (name == "fcfs") return InIdOrder(new FcfsSolver());
  if (name == "flow") return InIdOrder(new FlowSolver(options));
  if (name == "group") return InIdOrder(new GroupSolver(options, true));
  if (name == "greedy") return InIdOrder(new GroupSolver(options, false));
  if (name == "da") return InIdOrder(new DeferredAcceptanceSolver());
  return absl::InvalidArgumentError(
      absl::StrCat("unknown solver '", std::string(name), "': fcfs, flow, group, greedy or da"));
}

std::string_view ChooseSolver(const Problem& problem) {
  for (const auto& d : problem.demands) {
    if (d.need[kSeat] != 1 || d.need[kChildcare] > 1 || d.need[kBed] != 0 || d.need[kSquareMetre] != 0 ||
        d.need[kHouseholds] != 0) {
      return "group";
    }
  }
  return "flow";
}

std::string_view SolverForPolicy(const Problem& problem, std::string_view policy) {
  return policy == "fcfs" ? std::string_view("fcfs") : ChooseSolver(problem);
}

}  // namespace ankommen::placement
