// The report's part on social work: JSON and the table's section.
#include <cmath>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "report.h"

namespace ankommen::sim {

nlohmann::json CaseworkJson(const CaseworkFigures& f) {
  nlohmann::json j = {{"workers", f.workers},
                      {"tasks_opened", f.tasks_opened},
                      {"tasks_done", f.tasks_done},
                      {"tasks_done_in_time", f.tasks_done_in_time},
                      {"tasks_overdue_at_end", f.tasks_overdue_at_end},
                      {"caseloads", nlohmann::json::array()}};
  for (const auto& c : f.caseloads) {
    j["caseloads"].push_back({{"program", c.program},
                              {"social_area", c.social_area},
                              {"workers", c.workers},
                              {"capacity", c.capacity},
                              {"persons", c.persons},
                              {"persons_per_worker", std::round(10 * c.persons_per_worker) / 10},
                              {"households_waiting", c.households_waiting}});
  }
  return j;
}

std::string RenderCasework(const CaseworkFigures& f, int target) {
  if (f.workers == 0) return "";
  std::string out = absl::StrFormat(
      "\nSocial work (%d workers on the staff list; target %d persons per worker): hand-over tasks %d opened, %d done "
      "(%d within 14 days), %d overdue at the end\n",
      f.workers, target, f.tasks_opened, f.tasks_done, f.tasks_done_in_time, f.tasks_overdue_at_end);
  absl::StrAppendFormat(&out, "  %-7s %-22s %7s %8s %7s %10s %8s\n", "program", "area", "workers", "capacity", "persons",
                        "per worker", "waiting");
  for (const auto& c : f.caseloads) {
    absl::StrAppendFormat(&out, "  %-7s %-22s %7d %8d %7d %10s %8d%s\n", c.program, c.social_area, c.workers,
                          c.capacity, c.persons, c.workers > 0 ? absl::StrFormat("%.1f", c.persons_per_worker) : "-",
                          c.households_waiting,
                          c.workers > 0 && c.persons_per_worker > target ? "  above the target" : "");
  }
  return out;
}

}  // namespace ankommen::sim
