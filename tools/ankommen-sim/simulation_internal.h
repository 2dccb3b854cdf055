// The simulation's inner parts, shared by the files that drive it
// (simulation.cpp: connections, the day's order, the run), act for the
// district's people and offices (world.cpp) and read back what the services
// did (observation.cpp). Included by those three only: it brings gRPC.
#pragma once

#include "simulation.h"

#include <iostream>
#include <map>
#include <memory>
#include <set>

#include <grpcpp/grpcpp.h>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "ankommen/courses/v1/courses.grpc.pb.h"
#include "ankommen/courses/v1/events.pb.h"
#include "ankommen/housing/v1/events.pb.h"
#include "ankommen/housing/v1/housing.grpc.pb.h"
#include "ankommen/casework/v1/casework.grpc.pb.h"
#include "ankommen/mediators/v1/mediators.grpc.pb.h"
#include "ankommen/notifications/v1/notifications.grpc.pb.h"
#include "ankommen/registry/v1/registry.grpc.pb.h"
#include "ankommen/schools/v1/events.pb.h"
#include "ankommen/schools/v1/schools.grpc.pb.h"
#include "bus/bus.h"
#include "grpc/grpc_credentials.h"
#include "runtime/config.h"
#include "district.h"
#include "text/field_checks.h"
#include "hindsight.h"
#include "planning_gaps.h"
#include "geo.h"
#include "store/ids.h"
#include "runtime/platform.h"
#include "population.h"
#include "store/redis.h"
#include "rules/land.h"
#include "runtime/simulated_clock.h"
#include "bus/streams.h"

namespace ankommen::sim {

namespace cv1 = courses::v1;
namespace hv1 = housing::v1;
namespace mv1 = mediators::v1;
namespace wv1 = casework::v1;
namespace nv1 = notifications::v1;
namespace rv1 = registry::v1;
namespace sv1 = schools::v1;

// Names as the report shows them.
std::string CourseTypeName(cv1::CourseType type);
std::string SchoolTypeName(sv1::SchoolType type);
std::string AgeGroupName(sv1::AgeGroup group);
std::string IsoDate(absl::CivilDay day);
double Km(double lat1, double lon1, double lat2, double lon2);

struct RequestState {
  std::string person_id;
  std::string course_type;
  std::string social_area;
  absl::CivilDay requested_on;
  cv1::CourseType type = cv1::COURSE_TYPE_UNSPECIFIED;
  enum Status { kWaiting, kOffered, kEnrolled, kWithdrawn, kCompleted } status = kWaiting;
  int access_wait_days = -1;
  int waiting_time_days = -1;  // BAMF: registration with the provider (acceptance) to the start
  double km = -1;
  int course = -1;        // index into the courses when enrolled
  int enrolled_day = -1;  // the day the enrolment took effect
  std::set<int> passed;   // courses declined or let lapse twice: never offered again
  std::set<int> lapsed;   // courses let lapse once: offered again only after everyone else
  int open_offers = 0;    // the courses offered at once and not yet answered
  // The offer the person means to accept, while two are open: the course that starts first.
  std::string accepting_offer;
  size_t accepting_course = 0;
  int accepting_start_day = 0, accepting_answer_day = 0;
};

struct PendingAnswer {
  int day = 0;
  std::string id;  // offer id (courses, housing) or household id (lease)
  enum Kind { kAcceptSeat, kDeclineSeat, kConfirmHousing, kDeclineHousing, kAcceptLease } kind;
};

struct HouseholdState {
  const Arrival* arrival = nullptr;
  std::string id;
  std::vector<std::string> person_ids;
  int moved_in_day = -1;
  bool left = false;
};

struct CourseState {
  const PlannedCourse* plan = nullptr;
  std::string id;
  std::vector<std::string> enrolled;
  int seats = 0, childcare_places = 0;  // as the course service created it
};

struct PupilState {
  std::string person_id;
  int placed_day = 0;
  int phase = 1;
};

// An appointment that needs a language mediator, as the office asked.
struct MediationState {
  std::string request_id;
  std::string language;   // the registry's, as the service answered
  std::string kind;       // authority, school, health
  int requested_day = 0;
  int start_day = 0;      // the appointment's day
  bool urgent = false;
  bool closed = false;    // the appointment has passed (or the request ended) and is counted
  std::vector<std::string> cancelled_by;  // mediators who cancelled it: not asked again
};

// One placement or offer that must reach exactly one person once.
struct ExpectedMessage {
  std::string person_id;
  std::string event_id;
};

class Simulation {
 public:
  Simulation(const SimOptions& options, const District& district)
      : options_(options),
        scale_(ScaleFactor(options.scale)),
        district_(district),
        land_(LandOf(district)),
        zone_(DistrictTimeZone()),
        random_(options.seed ^ 0xa5a5a5a5ULL),
        casework_random_(options.seed ^ 0xca5e0a5eULL) {}

