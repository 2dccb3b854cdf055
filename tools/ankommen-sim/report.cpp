#include "report.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"

namespace ankommen::sim {

WaitStats Summarize(std::vector<int> days) {
  WaitStats s;
  s.count = static_cast<int>(days.size());
  if (days.empty()) return s;
  std::sort(days.begin(), days.end());
  // Nearest-rank percentiles: a value someone actually waited.
  auto rank = [&](double q) { return days[static_cast<size_t>(std::ceil(q * static_cast<double>(days.size()))) - 1]; };
  s.median = rank(0.5);
  s.p90 = rank(0.9);
  s.mean = std::accumulate(days.begin(), days.end(), 0.0) / static_cast<double>(days.size());
  return s;
}

bool Report::reconciled() const {
  return std::all_of(checks.begin(), checks.end(), [](const Check& c) { return c.ok(); });
}

namespace {

nlohmann::json Json(const WaitStats& s) {
  return {{"count", s.count}, {"median_days", s.median}, {"p90_days", s.p90}, {"mean_days", std::round(s.mean * 10) / 10}};
}

// Characters, not bytes (Großenhain, Meißen).
size_t Utf8Length(const std::string& text) {
  size_t chars = 0;
  for (unsigned char c : text) chars += (c & 0xC0) != 0x80 ? 1 : 0;
  return chars;
}

// Pads to a width in characters.
std::string Pad(const std::string& text, size_t width) {
  const size_t chars = Utf8Length(text);
  return chars >= width ? text : text + std::string(width - chars, ' ');
}

std::string Days(const WaitStats& s) {
  if (s.count == 0) return "      –       –";
  return absl::StrFormat("%7.0f %7.0f", s.median, s.p90);
}

std::string Mean(const WaitStats& s) { return s.count == 0 ? "    –" : absl::StrFormat("%5.1f", s.mean); }

std::string MedianMean(const WaitStats& s) {
  if (s.count == 0) return "      –     –";
  return absl::StrFormat("%7.0f %5.1f", s.median, s.mean);
}

std::string Number(double value, int count) { return count == 0 ? "–" : absl::StrFormat("%.1f", value); }

}  // namespace

nlohmann::json ToJson(const Report& r) {
  nlohmann::json j;
  j["district"] = r.district;
  j["policy"] = r.policy;
  j["scale"] = r.scale;
  j["weeks"] = r.weeks;
  j["seed"] = r.seed;
  j["start_date"] = r.start_date;
  j["end_date"] = r.end_date;
  j["households_registered"] = r.households_registered;
  j["persons_registered"] = r.persons_registered;
  j["duplicates_suspected"] = r.duplicates_suspected;
  j["households_registered_twice"] = r.households_registered_twice;
  j["duplicate_persons_merged"] = r.duplicate_persons_merged;
  j["duplicate_persons_missed"] = r.duplicate_persons_missed;
  j["school_proposals_confirmed"] = r.school_proposals_confirmed;
  j["school_proposals_rejected"] = r.school_proposals_rejected;
  j["kita_declined"] = r.kita_declined;
  j["courses"] = nlohmann::json::array();
  for (const auto& c : r.courses) {
    j["courses"].push_back({{"course_type", c.course_type}, {"social_area", c.social_area}, {"requests", c.requests},
                            {"enrolled", c.enrolled}, {"waiting", c.waiting}, {"access_wait", Json(c.access_wait)}, {"waiting_time", Json(c.waiting_time)},
                            {"still_waiting", Json(c.still_waiting_days)}, {"mean_km", std::round(c.mean_km * 10) / 10}});
  }
  j["offers"] = r.offers;
  j["children"] = nlohmann::json::array();
  for (const auto& c : r.children) {
    j["children"].push_back({{"kind", c.kind}, {"social_area", c.social_area}, {"placed", c.placed},
                             {"waiting", c.waiting}, {"wait", Json(c.wait)}});
  }
  j["housing"] = nlohmann::json::array();
  for (const auto& h : r.housing) {
    j["housing"].push_back({{"social_area", h.social_area}, {"beds", h.beds}, {"beds_used", h.beds_used},
                            {"persons_housed", h.persons_housed}, {"share_in_flats", h.share_in_flats},
                            {"standard_violations", h.standard_violations}, {"households_waiting", h.households_waiting},
                            {"persons_per_social_worker", h.persons_per_social_worker}});
  }
  j["housing_wait"] = Json(r.housing_wait);
  j["households_by_status"] = r.households_by_status;
  j["notifications"] = r.notifications;
  j["unused"] = r.unused;
  j["course_access_wait"] = Json(r.course_access_wait);
  j["course_waiting_time"] = Json(r.course_waiting_time);
  j["unused_seats"] = nlohmann::json::array();
  for (const auto& u : r.unused_seats) {
    j["unused_seats"].push_back({{"course", u.course}, {"course_type", u.course_type}, {"social_area", u.social_area},
                                 {"start_date", u.start_date}, {"free_seats", u.free_seats},
                                 {"eligible_waiting", u.eligible_waiting},
                                 {"waiting_for_childcare", u.waiting_for_childcare}});
  }
  j["seats_free_while_eligible_waited"] = r.seats_free_while_eligible_waited;
  j["course_seats_planned"] = r.course_seats_planned;
  j["child_days_left_waiting_with_seat_in_reach"] = r.child_days_left_waiting_with_seat_in_reach;
  j["households_aged"] = r.households_aged;
  j["obligations_imposed"] = r.obligations_imposed;
  j["caseload_target"] = r.caseload_target;
  j["planning_gaps"] = nlohmann::json::array();
  for (const auto& g : r.planning_gaps) {
    nlohmann::json gap = {{"kind", g.kind},
                          {"course_type", CoursePlanTypeName(g.course_type)},
                          {"social_area", g.social_area},
                          {"schedule", g.evening ? "evening" : "any"},
                          {"childcare", g.childcare},
                          {"waiting", g.waiting},
                          {"median_days_waited", g.median_days_waited},
                          {"free_seats_elsewhere", g.free_seats_elsewhere},
                          {"over_budget", g.over_budget}};
    if (g.proposed) {
      const CourseSeries& s = g.proposal;
      gap["proposal"] = {{"course_type", CoursePlanTypeName(s.type)}, {"municipality", s.town},
                         {"provider", s.provider}, {"every_weeks", s.every_weeks}, {"first_week", s.first_week},
                         {"schedule", CoursePlanScheduleName(s.schedule)}, {"seats", s.seats},
                         {"childcare_places", s.childcare}, {"duration_weeks", s.duration_weeks},
                         {"target_level", s.target_level}};
    }
    j["planning_gaps"].push_back(std::move(gap));
  }
  auto period = [](const PeriodFigures& f) {
    return nlohmann::json{{"enrolled", f.enrolled}, {"person_days_waited", f.person_days_waited},
                          {"km", std::round(f.km)}, {"access_wait", Json(f.access_wait)}};
  };
  j["period"] = {{"policy", period(r.policy_period)}, {"hindsight", period(r.hindsight)},
                 {"least_access_wait_p90_days", r.least_access_wait_p90},
                 {"not_enrolled_but_in_the_bound", r.hindsight_gap},
                 {"person_days_more_than_the_bound", r.hindsight_days_gap}};
  j["weekly"] = nlohmann::json::array();
  for (const auto& w : r.weekly) {
    j["weekly"].push_back({{"week", w.week}, {"course_waiting", w.course_waiting},
                           {"course_wait_median_days", w.course_wait_median}, {"school_waiting", w.school_waiting},
                           {"kita_waiting", w.kita_waiting}, {"housing_waiting", w.housing_waiting},
                           {"housing_wait_median_days", w.housing_wait_median},
                           {"course_waiting_measured", w.course_waiting_measured},
                           {"course_waiting_bound", w.course_waiting_bound}});
  }
  if (r.mediation.mediators > 0) j["mediation"] = MediationJson(r.mediation);
  if (r.casework.workers > 0) j["casework"] = CaseworkJson(r.casework);
  j["council"] = nlohmann::json::array();
  for (const auto& c : r.council) {
    j["council"].push_back({{"indicator", c.indicator}, {"figure", c.figure}, {"target", c.target},
                            {"status", c.status}, {"complete", c.complete}});
  }
  if (!r.council_report_pdf.empty()) j["council_report_pdf"] = r.council_report_pdf;
  j["checks"] = nlohmann::json::array();
  for (const auto& c : r.checks) {
    j["checks"].push_back({{"name", c.name}, {"left", c.left}, {"right", c.right}, {"ok", c.ok()}, {"detail", c.detail}});
  }
  j["reconciled"] = r.reconciled();
  j["seconds"] = std::round(r.seconds * 10) / 10;
  j["events"] = r.events;
  return j;
}

std::string RenderTable(const Report& r) {
  std::string out;
  absl::StrAppendFormat(&out, "%s — %d simulated weeks from %s (seed %d, %s scale, policy %s)\n", r.district, r.weeks,
                        r.start_date, r.seed, r.scale, r.policy);
  absl::StrAppendFormat(&out, "%d households with %d persons registered", r.households_registered, r.persons_registered);
  absl::StrAppendFormat(&out, "\n%d families registered a second time by another office: %d persons merged, %d not "
                        "recognised; %d persons held as suspected duplicates in all",
                        r.households_registered_twice, r.duplicate_persons_merged, r.duplicate_persons_missed,
                        r.duplicates_suspected);
  absl::StrAppendFormat(&out, "; school and Kita proposals: %d confirmed, %d rejected by the schools office",
                        r.school_proposals_confirmed, r.school_proposals_rejected);
  if (r.kita_declined > 0) absl::StrAppendFormat(&out, "; %d children's families declined a Kita place", r.kita_declined);
  absl::StrAppend(&out, "\n\n");

  // Columns as wide as the district's longest social area.
  size_t w = 11;
  for (const auto& h : r.housing) w = std::max(w, Utf8Length(h.social_area));
  for (const auto& c : r.courses) w = std::max(w, Utf8Length(c.social_area));
  for (const auto& c : r.children) w = std::max(w, Utf8Length(c.social_area));
  absl::StrAppend(&out, "Language and integration courses, as BAMF counts the waits of those enrolled: access time "
                       "(request to course start) and waiting time (registration with the provider to course start), "
                       "in days; and who still waits (by the learner's social area)\n");
  absl::StrAppendFormat(&out, "  %-12s %s %8s %8s %s %5s %s %8s %s %7s\n", "course", Pad("area", w), "requests", "enrolled",
                        " access     p90", " mean", "waiting  mean", "waiting", "  waited p50  p90", "mean km");
  for (const auto& c : r.courses) {
    absl::StrAppendFormat(&out, "  %-12s %s %8d %8d %s %5s %s %8d %s %7.1f\n", c.course_type, Pad(c.social_area, w),
                          c.requests, c.enrolled, Days(c.access_wait), Mean(c.access_wait), MedianMean(c.waiting_time),
                          c.waiting, Days(c.still_waiting_days), c.mean_km);
  }
  absl::StrAppendFormat(&out, "  all: access time median %s, mean %s; waiting time median %s, mean %s\n",
                        Number(r.course_access_wait.median, r.course_access_wait.count),
                        Number(r.course_access_wait.mean, r.course_access_wait.count),
                        Number(r.course_waiting_time.median, r.course_waiting_time.count),
                        Number(r.course_waiting_time.mean, r.course_waiting_time.count));
  absl::StrAppend(&out, "  offers:");
  for (const auto& [k, v] : r.offers) absl::StrAppendFormat(&out, " %s %d", k, v);
  absl::StrAppendFormat(&out, "\n  obligations to attend recorded by the foreigners' office (§ 44a): %d", r.obligations_imposed);
  absl::StrAppend(&out, "\n\nChildren: days from arrival to a DaZ class or Kita place\n");
  absl::StrAppendFormat(&out, "  %-14s %s %7s %s %8s\n", "place", Pad("area", w), "placed", " median     p90", "waiting");
  for (const auto& c : r.children) {
    absl::StrAppendFormat(&out, "  %-14s %s %7d %s %8d\n", c.kind, Pad(c.social_area, w), c.placed, Days(c.wait), c.waiting);
  }
  absl::StrAppendFormat(&out, "  days a child waited over 14 days while a DaZ seat of its type was free in reach: %lld\n",
                        r.child_days_left_waiting_with_seat_in_reach);
  absl::StrAppendFormat(&out, "  households whose members' ages called for something new (a Kita claim, school, courses): %d\n",
                        r.households_aged);
  absl::StrAppend(&out, "\nHousing\n");
  absl::StrAppendFormat(&out, "  %s %6s %6s %7s %9s %10s %8s %16s\n", Pad("area", w), "beds", "used", "persons", "in flats",
                        "below std", "waiting", "caseload/worker");
  for (const auto& h : r.housing) {
    absl::StrAppendFormat(&out, "  %s %6d %6d %7d %8.0f%% %10d %8d %16.0f\n", Pad(h.social_area, w), h.beds, h.beds_used,
                          h.persons_housed, h.share_in_flats * 100, h.standard_violations, h.households_waiting,
                          h.persons_per_social_worker);
  }
  absl::StrAppendFormat(&out, "  caseload: persons drawing AsylbLG benefits in shared accommodation per refugee social "
                        "worker, against the district's target of %d\n", r.caseload_target);
  absl::StrAppendFormat(&out, "  days from registration to moving in: median %.0f, p90 %.0f (%d households)\n",
                        r.housing_wait.median, r.housing_wait.p90, r.housing_wait.count);
  absl::StrAppend(&out, "  households:");
  for (const auto& [k, v] : r.households_by_status) absl::StrAppendFormat(&out, " %s %d", k, v);
  absl::StrAppend(&out, "\n\nNotifications by language\n");
  for (const auto& [language, outcomes] : r.notifications) {
    absl::StrAppendFormat(&out, "  %-4s", language);
    for (const auto& [k, v] : outcomes) absl::StrAppendFormat(&out, " %s %d", k, v);
    absl::StrAppend(&out, "\n");
  }
  absl::StrAppend(&out, "\nAgainst the hindsight bound (the whole period solved at once, everything known)\n");
  auto share = [](double a, double b) { return b > 0 ? a / b : 0.0; };
  absl::StrAppendFormat(&out, "  %-22s %10s %10s %8s\n", "", "this run", "bound", "ratio");
  absl::StrAppendFormat(&out, "  %-22s %10d %10d %7.1f%%\n", "adults enrolled", r.policy_period.enrolled,
                        r.hindsight.enrolled, 100 * share(r.policy_period.enrolled, r.hindsight.enrolled));
  absl::StrAppendFormat(&out, "  %-22s %10d %10d %7.2f×\n", "person-days waited", r.policy_period.person_days_waited,
                        r.hindsight.person_days_waited,
                        share(static_cast<double>(r.policy_period.person_days_waited),
                              static_cast<double>(r.hindsight.person_days_waited)));
  absl::StrAppendFormat(&out, "  %-22s %10.0f %10.0f %7.2f×\n", "km travelled", r.policy_period.km, r.hindsight.km,
                        share(r.policy_period.km, r.hindsight.km));
  absl::StrAppendFormat(&out, "  %-22s %4.0f / %3.0f  %4.0f / %3.0f\n", "access wait p50 / p90", r.policy_period.access_wait.median,
                        r.policy_period.access_wait.p90, r.hindsight.access_wait.median, r.hindsight.access_wait.p90);
  absl::StrAppendFormat(&out, "  no schedule that enrols as many as the bound has a p90 access wait below %d days\n",
                        r.least_access_wait_p90);
  if (!r.hindsight_gap.empty()) {
    absl::StrAppend(&out, "  enrolled in the bound, not in this run:");
    for (const auto& [why, n] : r.hindsight_gap) absl::StrAppendFormat(&out, " %s %d;", why, n);
    out.back() = '\n';
  }
  if (!r.hindsight_days_gap.empty()) {
    absl::StrAppend(&out, "  person-days more than the bound:");
    for (const auto& [where, days] : r.hindsight_days_gap) absl::StrAppendFormat(&out, " %s %+d;", where, days);
    out.back() = '\n';
  }
  absl::StrAppendFormat(&out, "  course seats free at a course's start while someone eligible in reach waited "
                        "without an offer: %d\n", r.seats_free_while_eligible_waited);
  int listed = 0, for_childcare = 0;
  for (const auto& u : r.unused_seats) {
    for_childcare += std::min(u.free_seats, u.waiting_for_childcare);
    if (u.eligible_waiting == 0 || ++listed > 8) continue;
    absl::StrAppendFormat(&out, "    %s (%s): %d free, %d waited in reach\n", u.course, u.start_date, u.free_seats,
                          u.eligible_waiting);
  }
  if (for_childcare > 0) {
    absl::StrAppendFormat(&out, "  course seats free at a course's start while a parent in reach waited because the "
                          "course's childcare places were taken: %d (a planning gap: childcare places)\n", for_childcare);
  }
  if (!r.planning_gaps.empty()) {
    absl::StrAppend(&out, "\nPlanning gaps: still waiting at the end, and what would serve them\n");
    int alone = 0;  // groups of one person: counted, not listed
    for (const auto& g : r.planning_gaps) {
      if (g.waiting < 2) {
        ++alone;
        continue;
      }
      absl::StrAppendFormat(&out, "  %s, %s%s%s, %s: %d waiting (median %.0f d); %d seats of the type free at starts "
                            "elsewhere\n",
                            CoursePlanTypeName(g.course_type), g.social_area, g.evening ? ", evening" : "",
                            g.childcare ? ", with childcare" : "", g.kind, g.waiting, g.median_days_waited,
                            g.free_seats_elsewhere);
      if (g.over_budget) {
        absl::StrAppend(&out, "    not proposed: the proposals that serve more people per seat use the seats a "
                        "district may add (10 % of the period's)\n");
        continue;
      }
      if (!g.proposed) {
        absl::StrAppend(&out, "    too few for a class of their own: a longer travel limit or a neighbouring course\n");
        continue;
      }
      const CourseSeries& p = g.proposal;
      absl::StrAppendFormat(&out, "    proposed: %s in %s (%s), every %d weeks from week %d, %s, %d seats, %d childcare "
                            "places\n",
                            CoursePlanTypeName(p.type), p.town, p.provider, p.every_weeks, p.first_week,
                            CoursePlanScheduleName(p.schedule), p.seats, p.childcare);
    }
    if (alone > 0) {
      absl::StrAppendFormat(&out, "  and %d groups of one person each (the JSON report lists them)\n", alone);
    }
  }

  std::vector<std::string> unused;
  for (const auto& [k, v] : r.unused) unused.push_back(absl::StrFormat("%s %d", k, v));
  absl::StrAppend(&out, RenderMediation(r.mediation));
  absl::StrAppend(&out, RenderCasework(r.casework, r.caseload_target));
  if (!r.council.empty()) {
    absl::StrAppend(&out, "\nIntegration indicators for the council (the period; targets from targets.csv)\n");
    absl::StrAppendFormat(&out, "  %-38s %14s %14s  %s\n", "indicator", "figure", "target", "status");
    for (const auto& c : r.council) {
      absl::StrAppendFormat(&out, "  %-38s %14s %14s  %s%s\n", c.indicator, c.figure, c.target, c.status,
                            c.complete ? "" : " (windows still open)");
    }
    if (!r.council_report_pdf.empty()) absl::StrAppend(&out, "  written: ", r.council_report_pdf, " (and .json, .csv)\n");
  }
  absl::StrAppend(&out, "\nUnused at the end: ", absl::StrJoin(unused, "; "));
  absl::StrAppend(&out, "\n\nChecks\n");
  for (const auto& c : r.checks) {
    absl::StrAppendFormat(&out, "  %-4s %s: %d = %d%s\n", c.ok() ? "ok" : "FAIL", c.name, c.left, c.right,
                          c.detail.empty() ? "" : absl::StrCat(" (", c.detail, ")"));
  }
  absl::StrAppendFormat(&out, "\n%s in %.0f s\n", r.reconciled() ? "Everything adds up" : "NUMBERS DO NOT ADD UP",
                        r.seconds);
  return out;
}

namespace {

// What both charts share: weeks along, a value up, a legend on the right.
class WeekChart {
 public:
  WeekChart(size_t weeks, double top) : weeks_(std::max<size_t>(1, weeks)), top_(top) {}

