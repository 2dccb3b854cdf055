#include "figures.h"

#include <algorithm>
#include <map>
#include <set>

namespace ankommen::monitoring {
namespace {

constexpr int kTwelveMonths = 365, kTwentyFourMonths = 730, kFourteenDays = 14;

bool AreaMatches(const Scope& scope, const std::string& area) {
  return scope.social_area.empty() || scope.social_area == area;
}

// Where the household lived on `day` (before its first record: its first area).
const std::string& AreaOn(const HouseholdHistory* h, Day day) {
  static const std::string kNone;
  if (h == nullptr || h->social_area.changes().empty()) return kNone;
  const auto& changes = h->social_area.changes();
  const std::string* area = &changes.front().second;
  for (const auto& [d, a] : changes) {
    if (d > day) break;
    area = &a;
  }
  return *area;
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

int SchoolAgeAt(const PersonHistory& p, Day day) {
  return p.school_year_age.changes().empty() ? AgeAt(p.age_years, day) : AgeAt(p.school_year_age, day);
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
Figure CohortShare(std::string_view id, const HistoryIndex& index, const Scope& scope, int window, InCohort in_cohort,
                   ReachedOn reached_on) {
  long long cohort = 0, reached = 0;
  bool complete = true;
  for (const HistoryIndex::Person& x : index.Persons(scope.social_area)) {
    const PersonHistory& p = *x.person;
    if (p.registered < scope.from || p.registered > scope.to) continue;
    if (!in_cohort(p) || !AreaMatches(scope, AreaOn(x.household, p.registered))) continue;
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

Figure MedianDays(std::string_view id, const HistoryIndex& index, const Scope& scope, int EnrolmentFact::*days) {
  std::vector<int> values;
  for (const auto& [e, household] : index.Enrolments(scope.social_area)) {
    if (e->start < scope.from || e->start > scope.to) continue;
    if (!AreaMatches(scope, AreaOn(household, e->start))) continue;
    values.push_back(e->*days);
  }
  Figure f = Named(id);
  f.denominator = static_cast<long long>(values.size());
  if (!values.empty()) f.value = Median(std::move(values));
  return f;
}

// Where the district houses the household on `day`: the place, or null.
const AccommodationFacts* HousedAt(const History& h, const HouseholdHistory& hh, Day day,
                                   const std::string** accommodation_id = nullptr) {
  if (!HouseholdPresent(hh, day)) return nullptr;
  const auto at = hh.accommodation.At(day);
  if (!at || at->empty()) return nullptr;
  const auto place = h.accommodations.find(*at);
  if (place == h.accommodations.end()) return nullptr;
  if (accommodation_id != nullptr) *accommodation_id = &place->first;
  return &place->second;
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

Figure ComputeFigure(const HistoryIndex& index, const Indicator& indicator, const Scope& scope, const AgeBands& ages) {
  const History& h = index.history();
  const std::string_view id = indicator.id;
  const std::string& area = scope.social_area;
  const Day t = scope.to;
  auto adult = [&](const PersonHistory& p) { return AgeAt(p.age_years, p.registered) >= 18; };

  if (id == "language_a2_within_12_months" || id == "language_b1_within_24_months") {
    const bool a2 = id == "language_a2_within_12_months";
    const int rank = a2 ? LevelRank("A2") : LevelRank("B1");
    return CohortShare(id, index, scope, a2 ? kTwelveMonths : kTwentyFourMonths, adult,
                       [&](const PersonHistory& p) { return Reached(p, rank); });
  }
  if (id == "course_waiting_time_days") return MedianDays(id, index, scope, &EnrolmentFact::waiting_time_days);
  if (id == "course_access_time_days") return MedianDays(id, index, scope, &EnrolmentFact::access_time_days);
  if (id == "kita_share_ages_1_to_6") {
    long long children = 0, placed = 0;
    for (const HistoryIndex::Person& x : index.Persons(area)) {
      const PersonHistory& p = *x.person;
      if (!Present(p, t)) continue;
      if (AgeAt(p.age_years, t) < ages.kita_from || SchoolAgeAt(p, t) >= ages.school_from) continue;
      if (!AreaMatches(scope, AreaOn(x.household, t))) continue;
      ++children;
      if (p.kita_placed && *p.kita_placed <= t) ++placed;
    }
    return Share(id, placed, children, true);
  }
  if (id == "daz_class_within_14_days") {
    return CohortShare(
        id, index, scope, kFourteenDays,
        [&](const PersonHistory& p) {
          return SchoolAgeAt(p, p.registered) >= ages.school_from &&
                 AgeAt(p.age_years, p.registered) < ages.school_obliged_until;
        },
        [](const PersonHistory& p) { return p.school_placed; });
  }
  if (id == "households_in_flats" || id == "shared_accommodation_over_12_months") {
    long long housed = 0, in_flats = 0, long_shared = 0, in_shared = 0;
    for (const HistoryIndex::Household& x : index.Households(area)) {
      const AccommodationFacts* place = HousedAt(h, *x.household, t);
      if (place == nullptr || !AreaMatches(scope, place->social_area)) continue;
      ++housed;
      if (!place->shared) {
        ++in_flats;
        continue;
      }
      ++in_shared;
      if (SharedSince(h, *x.household, t) + kTwelveMonths < t) ++long_shared;
    }
    if (id == "households_in_flats") return Share(id, in_flats, housed, true);
    Figure f = Named(id);
    f.numerator = long_shared;
    f.denominator = in_shared;
    f.value = static_cast<double>(long_shared);
    return f;
  }
  if (id == "places_below_standard") {
    std::map<const std::string*, std::pair<int, const AccommodationFacts*>> occupied;  // persons per place
    for (const HistoryIndex::Household& x : index.Households(area)) {
      const std::string* place_id = nullptr;
      const AccommodationFacts* place = HousedAt(h, *x.household, t, &place_id);
      if (place == nullptr || !AreaMatches(scope, place->social_area)) continue;
      auto& [persons, facts] = occupied[place_id];
      persons += AgeAt(x.household->persons, t);
      facts = place;
    }
    Figure f = Named(id);
    for (const auto& [place_id, occupancy] : occupied) {
      ++f.denominator;
      if (occupancy.second->square_metres < occupancy.first * occupancy.second->standard_square_metres_per_person) {
        ++f.numerator;
      }
    }
    f.value = static_cast<double>(f.numerator);
    return f;
  }
  if (id == "caseload_per_social_worker" && !h.workers.empty()) {
    // With casework's staff list: the persons assigned to refugee social
    // workers of the area per such worker, at the period's end.
    Figure f = Named(id);
    std::set<std::string> area_workers;
    for (const auto& [worker_id, timeline] : h.workers) {
      const auto w = timeline.At(t);
      if (w && w->active && w->program == "fsa" && AreaMatches(scope, w->social_area)) area_workers.insert(worker_id);
    }
    f.denominator = static_cast<long long>(area_workers.size());
    for (const HistoryIndex::Household& x : index.Households(area)) {  // a worker's households lived in their area
      const auto c = x.household->casework.At(t);
      if (c && !c->worker_id.empty() && area_workers.contains(c->worker_id)) f.numerator += c->persons;
    }
    if (f.denominator > 0) f.value = static_cast<double>(f.numerator) / static_cast<double>(f.denominator);
    return f;
  }
  if (id == "caseload_per_social_worker") {
    // Without it: persons drawing AsylbLG benefits in shared accommodation per configured worker.
    Figure f = Named(id);
    for (const HistoryIndex::Person& x : index.Persons(area)) {
      if (x.household == nullptr || !Present(*x.person, t) || !x.person->asylblg.At(t).value_or(false)) continue;
      const AccommodationFacts* place = HousedAt(h, *x.household, t);
      if (place != nullptr && place->shared && AreaMatches(scope, place->social_area)) ++f.numerator;
    }
    for (const auto& [worker_area, n] : h.social_workers) {
      if (AreaMatches(scope, worker_area)) f.denominator += n;
    }
    if (f.denominator > 0) f.value = static_cast<double>(f.numerator) / static_cast<double>(f.denominator);
    return f;
  }
  if (id == "messages_not_delivered") {
    long long made = 0, dead = 0;
    for (const HistoryIndex::Message& m : index.Messages(area)) {
      if (m.message->made < scope.from || m.message->made > scope.to) continue;
      ++made;
      if (m.message->dead) ++dead;
    }
    return Share(id, dead, made, true);
  }
  if (id == "mediator_requests_filled") {
    long long asked = 0, filled = 0;
    const Day until = std::min(scope.to, scope.as_of);
    for (const MediationFact* m : index.Mediations(area)) {
      if (m->appointment < scope.from || m->appointment > until || m->ended_by_office) continue;
      ++asked;
      if (m->booked_at_start) ++filled;
    }
    return Share(id, filled, asked, true);
  }
  return Named(id);
}

Figure ComputeFigure(const History& history, const Indicator& indicator, const Scope& scope, const AgeBands& ages) {
  return ComputeFigure(HistoryIndex(history), indicator, scope, ages);
}

std::vector<Figure> ComputeFigures(const HistoryIndex& index, const Scope& scope, const AgeBands& ages) {
  std::vector<Figure> out;
  for (const Indicator& i : Catalogue()) out.push_back(ComputeFigure(index, i, scope, ages));
  return out;
}

std::vector<Figure> ComputeFigures(const History& history, const Scope& scope, const AgeBands& ages) {
  return ComputeFigures(HistoryIndex(history), scope, ages);
}

std::vector<ReportRow> BuildReport(const History& history, const Scope& scope, const AgeBands& ages,
                                   const std::vector<Target>& targets) {
  return BuildReport(HistoryIndex(history), scope, ages, targets);
}

std::vector<ReportRow> BuildReport(const HistoryIndex& index, const Scope& scope, const AgeBands& ages,
                                   const std::vector<Target>& targets, bool trend) {
  std::vector<ReportRow> rows;
  for (const Indicator& i : Catalogue()) {
    ReportRow row;
    row.indicator = &i;
    row.figure = ComputeFigure(index, i, scope, ages);
    for (Day month_start(scope.from.year(), scope.from.month(), 1); trend && month_start <= scope.to;) {
      const absl::CivilMonth month(month_start);
      const Day month_end = Day(month + 1) - 1;
      Scope part = scope;
      part.from = std::max(scope.from, month_start);
      part.to = std::min(scope.to, month_end);
      row.trend.push_back({part.to, ComputeFigure(index, i, part, ages).value});
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

HistoryIndex::HistoryIndex(const History& history) : history_(history) {
  // Every area a household lived in or was housed in, and so its members' and their records'.
  std::map<const HouseholdHistory*, std::vector<std::string>> areas_of;
  for (const auto& [id, h] : history.households) {
    std::vector<std::string>& areas = areas_of[&h];
    for (const auto& [day, area] : h.social_area.changes()) areas.push_back(area);
    for (const auto& [day, place_id] : h.accommodation.changes()) {
      if (const auto place = history.accommodations.find(place_id); place != history.accommodations.end()) {
        areas.push_back(place->second.social_area);
      }
    }
    std::sort(areas.begin(), areas.end());
    areas.erase(std::unique(areas.begin(), areas.end()), areas.end());
    households_[""].push_back({&id, &h});
    for (const std::string& area : areas) households_[area].push_back({&id, &h});
  }
  auto areas_of_household = [&](const HouseholdHistory* h) -> const std::vector<std::string>& {
    static const std::vector<std::string> kNone;
    const auto it = areas_of.find(h);
    return it == areas_of.end() ? kNone : it->second;
  };
  std::map<std::string, const HouseholdHistory*> household_of;  // by person id
  for (const auto& [id, p] : history.persons) {
    const auto hh = history.households.find(p.household_id);
    const Person person{&p, hh == history.households.end() ? nullptr : &hh->second};
    household_of[id] = person.household;
    persons_[""].push_back(person);
    for (const std::string& area : areas_of_household(person.household)) persons_[area].push_back(person);
  }
  for (const EnrolmentFact& e : history.enrolments) {
    const auto hh = household_of.find(e.person_id);
    const HouseholdHistory* household = hh == household_of.end() ? nullptr : hh->second;
    enrolments_[""].push_back({&e, household});
    for (const std::string& area : areas_of_household(household)) enrolments_[area].push_back({&e, household});
  }
  for (const auto& [id, m] : history.messages) {
    std::string area;
    if (m.person_id.rfind("team:", 0) == 0) {
      area = m.person_id.substr(5);
    } else if (const auto hh = household_of.find(m.person_id); hh != household_of.end()) {
      area = AreaOn(hh->second, m.made);
    }
    messages_[""].push_back({&m, area});
    if (!area.empty()) messages_[area].push_back({&m, area});
  }
  for (const auto& [id, m] : history.mediations) {
    mediations_[""].push_back(&m);
    if (!m.social_area.empty()) mediations_[m.social_area].push_back(&m);
  }
}

template <typename T>
const std::vector<T>& HistoryIndex::Of(const std::map<std::string, std::vector<T>>& by_area,
                                       const std::string& area) const {
  static const std::vector<T> kNone;
  const auto it = by_area.find(area);
  return it == by_area.end() ? kNone : it->second;
}

const std::vector<HistoryIndex::Person>& HistoryIndex::Persons(const std::string& area) const {
  return Of(persons_, area);
}
const std::vector<HistoryIndex::Household>& HistoryIndex::Households(const std::string& area) const {
  return Of(households_, area);
}
const std::vector<std::pair<const EnrolmentFact*, const HouseholdHistory*>>& HistoryIndex::Enrolments(
    const std::string& area) const {
  return Of(enrolments_, area);
}
const std::vector<HistoryIndex::Message>& HistoryIndex::Messages(const std::string& area) const {
  return Of(messages_, area);
}
const std::vector<const MediationFact*>& HistoryIndex::Mediations(const std::string& area) const {
  return Of(mediations_, area);
}

int LevelRank(const std::string& cefr) {
  static const char* const kLevels[] = {"A1", "A2", "B1", "B2", "C1", "C2"};
  for (int i = 0; i < 6; ++i) {
    if (cefr == kLevels[i]) return i + 1;
  }
  return 0;
}

}  // namespace ankommen::monitoring