  absl::Status Run();
  Report TakeReport() { return std::move(report_); }

 private:
  // Connections.
  absl::Status Connect();
  template <typename Stub, typename Request, typename Response>
  absl::Status Call(Stub& stub, grpc::Status (Stub::*method)(grpc::ClientContext*, const Request&, Response*),
                    const Request& request, Response* response);

  // One simulated day.
  absl::Status Day(int day);
  absl::Status SetClock(int day);
  absl::Status Settle();
  absl::Status ReadEvents(int day);
  absl::Status Allocate();
  absl::Status Snapshot(int week);
  absl::Status Finish(Report& report);

  absl::Status AnnounceCourses(int day);
  absl::Status StartAndCompleteCourses(int day);
  absl::Status RegisterArrivals(int day);
  // The foreigners' office's review of suspected duplicates, the same day:
  // `original` is the household a second registration repeats (nullptr for
  // a first one, whose suspicions are all of different persons).
  absl::Status ReviewDuplicates(const rv1::Household& household, const HouseholdState* original = nullptr);
  // Some families are registered a second time by another office, a few
  // days later and with names spelled differently.
  absl::Status RegisterAgain(int day);
  // The registry's daily job: birthdays and school years that change what an age calls for.
  absl::Status AgeChanges(int day);
  // The schools office's review of the day's proposals.
  absl::Status ReviewSchoolProposals();
  // Families who want no Kita place say so once their children are known.
  absl::Status DeclineKitas();

  // A request and a course as the hindsight bound sees them (hindsight.h).
  // How a person answers an offer of a course, and after how many days: the
  // same for every offer of that course to them, whichever policy makes it, so
  // the hindsight bound can know every answer (a person who let an offer lapse
  // lets it lapse again, and the course service then passes the course).
  struct OfferAnswer {
    enum Kind { kAccept, kDecline, kLapse } kind;
    int after_days;
  };
  OfferAnswer AnswerToOffer(const std::string& person_id, size_t course) const;
  HindsightRequest AsHindsight(const RequestState& request) const;
  HindsightCourse AsHindsight(const CourseState& course) const;
  // At a course's start: its free seats, and who in reach waited for that
  // course type without an offer (the seats allocation left unused).
  void NoteFreeSeatsAtStart(const CourseState& course, int free_seats, int free_childcare, int day);
  // The bound, and the run measured the same way.
  void CompareWithHindsight(Report& report) const;
  void FindGaps(Report& report) const;
  absl::Status DecideAsylum(int day);
  // The foreigners' office obliges an adult it gives a title to, and who has
  // no German yet, to attend an integration course (§ 44a (1) no. 1 a).
  absl::Status ObligeWithoutGerman(const rv1::Person& person, int day);
  absl::Status Answer(int day);
  absl::Status ReportFlats(int day);

  // Language mediators (appointments.cpp): the district's pool imported at
  // the start; offices ask for a mediator for a household's appointments when
  // it is registered; each day a matching run, the coordinating office
  // confirms what is proposed, some mediators cancel, and appointments past
  // are recorded (delivered or a no-show).
  absl::Status ImportMediators();
  // The district's social workers into the casework service (social_areas.csv).
  absl::Status ImportSocialWorkers();
  // The social workers do the hand-over tasks that are due to be done today.
  absl::Status DoCaseworkTasks(int day);
  absl::Status FinishCasework(Report& report);
  // The appointments a household registered today needs a mediator for, asked for in the day's Mediate.
  absl::Status AskForMediators(int day, const Arrival& arrival, const rv1::Household& household, size_t index);
  absl::Status Mediate(int day);
  absl::Status FinishMediation(Report& report);
  // The report to the council from the services' events, checked against the simulation's counts.
  absl::Status CouncilReport(Report& report);
  absl::Status WeeklyMoves(int day);

  std::string Key(absl::string_view what, absl::string_view id) const {
    return absl::StrCat("sim-", options_.seed, "-", what, "-", id);
  }
  absl::CivilDay Date(int day) const { return options_.start + day; }

  // The draws for one decision of one person or household, the same whichever
  // policy runs: two runs on one seed differ by the policy, not by chance.
  Random Draw(std::initializer_list<uint64_t> parts) const {
    Random r(options_.seed);
    for (uint64_t p : parts) r = Random(r.Next() ^ p);
    return r;
  }
  uint64_t Who(const std::string& person_id) const {
    auto it = person_index_.find(person_id);
    return it == person_index_.end() ? 0 : (it->second.first << 8) + it->second.second + 1;
  }
  int DayOf(absl::CivilDay date) const { return static_cast<int>(date - options_.start); }
  // The days a child needs a place in its parent's course's childcare.
  CareWindow CareOf(const std::string& child_id, absl::CivilDay born) const;
  static LandRules LandOf(const District& district) {
    // Checked with the district (district_files.cpp); the services' default Land is SN.
    auto land = LandRulesFor(district.land.empty() ? "SN" : district.land, district.school_cutoff);
    return land.ok() ? *land : LandRules{};
  }

