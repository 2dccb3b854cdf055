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

struct Candidate {
  size_t mediator = 0;
  double km = 0;
  int32_t extra = 0;  // surcharges, in the engine's cost units
};

// What both policies share: the pool's calendars and who may take a request.
class Diary {
 public:
  Diary(const std::vector<Mediator>& pool, const std::vector<Booking>& booked, const MatchSettings& settings)
      : pool_(pool), settings_(settings), calendars_(pool.size()), by_id_(pool.size()) {
    std::map<std::string, size_t> index_of;
    for (size_t i = 0; i < pool.size(); ++i) index_of[pool[i].id] = i;
    for (const auto& b : booked) {
      if (auto it = index_of.find(b.mediator_id); it != index_of.end()) calendars_[it->second].bookings.push_back(b);
    }
    // Mediators in id order, so that ties go the same way on every run.
    std::iota(by_id_.begin(), by_id_.end(), size_t{0});
    std::sort(by_id_.begin(), by_id_.end(), [&](size_t a, size_t b) { return pool[a].id < pool[b].id; });
  }

  // The mediators who may take `r` now, in id order; `why` says why none may.
  std::vector<Candidate> CandidatesFor(const AppointmentRequest& r, std::optional<Unfilled>& why) const {
    std::vector<Candidate> out;
    bool someone_speaks = false;
    for (size_t m : by_id_) {
      const Mediator& med = pool_[m];
      if (!Speaks(med, r.language)) continue;
      someone_speaks = true;
      if (Related(med, r)) continue;
      if (std::find(r.passed_mediator_ids.begin(), r.passed_mediator_ids.end(), med.id) != r.passed_mediator_ids.end()) {
        continue;
      }
      double km = 0;
      if (r.remote) {
        if (!med.remote) continue;
      } else {
        if (std::find(med.areas.begin(), med.areas.end(), r.area) == med.areas.end()) continue;
        km = placement::HaversineKm(med.home, r.place);
        if (km > med.max_km) continue;
      }
      if (!Available(med, r.start, r.duration, settings_.zone)) continue;
      if (!calendars_[m].Free(r.start, r.duration, r.remote, settings_.travel)) continue;
      const absl::Duration month = calendars_[m].BookedInMonth(r.start, settings_.zone);
      if (month + r.duration > absl::Hours(med.monthly_hours_cap)) continue;
      int32_t extra = static_cast<int32_t>(absl::ToInt64Hours(month)) * settings_.per_hour_this_month;
      if (!SpeaksDialect(med, r)) extra += settings_.dialect_miss;
      if (r.gender_wish != Gender::kUnspecified && med.gender != r.gender_wish) extra += settings_.gender_miss;
      if ((r.topic == Topic::kHealth || r.topic == Topic::kAuthority) && med.qualification == Qualification::kVolunteer) {
        extra += settings_.volunteer_for_sensitive_topic;
      }
      out.push_back({m, km, extra});
    }
    if (!someone_speaks) why = Unfilled::kNoOneSpeaksIt;
    else if (out.empty()) why = Unfilled::kNoOneFree;
    return out;
  }

  Proposal Book(size_t request, const AppointmentRequest& r, size_t m, double km) {
    calendars_[m].bookings.push_back({pool_[m].id, r.start, r.duration, r.remote});
    return Proposal{request, pool_[m].id, km, SpeaksDialect(pool_[m], r),
                    r.gender_wish == Gender::kUnspecified || pool_[m].gender == r.gender_wish};
  }

  const Mediator& mediator(size_t m) const { return pool_[m]; }

 private:
  const std::vector<Mediator>& pool_;
  const MatchSettings& settings_;
  std::vector<Calendar> calendars_;
  std::vector<size_t> by_id_;
};

// Today's practice: requests in the order they came, each to the nearest
// mediator free then (the phone list, nearest first), whatever comes after.
std::vector<std::optional<Proposal>> FirstComeFirstServed(Diary& diary, const std::vector<AppointmentRequest>& requests,
                                                          std::vector<std::optional<Unfilled>>& why) {
  std::vector<size_t> order(requests.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    if (requests[a].requested_at != requests[b].requested_at) return requests[a].requested_at < requests[b].requested_at;
    return requests[a].id < requests[b].id;
  });
  std::vector<std::optional<Proposal>> proposed(requests.size());
  for (size_t r : order) {
    auto candidates = diary.CandidatesFor(requests[r], why[r]);
    if (candidates.empty()) continue;
    const auto nearest = std::min_element(candidates.begin(), candidates.end(),
                                          [](const Candidate& a, const Candidate& b) { return a.km < b.km; });
    proposed[r] = diary.Book(r, requests[r], nearest->mediator, nearest->km);
  }
  return proposed;
}

