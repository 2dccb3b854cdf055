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
#include "ankommen/notifications/v1/notifications.grpc.pb.h"
#include "ankommen/registry/v1/registry.grpc.pb.h"
#include "ankommen/schools/v1/events.pb.h"
#include "ankommen/schools/v1/schools.grpc.pb.h"
#include "bus.h"
#include "grpc_credentials.h"
#include "config.h"
#include "district.h"
#include "field_checks.h"
#include "geo.h"
#include "ids.h"
#include "platform.h"
#include "population.h"
#include "redis.h"
#include "simulated_clock.h"
#include "streams.h"

namespace ankommen::sim {

namespace cv1 = courses::v1;
namespace hv1 = housing::v1;
namespace nv1 = notifications::v1;
namespace rv1 = registry::v1;
namespace sv1 = schools::v1;

int ScaleFactor(const std::string& scale) { return scale == "state" ? 8 : 1; }

namespace {

std::string CourseTypeName(cv1::CourseType type) {
  switch (type) {
    case cv1::COURSE_TYPE_INTEGRATION_GENERAL: return "general";
    case cv1::COURSE_TYPE_INTEGRATION_ALPHA: return "alpha";
    case cv1::COURSE_TYPE_INTEGRATION_PARENTS: return "parents";
    case cv1::COURSE_TYPE_INTEGRATION_YOUTH: return "youth";
    case cv1::COURSE_TYPE_FIRST_ORIENTATION: return "orientation";
    case cv1::COURSE_TYPE_JOB_LANGUAGE: return "job";
    case cv1::COURSE_TYPE_VOLUNTEER: return "volunteer";
    default: return "other";
  }
}

std::string SchoolTypeName(sv1::SchoolType type) {
  switch (type) {
    case sv1::SCHOOL_TYPE_GS: return "DaZ GS";
    case sv1::SCHOOL_TYPE_OS: return "DaZ OS";
    case sv1::SCHOOL_TYPE_GYMNASIUM: return "DaZ Gymnasium";
    case sv1::SCHOOL_TYPE_BSZ: return "DaZ BSZ";
    default: return "school";
  }
}

std::string AgeGroupName(sv1::AgeGroup group) {
  return group == sv1::AGE_GROUP_UNDER_3 ? "Kita under 3" : "Kita 3+";
}

std::string IsoDate(absl::CivilDay day) { return FormatIsoDate(day); }

double Km(double lat1, double lon1, double lat2, double lon2) {
  return placement::HaversineKm({lat1, lon1}, {lat2, lon2});
}

struct RequestState {
  std::string person_id;
  std::string course_type;
  std::string social_area;
  absl::CivilDay requested_on;
  enum Status { kWaiting, kOffered, kEnrolled, kWithdrawn, kCompleted } status = kWaiting;
  int access_wait_days = -1;
  double km = -1;
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
};

struct PupilState {
  std::string person_id;
  int placed_day = 0;
  int phase = 1;
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
        zone_(DistrictTimeZone()),
        random_(options.seed ^ 0xa5a5a5a5ULL) {}

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
  // The schools office's review of the day's proposals.
  absl::Status ReviewSchoolProposals();
  // Families who want no Kita place say so once their children are known.
  absl::Status DeclineKitas();
  absl::Status DecideAsylum(int day);
  absl::Status Answer(int day);
  absl::Status ReportFlats(int day);
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

  SimOptions options_;
  const std::string token_ = CallerToken();  // ANKOMMEN_TOKEN: the simulator acts as district_admin
  int scale_;
  District district_;
  absl::TimeZone zone_;
  Random random_;
  int today_ = 0;

  std::unique_ptr<RedisPool> redis_;
  std::unique_ptr<Bus> bus_;
  std::unique_ptr<rv1::RegistryService::Stub> registry_;
  std::unique_ptr<cv1::CourseService::Stub> courses_;
  std::unique_ptr<sv1::SchoolService::Stub> schools_;
  std::unique_ptr<hv1::HousingService::Stub> housing_;
  std::unique_ptr<nv1::NotificationService::Stub> notifications_;

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
  std::multimap<int, PendingAnswer> answers_;
  std::map<std::string, PupilState> pupils_;
  std::vector<ExpectedMessage> expected_messages_;
  std::map<std::string, int> offers_;
  std::map<std::string, int> offers_to_;  // per person (courses) or household (housing)
  std::map<std::string, int> proposals_to_;  // school and Kita proposals per child
  std::vector<std::string> kita_declines_;   // children registered today whose family wants no Kita
  std::vector<std::tuple<std::string, std::string, int>> child_placements_;  // kind, area, wait days
  int course_seats_unused_at_start_ = 0;