  std::string Frame(const std::string& title, const char* y_label) const {
    std::string svg = absl::StrFormat(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" font-family=\"sans-serif\" "
        "font-size=\"12\">\n<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n"
        "<text x=\"%d\" y=\"22\" font-size=\"15\">%s</text>\n",
        kWidth, kHeight, kLeft, title);
    for (int i = 0; i <= 4; ++i) {
      const double v = top_ * i / 4;
      absl::StrAppendFormat(&svg,
                            "<line x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#ddd\"/>"
                            "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%.0f</text>\n",
                            kLeft, kWidth - kRight, Y(v), Y(v), kLeft - 6, Y(v) + 4, v);
    }
    for (size_t w = 0; w < weeks_; w += std::max<size_t>(1, weeks_ / 13)) {
      absl::StrAppendFormat(&svg, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%d</text>\n", X(w),
                            kHeight - kBottom + 16, w + 1);
    }
    absl::StrAppendFormat(&svg, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">week</text>\n",
                          (kLeft + kWidth - kRight) / 2, kHeight - 12);
    absl::StrAppendFormat(&svg,
                          "<text x=\"14\" y=\"%d\" transform=\"rotate(-90 14 %d)\" text-anchor=\"middle\">%s</text>\n",
                          kHeight / 2, kHeight / 2, y_label);
    return svg;
  }

