#include "objective.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace ankommen::placement {

int64_t Persons(const Demand& d) { return std::max<int64_t>({1, d.need[kSeat], d.need[kBed]}); }

int64_t ArcCost(const Problem& problem, const Candidate& c) {
  const Demand& d = problem.demands[static_cast<size_t>(c.demand)];
  const Place& p = problem.places[static_cast<size_t>(c.place)];
  int64_t cost = std::llround(static_cast<double>(c.km) * 100.0) + c.extra_cost;
  if (!d.wish_area.empty() && d.wish_area != p.area) cost += kWishMissCost;
  return cost;
}

std::vector<int64_t> Priorities(const Problem& problem) {
  int64_t max_days = 0;
  for (const auto& d : problem.demands) max_days = std::max<int64_t>(max_days, std::max(0, d.days_waited));
  std::vector<int64_t> priority;
  priority.reserve(problem.demands.size());
  for (const auto& d : problem.demands) {
    int64_t days = std::max(0, d.days_waited);
    priority.push_back(d.obliged ? max_days + 1 + days : days);  // an obligation outranks any wait
  }
  return priority;
}

Objective MakeObjective(const Problem& problem) {
  Objective o;
  o.arc_cost.reserve(problem.candidates.size());
  int64_t max_arc = 0;
  for (const auto& c : problem.candidates) {
    o.arc_cost.push_back(ArcCost(problem, c));
    max_arc = std::max(max_arc, o.arc_cost.back());
  }
  o.scale = max_arc + 1;
  o.priority = Priorities(problem);
  int64_t max_priority = 0;
  for (int64_t prio : o.priority) max_priority = std::max(max_priority, prio);
  // Placing one more person beats any priority and distance difference; one
  // more unit of priority beats any distance difference. A group counts its
  // people, so a large family is not left out to place two small ones.
  int64_t max_persons = 1;
  for (const auto& d : problem.demands) max_persons = std::max<int64_t>(max_persons, Persons(d));
  const int64_t base = (max_priority + 1) * max_persons * o.scale;
  o.penalty.reserve(problem.demands.size());
  for (size_t d = 0; d < problem.demands.size(); ++d) {
    const int64_t persons = Persons(problem.demands[d]);
    o.penalty.push_back(persons * base + persons * o.priority[d] * o.scale);
  }
  return o;
}

double Evaluate(const Problem& problem, const Objective& objective, const std::vector<int32_t>& place_of_demand) {
  double total = 0;
  size_t c = 0;
  for (size_t d = 0; d < problem.demands.size(); ++d) {
    int32_t place = place_of_demand[d];
    bool found = false;
    while (c < problem.candidates.size() && problem.candidates[c].demand == static_cast<int32_t>(d)) {
      if (!found && problem.candidates[c].place == place) {
        total += static_cast<double>(objective.arc_cost[c]);
        found = true;
      }
      ++c;
    }
    if (!found) total += static_cast<double>(objective.penalty[d]);
  }
  return total;
}

std::vector<int32_t> PriorityOrder(const Problem& problem) {
  std::vector<int32_t> order(problem.demands.size());
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](int32_t a, int32_t b) {
    const Demand& da = problem.demands[static_cast<size_t>(a)];
    const Demand& db = problem.demands[static_cast<size_t>(b)];
    if (da.obliged != db.obliged) return da.obliged;
    if (da.days_waited != db.days_waited) return da.days_waited > db.days_waited;
    return da.id < db.id;
  });
  return order;
}

}  // namespace ankommen::placement
