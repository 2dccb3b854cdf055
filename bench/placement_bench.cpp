// ankommen-placement-bench: the placement engine on synthetic districts,
// each case beside its baseline in the same run.
//
//   ankommen-placement-bench [--scale district|state|nation] [--seed N] [--nearest K]
//                            [--case courses|preferences|housing] [--pivot RULE|all]
//
// Prints one JSON line per case, then a table. Baselines: first-come-first-
// served (today's practice) for quality, LEMON's network simplex alone on the
// full graph of the same problem for speed (lemon_alone.h; ratio = the
// engine's seconds / LEMON's run alone), the LP bound for the group solver.
// --pivot: the pivot rule of that baseline (block_search, LEMON's default and
// the engine's), or "all" to time every rule on the same graph.
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

#include "absl/time/clock.h"
#include "geo.h"
#include "lemon_alone.h"
#include "solver.h"
#include "synthetic_district.h"

namespace {

using namespace ankommen;
using placement::Problem;
using placement::Solution;

struct Row {
  std::string name, solver;
  size_t people = 0, places = 0, arcs = 0;
  double seconds = 0;
  int placed = 0;
  double mean_km = 0, p90_wait_days = 0, objective = 0, bound = 0;
  std::string baseline;
  double baseline_seconds = 0;
};

double MaxRssMb() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_maxrss) / 1024.0;
}

Row Describe(const std::string& name, const Problem& p, const Solution& s, double seconds) {
  Row r;
  r.name = name;
  r.solver = s.solver;
  r.people = p.demands.size();
  r.places = p.places.size();
  r.arcs = p.candidates.size();
  r.seconds = seconds;
  r.placed = s.placed();
  double km = 0;
  std::vector<int> unplaced_waits;
  for (const auto& pl : s.placements) {
    if (pl.place >= 0) km += pl.reason.km;
    else unplaced_waits.push_back(p.demands[static_cast<size_t>(pl.demand)].days_waited);
  }
  r.mean_km = r.placed > 0 ? km / r.placed : 0;
  // How long the people left waiting have waited already (90th percentile).
  if (!unplaced_waits.empty()) {
    std::sort(unplaced_waits.begin(), unplaced_waits.end());
    r.p90_wait_days = unplaced_waits[static_cast<size_t>(0.9 * static_cast<double>(unplaced_waits.size() - 1))];
  }
  r.objective = s.objective;
  r.bound = s.bound;
  return r;
}

void Print(const Row& r) {
  std::printf(
      "{\"case\":\"%s\",\"solver\":\"%s\",\"people\":%zu,\"places\":%zu,\"arcs\":%zu,\"seconds\":%.4f,"
      "\"placed\":%d,\"mean_km\":%.3f,\"p90_wait_days\":%.0f,\"objective\":%.0f,\"bound\":%.0f,"
      "\"baseline\":\"%s\",\"baseline_seconds\":%.4f,\"ratio\":%.3f,\"cores\":%u,\"max_rss_mb\":%.0f}\n",
      r.name.c_str(), r.solver.c_str(), r.people, r.places, r.arcs, r.seconds, r.placed, r.mean_km, r.p90_wait_days,
      r.objective, r.bound, r.baseline.c_str(), r.baseline_seconds,
      r.baseline_seconds > 0 ? r.seconds / r.baseline_seconds : 0.0, std::thread::hardware_concurrency(),
      MaxRssMb());
  std::fflush(stdout);
}

Solution Run(const std::string& solver_name, const Problem& p, placement::SolveTimings& t,
             placement::SolverOptions options = {}) {
  auto solver = placement::MakeSolver(solver_name, options);
  auto s = (*solver)->Solve(p, &t);
  if (!s.ok()) {
    std::cerr << solver_name << ": " << s.status() << "\n";
    std::exit(1);
  }
  if (auto v = placement::Verify(p, *s); !v.ok()) {
    std::cerr << solver_name << " produced an invalid solution: " << v << "\n";
    std::exit(1);
  }
  return *s;
}

