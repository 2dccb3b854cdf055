#include "solver.h"

#include "absl/strings/str_cat.h"
#include "solvers.h"

namespace ankommen::placement {

absl::StatusOr<std::unique_ptr<Solver>> MakeSolver(std::string_view name, SolverOptions options) {
  if (name == "fcfs") return std::unique_ptr<Solver>(new FcfsSolver());
  if (name == "flow") return std::unique_ptr<Solver>(new FlowSolver(options));
  if (name == "group") return std::unique_ptr<Solver>(new GroupSolver(options, true));
  if (name == "greedy") return std::unique_ptr<Solver>(new GroupSolver(options, false));
  if (name == "da") return std::unique_ptr<Solver>(new DeferredAcceptanceSolver());
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
