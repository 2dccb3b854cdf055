#include "simulation_internal.h"

namespace ankommen::sim {

int ScaleFactor(const std::string& scale) { return scale == "state" ? 8 : 1; }

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

absl::Status Simulation::Connect() {
  auto redis = RedisPool::Connect(options_.redis_url, 2);
  if (!redis.ok()) return redis.status();
  redis_ = std::move(*redis);
  auto bus = Bus::Connect(options_.nats_url, "ankommen-sim", nullptr);
  if (!bus.ok()) return bus.status();
  bus_ = std::move(*bus);
  auto channel = [](const std::string& addr) { return grpc::CreateChannel(addr, ChannelCredentialsOrExit()); };
  registry_ = rv1::RegistryService::NewStub(channel(options_.registry_addr));
  courses_ = cv1::CourseService::NewStub(channel(options_.courses_addr));
  schools_ = sv1::SchoolService::NewStub(channel(options_.schools_addr));
  housing_ = hv1::HousingService::NewStub(channel(options_.housing_addr));
  notifications_ = nv1::NotificationService::NewStub(channel(options_.notifications_addr));
  mediators_ = mv1::MediatorService::NewStub(channel(options_.mediators_addr));
  casework_ = wv1::CaseworkService::NewStub(channel(options_.casework_addr));
  return absl::OkStatus();
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
  static const char* kServices[] = {"registry", "courses", "schools", "housing", "notifications", "mediators",
                                    "casework"};
  static const char* kStreams[] = {streams::kRegistry, streams::kCourses, streams::kSchools, streams::kHousing,
                                   streams::kMediators, streams::kCasework};
  std::vector<std::vector<std::string>> xlens;
  for (const char* service : kServices) {
    KeySpace keys(service);
    for (int p = 0; p < kPartitions; ++p) xlens.push_back({"XLEN", keys.Outbox(p)});
  }
  const absl::Time give_up = absl::Now() + absl::Seconds(120);
  int quiet_rounds = 0;
  absl::Status last_failure;
  while (quiet_rounds < 2) {
    if (absl::Now() > give_up) {
      return absl::DeadlineExceededError(absl::StrCat("the services did not settle within 120 s",
                                                      last_failure.ok() ? "" : "; last reading: ",
                                                      last_failure.message()));
    }
    int64_t unfinished = 0;
    auto replies = redis_->Pipeline(xlens);
    if (!replies.ok()) return replies.status();
    for (const auto& r : *replies) unfinished += r.integer;
    for (const char* stream : kStreams) {
      auto n = bus_->Unfinished(stream);
      // A reading that failed counts as not settled and is read again: nats.c
      // 3.3 now and then cannot parse the consumer list the server sends
      // ("array of type 9 not supported", once in about 40 half-years).
      if (!n.ok()) {
        last_failure = n.status();
        unfinished += 1;
        continue;
      }
      unfinished += *n;
    }
    quiet_rounds = unfinished == 0 ? quiet_rounds + 1 : 0;
    absl::SleepFor(absl::Milliseconds(unfinished == 0 ? 15 : 25));
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
  report_.child_days_left_waiting_with_seat_in_reach += schools_response.left_waiting_with_seat_in_reach();
  hv1::RunAllocationResponse housing_response;
  return Call(*housing_, &hv1::HousingService::Stub::RunAllocation, hv1::RunAllocationRequest(), &housing_response);
}

absl::Status Simulation::AgeChanges(int) {
  rv1::RunAgeChangesResponse response;
  if (auto s = Call(*registry_, &rv1::RegistryService::Stub::RunAgeChanges, rv1::RunAgeChangesRequest(), &response);
      !s.ok()) {
    return s;
  }
  report_.households_aged += response.households_announced();
  return absl::OkStatus();
}

absl::Status Simulation::Day(int day) {
  if (auto s = SetClock(day); !s.ok()) return s;
  // The world acts ...
  for (auto step : {&Simulation::AgeChanges, &Simulation::AnnounceCourses, &Simulation::StartAndCompleteCourses, &Simulation::RegisterArrivals,
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
  if (auto s = Mediate(day); !s.ok()) return s;
  if (auto s = DoCaseworkTasks(day); !s.ok()) return s;
  if (auto s = Settle(); !s.ok()) return s;
  return ReadEvents(day);
}

absl::Status Simulation::Run() {
  const absl::Time began = absl::Now();
  if (auto s = Connect(); !s.ok()) return s;
  report_.district = district_.name;
  if (district_.caseload_target > 0) report_.caseload_target = district_.caseload_target;
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
  if (auto s = ImportMediators(); !s.ok()) return s;
  if (auto s = ImportSocialWorkers(); !s.ok()) return s;
  for (int day = 0; day < options_.weeks * 7; ++day) {
    if (auto s = Day(day); !s.ok()) return absl::Status(s.code(), absl::StrCat("day ", day + 1, ": ", s.message()));
    if (day % 7 == 6) {
      if (auto s = Snapshot(day / 7); !s.ok()) return s;
    }
  }
  if (auto s = Finish(report_); !s.ok()) return s;
  if (auto s = CouncilReport(report_); !s.ok()) return s;
  report_.seconds = absl::ToDoubleSeconds(absl::Now() - began);
  for (const auto& [stream, last] : stream_cursor_) report_.events += last;
  return absl::OkStatus();
}

absl::StatusOr<Report> Simulate(const SimOptions& options, const District& district) {
  Simulation simulation(options, district);
  auto s = simulation.Run();
  if (!s.ok()) return s;
  return simulation.TakeReport();
}

}  // namespace ankommen::sim