// People left waiting while someone who waited less got a seat they could
// have taken (a place among their candidates holds a lower-priority person).
int PriorityInversions(const Problem& p, const Solution& s) {
  // For someone who needs childcare, only a seat held with a childcare place would do.
  std::vector<int64_t> lowest(p.places.size(), INT64_MAX), lowest_childcare(p.places.size(), INT64_MAX);
  auto prio = [&](int32_t d) {
    const auto& demand = p.demands[static_cast<size_t>(d)];
    return (demand.obliged ? 1'000'000 : 0) + demand.days_waited;
  };
  for (const auto& pl : s.placements) {
    if (pl.place < 0) continue;
    auto place = static_cast<size_t>(pl.place);
    lowest[place] = std::min<int64_t>(lowest[place], prio(pl.demand));
    if (p.demands[static_cast<size_t>(pl.demand)].need[placement::kChildcare] > 0) {
      lowest_childcare[place] = std::min<int64_t>(lowest_childcare[place], prio(pl.demand));
    }
  }
  std::vector<bool> inverted(p.demands.size(), false);
  for (const auto& c : p.candidates) {
    bool childcare = p.demands[static_cast<size_t>(c.demand)].need[placement::kChildcare] > 0;
    int64_t held_by = (childcare ? lowest_childcare : lowest)[static_cast<size_t>(c.place)];
    if (s.placements[static_cast<size_t>(c.demand)].place < 0 && held_by < prio(c.demand)) {
      inverted[static_cast<size_t>(c.demand)] = true;
    }
  }
  return static_cast<int>(std::count(inverted.begin(), inverted.end(), true));
}

// Mean distance of the people both solutions placed: a fair comparison when
// one of them places more people, some of them farther away.
std::pair<double, double> MeanKmOfCommonlyPlaced(const Solution& a, const Solution& b) {
  double ka = 0, kb = 0;
  int n = 0;
  for (size_t i = 0; i < a.placements.size(); ++i) {
    if (a.placements[i].place < 0 || b.placements[i].place < 0) continue;
    ka += a.placements[i].reason.km;
    kb += b.placements[i].reason.km;
    ++n;
  }
  return {n ? ka / n : 0, n ? kb / n : 0};
}

}  // namespace