// The requests in `order` wave by wave along the calendar, each wave solved
// by the engine (matching.h).
absl::Status ByWaves(Diary& diary, const std::vector<AppointmentRequest>& requests, std::vector<size_t> order,
                     absl::Time now, std::vector<std::optional<Unfilled>>& why,
                     std::vector<std::optional<Proposal>>& proposed) {
  auto solver = placement::MakeSolver("flow");
  if (!solver.ok()) return solver.status();
  // By start (then id): the calendar the waves walk along.
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    if (requests[a].start != requests[b].start) return requests[a].start < requests[b].start;
    return requests[a].id < requests[b].id;
  });
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
    const std::vector<size_t> wave(order.begin() + static_cast<long>(next), order.begin() + static_cast<long>(last));
    next = last;
    placement::Problem problem;
    std::vector<size_t> mediator_of_place;
    std::map<size_t, int32_t> place_of_mediator;
    std::vector<std::vector<double>> km_of;  // per demand, per candidate: for the proposal
    for (size_t w = 0; w < wave.size(); ++w) {
      const auto& r = requests[wave[w]];
      placement::Demand d;
      d.id = r.id;
      d.home = r.place;
      d.need[placement::kSeat] = 1;
      d.obliged = r.urgent;
      d.days_waited = static_cast<int32_t>(std::max<int64_t>(0, absl::ToInt64Hours(now - r.requested_at) / 24));
      // Reach is each mediator's own, decided by CandidatesFor; this only
      // bounds where the engine looks for places to explain an unfilled one.
      d.max_km = kMaxTravelKm;
      problem.demands.push_back(std::move(d));
      for (const auto& c : diary.CandidatesFor(r, why[wave[w]])) {
        auto [it, added] = place_of_mediator.emplace(c.mediator, static_cast<int32_t>(problem.places.size()));
        if (added) {
          placement::Place p;
          p.id = diary.mediator(c.mediator).id;
          p.location = diary.mediator(c.mediator).home;
          p.capacity[placement::kSeat] = 1;
          problem.places.push_back(std::move(p));
          mediator_of_place.push_back(c.mediator);
        }
        problem.candidates.push_back({static_cast<int32_t>(w), it->second, static_cast<float>(c.km), c.extra});
      }
    }
    if (problem.candidates.empty()) continue;
    auto solution = (*solver)->Solve(problem);
    if (!solution.ok()) return solution.status();
    for (const auto& p : solution->placements) {
      if (p.place < 0) continue;
      const size_t r = wave[static_cast<size_t>(p.demand)];
      proposed[r] = diary.Book(r, requests[r], mediator_of_place[static_cast<size_t>(p.place)], p.reason.km);
    }
  }
  return absl::OkStatus();
}

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
                                  const std::vector<AppointmentRequest>& requests, absl::Time now,
                                  const MatchSettings& settings) {
  Diary diary(pool, booked, settings);
  std::vector<std::optional<Unfilled>> why(requests.size());
  std::vector<std::optional<Proposal>> proposed(requests.size());
  if (settings.policy == "fcfs") {
    proposed = FirstComeFirstServed(diary, requests, why);
  } else {
    // Urgent requests first over the whole calendar, so that no routine
    // booking in an earlier wave takes the mediator an urgent one needs;
    // then the rest around what they booked.
    std::vector<size_t> urgent, routine;
    for (size_t r = 0; r < requests.size(); ++r) (requests[r].urgent ? urgent : routine).push_back(r);
    for (auto* part : {&urgent, &routine}) {
      if (auto s = ByWaves(diary, requests, *part, now, why, proposed); !s.ok()) return s;
    }
  }
  MatchResult result;
  for (size_t r = 0; r < requests.size(); ++r) {
    if (proposed[r]) result.proposals.push_back(*proposed[r]);
    else result.unfilled.emplace_back(r, why[r].value_or(Unfilled::kOthersFirst));
  }
  return result;
}

}  // namespace ankommen::mediators
