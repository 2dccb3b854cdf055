#include "planning_gaps.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <tuple>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "ankommen/courses/v1/courses.pb.h"

namespace ankommen::sim {
namespace cv1 = courses::v1;

namespace {

// Whether a course of this kind, wherever in time, is one the request could take.
bool InReach(const HindsightRequest& r, const HindsightCourse& c) {
  return c.course_type == r.course_type && c.seats > 0 && (!r.evening_only || c.evening) &&
         placement::HaversineKm(r.home, c.at) <= r.max_km;
}

double Median(std::vector<int> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2.0;
}

// The series the district already runs of this type: the model for a new one
// (provider, seats, duration, level); the nearest to `town` first.
const CourseSeries* ModelSeries(const District& district, int course_type, const Town& town) {
  const CourseSeries* best = nullptr;
  double best_km = 0;
  for (const auto& s : district.course_plan) {
    const Town& at = district.TownNamed(s.town);
    const double km = placement::HaversineKm({town.lat, town.lon}, {at.lat, at.lon});
    // The same type beats any other type; within that, the nearest.
    const bool same = s.type == course_type;
    const bool best_same = best != nullptr && best->type == course_type;
    if (best == nullptr || (same && !best_same) || (same == best_same && km < best_km)) {
      best = &s;
      best_km = km;
    }
  }
  return best;
}

// Starts of a series in the period's weeks (CoursePlan's rule).
int StartsIn(const CourseSeries& s, int weeks) {
  return s.every_weeks > 0 && s.first_week < weeks ? (weeks - 1 - s.first_week) / s.every_weeks + 1 : 0;
}

}  // namespace

std::string CoursePlanTypeName(int course_type) {
  std::string name = cv1::CourseType_Name(static_cast<cv1::CourseType>(course_type));
  return absl::AsciiStrToLower(name.substr(std::string("COURSE_TYPE_").size()));
}

std::string CoursePlanScheduleName(int schedule) {
  std::string name = cv1::Schedule_Name(static_cast<cv1::Schedule>(schedule));
  return absl::AsciiStrToLower(name.substr(std::string("SCHEDULE_").size()));
}

std::vector<PlanningGap> FindPlanningGaps(const District& district, const std::vector<GapRequest>& requests,
                                          const std::vector<HindsightCourse>& courses,
                                          const std::map<int, std::map<std::string, int>>& free_seats_by_area,
                                          const GapOptions& options) {
  using Key = std::tuple<std::string, int, std::string, bool, bool>;  // kind, type, area, evening, childcare
  struct Group {
    std::vector<int> days;
    std::map<std::string, int> towns;  // home towns of those waiting
    int childcare = 0;                 // childcare places they need
  };
  std::map<Key, Group> groups;
  for (const auto& g : requests) {
    if (!g.waiting) continue;
    const bool in_reach = std::any_of(courses.begin(), courses.end(),
                                      [&](const HindsightCourse& c) { return InReach(g.request, c); });
    if (in_reach && g.days_waited <= options.long_wait_days) continue;
    Group& group = groups[{in_reach ? "too few seats" : "no course in reach", g.request.course_type, g.social_area,
                           g.request.evening_only, g.childcare > 0}];
    group.days.push_back(g.days_waited);
    ++group.towns[g.town];
    group.childcare += g.childcare;
  }

  std::vector<PlanningGap> gaps;
  for (const auto& [key, group] : groups) {
    const auto& [kind, type, area, evening, childcare] = key;
    PlanningGap gap;
    gap.kind = kind;
    gap.course_type = type;
    gap.social_area = area;
    gap.evening = evening;
    gap.childcare = childcare;
    gap.waiting = static_cast<int>(group.days.size());
    gap.median_days_waited = Median(group.days);
    if (auto t = free_seats_by_area.find(type); t != free_seats_by_area.end()) {
      for (const auto& [other, seats] : t->second) gap.free_seats_elsewhere += other == area ? 0 : seats;
    }
    // A class where most of them live, at the cadence their number asks for:
    // the seats of the district's own classes of that type, or fewer.
    gap.proposed = gap.waiting >= options.smallest_class;
    if (gap.proposed) {
      const std::string town = std::max_element(group.towns.begin(), group.towns.end(), [](const auto& a, const auto& b) {
                                 return a.second < b.second;
                               })->first;
      const CourseSeries* model = ModelSeries(district, type, district.TownNamed(town));
      CourseSeries& s = gap.proposal;
      s.type = static_cast<cv1::CourseType>(type);
      s.town = town;
      s.provider = model != nullptr ? model->provider : district.providers.front().key;
      s.schedule = evening ? cv1::SCHEDULE_EVENING : cv1::SCHEDULE_MORNING;
      const int class_seats = model != nullptr && model->type == type && model->seats > 0 ? model->seats : 20;
      // Those waiting now come again each period: one class each time that
      // many have asked, at most every four weeks.
      const double per_week = static_cast<double>(gap.waiting) / std::max(1, options.period_weeks);
      s.seats = std::min(class_seats, std::max(options.smallest_class, gap.waiting));
      s.every_weeks = std::clamp(static_cast<int>(std::lround(s.seats / std::max(per_week, 1e-9))), 4,
                                 std::max(4, options.period_weeks));
      s.first_week = std::min(district.announce_weeks_ahead, options.period_weeks / 4);
      s.childcare = childcare ? std::min(s.seats, group.childcare) : 0;
      s.duration_weeks = model != nullptr ? model->duration_weeks : 26;
      s.target_level = model != nullptr && !model->target_level.empty() ? model->target_level : "B1";
    }
    gaps.push_back(std::move(gap));
  }
  // Waits past the target: the series whose starts came too late for those
  // enrolled in them. The same series half a cadence later halves the longest
  // wait for a start; its classes are sized for twice as many as waited past
  // the target per start (those in the tail, and as many who would take the
  // sooner start), between the smallest class and the series' own.
  if (options.access_wait_target_days > 0) {
    std::map<int, std::vector<int>> tail;  // series → access waits past the target
    std::map<int, int> series_seats;       // series → seats of one of its classes
    for (const auto& c : courses) {
      if (c.series >= 0) series_seats[c.series] = std::max(series_seats[c.series], c.seats);
    }
    for (const auto& g : requests) {
      if (g.course < 0 || g.access_wait <= options.access_wait_target_days) continue;
      const int series = courses[static_cast<size_t>(g.course)].series;
      if (series >= 0 && series < static_cast<int>(district.course_plan.size())) tail[series].push_back(g.access_wait);
    }
    for (const auto& [series, waits] : tail) {
      const CourseSeries& model = district.course_plan[static_cast<size_t>(series)];
      if (static_cast<int>(waits.size()) < options.fewest_past_target || model.every_weeks < 2) continue;
      PlanningGap gap;
      gap.kind = "waits past the target";
      gap.course_type = model.type;
      gap.social_area = district.TownNamed(model.town).social_area;
      gap.evening = model.schedule == cv1::SCHEDULE_EVENING;
      gap.childcare = model.childcare > 0;
      gap.waiting = static_cast<int>(waits.size());
      gap.median_days_waited = Median(waits);
      CourseSeries s = model;
      s.first_week = model.first_week + (model.every_weeks + 1) / 2;
      const int starts = StartsIn(s, options.period_weeks);
      if (starts == 0) continue;
      const int class_seats = series_seats.contains(series) ? series_seats.at(series) : 20;
      s.seats = std::clamp((2 * gap.waiting + starts - 1) / starts, std::min(options.smallest_class, class_seats),
                           class_seats);
      s.childcare = std::min(model.childcare, s.seats);
      gap.proposed = true;
      gap.proposal = s;
      gaps.push_back(std::move(gap));
    }
  }

  // Within the seats a district may add: the proposals that serve the most
  // people per seat added in the period first.
  int planned = 0;
  for (const auto& c : courses) planned += c.start_day < options.period_weeks * 7 ? c.seats : 0;
  auto added = [&](const PlanningGap& g) { return g.proposal.seats * StartsIn(g.proposal, options.period_weeks); };
  std::vector<PlanningGap*> proposals;
  for (auto& g : gaps) {
    if (g.proposed) proposals.push_back(&g);
  }
  std::stable_sort(proposals.begin(), proposals.end(), [&](const PlanningGap* a, const PlanningGap* b) {
    return static_cast<int64_t>(a->waiting) * std::max(1, added(*b)) >
           static_cast<int64_t>(b->waiting) * std::max(1, added(*a));
  });
  int budget = static_cast<int>(std::floor(options.max_added_seat_share * planned));
  for (PlanningGap* g : proposals) {
    if (added(*g) <= budget) {
      budget -= added(*g);
    } else {
      g->proposed = false;
      g->over_budget = true;
    }
  }
  // The largest gaps first.
  std::stable_sort(gaps.begin(), gaps.end(), [](const PlanningGap& a, const PlanningGap& b) { return a.waiting > b.waiting; });
  return gaps;
}

std::string ProposalScenario(const District& district, const std::vector<PlanningGap>& gaps) {
  std::string rows;
  int proposed = 0;
  for (const auto& g : gaps) {
    if (!g.proposed) continue;
    const CourseSeries& s = g.proposal;
    absl::StrAppendFormat(&rows, "add_course_series,\"%s,%s,%s,%d,%d,%s,%d,%d,%d,%s\"\n", CoursePlanTypeName(s.type),
                          s.town, s.provider, s.every_weeks, s.first_week, CoursePlanScheduleName(s.schedule), s.seats,
                          s.childcare, s.duration_weeks, s.target_level);
    ++proposed;
  }
  if (proposed == 0) return "";
  return absl::StrCat("change,value\nname,\"", district.name, ": the planning gaps' course series (", proposed,
                      ")\"\n", rows);
}

}  // namespace ankommen::sim