int main(int argc, char** argv) {
  std::string scale_name = "district";
  uint64_t seed = 1;
  int nearest = 0;
  std::string only;  // courses, preferences or housing: that case alone
  std::string pivot = "block_search";
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--scale" && i + 1 < argc) scale_name = argv[++i];
    else if (a == "--seed" && i + 1 < argc) seed = std::stoull(argv[++i]);
    else if (a == "--nearest" && i + 1 < argc) nearest = std::stoi(argv[++i]);
    else if (a == "--case" && i + 1 < argc) only = argv[++i];
    else if (a == "--pivot" && i + 1 < argc) pivot = argv[++i];
    else {
      std::cerr << "usage: ankommen-placement-bench [--scale district|state|nation] [--seed N] [--nearest K]\n"
                   "                                [--case courses|preferences|housing] [--pivot RULE|all]\n";
      return 2;
    }
  }
  if (pivot != "all" && std::find(bench::kPivotRules.begin(), bench::kPivotRules.end(), pivot) == bench::kPivotRules.end()) {
    std::cerr << "unknown pivot rule " << pivot << ": all or one of block_search, candidate_list, first_eligible, "
                 "altering_list\n";
    return 2;
  }
  if (!only.empty() && only != "courses" && only != "preferences" && only != "housing") {
    std::cerr << "unknown case " << only << ": courses, preferences or housing\n";
    return 2;
  }
  bench::Scale scale;
  if (!bench::ScaleByName(scale_name, scale)) {
    std::cerr << "unknown scale " << scale_name << "\n";
    return 2;
  }
  if (nearest > 0) scale.nearest_courses = nearest;  // courses offered per person
  std::vector<Row> rows;
  auto emit = [&](Row r) {
    Print(r);
    rows.push_back(std::move(r));
  };

  // Course allocation.
  absl::Time t0 = absl::Now();
  Problem courses = bench::CourseProblem(scale, seed);
  double generate = absl::ToDoubleSeconds(absl::Now() - t0);
  std::fprintf(stderr, "generated %s: %zu people, %zu courses, %zu candidate pairs in %.2f s (candidate generation included)\n",
               scale.name.c_str(), courses.demands.size(), courses.places.size(), courses.candidates.size(), generate);
  auto wanted = [&](const char* name) { return only.empty() || only == name; };
  placement::SolveTimings fcfs_t, flow_t;
  Solution fcfs, flow;
  Row fcfs_row, flow_row;
  if (wanted("courses")) {
    fcfs = Run("fcfs", courses, fcfs_t);
    fcfs_row = Describe("courses_" + scale.name, courses, fcfs, fcfs_t.total_seconds);
    emit(fcfs_row);
    // LEMON alone on the full graph, timed apart, with its own solution.
    const std::vector<std::string> rules =
        pivot == "all" ? bench::kPivotRules : std::vector<std::string>{pivot};
    double lemon_seconds = 0;
    for (const auto& rule : rules) {
      const bench::LemonAlone lemon = bench::SolveWithLemonAlone(courses, rule);
      Row lemon_row = Describe("courses_" + scale.name, courses, lemon.solution, lemon.solve_seconds);
      if (rule != "block_search") lemon_row.solver = "lemon_ns_" + rule;
      lemon_row.arcs = lemon.arcs;
      emit(lemon_row);
      std::fprintf(stderr, "LEMON alone (%s): graph built in %.2f s, solved in %.2f s\n", rule.c_str(),
                   lemon.build_seconds, lemon.solve_seconds);
      if (rule == rules.front()) lemon_seconds = lemon.solve_seconds;
    }
    flow = Run("flow", courses, flow_t);
    flow_row = Describe("courses_" + scale.name, courses, flow, flow_t.total_seconds);
    flow_row.baseline = "lemon_network_simplex";
    flow_row.baseline_seconds = lemon_seconds;
    emit(flow_row);
    if (!flow.optimal && scale.name != "nation") {
      // What merging interchangeable people costs: the exact optimum beside it.
      placement::SolverOptions exact_options;
      exact_options.aggregate_min_demands = 1 << 30;
      placement::SolveTimings exact_t;
      Solution exact = Run("flow", courses, exact_t, exact_options);
      Row exact_row = Describe("courses_" + scale.name, courses, exact, exact_t.total_seconds);
      exact_row.solver = "flow_exact";
      emit(exact_row);
      std::fprintf(stderr, "merging interchangeable people: objective %.6f × the exact optimum, %.2f × faster\n",
                   flow.objective / exact.objective, exact_t.total_seconds / flow_t.total_seconds);
    }
  }

  // Deferred acceptance: each family ranks its candidates, nearest first.
  if (wanted("preferences")) {
    Problem schools = courses;
    for (auto& d : schools.demands) d.need[placement::kChildcare] = 0;
    placement::SolveTimings da_t;
    Solution da = Run("da", schools, da_t);
    Row da_row = Describe("preferences_" + scale.name, schools, da, da_t.total_seconds);
    emit(da_row);
    Row da_core = Describe("preferences_" + scale.name, schools, da, da_t.solve_seconds);
    da_core.solver = "da_matching_only";  // without objective and explanations
    emit(da_core);
  }

  // Households into accommodations: the case of 5,000 into 500.
  if (wanted("housing") && scale.name == "district") {
    Problem housing = bench::HousingProblem(5'000, 500, seed);
    // Each household's 30 nearest accommodations that can take it.
    std::vector<placement::Candidate> kept;
    int per = 0, last = -1;
    for (const auto& c : housing.candidates) {
      per = c.demand == last ? per + 1 : 1;
      last = c.demand;
      if (per <= 30) kept.push_back(c);
    }
    housing.candidates = kept;
    placement::SolveTimings fc_t, greedy_t, group_t;
    Solution hf = Run("fcfs", housing, fc_t);
    emit(Describe("housing_5000x500", housing, hf, fc_t.total_seconds));
    Solution greedy = Run("greedy", housing, greedy_t);
    emit(Describe("housing_5000x500", housing, greedy, greedy_t.total_seconds));
    placement::SolverOptions options;
    options.time_limit = absl::Seconds(10);
    Solution group = Run("group", housing, group_t, options);
    emit(Describe("housing_5000x500", housing, group, group_t.total_seconds));
  }

  std::fflush(stdout);
  std::printf("\n%-22s %-24s %9s %8s %9s %9s %8s %8s %10s %8s\n", "case", "solver", "people", "arcs", "seconds",
              "placed", "mean_km", "p90_wait", "gap_%", "ratio");
  for (const auto& r : rows) {
    double gap = r.bound != 0 ? 100.0 * (r.objective - r.bound) / std::abs(r.bound) : 0;
    std::printf("%-22s %-24s %9zu %8zu %9.3f %9d %8.2f %8.0f %10.4f %8.2f\n", r.name.c_str(), r.solver.c_str(),
                r.people, r.arcs, r.seconds, r.placed, r.mean_km, r.p90_wait_days, gap,
                r.baseline_seconds > 0 ? r.seconds / r.baseline_seconds : 0.0);
  }
  if (wanted("courses")) {
    std::printf("\nflow vs fcfs: %+d placed, mean distance %.2f km vs %.2f km, p90 wait of those left %0.f vs %.0f days\n",
                flow_row.placed - fcfs_row.placed, flow_row.mean_km, fcfs_row.mean_km, flow_row.p90_wait_days,
                fcfs_row.p90_wait_days);
    auto [flow_common, fcfs_common] = MeanKmOfCommonlyPlaced(flow, fcfs);
    std::printf("people placed by both: mean distance %.2f km (flow) vs %.2f km (fcfs)\n", flow_common, fcfs_common);
    std::printf("left waiting while someone with a shorter wait took a seat in their reach: %d (flow) vs %d (fcfs)\n",
                PriorityInversions(courses, flow), PriorityInversions(courses, fcfs));
  }
  std::printf("peak memory %.0f MB, %u cores\n", MaxRssMb(), std::thread::hardware_concurrency());
  return 0;
}
