// The rules of a course's seats, pure over its stored record: what may be
// offered, accepted, reduced, cancelled and completed. The invariant —
// enrolled never exceeds seats, childcare in use never exceeds childcare
// places, and offers exceed the free seats only as far as the acceptance seen
// allows (at most twice the free seats) — is checked here before every
// change; the store writes a record only on the version it was decided on, so
// no interleaving of concurrent calls can break it.
#pragma once

#include <set>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "ankommen/courses/v1/state.pb.h"
#include "domain/entitlement.h"

namespace ankommen::courses {

struct SeatCounts {
  int offered = 0;
  int enrolled = 0;
  int childcare_in_use = 0;
};
SeatCounts CountHolds(const v1::CourseRecord& record);

// The course as the API shows it, with its counts.
v1::Course View(const v1::CourseRecord& record);

// The last day to answer an offer made `today` for a course that starts on
// `start`: `answer_days` on, but no later than the day before the start, so
// that a seat not taken goes to the next person before the course begins —
// and never sooner than `min_answer_days` (a late entry into a running course
// gets that much). With min_answer_days = answer_days (the service's
// default) every offer has the full time.
absl::CivilDay AnswerBy(absl::CivilDay today, absl::CivilDay start, int answer_days, int min_answer_days);

// The last day to answer a second offer of a course whose first offer lapsed:
// the full `answer_days` even near or after the start — the short time there
// is the likeliest reason the first lapsed — but no later than `last_entry`,
// the last day the course takes newcomers (and never before today).
absl::CivilDay SecondAnswerBy(absl::CivilDay today, absl::CivilDay last_entry, int answer_days);

// The share of offers that people take, from the answers seen (`accepted`
// and `not_taken`: declined or lapsed), counted from a prior of
// kAcceptancePriorAnswers answers all taken — so that a district without a
// history offers no more than its seats — and never below kLeastAcceptance.
inline constexpr int kAcceptancePriorAnswers = 10;
inline constexpr double kLeastAcceptance = 0.5;
double Acceptance(int accepted, int not_taken);

// The most holds (offers and enrolments) a course may carry when a share
// `acceptance` of offers is taken: the enrolled, and the free seats divided by
// the acceptance, rounded down — so that the offers expected to be taken do
// not exceed the free seats. With acceptance 1, exactly the seats.
int HoldLimit(int seats, int enrolled, double acceptance);

// An answer to one of the course's offers, counted on its record.
void NoteAnswer(v1::CourseRecord& record, bool taken);

// Planned, open and running courses take participants.
bool TakesParticipants(v1::CourseStatus status);

// The invariant; FAILED_PRECONDITION saying what is exceeded.
absl::Status CheckCapacity(const v1::CourseRecord& record);

// New seats and childcare places. Never below what is enrolled; fewer seats
// than enrolled + offered only with withdraw_excess, which withdraws the
// newest offers until the holds fit the new seats (offers beyond the seats
// included). More seats never withdraw anything. Returns the withdrawn holds.
absl::StatusOr<std::vector<v1::Hold>> ChangeCapacity(v1::CourseRecord& record, int seats, int childcare_places,
                                                     bool withdraw_excess);

// Holds a seat (and childcare places) for an offer, within
// HoldLimit(seats, enrolled, acceptance).
absl::Status AddOffer(v1::CourseRecord& record, const v1::Hold& hold, double acceptance = 1.0);

// The offer becomes an enrolment. FAILED_PRECONDITION when the offer was
// already accepted, has been withdrawn, its deadline has passed, or every
// seat is taken. An acceptance that takes the last seat withdraws the offers
// still open (there were more offers than seats): their people go back on the
// waiting list where they stood.
struct Accepted {
  v1::Hold hold;
  std::vector<v1::Hold> withdrawn;
};
absl::StatusOr<Accepted> Accept(v1::CourseRecord& record, const std::string& offer_id, absl::Time now);

// The two waits as BAMF counts them, of an offer accepted on `today`: the
// waiting time from registering with the provider (accepting) and the access
// time from the entitlement or obligation (the request) to the course's start
// — or to today, for a late entry into a running course. nullopt for
// unreadable dates.
struct Waits {
  int waiting_days = 0;
  int access_days = 0;
};
std::optional<Waits> WaitsAtEnrolment(const std::string& start_date, const std::string& requested_on,
                                      absl::CivilDay today);

// Declined or expired: the seat is free again. Returns the hold as it was.
absl::StatusOr<v1::Hold> Release(v1::CourseRecord& record, const std::string& offer_id);

// Offers whose deadline has passed.
std::vector<v1::Hold> ExpiredOffers(const v1::CourseRecord& record, absl::Time now);

// Cancels the course; returns every hold (offers and enrolments), whose
// people go back on the waiting list.
absl::StatusOr<std::vector<v1::Hold>> Cancel(v1::CourseRecord& record);

// Completes a running (or open) course with the participants' results;
// results must name enrolled participants, once each, with a CEFR level.
// Returns the offers still open, which lapse with the course: their people go
// back on the waiting list.
absl::StatusOr<std::vector<v1::Hold>> Complete(v1::CourseRecord& record,
                                               const std::vector<v1::ParticipantResult>& results);

// A course provider's staff act only for their own provider (the token's
// provider_id); the integration office and the district's admins for every
// provider, and so does every caller where access control is off (no roles).
absl::Status CheckActsForProvider(const std::set<std::string>& roles, const std::string& caller_provider_id,
                                  const std::string& course_provider_id);

// The domain's course type for the API's (UNSPECIFIED is not a type).
CourseType ToCourseType(v1::CourseType type);
v1::CourseType ToProto(CourseType type);

}  // namespace ankommen::courses
