// The course service's use cases, free of transport: each validates, loads,
// lets the domain decide, and saves state with its events in one step.
//
// Seats are decided on the course (its holds are the truth); the person's
// request follows in a second step on the learner, in another partition.
// That step is idempotent by state, is retried with the call, and is repaired
// by the allocator's sweep should a crash come between the two (Reconcile).
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "ankommen/common/v1/event.pb.h"
#include "ankommen/courses/v1/courses.pb.h"
#include "ankommen/courses/v1/events.pb.h"
#include "bus/bus.h"
#include "runtime/clock.h"
#include "domain/course_types.h"
#include "domain/entitlement.h"
#include "grpc/request_context.h"
#include "storage/course_store.h"
#include "store/command.h"

namespace ankommen::registry::v1 {
class HouseholdRegistered;
}  // namespace ankommen::registry::v1

namespace ankommen {
class Metrics;
}

namespace ankommen::courses {

struct CourseSettings {
  EntitlementRules rules;
  CourseTypeTable types;  // group sizes and teaching units per course type
  double default_max_km = 15;                  // how far people can travel, unless their area says otherwise
  std::map<std::string, double> area_max_km;   // per social area
  int answer_days = 7;                         // an offer's deadline: the end of the day this many days on
  // ... but near a course's start, the day before it, not sooner than this. As
  // long as answer_days: a letter takes as long to answer whenever the course
  // starts, and a running course takes late entries (bench/README.md, "What a
  // district buys": with three days a third of the offers lapsed, with the week a fifth).
  int min_answer_days = 7;
  int late_entry_days = 28;                    // a running course takes newcomers this long after its start
  std::string policy = "optimal";              // "optimal" (the placement engine) or "fcfs"
  // The optimal policy offers more than the free seats where people often
  // decline, by the acceptance seen per course type (course_rules.h,
  // HoldLimit); fcfs, the first-come list as districts keep it, never does.
  bool overbook = true;
  // The optimal policy offers a waiting person up to this many courses at
  // once, the further ones only from seats nobody waiting could take in that
  // run; the first acceptance withdraws the rest. A decline or a lapse then
  // costs no week of waiting where another course was open (bench/README.md,
  // "Run of 2026-12-06: two courses at once"). fcfs offers one.
  int offers_at_once = 2;
  // The district's target for the waiting time (registration with the
  // provider to the course's start): BAMF's six weeks unless it sets its own.
  int wait_target_days = 42;
  // Childcare beside a course takes children from this age until school.
  int childcare_from_age = 1;
};

struct CourseInstruments;

// How a seat's hold changed, for the request that follows it. A declined
// course is not offered again; one whose offer lapsed is, once (the letter may
// not have arrived); a seat withdrawn by the district (capacity cut, a move)
// passes nothing.
enum class HoldChange { kOffered, kEnrolled, kDeclined, kLapsed, kReleased, kCompleted };

class Courses {
 public:
  Courses(CourseStore& store, const Clock& clock, absl::TimeZone zone, CourseSettings settings, Metrics& metrics);
  ~Courses();

  absl::Status CreateProvider(const v1::CreateProviderRequest& request, v1::CreateProviderResponse& response,
                              const RequestContext& rc);
  absl::Status CreateCourse(const v1::CreateCourseRequest& request, v1::CreateCourseResponse& response,
                            const RequestContext& rc);
  absl::Status UpdateCourse(const v1::UpdateCourseRequest& request, v1::UpdateCourseResponse& response,
                            const RequestContext& rc);
  absl::Status CancelCourse(const v1::CancelCourseRequest& request, v1::CancelCourseResponse& response,
                            const RequestContext& rc);
  absl::Status CompleteCourse(const v1::CompleteCourseRequest& request, v1::CompleteCourseResponse& response,
                              const RequestContext& rc);
  absl::Status GetCourse(const v1::GetCourseRequest& request, v1::GetCourseResponse& response,
                         const RequestContext& rc);
  absl::Status ListCourses(const v1::ListCoursesRequest& request, v1::ListCoursesResponse& response,
                           const RequestContext& rc);
  absl::Status RequestSeat(const v1::RequestSeatRequest& request, v1::RequestSeatResponse& response,
                           const RequestContext& rc);
  absl::Status WithdrawRequest(const v1::WithdrawRequestRequest& request, v1::WithdrawRequestResponse& response,
                               const RequestContext& rc);
  absl::Status GetLearner(const v1::GetLearnerRequest& request, v1::GetLearnerResponse& response,
                          const RequestContext& rc);
  absl::Status ListWaitingList(const v1::ListWaitingListRequest& request, v1::ListWaitingListResponse& response,
                               const RequestContext& rc);
  absl::Status AcceptOffer(const v1::AcceptOfferRequest& request, v1::AcceptOfferResponse& response,
                           const RequestContext& rc);
  absl::Status DeclineOffer(const v1::DeclineOfferRequest& request, v1::DeclineOfferResponse& response,
                            const RequestContext& rc);

