#include "matching.h"

#include <algorithm>
#include <map>
#include <numeric>
#include <optional>

#include "geo.h"
#include "solver.h"

namespace ankommen::mediators {
namespace {

bool Speaks(const Mediator& m, const std::string& language) {
  if (m.direction != Direction::kBoth) return false;  // an appointment is spoken both ways
  return std::any_of(m.skills.begin(), m.skills.end(), [&](const Skill& s) { return s.language == language; });
}

bool SpeaksDialect(const Mediator& m, const AppointmentRequest& r) {
  if (r.dialect.empty()) return true;
  return std::any_of(m.skills.begin(), m.skills.end(),
                     [&](const Skill& s) { return s.language == r.language && s.dialect == r.dialect; });
}

bool Related(const Mediator& m, const AppointmentRequest& r) {
  return !r.household_id.empty() && std::find(m.related_household_ids.begin(), m.related_household_ids.end(),
                                              r.household_id) != m.related_household_ids.end();
}

// What a mediator has booked, for free times and hours per month.
struct Calendar {
  std::vector<Booking> bookings;

  // Free for [start, start + duration): appointments in person need travel
  // time before and after them (remote ones none).
  bool Free(absl::Time start, absl::Duration duration, bool remote, absl::Duration travel) const {
    for (const auto& b : bookings) {
      const absl::Duration gap = (remote && b.remote) ? absl::ZeroDuration() : travel;
      if (start < b.start + b.duration + gap && b.start < start + duration + gap) return false;
    }
    return true;
  }

  absl::Duration BookedInMonth(absl::Time at, absl::TimeZone zone) const {
    const absl::CivilMonth month(absl::ToCivilSecond(at, zone));
    absl::Duration total;
    for (const auto& b : bookings) {
      if (absl::CivilMonth(absl::ToCivilSecond(b.start, zone)) == month) total += b.duration;
    }
    return total;
  }
};

}  // namespace

const char* UnfilledName(Unfilled u) {
  switch (u) {
    case Unfilled::kNoOneSpeaksIt: return "no_one_speaks_it";
    case Unfilled::kNoOneFree: return "no_one_free";
    case Unfilled::kOthersFirst: return "others_first";
  }
  return "unknown";
}

absl::StatusOr<MatchResult> Match(const std::vector<Mediator>& pool, const std::vector<Booking>& booked,
                  const std::vector<AppointmentRequest>& requests, absl::Time now, const MatchSettings& settings) {
  MatchResult result;
  std::map<std::string, size_t> index_of;
  for (size_t i = 0; i < pool.size(); ++i) index_of[pool[i].id] = i;
  std::vector<Calendar> calendars(pool.size());
  for (const auto& b : booked) {
    if (auto it = index_of.find(b.mediator_id); it != index_of.end()) calendars[it->second].bookings.push_back(b);
  }
  // Mediators in id order, so that ties go the same way on every run.
  std::vector<size_t> by_id(pool.size());
  std::iota(by_id.begin(), by_id.end(), size_t{0});
  std::sort(by_id.begin(), by_id.end(), [&](size_t a, size_t b) { return pool[a].id < pool[b].id; });

  // Requests by start (then id): the calendar the waves walk along.
  std::vector<size_t> order(requests.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    if (requests[a].start != requests[b].start) return requests[a].start < requests[b].start;
    return requests[a].id < requests[b].id;
  });

