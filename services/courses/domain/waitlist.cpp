#include "domain/waitlist.h"

#include <algorithm>

#include "absl/strings/str_cat.h"

namespace ankommen::courses {

bool InLineBefore(const Request& a, const Request& b) {
  if (a.obliged != b.obliged) return a.obliged;
  if (a.admitted_if_free != b.admitted_if_free) return b.admitted_if_free;
  if (a.requested_on != b.requested_on) return a.requested_on < b.requested_on;
  return a.request_id < b.request_id;
}

void SortInLine(std::vector<Request>& requests) { std::sort(requests.begin(), requests.end(), InLineBefore); }

std::optional<int> PlaceInLine(const std::vector<Request>& requests, const std::string& request_id) {
  auto it = std::find_if(requests.begin(), requests.end(), [&](const Request& r) { return r.request_id == request_id; });
  if (it == requests.end()) return std::nullopt;
  int ahead = static_cast<int>(std::count_if(requests.begin(), requests.end(),
                                             [&](const Request& r) { return InLineBefore(r, *it); }));
  return ahead + 1;
}

std::string LineOrderKey(const Request& request) {
  // Obliged before not, then within each the entitled before those admitted to free seats.
  const char rank = static_cast<char>('0' + (request.obliged ? 0 : 2) + (request.admitted_if_free ? 1 : 0));
  // Days since 1900, seven digits: every date a request can carry, in order.
  const int64_t day = std::clamp<int64_t>(request.requested_on - absl::CivilDay(1900, 1, 1), 0, 9'999'999);
  return absl::StrCat(std::string(1, rank), absl::Dec(day, absl::kZeroPad7), "|", request.request_id);
}

std::optional<absl::CivilDay> DayOfLineOrderKey(std::string_view key) {
  constexpr size_t kDigits = 7;
  if (key.size() < 2 + kDigits || key[1 + kDigits] != '|') return std::nullopt;
  int64_t day = 0;
  for (char c : key.substr(1, kDigits)) {
    if (c < '0' || c > '9') return std::nullopt;
    day = day * 10 + (c - '0');
  }
  return absl::CivilDay(1900, 1, 1) + day;
}

Offer MakeOffer(std::string offer_id, const Request& request, std::string course_id, absl::CivilSecond now,
                int answer_days) {
  Offer o;
  o.offer_id = std::move(offer_id);
  o.request = request;
  o.course_id = std::move(course_id);
  o.offered_at = now;
  // The answer is due by the end of the last day: people read letters in the evening.
  absl::CivilDay last_day = absl::CivilDay(now) + answer_days;
  o.deadline = absl::CivilSecond(last_day.year(), last_day.month(), last_day.day(), 23, 59, 59);
  return o;
}

bool IsExpired(const Offer& offer, absl::CivilSecond now) { return now > offer.deadline; }

Request BackInLine(const Offer& offer) { return offer.request; }

std::optional<absl::CivilDay> EstimateSeatDate(int place_in_line, std::vector<SeatsOpening> openings) {
  std::sort(openings.begin(), openings.end(),
            [](const SeatsOpening& a, const SeatsOpening& b) { return a.starts_on < b.starts_on; });
  int seats = 0;
  for (const auto& o : openings) {
    seats += std::max(0, o.seats);
    if (seats >= place_in_line) return o.starts_on;
  }
  return std::nullopt;
}

}  // namespace ankommen::courses
