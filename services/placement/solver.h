// The solvers, each behind one interface. Which one fits is decided by the
// problem's shape (ChooseSolver): one-unit demands with a seat and perhaps a
// childcare place are a min-cost flow; groups that must stay together
// (households by beds and m², siblings into one school) an integer program.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "problem.h"

namespace ankommen::placement {

struct SolverOptions {
  absl::Duration time_limit = absl::Seconds(10);  // for the integer program
  // The integer program stops once its answer is this close to the bound
  // (relative); a start already this close skips branch and bound.
  double relative_gap = 0.01;
  // The flow solver solves regions that cannot reach each other apart, on up
  // to this many threads (0: one per core).
  int threads = 0;
  // Above this many demands in one region, the flow solver merges demands
  // that are nearly interchangeable for it — the same needs and wish, homes
  // in the same cell of this size — into one node. Priorities stay exact
  // (one penalty arc per priority) and a repair pass afterwards leaves no one
  // out while someone of lower priority holds a seat in their reach; but
  // distances are the members' mean and the members' reach is pooled, so the
  // answer can be slightly off the optimum (bench/README.md: 0.4 % at state
  // scale) and is not reported as optimal.
  int aggregate_min_demands = 20'000;
  double aggregate_cell_km = 1.0;
};

// Where a solver spent its time, for the benchmarks.
struct SolveTimings {
  double build_seconds = 0;   // building the solver's model from the problem
  double solve_seconds = 0;   // the library's own solve (LEMON, CBC)
  double total_seconds = 0;   // the whole call, explanations included
};

class Solver {
 public:
  virtual ~Solver() = default;
  virtual std::string_view name() const = 0;
  virtual absl::StatusOr<Solution> Solve(const Problem& problem, SolveTimings* timings = nullptr) const = 0;
};

// "fcfs": today's practice: longest wait first, nearest place with room. The baseline.
// "flow": optimal for one-unit demands (seat, optionally childcare): LEMON network simplex.
//         A region above aggregate_min_demands is solved with merged demands:
//         the solution then names itself "flow_merged" and is not optimal.
// "group": groups kept together: COIN-OR CBC with a time limit, started from
//          the best heuristic answer, run only while that is further than
//          relative_gap from the LP bound, which it reports.
// "greedy": the group heuristics alone (greedy passes and the rounded LP
//           relaxation), with the LP bound; no branch and bound.
// "da": student-proposing deferred acceptance on the families' preferences (stable).
absl::StatusOr<std::unique_ptr<Solver>> MakeSolver(std::string_view name, SolverOptions options = {});

// "flow" when every demand needs exactly one seat and at most one childcare
// place and nothing else; "group" otherwise.
std::string_view ChooseSolver(const Problem& problem);

// The solver for a service's allocation policy: "fcfs" (today's practice, for
// comparison) or "optimal" (ChooseSolver).
std::string_view SolverForPolicy(const Problem& problem, std::string_view policy);

// Fills every placement's reason (placed) or why_not and places_in_reach
// (unplaced). The solvers call it; it expects the candidates as they see them,
// grouped by demand and nearest first.
void Explain(const Problem& problem, Solution& solution);

// Checks a solution against the problem: capacities never exceeded, only
// candidate pairs used. For tests and for the services before they commit.
absl::Status Verify(const Problem& problem, const Solution& solution);

}  // namespace ankommen::placement
