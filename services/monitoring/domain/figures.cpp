#include "figures.h"

#include <algorithm>
#include <map>

namespace ankommen::monitoring {
namespace {

constexpr int kTwelveMonths = 365, kTwentyFourMonths = 730, kFourteenDays = 14;

bool AreaMatches(const Scope& scope, const std::string& area) {
  return scope.social_area.empty() || scope.social_area == area;
}

std::string HouseholdArea(const History& h, const std::string& household_id, Day day) {
  const auto it = h.households.find(household_id);
  if (it == h.households.end()) return "";
  auto area = it->second.social_area.At(day);
  if (!area && !it->second.social_area.changes().empty()) area = it->second.social_area.changes().front().second;
  return area.value_or("");
}

bool Present(const PersonHistory& p, Day day) { return p.registered <= day && (!p.left || *p.left > day); }

bool HouseholdPresent(const HouseholdHistory& h, Day day) {
  return h.registered <= day && (!h.left || *h.left > day);
}

// The first day the person's recorded level was at least `rank`.
std::optional<Day> Reached(const PersonHistory& p, int rank) {
  for (const auto& [day, level] : p.level.changes()) {
    if (level >= rank) return day;
  }
  return std::nullopt;
}

int AgeAt(const Timeline<int>& ages, Day day) {
  if (auto a = ages.At(day)) return *a;
  return ages.changes().empty() ? 0 : ages.changes().front().second;
}

Figure Named(std::string_view id) {
  Figure f;
  f.indicator = std::string(id);
  return f;
}

double Percent(long long part, long long whole) { return 100.0 * static_cast<double>(part) / static_cast<double>(whole); }

Figure Share(std::string_view id, long long part, long long whole, bool complete) {
  Figure f = Named(id);
  f.numerator = part;
  f.denominator = whole;
  f.complete = complete;
  if (whole > 0) f.value = Percent(part, whole);
  return f;
}

// The nearest-rank median: a value someone actually waited (as the
// simulation's report and the services' figures count it).
double Median(std::vector<int> v) {
  std::sort(v.begin(), v.end());
  return v[(v.size() + 1) / 2 - 1];
}

// Of the cohort — persons who arrived in the period and `in_cohort` accepts
// (judged on their registration day) — the share for whom `reached_on` gives a
// day within `window` days of arriving. A person who left within their
// window without reaching it is no longer the district's to count.
template <typename InCohort, typename ReachedOn>
Figure CohortShare(std::string_view id, const History& h, const Scope& scope, int window, InCohort in_cohort,
                   ReachedOn reached_on) {
  long long cohort = 0, reached = 0;
  bool complete = true;
  for (const auto& [person_id, p] : h.persons) {
    if (p.registered < scope.from || p.registered > scope.to) continue;
    if (!in_cohort(p) || !AreaMatches(scope, HouseholdArea(h, p.household_id, p.registered))) continue;
    const Day window_end = std::min(p.registered + window, scope.as_of);
    const std::optional<Day> on = reached_on(p);
    const bool made_it = on && *on <= window_end;
    if (!made_it && p.left && *p.left <= window_end) continue;
    ++cohort;
    if (made_it) ++reached;
    if (p.registered + window > scope.as_of && !made_it) complete = false;
  }
  return Share(id, reached, cohort, complete);
}

Figure MedianDays(std::string_view id, const History& h, const Scope& scope, int EnrolmentFact::*days) {
  std::vector<int> values;
  for (const auto& e : h.enrolments) {
    if (e.start < scope.from || e.start > scope.to) continue;
    const auto p = h.persons.find(e.person_id);
    const std::string area = p == h.persons.end() ? "" : HouseholdArea(h, p->second.household_id, e.start);
    if (!AreaMatches(scope, area)) continue;
    values.push_back(e.*days);
  }
  Figure f = Named(id);
  f.denominator = static_cast<long long>(values.size());
  if (!values.empty()) f.value = Median(std::move(values));
  return f;
}

// Households the district houses on `day`, with where.
struct Housed {
  const std::string* household_id;
  const HouseholdHistory* household;
  const AccommodationFacts* place;
  const std::string* accommodation_id;
};
std::vector<Housed> HousedOn(const History& h, Day day) {
  std::vector<Housed> out;
  for (const auto& [id, hh] : h.households) {
    if (!HouseholdPresent(hh, day)) continue;
    const auto at = hh.accommodation.At(day);
    if (!at || at->empty()) continue;
    const auto place = h.accommodations.find(*at);
    if (place == h.accommodations.end()) continue;
    out.push_back({&id, &hh, &place->second, &place->first});
  }
  return out;
}

// Since when the household has lived in shared accommodation without a break, up to `day`.
Day SharedSince(const History& h, const HouseholdHistory& hh, Day day) {
  Day since = day;
  const auto& changes = hh.accommodation.changes();
  for (auto it = changes.rbegin(); it != changes.rend(); ++it) {
    if (it->first > day) continue;
    const auto place = h.accommodations.find(it->second);
    if (it->second.empty() || place == h.accommodations.end() || !place->second.shared) break;
    since = it->first;
  }
  return since;
}

}  // namespace

Figure ComputeFigure(const History& h, const Indicator& indicator, const Scope& scope, const AgeBands& ages) {
  const std::string_view id = indicator.id;
  const Day t = scope.to;
  auto adult = [&](const PersonHistory& p) { return AgeAt(p.age_years, p.registered) >= 18; };

  if (id == "language_a2_within_12_months" || id == "language_b1_within_24_months") {
    const bool a2 = id == "language_a2_within_12_months";
    const int rank = a2 ? LevelRank("A2") : LevelRank("B1");
    return CohortShare(id, h, scope, a2 ? kTwelveMonths : kTwentyFourMonths, adult,
                       [&](const PersonHistory& p) { return Reached(p, rank); });
  }
  if (id == "course_waiting_time_days") return MedianDays(id, h, scope, &EnrolmentFact::waiting_time_days);
  if (id == "course_access_time_days") return MedianDays(id, h, scope, &EnrolmentFact::access_time_days);
  if (id == "kita_share_ages_1_to_6") {
    long long children = 0, placed = 0;
    for (const auto& [person_id, p] : h.persons) {
      if (!Present(p, t)) continue;
      const int age = AgeAt(p.age_years, t);
      const int school_age = p.school_year_age.changes().empty() ? age : AgeAt(p.school_year_age, t);
      if (age < ages.kita_from || school_age >= ages.school_from) continue;
      if (!AreaMatches(scope, HouseholdArea(h, p.household_id, t))) continue;
      ++children;
      if (p.kita_placed && *p.kita_placed <= t) ++placed;
    }
    return Share(id, placed, children, true);
  }
  if (id == "daz_class_within_14_days") {
    return CohortShare(
        id, h, scope, kFourteenDays,
        [&](const PersonHistory& p) {
          const int age = AgeAt(p.age_years, p.registered);
          const int school_age = p.school_year_age.changes().empty() ? age : AgeAt(p.school_year_age, p.registered);
          return school_age >= ages.school_from && age < ages.school_obliged_until;
        },
        [](const PersonHistory& p) { return p.school_placed; });
  }
  if (id == "households_in_flats") {
    long long housed = 0, in_flats = 0;
    for (const Housed& x : HousedOn(h, t)) {
      if (!AreaMatches(scope, x.place->social_area)) continue;
      ++housed;
      if (!x.place->shared) ++in_flats;
    }
    return Share(id, in_flats, housed, true);
  }
  if (id == "shared_accommodation_over_12_months") {
    Figure f = Named(id);
    for (const Housed& x : HousedOn(h, t)) {
      if (!x.place->shared || !AreaMatches(scope, x.place->social_area)) continue;
      ++f.denominator;
      if (SharedSince(h, *x.household, t) + kTwelveMonths < t) ++f.numerator;
    }
    f.value = static_cast<double>(f.numerator);
    return f;
  }
  if (id == "places_below_standard") {
    std::map<const std::string*, int> persons;  // per accommodation (by its id in the map)
    std::map<const std::string*, const AccommodationFacts*> places;
    for (const Housed& x : HousedOn(h, t)) {
      if (!AreaMatches(scope, x.place->social_area)) continue;
      persons[x.accommodation_id] += AgeAt(x.household->persons, t);
      places[x.accommodation_id] = x.place;
    }
    Figure f = Named(id);
    for (const auto& [place_id, n] : persons) {
      const AccommodationFacts& a = *places[place_id];
      ++f.denominator;
      if (a.square_metres < n * a.standard_square_metres_per_person) ++f.numerator;
    }
    f.value = static_cast<double>(f.numerator);
    return f;
  }
  if (id == "caseload_per_social_worker") {
    Figure f = Named(id);
    std::map<std::string, const HouseholdHistory*> in_shared;  // household id → household, in scope
    for (const Housed& x : HousedOn(h, t)) {
      if (x.place->shared && AreaMatches(scope, x.place->social_area)) in_shared[*x.household_id] = x.household;
    }
    for (const auto& [person_id, p] : h.persons) {
      if (!Present(p, t) || !in_shared.count(p.household_id)) continue;
      if (p.asylblg.At(t).value_or(false)) ++f.numerator;
    }
    for (const auto& [area, n] : h.social_workers) {
      if (AreaMatches(scope, area)) f.denominator += n;
    }
    if (f.denominator > 0) f.value = static_cast<double>(f.numerator) / static_cast<double>(f.denominator);
    return f;
  }
  if (id == "messages_not_delivered") {
    long long made = 0, dead = 0;
    for (const auto& [message_id, m] : h.messages) {
      if (m.made < scope.from || m.made > scope.to) continue;
      if (!scope.social_area.empty()) {
        std::string area;
        if (m.person_id.rfind("team:", 0) == 0) {
          area = m.person_id.substr(5);
        } else if (const auto p = h.persons.find(m.person_id); p != h.persons.end()) {
          area = HouseholdArea(h, p->second.household_id, m.made);
        }
        if (area != scope.social_area) continue;
      }
      ++made;
      if (m.dead) ++dead;
    }
    return Share(id, dead, made, true);
  }
  if (id == "mediator_requests_filled") {
    long long asked = 0, filled = 0;
    const Day until = std::min(scope.to, scope.as_of);
    for (const auto& [request_id, m] : h.mediations) {
      if (m.appointment < scope.from || m.appointment > until || m.ended_by_office) continue;
      if (!AreaMatches(scope, m.social_area)) continue;
      ++asked;
      if (m.booked_at_start) ++filled;
    }
    return Share(id, filled, asked, true);
  }
  return Named(id);
}

std::vector<Figure> ComputeFigures(const History& history, const Scope& scope, const AgeBands& ages) {
  std::vector<Figure> out;
  for (const Indicator& i : Catalogue()) out.push_back(ComputeFigure(history, i, scope, ages));
  return out;
}

std::vector<ReportRow> BuildReport(const History& history, const Scope& scope, const AgeBands& ages,
                                   const std::vector<Target>& targets) {
  std::vector<ReportRow> rows;
  for (const Indicator& i : Catalogue()) {
    ReportRow row;
    row.indicator = &i;
    row.figure = ComputeFigure(history, i, scope, ages);
    for (Day month_start(scope.from.year(), scope.from.month(), 1); month_start <= scope.to;) {
      const absl::CivilMonth month(month_start);
      const Day month_end = Day(month + 1) - 1;
      Scope part = scope;
      part.from = std::max(scope.from, month_start);
      part.to = std::min(scope.to, month_end);
      row.trend.push_back({part.to, ComputeFigure(history, i, part, ages).value});
      month_start = Day(month + 1);
    }
    // The area's own target first, then the district's; its time frame holds the period's end.
    for (const bool own_area : {true, false}) {
      if (row.target) break;
      if (own_area && scope.social_area.empty()) continue;
      for (const Target& target : targets) {
        if (target.indicator != i.id || target.from > scope.to || target.to < scope.to) continue;
        if (target.social_area == (own_area ? scope.social_area : "")) {
          row.target = target;
          break;
        }
      }
    }
    // A preliminary share (windows still open) can still grow: it gets no light yet.
    if (row.target && row.figure.value && row.figure.complete) {
      row.light = Status(i, *row.figure.value, row.target->target);
    }
    rows.push_back(std::move(row));
  }
  return rows;
}

int LevelRank(const std::string& cefr) {
  static const char* const kLevels[] = {"A1", "A2", "B1", "B2", "C1", "C2"};
  for (int i = 0; i < 6; ++i) {
    if (cefr == kLevels[i]) return i + 1;
  }
  return 0;
}

}  // namespace ankommen::monitoring
