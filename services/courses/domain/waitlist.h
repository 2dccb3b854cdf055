// The waiting list of course requests, offers and their deadlines. Pure: the
// course service stores these and the placement engine decides who gets which
// seat; here is only what "a place in line" and "an offer expired" mean.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/time/civil_time.h"
#include "domain/entitlement.h"

namespace ankommen::courses {

struct Request {
  std::string request_id;
  std::string person_id;  // pseudonymous
  CourseType course_type;
  absl::CivilDay requested_on;  // decides the place in line, and is kept when an offer falls through
  bool obliged = false;         // § 44a: ranks before everyone else
  bool admitted_if_free = false;  // § 44 (4): behind everyone entitled or obliged
  int childcare_children = 0;   // children needing childcare during the course
  bool evening_only = false;    // works during the day
};

// Place-in-line order: obliged first, then the entitled, then those admitted
// to seats left free; within each, earliest request, then request id.
bool InLineBefore(const Request& a, const Request& b);

// Sorts a waiting list into place-in-line order.
void SortInLine(std::vector<Request>& requests);

// 1-based place in line of a request among the given ones, nullopt if absent.
std::optional<int> PlaceInLine(const std::vector<Request>& requests, const std::string& request_id);

// The request as a string whose byte order is the place-in-line order
// (InLineBefore): rank, then the day asked, then the request id. Kept in a
// sorted set, it makes a place in line one count of the entries before it.
std::string LineOrderKey(const Request& request);

// The day asked, read back from a LineOrderKey; nullopt for a key not made by it.
std::optional<absl::CivilDay> DayOfLineOrderKey(std::string_view key);

struct Offer {
  std::string offer_id;
  Request request;  // as it stood on the waiting list
  std::string course_id;
  absl::CivilSecond offered_at;
  absl::CivilSecond deadline;
};

// An offer with a deadline `answer_days` after it was made (at the end of that day).
Offer MakeOffer(std::string offer_id, const Request& request, std::string course_id, absl::CivilSecond now,
                int answer_days);

bool IsExpired(const Offer& offer, absl::CivilSecond now);

// Declined, expired, or its course cancelled: the request goes back on the
// list where it stood, not to the end.
Request BackInLine(const Offer& offer);

// A course that will open seats on a date.
struct SeatsOpening {
  absl::CivilDay starts_on;
  int seats = 0;
};

// When the person at `place_in_line` can expect a seat: the start of the
// course by which the seats opening (in date order) reach their place; nullopt
// when the planned courses do not reach that far.
std::optional<absl::CivilDay> EstimateSeatDate(int place_in_line, std::vector<SeatsOpening> openings);

}  // namespace ankommen::courses