  // One line, and its entry in the legend (`row` from the top).
  std::string Line(const std::vector<double>& values, const char* colour, const char* dash, int row,
                   const std::string& label) const {
    std::string points;
    for (size_t i = 0; i < values.size(); ++i) absl::StrAppendFormat(&points, "%.1f,%.1f ", X(i), Y(values[i]));
    return absl::StrFormat(
        "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"2\" stroke-dasharray=\"%s\" points=\"%s\"/>\n"
        "<rect x=\"%d\" y=\"%d\" width=\"12\" height=\"3\" fill=\"%s\"/><text x=\"%d\" y=\"%d\">%s</text>\n",
        colour, dash, points, kWidth - kRight + 10, kTop + 20 * row, colour, kWidth - kRight + 26,
        kTop + 20 * row + 5, label);
  }

 private:
  static constexpr int kWidth = 760, kHeight = 380, kLeft = 60, kRight = 200, kTop = 40, kBottom = 50;
  double X(size_t week) const {
    return kLeft + (kWidth - kLeft - kRight) * static_cast<double>(week + 1) / static_cast<double>(weeks_);
  }
  double Y(double v) const { return kTop + (kHeight - kTop - kBottom) * (1 - v / top_); }

  size_t weeks_;
  double top_;
};

}  // namespace

std::string RenderSvg(const Report& r) {
  std::vector<double> course, housing;
  double top = 7;
  for (const auto& w : r.weekly) {
    course.push_back(w.course_wait_median);
    housing.push_back(w.housing_wait_median);
    top = std::max({top, w.course_wait_median, w.housing_wait_median});
  }
  const WeekChart chart(r.weekly.size(), std::ceil(top / 7) * 7);
  return chart.Frame(absl::StrFormat("%s: waiting over %d simulated weeks (policy %s, seed %d)", r.district, r.weeks,
                                     r.policy, r.seed),
                     "days") +
         chart.Line(course, "#1f77b4", "none", 0, "course: median days waited") +
         chart.Line(housing, "#d62728", "none", 1, "housing: median days waited") + "</svg>\n";
}

std::string RenderComparisonSvg(const nlohmann::json& a, const nlohmann::json& b) {
  auto series = [](const nlohmann::json& j, const char* field) {
    std::vector<double> v;
    for (const auto& w : j["weekly"]) v.push_back(w.value(field, 0));
    return v;
  };
  const bool same_policy = a["policy"] == b["policy"];
  auto label = [&](const nlohmann::json& j, const char* which) {
    return same_policy ? absl::StrCat(which, " (", j["policy"].get<std::string>(), ")")
                       : absl::StrCat("policy ", j["policy"].get<std::string>());
  };
  const std::vector<double> first = series(a, "course_waiting_measured"), second = series(b, "course_waiting_measured"),
                            bound = series(a, "course_waiting_bound");
  double top = 10;
  for (const auto* line : {&first, &second, &bound}) {
    for (double v : *line) top = std::max(top, v);
  }
  const WeekChart chart(std::max({first.size(), second.size(), bound.size()}), std::ceil(top / 20) * 20);
  return chart.Frame(absl::StrFormat("%s: adults waiting for a course (seed %d)", a["district"].get<std::string>(),
                                     a["seed"].get<long long>()),
                     "adults waiting") +
         chart.Line(first, "#ff7f0e", "none", 0, label(a, "A")) + chart.Line(second, "#1f77b4", "none", 1, label(b, "B")) +
         chart.Line(bound, "#2ca02c", "6 4", 2, "hindsight bound") + "</svg>\n";
}

std::string RenderComparison(const nlohmann::json& a, const nlohmann::json& b) {
  auto figure = [](const nlohmann::json& j, const std::string& what) -> std::string {
    if (what == "course access wait p50/p90" && j.contains("course_access_wait")) {
      const auto& w = j["course_access_wait"];
      if (w["count"].get<int>() == 0) return "–";
      return absl::StrFormat("%.0f / %.0f d", w["median_days"].get<double>(), w["p90_days"].get<double>());
    }
    if (what == "enrolled, share of the bound" && j.contains("period")) {
      const auto& p = j["period"];
      const double bound = p["hindsight"]["enrolled"].get<double>();
      return absl::StrFormat("%d, %.1f%%", p["policy"]["enrolled"].get<int>(),
                             bound > 0 ? 100 * p["policy"]["enrolled"].get<double>() / bound : 0.0);
    }
    if (what == "person-days waited, × the bound" && j.contains("period")) {
      const auto& p = j["period"];
      const double bound = p["hindsight"]["person_days_waited"].get<double>();
      return absl::StrFormat("%lld, %.2f×", p["policy"]["person_days_waited"].get<long long>(),
                             bound > 0 ? p["policy"]["person_days_waited"].get<double>() / bound : 0.0);
    }
    if (what == "the bound's access wait p50/p90" && j.contains("period") &&
        j["period"]["hindsight"].contains("access_wait")) {
      const auto& w = j["period"]["hindsight"]["access_wait"];
      return absl::StrFormat("%.0f / %.0f d", w["median_days"].get<double>(), w["p90_days"].get<double>());
    }
    if (what == "least p90 any policy can reach" && j.contains("period") &&
        j["period"].contains("least_access_wait_p90_days")) {
      return absl::StrFormat("%d d", j["period"]["least_access_wait_p90_days"].get<int>());
    }
    if (what == "course seats in the period" && j.contains("course_seats_planned")) {
      return absl::StrCat(j["course_seats_planned"].get<int>());
    }
    if (what == "seats free while eligible waited" && j.contains("seats_free_while_eligible_waited")) {
      return absl::StrCat(j["seats_free_while_eligible_waited"].get<int>());
    }
    if (what == "course access wait p50/p90") {
      double enrolled = 0, weighted50 = 0, weighted90 = 0;
      for (const auto& c : j["courses"]) {
        const double n = c["access_wait"]["count"].get<double>();
        enrolled += n;
        weighted50 += n * c["access_wait"]["median_days"].get<double>();
        weighted90 += n * c["access_wait"]["p90_days"].get<double>();
      }
      if (enrolled == 0) return "–";
      return absl::StrFormat("%.0f / %.0f d", weighted50 / enrolled, weighted90 / enrolled);
    }
    if (what == "enrolled") {
      int n = 0;
      for (const auto& c : j["courses"]) n += c["enrolled"].get<int>();
      return absl::StrCat(n);
    }
    if (what == "waiting for a course") {
      int n = 0;
      for (const auto& c : j["courses"]) n += c["waiting"].get<int>();
      return absl::StrCat(n);
    }
    if (what == "mean km to the course") {
      double km = 0, n = 0;
      for (const auto& c : j["courses"]) {
        km += c["mean_km"].get<double>() * c["enrolled"].get<double>();
        n += c["enrolled"].get<double>();
      }
      return n > 0 ? absl::StrFormat("%.1f", km / n) : "–";
    }
    if (what == "children placed / waiting") {
      int placed = 0, waiting = 0;
      for (const auto& c : j["children"]) {
        placed += c["placed"].get<int>();
        waiting += c["waiting"].get<int>();
      }
      return absl::StrFormat("%d / %d", placed, waiting);
    }
    if (what == "child-days, >14 d with a seat in reach" && j.contains("child_days_left_waiting_with_seat_in_reach")) {
      return absl::StrCat(j["child_days_left_waiting_with_seat_in_reach"].get<long long>());
    }
    if (what == "housed households, wait p50/p90") {
      return absl::StrFormat("%d, %.0f / %.0f d", j["housing_wait"]["count"].get<int>(),
                             j["housing_wait"]["median_days"].get<double>(), j["housing_wait"]["p90_days"].get<double>());
    }
    return "";
  };
  const std::vector<std::string> rows = {"enrolled", "course access wait p50/p90", "waiting for a course",
                                         "enrolled, share of the bound", "person-days waited, × the bound",
                                         "the bound's access wait p50/p90", "least p90 any policy can reach",
                                         "seats free while eligible waited", "course seats in the period",
                                         "mean km to the course",
                                         "children placed / waiting", "child-days, >14 d with a seat in reach",
                                         "housed households, wait p50/p90"};
  // Two policies on one district, or one policy on a district and its scenario.
  const bool same_policy = a["policy"] == b["policy"];
  auto label = [&](const nlohmann::json& j) {
    return same_policy ? j["district"].get<std::string>() : absl::StrCat("policy ", j["policy"].get<std::string>());
  };
  std::string out;
  if (same_policy) {
    absl::StrAppendFormat(&out, "A: %s\nB: %s\n(policy %s, seed %d)\n", label(a), label(b), a["policy"].get<std::string>(),
                          a["seed"].get<long long>());
  }
  absl::StrAppendFormat(&out, "%-34s %22s %22s\n", "", same_policy ? "A" : label(a), same_policy ? "B" : label(b));
  for (const auto& row : rows) absl::StrAppendFormat(&out, "%-34s %22s %22s\n", row, figure(a, row), figure(b, row));
  return out;
}

}  // namespace ankommen::sim
