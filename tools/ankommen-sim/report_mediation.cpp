// The report's part on language mediators: JSON and the table's section.
#include <cmath>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "report.h"

namespace ankommen::sim {

nlohmann::json MediationJson(const MediationFigures& f) {
  nlohmann::json j = {{"mediators", f.mediators},
                      {"requested", f.requested},
                      {"booked", f.booked},
                      {"unfilled", f.unfilled},
                      {"cancelled", f.cancelled},
                      {"delivered", f.delivered},
                      {"no_shows", f.no_shows},
                      {"cancelled_by_mediator", f.cancelled_by_mediator},
                      {"urgent", f.urgent},
                      {"urgent_booked", f.urgent_booked},
                      {"fill_rate", f.requested - f.cancelled > 0
                                        ? std::round(1000.0 * f.booked / (f.requested - f.cancelled)) / 1000
                                        : 0.0},
                      {"unfilled_while_one_could_take_it", f.unfilled_while_one_could_take_it},
                      {"by_language", nlohmann::json::array()}};
  for (const auto& row : f.by_language) {
    j["by_language"].push_back({{"language", row.language},
                                {"requested", row.requested},
                                {"booked", row.booked},
                                {"unfilled", row.unfilled},
                                {"cancelled", row.cancelled},
                                {"hours_to_fill_median", row.hours_to_fill.median},
                                {"hours_to_fill_p90", row.hours_to_fill.p90},
                                {"unfilled_reasons", row.unfilled_reasons}});
  }
  return j;
}

std::string RenderMediation(const MediationFigures& f) {
  if (f.mediators == 0) return "";
  std::string out = absl::StrFormat(
      "\nLanguage mediators (%d in the pool): %d appointments past, %d with a mediator booked, %d without, %d ended "
      "first; %d delivered, %d no-shows, %d cancelled by the mediator and matched again; urgent %d of %d booked\n",
      f.mediators, f.requested, f.booked, f.unfilled, f.cancelled, f.delivered, f.no_shows, f.cancelled_by_mediator,
      f.urgent_booked, f.urgent);
  absl::StrAppendFormat(&out, "  %-8s %9s %7s %9s %13s %10s  %s\n", "language", "requested", "booked", "without",
                        "hours median", "hours p90", "why without");
  for (const auto& row : f.by_language) {
    std::vector<std::string> why;
    for (const auto& [reason, n] : row.unfilled_reasons) why.push_back(absl::StrCat(reason, " ", n));
    absl::StrAppendFormat(&out, "  %-8s %9d %7d %9d %13.0f %10.0f  %s\n", row.language, row.requested, row.booked,
                          row.unfilled, row.hours_to_fill.median, row.hours_to_fill.p90, absl::StrJoin(why, ", "));
  }
  absl::StrAppendFormat(&out, "  without a mediator although one could have come (checked apart from the service): %d\n",
                        f.unfilled_while_one_could_take_it);
  return out;
}

}  // namespace ankommen::sim
