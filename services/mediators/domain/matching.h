// Who goes to which appointment: requests matched to mediators through the
// placement engine (services/placement), a proposal the coordinating office
// confirms or changes.
//
// A mediator is at one appointment at a time, so requests whose times overlap
// compete, and those that do not may share a mediator. Urgent requests are
// matched first, over the whole calendar, then the rest around what they
// booked; each part is taken in waves along the calendar: a wave is every request that starts before the
// earliest end among those left, so all of a wave overlap at that moment and
// each mediator takes at most one of them — a placement problem with one
// seat per mediator, solved exactly by the engine's flow solver; what a wave
// books is busy for the waves after it. Exact within a wave, greedy across
// waves: an early booking can take a mediator a later, non-overlapping request
// would have needed.
//
// A mediator is a candidate for a request only if they speak its language
// both ways, are free then (their week, their absences, their bookings with
// travel time between appointments in person), have hours left in the month,
// reach the place (or both work remotely) and are no relative of the
// household. Within a wave the engine prefers, in this order: urgent
// requests, longer waits, and then the lowest cost — distance from the
// mediator's home, plus a surcharge for a dialect not spoken, a gender wish not
// met, a volunteer where health or an authority is the topic, and each hour the
// mediator already has this month (so hours are shared across the pool).
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "pool.h"

namespace ankommen::mediators {

// An appointment a mediator already has (confirmed or proposed).
struct Booking {
  std::string mediator_id;
  absl::Time start;
  absl::Duration duration;
  bool remote = false;
};

struct MatchSettings {
  // "optimal" (the waves above) or "fcfs": today's practice, for comparison —
  // requests in the order they came, each to the nearest mediator free then.
  std::string policy = "optimal";
  absl::TimeZone zone;                              // the district's (Europe/Berlin)
  absl::Duration travel = absl::Minutes(30);        // between two appointments in person
  // Surcharges, in the engine's cost units (hundredths of a km).
  int32_t dialect_miss = 1'000;                     // 10 km
  int32_t gender_miss = 3'000;                      // 30 km
  int32_t volunteer_for_sensitive_topic = 1'500;    // 15 km: health, authority
  int32_t per_hour_this_month = 100;                // 1 km per hour already booked
};

enum class Unfilled {
  kNoOneSpeaksIt,    // no mediator in the pool speaks the language both ways
  kNoOneFree,        // some speak it, but none is free, in reach and without a conflict then
  kOthersFirst,      // those free took requests that ranked higher in its wave
};
const char* UnfilledName(Unfilled u);

struct Proposal {
  size_t request = 0;  // index into the requests
  std::string mediator_id;
  double km = 0;       // from the mediator's home; 0 remote
  bool dialect_met = true;
  bool gender_met = true;
};

struct MatchResult {
  std::vector<Proposal> proposals;                       // in request order
  std::vector<std::pair<size_t, Unfilled>> unfilled;     // in request order
};

// Proposals for `requests` (valid ones: ValidateRequest) given the pool and
// the bookings it already has, made at `now` (waits count from requested_at).
// The same input gives the same answer. An error only if the engine fails.
absl::StatusOr<MatchResult> Match(const std::vector<Mediator>& pool, const std::vector<Booking>& booked,
                  const std::vector<AppointmentRequest>& requests, absl::Time now, const MatchSettings& settings);

}  // namespace ankommen::mediators