  auto solver = placement::MakeSolver("flow");
  if (!solver.ok()) return solver.status();
  std::vector<std::optional<Proposal>> proposed(requests.size());
  std::vector<std::optional<Unfilled>> why(requests.size());
  size_t next = 0;
  while (next < order.size()) {
    // The wave: every request left that starts before the earliest end among them.
    absl::Time earliest_end = absl::InfiniteFuture();
    size_t last = next;
    while (last < order.size() && requests[order[last]].start < earliest_end) {
      const auto& r = requests[order[last]];
      earliest_end = std::min(earliest_end, r.start + r.duration);
      ++last;
    }
    placement::Problem problem;
    std::vector<size_t> wave(order.begin() + static_cast<long>(next), order.begin() + static_cast<long>(last));
    std::vector<size_t> mediator_of_place;
    std::map<size_t, int32_t> place_of_mediator;
    for (size_t w = 0; w < wave.size(); ++w) {
      const auto& r = requests[wave[w]];
      placement::Demand d;
      d.id = r.id;
      d.home = r.place;
      d.need[placement::kSeat] = 1;
      d.obliged = r.urgent;
      d.days_waited = static_cast<int32_t>(std::max<int64_t>(0, absl::ToInt64Hours(now - r.requested_at) / 24));
      d.max_km = 1e9;  // reach is each mediator's own, decided below
      problem.demands.push_back(std::move(d));
      bool someone_speaks = false, someone_free = false;
      for (size_t m : by_id) {
        const Mediator& med = pool[m];
        if (!Speaks(med, r.language)) continue;
        someone_speaks = true;
        if (Related(med, r)) continue;
        double km = 0;
        if (r.remote) {
          if (!med.remote) continue;
        } else {
          if (std::find(med.areas.begin(), med.areas.end(), r.area) == med.areas.end()) continue;
          km = placement::HaversineKm(med.home, r.place);
          if (km > med.max_km) continue;
        }
        if (!Available(med, r.start, r.duration, settings.zone)) continue;
        if (!calendars[m].Free(r.start, r.duration, r.remote, settings.travel)) continue;
        const absl::Duration month = calendars[m].BookedInMonth(r.start, settings.zone);
        if (month + r.duration > absl::Hours(med.monthly_hours_cap)) continue;
        someone_free = true;
        auto [it, added] = place_of_mediator.emplace(m, static_cast<int32_t>(problem.places.size()));
        if (added) {
          placement::Place p;
          p.id = med.id;
          p.location = med.home;
          p.capacity[placement::kSeat] = 1;
          problem.places.push_back(std::move(p));
          mediator_of_place.push_back(m);
        }
        int32_t extra = static_cast<int32_t>(absl::ToInt64Hours(month)) * settings.per_hour_this_month;
        if (!SpeaksDialect(med, r)) extra += settings.dialect_miss;
        if (r.gender_wish != Gender::kUnspecified && med.gender != r.gender_wish) extra += settings.gender_miss;
        if ((r.topic == Topic::kHealth || r.topic == Topic::kAuthority) && med.qualification == Qualification::kVolunteer) {
          extra += settings.volunteer_for_sensitive_topic;
        }
        problem.candidates.push_back({static_cast<int32_t>(w), it->second, static_cast<float>(km), extra});
      }
      if (!someone_speaks) why[wave[w]] = Unfilled::kNoOneSpeaksIt;
      else if (!someone_free) why[wave[w]] = Unfilled::kNoOneFree;
    }
    if (!problem.candidates.empty()) {
      auto solution = (*solver)->Solve(problem);
      if (!solution.ok()) return solution.status();
      for (const auto& p : solution->placements) {
        if (p.place < 0) continue;
        const size_t r = wave[static_cast<size_t>(p.demand)];
        const size_t m = mediator_of_place[static_cast<size_t>(p.place)];
        const auto& req = requests[r];
        proposed[r] = Proposal{r, pool[m].id, p.reason.km, SpeaksDialect(pool[m], req),
                               req.gender_wish == Gender::kUnspecified || pool[m].gender == req.gender_wish};
        calendars[m].bookings.push_back({pool[m].id, req.start, req.duration, req.remote});
      }
    }
    for (size_t r : wave) {
      if (!proposed[r] && !why[r]) why[r] = Unfilled::kOthersFirst;
    }
    next = last;
  }
  for (size_t r = 0; r < requests.size(); ++r) {
    if (proposed[r]) result.proposals.push_back(*proposed[r]);
    else result.unfilled.emplace_back(r, *why[r]);
  }
  return result;
}

}  // namespace ankommen::mediators
