// The solver implementations (see solver.h for what each is for).
#pragma once

#include "solver.h"

namespace ankommen::placement {

class FcfsSolver final : public Solver {
 public:
  std::string_view name() const override { return "fcfs"; }
  absl::StatusOr<Solution> Solve(const Problem& problem, SolveTimings* timings) const override;
};

class FlowSolver final : public Solver {
 public:
  explicit FlowSolver(SolverOptions options) : options_(options) {}
  std::string_view name() const override { return "flow"; }
  absl::StatusOr<Solution> Solve(const Problem& problem, SolveTimings* timings) const override;

 private:
  SolverOptions options_;
};

class GroupSolver final : public Solver {
 public:
  // exact=false: the greedy heuristic with the LP bound, no branch and bound.
  GroupSolver(SolverOptions options, bool exact) : options_(options), exact_(exact) {}
  std::string_view name() const override { return exact_ ? "group" : "greedy"; }
  absl::StatusOr<Solution> Solve(const Problem& problem, SolveTimings* timings) const override;

 private:
  SolverOptions options_;
  bool exact_;
};

class DeferredAcceptanceSolver final : public Solver {
 public:
  std::string_view name() const override { return "da"; }
  absl::StatusOr<Solution> Solve(const Problem& problem, SolveTimings* timings) const override;
};

}  // namespace ankommen::placement