  Report report_;
};

absl::Status Simulation::Connect() {
  auto redis = RedisPool::Connect(options_.redis_url, 2);
  if (!redis.ok()) return redis.status();
  redis_ = std::move(*redis);
  auto bus = Bus::Connect(options_.nats_url, "ankommen-sim", nullptr);
  if (!bus.ok()) return bus.status();
  bus_ = std::move(*bus);
  auto channel = [](const std::string& addr) { return grpc::CreateChannel(addr, ChannelCredentialsOrPlaintext()); };
  registry_ = rv1::RegistryService::NewStub(channel(options_.registry_addr));
  courses_ = cv1::CourseService::NewStub(channel(options_.courses_addr));
  schools_ = sv1::SchoolService::NewStub(channel(options_.schools_addr));
  housing_ = hv1::HousingService::NewStub(channel(options_.housing_addr));
  notifications_ = nv1::NotificationService::NewStub(channel(options_.notifications_addr));
  return absl::OkStatus();
}

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

absl::Status Simulation::SetClock(int day) {
  today_ = day;
  const absl::CivilDay date = Date(day);
  const absl::Time at = absl::FromCivil(absl::CivilSecond(date.year(), date.month(), date.day(), 8, 0, 0), zone_);
  return SimulatedClock::Set(*redis_, at);
}

absl::Status Simulation::Settle() {
  // Everything is handled when no service has events waiting in its outbox
  // and every durable consumer has acknowledged everything published — twice
  // in a row, since a handler commits new events before it acknowledges.
  static const char* kServices[] = {"registry", "courses", "schools", "housing", "notifications"};
  static const char* kStreams[] = {streams::kRegistry, streams::kCourses, streams::kSchools, streams::kHousing};
  std::vector<std::vector<std::string>> xlens;
  for (const char* service : kServices) {
    KeySpace keys(service);
    for (int p = 0; p < kPartitions; ++p) xlens.push_back({"XLEN", keys.Outbox(p)});
  }
  const absl::Time give_up = absl::Now() + absl::Seconds(120);
  int quiet_rounds = 0;
  while (quiet_rounds < 2) {
    if (absl::Now() > give_up) return absl::DeadlineExceededError("the services did not settle within 120 s");
    int64_t unfinished = 0;
    auto replies = redis_->Pipeline(xlens);
    if (!replies.ok()) return replies.status();
    for (const auto& r : *replies) unfinished += r.integer;
    for (const char* stream : kStreams) {
      auto n = bus_->Unfinished(stream);
      if (!n.ok()) return n.status();
      unfinished += *n;
    }
    quiet_rounds = unfinished == 0 ? quiet_rounds + 1 : 0;
    absl::SleepFor(absl::Milliseconds(unfinished == 0 ? 15 : 25));
  }
  return absl::OkStatus();
}

absl::Status Simulation::AnnounceCourses(int day) {
  for (size_t i = 0; i < plan_.size(); ++i) {
    const PlannedCourse& p = plan_[i];
    if (p.announce_day != day) continue;
    cv1::CreateCourseRequest request;
    request.set_idempotency_key(Key("course", absl::StrCat(i)));
    *request.mutable_course() = p.course;
    request.mutable_course()->set_provider_id(provider_ids_.at(p.provider));
    request.mutable_course()->set_start_date(IsoDate(Date(p.start_day)));
    cv1::CreateCourseResponse response;
    if (auto s = Call(*courses_, &cv1::CourseService::Stub::CreateCourse, request, &response); !s.ok()) return s;
    course_index_[response.course().course_id()] = courses_state_.size();
    courses_state_.push_back({&p, response.course().course_id(), {}});
  }
  return absl::OkStatus();
}

absl::Status Simulation::StartAndCompleteCourses(int day) {
  for (auto& c : courses_state_) {
    if (c.plan->start_day == day) {
      cv1::UpdateCourseRequest request;
      request.set_idempotency_key(Key("start", c.id));
      request.set_course_id(c.id);
      request.set_status(cv1::COURSE_STATUS_RUNNING);
      cv1::UpdateCourseResponse response;
      if (auto s = Call(*courses_, &cv1::CourseService::Stub::UpdateCourse, request, &response); !s.ok()) return s;
      course_seats_unused_at_start_ += response.course().free_seats();
    }
    if (c.plan->end_day == day) {
      cv1::CompleteCourseRequest request;
      request.set_idempotency_key(Key("complete", c.id));
      request.set_course_id(c.id);
      const std::string target = c.plan->course.target_level();
      for (const auto& person : c.enrolled) {
        auto* result = request.add_results();
        result->set_person_id(person);
        // Most reach the course's goal; some one level below, a few two.
        const size_t below = Draw({6, Who(person)}).Pick({55, 33, 12});
        static const std::vector<std::string> kLevels = {"A0", "A1", "A2", "B1", "B2", "C1"};
        size_t at = 0;
        while (at < kLevels.size() && kLevels[at] != target) ++at;
        result->set_reached_level(kLevels[at >= below ? at - below : 0]);
      }
      cv1::CompleteCourseResponse response;
      if (auto s = Call(*courses_, &cv1::CourseService::Stub::CompleteCourse, request, &response); !s.ok()) return s;
    }
  }
  return absl::OkStatus();
}

absl::Status Simulation::RegisterArrivals(int day) {
  for (size_t i = 0; i < arrivals_.size(); ++i) {
    const Arrival& a = arrivals_[i];
    if (a.day != day) continue;
    rv1::RegisterHouseholdRequest request;
    request.set_idempotency_key(Key("household", absl::StrCat(i)));
    *request.mutable_household() = a.household;
    rv1::RegisterHouseholdResponse response;
    if (auto s = Call(*registry_, &rv1::RegistryService::Stub::RegisterHousehold, request, &response); !s.ok()) {
      return s;
    }
    if (auto s = ReviewDuplicates(response.household()); !s.ok()) return s;
    Random again = Draw({11, i});
    if (again.Chance(0.03)) second_registrations_.insert({day + again.Int(1, 10), households_.size()});
    HouseholdState h;
    h.arrival = &a;
    h.id = response.household().household_id();
    for (int m = 0; m < response.household().members_size(); ++m) {
      h.person_ids.push_back(response.household().members(m).person_id());
      person_index_[h.person_ids.back()] = {households_.size(), static_cast<size_t>(m)};
    }
    // Some families want no Kita place (the district's kita_decline_share).
    for (int m = 0; m < response.household().members_size(); ++m) {
      const auto& person = response.household().members(m);
      absl::CivilDay born;
      if (person.relation() != rv1::RELATION_CHILD || !ParseIsoDate(person.birth_date(), born)) continue;
      const int64_t age = (Date(day) - born) / 365;
      const double share = district_.arrivals.kita_decline_share;
      if (age >= 1 && age < 6 && share > 0 && Draw({13, Who(person.person_id())}).Chance(share)) {
        kita_declines_.push_back(person.person_id());
      }
    }
    household_index_[h.id] = households_.size();
    households_.push_back(std::move(h));
    report_.persons_registered += response.household().members_size();
  }
  return absl::OkStatus();
}

absl::Status Simulation::ReviewDuplicates(const rv1::Household& household, const HouseholdState* original) {
  for (int m = 0; m < household.members_size(); ++m) {
    const auto& person = household.members(m);
    if (person.suspected_duplicates_size() > 0) ++report_.duplicates_suspected;
    // The office compares the papers: the same person is the one at the same
    // place in the family registered before; the sim knows, the office checks.
    const std::string same = original != nullptr && m < static_cast<int>(original->person_ids.size())
                                 ? original->person_ids[static_cast<size_t>(m)]
                                 : "";
    bool merged = false;
    for (const auto& suspicion : person.suspected_duplicates()) {
      const bool is_same = !merged && suspicion.other_person_id() == same;
      rv1::ResolveDuplicateRequest request;
      request.set_idempotency_key(Key(is_same ? "merge" : "distinct",
                                      absl::StrCat(person.person_id(), "/", suspicion.other_person_id())));
      request.set_person_id(person.person_id());
      request.set_other_person_id(suspicion.other_person_id());
      request.set_resolution(is_same ? rv1::RESOLUTION_SAME_PERSON : rv1::RESOLUTION_DIFFERENT_PERSONS);
      request.set_reason(is_same ? "simulated office: the same passport" : "simulated office: another person");
      rv1::ResolveDuplicateResponse response;
      if (auto s = Call(*registry_, &rv1::RegistryService::Stub::ResolveDuplicate, request, &response); !s.ok()) {
        // Merged already: its other suspicions went with it.
        if (merged && s.code() == absl::StatusCode::kNotFound) break;
        return s;
      }
      merged = merged || is_same;
    }
    if (original != nullptr) ++(merged ? report_.duplicate_persons_merged : report_.duplicate_persons_missed);
  }
  return absl::OkStatus();
}

namespace {

// A name as another office might spell it: a doubled letter single, or the
// first consonant after a vowel doubled (Hasan / Hassan).
std::string Respell(const std::string& name) {
  for (size_t i = 1; i < name.size(); ++i) {
    if (name[i] == name[i - 1]) return name.substr(0, i) + name.substr(i + 1);
  }
  auto vowel = [](char c) { return std::string_view("aeiouAEIOU").find(c) != std::string_view::npos; };
  for (size_t i = 1; i < name.size(); ++i) {
    if (vowel(name[i - 1]) && !vowel(name[i]) && std::isalpha(static_cast<unsigned char>(name[i]))) {
      return name.substr(0, i + 1) + name[i] + name.substr(i + 1);
    }
  }
  return name + "h";
}

}  // namespace

absl::Status Simulation::RegisterAgain(int day) {
  auto [from, to] = second_registrations_.equal_range(day);
  for (auto it = from; it != to; ++it) {
    const HouseholdState original = households_[it->second];  // a copy: households_ may grow below
    rv1::RegisterHouseholdRequest request;
    request.set_idempotency_key(Key("household-again", original.id));
    *request.mutable_household() = original.arrival->household;
    for (auto& person : *request.mutable_household()->mutable_members()) {
      person.set_given_names(Respell(person.given_names()));
      person.set_family_name(Respell(person.family_name()));
    }
    rv1::RegisterHouseholdResponse response;
    if (auto s = Call(*registry_, &rv1::RegistryService::Stub::RegisterHousehold, request, &response); !s.ok()) {
      return s;
    }
    ++report_.households_registered_twice;
    if (auto s = ReviewDuplicates(response.household(), &original); !s.ok()) return s;
    // Whoever was not recognised stays registered: for the district they are
    // a household of their own now, and the simulation follows them as one.
    rv1::GetHouseholdRequest get;
    get.set_household_id(response.household().household_id());
    get.set_purpose("simulation: does the second registration remain");
    rv1::GetHouseholdResponse remains;
    auto s = Call(*registry_, &rv1::RegistryService::Stub::GetHousehold, get, &remains);
    if (s.code() == absl::StatusCode::kNotFound) continue;
    if (!s.ok()) return s;
    HouseholdState h;
    h.arrival = original.arrival;
    h.id = remains.household().household_id();
    for (int m = 0; m < remains.household().members_size(); ++m) {
      h.person_ids.push_back(remains.household().members(m).person_id());
      person_index_[h.person_ids.back()] = {households_.size(), static_cast<size_t>(m)};
    }
    household_index_[h.id] = households_.size();
    households_.push_back(std::move(h));
    ++report_.households_registered;
    report_.persons_registered += remains.household().members_size();
  }
  return absl::OkStatus();
}

absl::Status Simulation::DecideAsylum(int day) {
  for (const auto& h : households_) {
    if (h.arrival->decision_day != day) continue;
    for (const auto& person : h.person_ids) {
      rv1::ChangeResidenceStatusRequest request;
      request.set_idempotency_key(Key("decision", person));
      request.set_person_id(person);
      request.set_residence_status(h.arrival->decision);
      rv1::ChangeResidenceStatusResponse response;
      if (auto s = Call(*registry_, &rv1::RegistryService::Stub::ChangeResidenceStatus, request, &response); !s.ok()) {
        return s;
      }
    }
  }
  return absl::OkStatus();
}

absl::Status Simulation::Answer(int day) {
  auto [from, to] = answers_.equal_range(day);
  for (auto it = from; it != to; ++it) {
    const PendingAnswer& a = it->second;
    absl::Status s;
    switch (a.kind) {
      case PendingAnswer::kAcceptSeat: {
        cv1::AcceptOfferRequest r;
        r.set_idempotency_key(Key("accept", a.id));
        r.set_offer_id(a.id);
        cv1::AcceptOfferResponse out;
        s = Call(*courses_, &cv1::CourseService::Stub::AcceptOffer, r, &out);
        break;
      }
      case PendingAnswer::kDeclineSeat: {
        cv1::DeclineOfferRequest r;
        r.set_idempotency_key(Key("decline", a.id));
        r.set_offer_id(a.id);
        cv1::DeclineOfferResponse out;
        s = Call(*courses_, &cv1::CourseService::Stub::DeclineOffer, r, &out);
        break;
      }
      case PendingAnswer::kConfirmHousing: {
        hv1::ConfirmPlacementRequest r;
        r.set_idempotency_key(Key("confirm", a.id));
        r.set_offer_id(a.id);
        hv1::ConfirmPlacementResponse out;
        s = Call(*housing_, &hv1::HousingService::Stub::ConfirmPlacement, r, &out);
        break;
      }
      case PendingAnswer::kDeclineHousing: {
        hv1::DeclinePlacementRequest r;
        r.set_idempotency_key(Key("decline-housing", a.id));
        r.set_offer_id(a.id);
        r.set_reason(hv1::OVERRIDE_REASON_FAMILY_WISH);
        hv1::DeclinePlacementResponse out;
        s = Call(*housing_, &hv1::HousingService::Stub::DeclinePlacement, r, &out);
        break;
      }
      case PendingAnswer::kAcceptLease: {
        hv1::AcceptLeaseTransferRequest r;
        r.set_idempotency_key(Key("lease", a.id));
        r.set_household_id(a.id);
        hv1::AcceptLeaseTransferResponse out;
        s = Call(*housing_, &hv1::HousingService::Stub::AcceptLeaseTransfer, r, &out);
        break;
      }
    }
    // An offer withdrawn in the meantime (seats cut, household moved) is
    // refused; the person's answer simply comes too late.
    if (!s.ok() && s.code() != absl::StatusCode::kFailedPrecondition) return s;
  }
  answers_.erase(from, to);
  return absl::OkStatus();
}

absl::Status Simulation::ReportFlats(int day) {
  for (size_t i = 0; i < flats_.size(); ++i) {
    if (flats_[i].day != day) continue;
    hv1::CreateAccommodationRequest request;
    request.set_idempotency_key(Key("flat", absl::StrCat(i)));
    *request.mutable_accommodation() = flats_[i].accommodation;
    request.mutable_accommodation()->set_vacant_from(IsoDate(Date(day)));
    hv1::CreateAccommodationResponse response;
    if (auto s = Call(*housing_, &hv1::HousingService::Stub::CreateAccommodation, request, &response); !s.ok()) {
      return s;
    }
  }
  return absl::OkStatus();
}

absl::Status Simulation::WeeklyMoves(int day) {
  // Pupils move on: phase 2 after about twelve weeks, a regular class after
  // about twenty-four (which frees the DaZ seat).
  for (auto it = pupils_.begin(); it != pupils_.end();) {
    PupilState& pupil = it->second;
    const int weeks_in = (day - pupil.placed_day) / 7;
    const int next = pupil.phase == 1 && weeks_in >= 12 ? 2 : pupil.phase == 2 && weeks_in >= 24 ? 3 : 0;
    if (next == 0 || !Draw({1, Who(pupil.person_id), static_cast<uint64_t>(day)}).Chance(0.6)) {
      ++it;
      continue;
    }
    sv1::AdvancePhaseRequest request;
    request.set_idempotency_key(Key(absl::StrCat("phase", next, "-", pupil.placed_day), pupil.person_id));
    request.set_person_id(pupil.person_id);
    request.set_phase(next);
    sv1::AdvancePhaseResponse response;
    auto s = Call(*schools_, &sv1::SchoolService::Stub::AdvancePhase, request, &response);
    if (s.code() == absl::StatusCode::kFailedPrecondition) {
      // Out of the class since (the family moved, and the child waits for a
      // school near the new home): followed again from its next placement.
      it = pupils_.erase(it);
      continue;
    }
    if (!s.ok()) return s;
    pupil.phase = next;
    ++it;
  }
  // Some housed households find a flat of their own on the market.
  for (size_t i = 0; i < households_.size(); ++i) {
    const HouseholdState& h = households_[i];
    if (h.moved_in_day < 0 || h.left || day - h.moved_in_day < 56 ||
        !Draw({2, i, static_cast<uint64_t>(day)}).Chance(0.03)) {
      continue;
    }
    hv1::MoveOutRequest request;
    request.set_idempotency_key(Key("move-out", h.id));
    request.set_household_id(h.id);
    hv1::MoveOutResponse response;
    auto s = Call(*housing_, &hv1::HousingService::Stub::MoveOut, request, &response);
    if (s.code() == absl::StatusCode::kFailedPrecondition) continue;  // took over its lease meanwhile
    if (!s.ok()) return s;
  }
  return absl::OkStatus();
}

absl::Status Simulation::Allocate() {
  cv1::RunAllocationRequest courses_request;
  courses_request.set_policy(options_.policy);
  cv1::RunAllocationResponse courses_response;
  if (auto s = Call(*courses_, &cv1::CourseService::Stub::RunAllocation, courses_request, &courses_response); !s.ok()) {
    return s;
  }
  sv1::RunPlacementResponse schools_response;
  if (auto s = Call(*schools_, &sv1::SchoolService::Stub::RunPlacement, sv1::RunPlacementRequest(), &schools_response);
      !s.ok()) {
    return s;
  }
  hv1::RunAllocationResponse housing_response;
  return Call(*housing_, &hv1::HousingService::Stub::RunAllocation, hv1::RunAllocationRequest(), &housing_response);
}

absl::Status Simulation::ReadEvents(int day) {
  for (const char* stream : {streams::kCourses, streams::kSchools, streams::kHousing}) {
    int& cursor = stream_cursor_[stream];
    auto events = bus_->ReadStream(stream, static_cast<uint64_t>(cursor) + 1, 1'000'000);
    if (!events.ok()) return events.status();
    for (const auto& e : *events) {
      cursor = static_cast<int>(e.stream_sequence);
      const std::string& type = e.event_type;
      if (type == cv1::SeatRequested::descriptor()->full_name()) {
        cv1::SeatRequested m;
        m.ParseFromString(e.payload);
        absl::CivilDay on;
        ParseIsoDate(m.requested_on(), on);
        requests_[m.request_id()] = {m.person_id(), CourseTypeName(m.course_type()), m.social_area(), on};
      } else if (type == cv1::RequestWithdrawn::descriptor()->full_name()) {
        cv1::RequestWithdrawn m;
        m.ParseFromString(e.payload);
        if (auto it = requests_.find(m.request_id()); it != requests_.end()) it->second.status = RequestState::kWithdrawn;
      } else if (type == cv1::SeatOffered::descriptor()->full_name()) {
        cv1::SeatOffered m;
        m.ParseFromString(e.payload);
        ++offers_["made"];
        if (auto it = requests_.find(m.request_id()); it != requests_.end()) it->second.status = RequestState::kOffered;
        open_request_of_person_[m.person_id()] = m.request_id();
        expected_messages_.push_back({m.person_id(), m.meta().event_id()});
        Random draw = Draw({3, Who(m.person_id()), static_cast<uint64_t>(++offers_to_[m.person_id()])});
        const Behaviour& b = district_.behaviour;
        const size_t answer =
            draw.Pick({b.offer_accept_share, b.offer_decline_share, 1 - b.offer_accept_share - b.offer_decline_share});
        if (answer < 2) {
          answers_.insert({day + draw.Int(1, 5),
                           {0, m.offer_id(), answer == 0 ? PendingAnswer::kAcceptSeat : PendingAnswer::kDeclineSeat}});
        }
      } else if (type == cv1::OfferClosed::descriptor()->full_name()) {
        cv1::OfferClosed m;
        m.ParseFromString(e.payload);
        static const std::map<cv1::OfferOutcome, std::string> kOutcome = {{cv1::OFFER_OUTCOME_ACCEPTED, "accepted"},
                                                                          {cv1::OFFER_OUTCOME_DECLINED, "declined"},
                                                                          {cv1::OFFER_OUTCOME_EXPIRED, "expired"},
                                                                          {cv1::OFFER_OUTCOME_WITHDRAWN, "withdrawn"}};
        ++offers_[kOutcome.count(m.outcome()) ? kOutcome.at(m.outcome()) : "other"];
        if (auto it = requests_.find(m.request_id());
            it != requests_.end() && m.outcome() != cv1::OFFER_OUTCOME_ACCEPTED) {
          it->second.status = RequestState::kWaiting;
        }
      } else if (type == cv1::EnrolmentStarted::descriptor()->full_name()) {
        cv1::EnrolmentStarted m;
        m.ParseFromString(e.payload);
        auto course = course_index_.find(m.course_id());
        auto request = requests_.find(open_request_of_person_[m.person_id()]);
        if (course == course_index_.end() || request == requests_.end()) continue;
        CourseState& c = courses_state_[course->second];
        c.enrolled.push_back(m.person_id());
        expected_messages_.push_back({m.person_id(), m.meta().event_id()});
        RequestState& r = request->second;
        r.status = RequestState::kEnrolled;
        // Access time (BAMF): from the request to the course's start, or to
        // enrolment for a late entry into a running course.
        r.access_wait_days = std::max(0, std::max(c.plan->start_day, day) - DayOf(r.requested_on));
        const auto& [h, m_index] = person_index_.at(m.person_id());
        const auto& home = households_[h].arrival->household.location();
        const auto& at = c.plan->course.location().coordinates();
        r.km = Km(home.lat(), home.lon(), at.lat(), at.lon());
      } else if (type == cv1::CourseCompleted::descriptor()->full_name()) {
        cv1::CourseCompleted m;
        m.ParseFromString(e.payload);
        for (const auto& result : m.results()) {
          if (auto it = requests_.find(open_request_of_person_[result.person_id()]); it != requests_.end()) {
            it->second.status = RequestState::kCompleted;
          }
        }
      } else if (type == sv1::SchoolPlaced::descriptor()->full_name()) {
        sv1::SchoolPlaced m;
        m.ParseFromString(e.payload);
        if (!pupils_.count(m.person_id())) pupils_[m.person_id()] = {m.person_id(), day, 1};
        child_placements_.emplace_back(SchoolTypeName(m.school_type()), m.social_area(), m.wait_days());
        expected_messages_.push_back(
            {m.guardian_person_id().empty() ? m.person_id() : m.guardian_person_id(), m.meta().event_id()});
      } else if (type == sv1::KitaPlaced::descriptor()->full_name()) {
        sv1::KitaPlaced m;
        m.ParseFromString(e.payload);
        child_placements_.emplace_back(AgeGroupName(m.age_group()), m.social_area(), m.wait_days());
        expected_messages_.push_back(
            {m.guardian_person_id().empty() ? m.person_id() : m.guardian_person_id(), m.meta().event_id()});
      } else if (type == hv1::HousingOffered::descriptor()->full_name()) {
        hv1::HousingOffered m;
        m.ParseFromString(e.payload);
        expected_messages_.push_back({m.contact_person_id(), m.meta().event_id()});
        Random draw = Draw({4, Who(m.contact_person_id()), static_cast<uint64_t>(++offers_to_[m.household_id()])});
        answers_.insert({day + draw.Int(1, 3),
                         {0, m.offer_id(),
                          draw.Chance(district_.behaviour.housing_confirm_share) ? PendingAnswer::kConfirmHousing
                                                              : PendingAnswer::kDeclineHousing}});
      } else if (type == hv1::HouseholdMovedIn::descriptor()->full_name()) {
        hv1::HouseholdMovedIn m;
        m.ParseFromString(e.payload);
        if (auto it = household_index_.find(m.household_id()); it != household_index_.end()) {
          if (households_[it->second].moved_in_day < 0) households_[it->second].moved_in_day = day;
        }
      } else if (type == hv1::HouseholdMovedOut::descriptor()->full_name()) {
        hv1::HouseholdMovedOut m;
        m.ParseFromString(e.payload);
        if (auto it = household_index_.find(m.household_id()); it != household_index_.end()) {
          households_[it->second].left = true;
        }
      } else if (type == hv1::LeaseTransfer::descriptor()->full_name() && e.subject == streams::kLeaseOffered) {
        hv1::LeaseTransfer m;
        m.ParseFromString(e.payload);
        expected_messages_.push_back({m.contact_person_id(), m.meta().event_id()});
        Random draw = Draw({5, household_index_.count(m.household_id()) ? household_index_[m.household_id()] : 0});
        if (draw.Chance(0.5)) answers_.insert({day + draw.Int(3, 20), {0, m.household_id(), PendingAnswer::kAcceptLease}});
      }
    }
  }
  return absl::OkStatus();
}

absl::Status Simulation::Day(int day) {
  if (auto s = SetClock(day); !s.ok()) return s;
  // The world acts ...
  for (auto step : {&Simulation::AnnounceCourses, &Simulation::StartAndCompleteCourses, &Simulation::RegisterArrivals,
                    &Simulation::RegisterAgain,
                    &Simulation::DecideAsylum, &Simulation::Answer, &Simulation::ReportFlats}) {
    if (auto s = (this->*step)(day); !s.ok()) return s;
  }
  if (day % 7 == 0) {
    if (auto s = WeeklyMoves(day); !s.ok()) return s;
  }
  // ... the services take it in, and the district's planning runs once a day.
  if (auto s = Settle(); !s.ok()) return s;
  if (auto s = DeclineKitas(); !s.ok()) return s;
  if (auto s = Allocate(); !s.ok()) return s;
  if (auto s = Settle(); !s.ok()) return s;
  if (auto s = ReviewSchoolProposals(); !s.ok()) return s;
  if (auto s = Settle(); !s.ok()) return s;
  return ReadEvents(day);
}

absl::Status Simulation::DeclineKitas() {
  for (const auto& person_id : kita_declines_) {
    sv1::DeclineKitaRequest request;
    request.set_idempotency_key(Key("decline-kita", person_id));
    request.set_person_id(person_id);
    sv1::DeclineKitaResponse response;
    if (auto s = Call(*schools_, &sv1::SchoolService::Stub::DeclineKita, request, &response); !s.ok()) return s;
    ++report_.kita_declined;
  }
  kita_declines_.clear();
  return absl::OkStatus();
}

absl::Status Simulation::ReviewSchoolProposals() {
  sv1::ListProposalsResponse proposals;
  if (auto s = Call(*schools_, &sv1::SchoolService::Stub::ListProposals, sv1::ListProposalsRequest(), &proposals);
      !s.ok()) {
    return s;
  }
  // The schools office confirms most proposals the same day and rejects a
  // few (the way there does not work for the family); those children wait
  // for another place in the next run.
  for (const auto& child : proposals.children()) {
    // One key per proposal: a child may be proposed the same place again after a move.
    const std::string decision = absl::StrCat(child.person_id(), "/", child.placement().place_id(), "/",
                                              child.placement().placed_at().seconds());
    // Drawn per child and proposal count, not by the place's id: ids are
    // random, and the same seed must decide the same.
    Random draw = Draw({7, Who(child.person_id()), static_cast<uint64_t>(++proposals_to_[child.person_id()])});
    if (draw.Chance(0.03)) {
      sv1::RejectPlacementRequest request;
      request.set_idempotency_key(Key("reject", decision));
      request.set_person_id(child.person_id());
      request.set_reason(sv1::OVERRIDE_REASON_TRANSPORT);
      sv1::RejectPlacementResponse response;
      if (auto s = Call(*schools_, &sv1::SchoolService::Stub::RejectPlacement, request, &response); !s.ok()) return s;
      ++report_.school_proposals_rejected;
    } else {
      sv1::ConfirmPlacementRequest request;
      request.set_idempotency_key(Key("confirm", decision));
      request.set_person_id(child.person_id());
      sv1::ConfirmPlacementResponse response;
      if (auto s = Call(*schools_, &sv1::SchoolService::Stub::ConfirmPlacement, request, &response); !s.ok()) return s;
      ++report_.school_proposals_confirmed;
    }
  }
  return absl::OkStatus();
}

absl::Status Simulation::Snapshot(int week) {
  WeekPoint w;
  w.week = week;
  std::vector<int> course_waits;
  for (const auto& [id, r] : requests_) {
    if (r.status == RequestState::kWaiting || r.status == RequestState::kOffered) {
      course_waits.push_back(today_ - DayOf(r.requested_on));
    }
  }
  w.course_waiting = static_cast<int>(course_waits.size());
  w.course_wait_median = Summarize(course_waits).median;
  std::vector<int> housing_waits;
  for (const auto& h : households_) {
    if (h.moved_in_day < 0 && !h.left) housing_waits.push_back(today_ - h.arrival->day);
  }
  w.housing_waiting = static_cast<int>(housing_waits.size());
  w.housing_wait_median = Summarize(housing_waits).median;
  sv1::GetCapacityResponse capacity;
  if (auto s = Call(*schools_, &sv1::SchoolService::Stub::GetCapacity, sv1::GetCapacityRequest(), &capacity); !s.ok()) {
    return s;
  }
  for (const auto& row : capacity.areas()) {
    (row.school_type() != sv1::SCHOOL_TYPE_UNSPECIFIED ? w.school_waiting : w.kita_waiting) += row.waiting();
  }
  report_.weekly.push_back(w);
  if (options_.progress) {
    std::cerr << absl::StrFormat(
        "week %2d (%s): %4d households registered; waiting: %4d for a course (median %3.0f d), %3d for school, %3d for "
        "Kita, %4d for housing\n",
        week + 1, IsoDate(Date(today_)), households_.size(), w.course_waiting, w.course_wait_median, w.school_waiting,
        w.kita_waiting, w.housing_waiting);
  }
  return absl::OkStatus();
}

absl::Status Simulation::Finish(Report& report) {
  // Messages still on their way: the dispatcher sends what is due.
  std::map<std::string, std::vector<nv1::Message>> messages;
  std::set<std::string> recipients;
  for (const auto& e : expected_messages_) recipients.insert(e.person_id);
  for (const auto& [person, where] : person_index_) recipients.insert(person);
  // Wait while the backlog shrinks; give up (and report it) after 30 s without progress.
  absl::Time last_progress = absl::Now();
  size_t last_pending = SIZE_MAX;
  for (bool all_final = false; !all_final;) {
    all_final = true;
    size_t pending = 0;
    messages.clear();
    for (const auto& person : recipients) {
      nv1::GetMessagesRequest request;
      request.set_person_id(person);
      nv1::GetMessagesResponse response;
      if (auto s = Call(*notifications_, &nv1::NotificationService::Stub::GetMessages, request, &response); !s.ok()) {
        return s;
      }
      for (const auto& m : response.messages()) {
        pending += m.status() == nv1::MESSAGE_STATUS_PENDING ? 1 : 0;
        messages[person].push_back(m);
      }
    }
    all_final = pending == 0;
    if (pending < last_pending) {
      last_pending = pending;
      last_progress = absl::Now();
    }
    if (!all_final && absl::Now() - last_progress > absl::Seconds(30)) break;  // reported as not reconciled
    if (!all_final) absl::SleepFor(absl::Milliseconds(500));
  }

  // Courses.
  std::map<std::pair<std::string, std::string>, std::vector<const RequestState*>> by_row;
  for (const auto& [id, r] : requests_) by_row[{r.course_type, r.social_area}].push_back(&r);
  for (const auto& [key, rows] : by_row) {
    CourseRow row;
    row.course_type = key.first;
    row.social_area = key.second;
    std::vector<int> access, waited;
    double km = 0;
    for (const RequestState* r : rows) {
      ++row.requests;
      if (r->access_wait_days >= 0) {
        ++row.enrolled;
        access.push_back(r->access_wait_days);
        km += r->km;
      } else if (r->status == RequestState::kWaiting || r->status == RequestState::kOffered) {
        ++row.waiting;
        waited.push_back(today_ - DayOf(r->requested_on));
      }
    }
    row.access_wait = Summarize(access);
    row.still_waiting_days = Summarize(waited);
    row.mean_km = row.enrolled > 0 ? km / row.enrolled : 0;
    report.courses.push_back(row);
  }
  report.offers = offers_;

  // Offers reconcile with the course service's own count of open offers.
  int open_in_service = 0;
  for (const auto& c : courses_state_) {
    cv1::GetCourseRequest request;
    request.set_course_id(c.id);
    cv1::GetCourseResponse response;
    if (auto s = Call(*courses_, &cv1::CourseService::Stub::GetCourse, request, &response); !s.ok()) return s;
    open_in_service += response.course().offered();
  }
  const int closed = offers_["accepted"] + offers_["declined"] + offers_["expired"] + offers_["withdrawn"];
  report.offers["open"] = open_in_service;
  report.checks.push_back({"offers made = accepted + declined + expired + withdrawn + open", offers_["made"],
                           closed + open_in_service, "open offers as the course service counts them"});

  // Children.
  sv1::GetCapacityResponse capacity;
  if (auto s = Call(*schools_, &sv1::SchoolService::Stub::GetCapacity, sv1::GetCapacityRequest(), &capacity); !s.ok()) {
    return s;
  }
  std::map<std::pair<std::string, std::string>, std::pair<std::vector<int>, int>> children;  // waits, waiting
  for (const auto& [kind, area, wait] : child_placements_) children[{kind, area}].first.push_back(wait);
  int dazs_free = 0, kita_free = 0;
  for (const auto& row : capacity.areas()) {
    const bool school = row.school_type() != sv1::SCHOOL_TYPE_UNSPECIFIED;
    const std::string kind = school ? SchoolTypeName(row.school_type()) : AgeGroupName(row.age_group());
    children[{kind, row.social_area()}].second += row.waiting();
    (school ? dazs_free : kita_free) += row.free();
  }
  for (const auto& [key, value] : children) {
    ChildRow row;
    row.kind = key.first;
    row.social_area = key.second;
    row.placed = static_cast<int>(value.first.size());
    row.waiting = value.second;
    row.wait = Summarize(value.first);
    report.children.push_back(row);
  }

  // Housing.
  hv1::GetFiguresResponse figures;
  if (auto s = Call(*housing_, &hv1::HousingService::Stub::GetFigures, hv1::GetFiguresRequest(), &figures); !s.ok()) {
    return s;
  }
  int beds_free = 0;
  for (const auto& a : figures.areas()) {
    report.housing.push_back({a.social_area(), a.beds(), a.beds_used(), a.persons_housed(), a.share_in_flats(),
                              a.standard_violations(), a.households_waiting(), a.persons_per_social_worker()});
    beds_free += a.beds() - a.beds_used();
  }
  std::vector<int> housing_waits;
  for (const auto& h : households_) {
    if (h.moved_in_day >= 0) housing_waits.push_back(h.moved_in_day - h.arrival->day);
  }
  report.housing_wait = Summarize(housing_waits);
  static const std::map<hv1::HouseholdStatus, std::string> kStatus = {
      {hv1::HOUSEHOLD_STATUS_WAITING, "waiting"}, {hv1::HOUSEHOLD_STATUS_OFFERED, "offered"},
      {hv1::HOUSEHOLD_STATUS_HOUSED, "housed"},   {hv1::HOUSEHOLD_STATUS_TRANSFERRED, "transferred"},
      {hv1::HOUSEHOLD_STATUS_LEFT, "left"}};
  int known = 0;
  for (const auto& h : households_) {
    hv1::GetHouseholdRequest request;
    request.set_household_id(h.id);
    hv1::GetHouseholdResponse response;
    auto s = Call(*housing_, &hv1::HousingService::Stub::GetHousehold, request, &response);
    if (s.code() == absl::StatusCode::kNotFound) {
      ++report.households_by_status["unknown to housing"];
      continue;
    }
    if (!s.ok()) return s;
    ++known;
    auto it = kStatus.find(response.household().status());
    ++report.households_by_status[it != kStatus.end() ? it->second : "other"];
  }
  auto& st = report.households_by_status;
  report.checks.push_back({"households registered = housed + waiting (incl. offered) + moved on",
                           report.households_registered,
                           st["housed"] + st["waiting"] + st["offered"] + st["left"] + st["transferred"],
                           absl::StrCat(report.households_registered - known, " unknown to the housing service")});

  // Notifications: every placement and offer reached its person exactly once.
  std::map<std::string, int> delivered_per_event;
  for (const auto& [person, list] : messages) {
    for (const auto& m : list) {
      static const std::map<nv1::MessageStatus, std::string> kOutcome = {{nv1::MESSAGE_STATUS_DELIVERED, "delivered"},
                                                                         {nv1::MESSAGE_STATUS_DEAD, "dead letter"},
                                                                         {nv1::MESSAGE_STATUS_PENDING, "pending"}};
      ++report.notifications[m.language().empty() ? "?" : m.language()]
                            [kOutcome.count(m.status()) ? kOutcome.at(m.status()) : "other"];
      if (m.status() != nv1::MESSAGE_STATUS_PENDING) ++delivered_per_event[absl::StrCat(person, "/", m.event_id())];
    }
  }
  long long exactly_once = 0;
  for (const auto& e : expected_messages_) {
    if (delivered_per_event[absl::StrCat(e.person_id, "/", e.event_id)] == 1) ++exactly_once;
  }
  report.checks.push_back({"offers and placements with exactly one message delivered or dead-lettered",
                           static_cast<long long>(expected_messages_.size()), exactly_once,
                           "seat offers, enrolments, school and Kita places, housing and lease offers"});

  report.unused = {{"course seats free at course start", course_seats_unused_at_start_},
                   {"DaZ seats", dazs_free},
                   {"Kita places", kita_free},
                   {"beds", beds_free}};
  return absl::OkStatus();
}

absl::Status Simulation::Run() {
  const absl::Time began = absl::Now();
  if (auto s = Connect(); !s.ok()) return s;
  report_.district = district_.name;
  report_.policy = options_.policy;
  report_.scale = options_.scale;
  report_.weeks = options_.weeks;
  report_.seed = options_.seed;
  report_.start_date = IsoDate(options_.start);
  report_.end_date = IsoDate(Date(options_.weeks * 7 - 1));

  arrivals_ = Arrivals(district_, options_.start, options_.weeks, scale_, options_.seed);
  plan_ = CoursePlan(district_, options_.weeks, scale_);
  Random flats_random = random_.Fork(1);
  flats_ = FlatSupply(district_, options_.weeks, scale_, flats_random);
  report_.households_registered = 0;
  for (const auto& a : arrivals_) report_.households_registered += a.day < options_.weeks * 7 ? 1 : 0;

  if (auto s = SetClock(0); !s.ok()) return s;
  for (const auto& p : district_.providers) {
    cv1::CreateProviderRequest request;
    request.set_idempotency_key(Key("provider", p.key));
    request.mutable_provider()->set_name(p.name);
    request.mutable_provider()->set_bamf_number(p.bamf_number);
    cv1::CreateProviderResponse response;
    if (auto s = Call(*courses_, &cv1::CourseService::Stub::CreateProvider, request, &response); !s.ok()) return s;
    provider_ids_[p.key] = response.provider().provider_id();
  }
  for (int day = 0; day < options_.weeks * 7; ++day) {
    if (auto s = Day(day); !s.ok()) return absl::Status(s.code(), absl::StrCat("day ", day + 1, ": ", s.message()));
    if (day % 7 == 6) {
      if (auto s = Snapshot(day / 7); !s.ok()) return s;
    }
  }
  if (auto s = Finish(report_); !s.ok()) return s;
  report_.seconds = absl::ToDoubleSeconds(absl::Now() - began);
  for (const auto& [stream, last] : stream_cursor_) report_.events += last;
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<Report> Simulate(const SimOptions& options, const District& district) {
  Simulation simulation(options, district);
  auto s = simulation.Run();
  if (!s.ok()) return s;
  return simulation.TakeReport();
}

}  // namespace ankommen::sim
