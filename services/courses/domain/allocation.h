// The course service's side of an allocation run: the waiting list and the
// free seats become a placement problem (services/placement) with the
// service's rules — the requested course type, evening courses for people
// who work, childcare for their children, how far they can travel.
#pragma once

#include <string>
#include <vector>

#include "absl/time/civil_time.h"
#include "domain/waitlist.h"
#include "problem.h"

namespace ankommen::courses {

enum class Schedule { kMorning, kAfternoon, kEvening };

// A course as an allocation sees it: what is still free of it.
struct CourseSeats {
  std::string course_id;
  CourseType type;
  placement::GeoPoint location;
  std::string social_area;
  Schedule schedule = Schedule::kMorning;
  int free_seats = 0;      // what may still be offered: HoldLimit(seats, enrolled, acceptance) minus the holds
  double acceptance = 1;   // the share of offers taken that sized free_seats (course_rules.h)
  int free_childcare = 0;  // childcare places minus those in use
  absl::CivilDay start;    // its first day (in the past for a running course)
};

struct WaitingRequest {
  Request request;
  placement::GeoPoint home;  // coarse, from the registry's events
  double max_km = 15;        // the district's default for the social area, or the person's own
  // Courses the person declined (or let an offer lapse for twice): not offered again.
  std::vector<std::string> passed_course_ids;
  // Courses whose offer lapsed once: offered again only to seats nobody else is given.
  std::vector<std::string> lapsed_course_ids;
  // Offers the request holds already: a further course is offered beside them.
  int offers_open = 0;
};

// Whether a course of one type takes a request for another: its own type,
// and an Alpha course also those learning Latin as a second script (the
// BAMF's Alpha concept teaches both), where no second-script course is near.
bool CourseTakes(CourseType course, CourseType requested);

// Which courses an allocation pass offers a request: first every course but
// those passed or lapsed; then, with the seats left, only the lapsed ones.
enum class Pass { kFirst, kLapsedAgain };

// A day's wait for a course's start, in the engine's cost units (hundredths
// of a km): as much as one more kilometre to travel.
inline constexpr int32_t kCostPerDayUntilStart = 100;
// A day until the start weighs more for whoever has waited longer: once more
// for every this many days waited, so that of two people and two courses the
// one who has waited longer gets the sooner start (shortening the longest
// waits, not only the sum).
inline constexpr int32_t kWaitedDaysPerWeight = 28;

// Demand i is requests[i], place j is courses[j]. Each request needs a seat
// and a childcare place per child; days waited count from requested_on.
placement::Problem BuildAllocationProblem(const std::vector<WaitingRequest>& requests,
                                          const std::vector<CourseSeats>& courses, absl::CivilDay today,
                                          Pass pass = Pass::kFirst);

}  // namespace ankommen::courses