  SimOptions options_;
  const std::string token_ = CallerToken();  // ANKOMMEN_TOKEN: the simulator acts as district_admin
  int scale_;
  District district_;
  LandRules land_;  // the Land's school calendar, as the services apply it
  absl::TimeZone zone_;
  Random random_;
  Random casework_random_;  // when a simulated social worker does a task (apart: the rest repeats as before)
  int today_ = 0;

  std::unique_ptr<RedisPool> redis_;
  std::unique_ptr<Bus> bus_;
  std::unique_ptr<rv1::RegistryService::Stub> registry_;
  std::unique_ptr<cv1::CourseService::Stub> courses_;
  std::unique_ptr<sv1::SchoolService::Stub> schools_;
  std::unique_ptr<hv1::HousingService::Stub> housing_;
  std::unique_ptr<nv1::NotificationService::Stub> notifications_;
  std::unique_ptr<mv1::MediatorService::Stub> mediators_;
  std::unique_ptr<wv1::CaseworkService::Stub> casework_;
  int social_workers_imported_ = 0;
  struct TaskPlan {
    std::string household_id, task_id;
    int done_on = 0;  // the simulated day the worker does it
    int due_on = 0;
    bool done = false;
  };
  std::map<std::string, TaskPlan> task_plans_;  // by "<household>/<task>"

  std::vector<Arrival> arrivals_;
  std::vector<PlannedCourse> plan_;
  std::vector<ReportedFlat> flats_;
  std::map<std::string, std::string> provider_ids_;
  std::map<std::string, int> stream_cursor_;

  std::vector<HouseholdState> households_;
  std::multimap<int, size_t> second_registrations_;  // day → index into households_ of the original
  std::map<std::string, size_t> household_index_;                // household id → households_
  std::map<std::string, std::pair<size_t, size_t>> person_index_;  // person id → household, member
  std::vector<CourseState> courses_state_;
  std::map<std::string, size_t> course_index_;
  std::map<std::string, RequestState> requests_;
  std::map<std::string, std::string> open_request_of_person_;  // for enrolment events
  std::map<std::pair<std::string, std::string>, std::string> offered_request_;  // (person, course) → request
  std::multimap<int, PendingAnswer> answers_;
  std::map<std::string, PupilState> pupils_;
  std::vector<ExpectedMessage> expected_messages_;
  std::map<std::string, int> offers_;
  std::map<std::string, int> offers_to_;  // housing offers per household
  std::map<std::string, int> proposals_to_;  // school and Kita proposals per child
  std::vector<std::string> kita_declines_;   // children registered today whose family wants no Kita
  std::map<std::string, int> kita_placed_day_;  // child → the day it got a Kita place
  std::vector<std::tuple<std::string, std::string, int>> child_placements_;  // kind, area, wait days
  int course_seats_unused_at_start_ = 0;
  std::map<int, std::map<std::string, int>> free_seats_at_start_;  // course type → social area → seats
  std::vector<UnusedSeats> unused_seats_;  // courses that started with free seats
  std::vector<std::string> mediator_ids_;  // the pool, as imported
  std::map<std::string, MediationState> mediations_;  // by request id
  std::multimap<int, std::string> mediator_cancels_;  // day → a booking its mediator cancels that day
  // Asked for once the registry's events have reached the mediators service (the day's Mediate).
  std::vector<std::pair<mv1::RequestMediatorRequest, MediationState>> asks_;

  Report report_;
};

template <typename Stub, typename Request, typename Response>
absl::Status Simulation::Call(Stub& stub,
                              grpc::Status (Stub::*method)(grpc::ClientContext*, const Request&, Response*),
                              const Request& request, Response* response) {
  // Commands carry idempotency keys, so a retry after a lost answer is safe.
  // ABORTED: an allocation run of another replica (or the service's own
  // schedule) holds the lease for a moment.
  grpc::Status s;
  for (int attempt = 0; attempt < 50; ++attempt) {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(60));
    context.AddMetadata("x-ankommen-actor", "ankommen-sim");
    if (!token_.empty()) context.AddMetadata("authorization", "Bearer " + token_);
    s = (stub.*method)(&context, request, response);
    if (s.ok()) return absl::OkStatus();
    if (s.error_code() != grpc::StatusCode::UNAVAILABLE && s.error_code() != grpc::StatusCode::ABORTED) break;
    absl::SleepFor(absl::Milliseconds(100));
  }
  return absl::Status(static_cast<absl::StatusCode>(s.error_code()),
                      absl::StrCat(request.GetDescriptor()->name(), ": ", s.error_message()));
}

}  // namespace ankommen::sim