  // The registry's events: learners and their requests follow the facts.
  // Each event is applied once (the inbox); unknown event types are acked.
  absl::Status ApplyRegistryEvent(const IncomingEvent& event);
  // Several in order (a consumer's lane, one status each): a run of events
  // that change only the learners they name — a registration without young
  // children, a status, a level, an obligation — is applied on one read of
  // its learners and one round trip of commits; the others each alone.
  std::vector<absl::Status> ApplyRegistryEvents(const std::vector<IncomingEvent>& events);
  // The schools service placed a child in a Kita: its parents' courses need
  // no childcare for it any more.
  absl::Status ApplySchoolsEvent(const IncomingEvent& event);

  // The second step of every seat change: the request follows the hold.
  // Returns FAILED_PRECONDITION for kOffered when the request is no longer
  // waiting (withdrawn or erased meanwhile): the caller frees the seat.
  absl::Status FollowHold(const v1::Hold& hold, HoldChange change, const std::string& course_id,
                          const std::string& reached_level = "");

  // Called whenever seats free up or requests arrive: the allocator runs soon.
  void set_on_demand(std::function<void()> fn) { on_demand_ = std::move(fn); }
  // Called after every change of seats or requests: the gauges follow soon.
  void set_on_change(std::function<void()> fn) { on_change_ = std::move(fn); }

  // The waiting list and seat gauges, recomputed from the store.
  absl::Status RefreshGauges();
  void CountOfferOutcome(v1::CourseType type, const char* outcome);

  CourseStore& store() { return store_; }
  const CourseSettings& settings() const { return settings_; }
  const Clock& clock() const { return clock_; }
  absl::CivilDay Today() const { return absl::ToCivilDay(clock_.Now(), zone_); }
  absl::TimeZone zone() const { return zone_; }
  double MaxKmFor(const std::string& social_area) const;
  std::string NewEventId() const;

 private:
  // Releases a seat from outside the allocator (decline, withdrawal) and lets the request follow.
  absl::Status DecideOnOffer(const std::string& offer_id, const char* scope, const google::protobuf::Message& request,
                             const std::string& idempotency_key, bool accept, const RequestContext& rc,
                             v1::SeatRequest& answer);
  // FAILED_PRECONDITION when the hold's request is enrolled in a course other than `course_id`.
  absl::Status NotEnrolledElsewhere(const v1::Hold& hold, const std::string& course_id);
  // Claims the hold's request for its acceptance (one acceptance at a time
  // per request): OK once claimed, ABORTED while another of its offers is
  // being accepted, FAILED_PRECONDITION once that one went through.
  absl::Status ClaimRequest(const v1::Hold& hold);
  // Gives an offer's seat back at its course (the request has let go of it already).
  absl::Status WithdrawOffer(const std::string& course_id, const std::string& offer_id, v1::WithdrawalReason reason,
                             const RequestContext& rc);
  absl::StatusOr<v1::SeatRequest> CurrentRequest(const std::string& person_id, const std::string& request_id);
  // What an event changes of one learner: the record, and whether it is new.
  using FactsChange = std::function<absl::Status(v1::LearnerRecord&, bool is_new)>;
  struct PersonFacts {
    std::string person_id;
    FactsChange change;
  };
  // The learners an event changes by its own facts alone, each with its
  // change; nullopt when applying it reads or changes more (a household's
  // members or Kita places, courses); INVALID_ARGUMENT when it does not parse.
  absl::StatusOr<std::optional<std::vector<PersonFacts>>> FactsOf(const IncomingEvent& event);
  // A registration's facts for its member `member`, with the household's
  // children under school age as they are now, each keeping the Kita place it
  // has or was told (`placed`).
  FactsChange HouseholdChange(std::shared_ptr<const registry::v1::HouseholdRegistered> e, int member,
                              std::vector<v1::YoungChild> young, std::set<std::string> placed) const;
  // `step` tells apart two applications of one event to one person (its inbox record).
  absl::Status ApplyFacts(const IncomingEvent& event, const std::string& person_id, const FactsChange& change,
                          const std::string& step = "");
  // The events' facts, on one read of their learners and one round trip of
  // commits; no learner twice. Sets statuses[event] for each.
  struct EventFacts {
    size_t event;
    std::vector<PersonFacts> persons;
  };
  void ApplyFactsTogether(const std::vector<IncomingEvent>& events, const std::vector<EventFacts>& run,
                          std::vector<absl::Status>& statuses);
  // The decision for one learner as loaded; `opened` tells whether requests were opened.
  absl::StatusOr<Decision> DecideFacts(const std::string& person_id, const std::optional<LoadedLearner>& loaded,
                                       const FactsChange& change, bool& opened);
  // Marks these children of the household as having a Kita place on each of its learners.
  absl::Status MarkKitaPlaces(const IncomingEvent& event, const std::string& household_id,
                              const std::set<std::string>& children, const std::string& step);
  absl::Status EraseLearner(const std::string& person_id);
  absl::Status RefreshCourseView(const std::string& course_id, v1::Course& course);
  absl::StatusOr<LoadedCourse> LoadExistingCourse(const std::string& course_id);  // NOT_FOUND if absent
  ankommen::common::v1::EventMeta Meta(const RequestContext& rc) const;
  // Something changed: the gauges follow, and the allocator runs if seats or requests were added.
  void Changed(bool allocate);

  CourseStore& store_;
  const Clock& clock_;
  absl::TimeZone zone_;
  CourseSettings settings_;
  std::unique_ptr<CourseInstruments> instruments_;
  std::function<void()> on_demand_;
  std::function<void()> on_change_;
};

}  // namespace ankommen::courses
