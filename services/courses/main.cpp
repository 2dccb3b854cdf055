// ankommen-courses: wiring only.
#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "allocator.h"
#include "runtime/config_flags.h"
#include "courses.h"
#include "courses_grpc.h"
#include "grpc/grpc_host.h"
#include "observability/log.h"
#include "runtime/platform.h"
#include "runtime/service_main.h"
#include "storage/course_store.h"
#include "bus/streams.h"

int main(int argc, char** argv) {
  using namespace ankommen;
  BlockTerminationSignals();
  courses::CourseSettings settings;
  std::string area_limits;
  int period_seconds = 300;
  std::string group_sizes;
  ServiceConfig config = LoadServiceConfig("courses", argc, argv, [&](CLI::App& app) {
    app.add_option("--policy", settings.policy, "allocation: optimal or fcfs (ANKOMMEN_COURSES_POLICY)")
        ->envname("ANKOMMEN_COURSES_POLICY")
        ->check(CLI::IsMember({"optimal", "fcfs"}));
    app.add_option("--overbook", settings.overbook,
                   "offer more than the free seats by the acceptance seen (ANKOMMEN_COURSES_OVERBOOK)")
        ->envname("ANKOMMEN_COURSES_OVERBOOK");
    app.add_option("--offers-at-once", settings.offers_at_once,
                   "how many courses the optimal policy offers a person at once; the first accepted withdraws "
                   "the others (ANKOMMEN_COURSES_OFFERS_AT_ONCE)")
        ->envname("ANKOMMEN_COURSES_OFFERS_AT_ONCE")
        ->check(CLI::Range(1, 3));
    app.add_option("--wait-target-days", settings.wait_target_days,
                   "the district's target for the waiting time, registration with the provider to the course's "
                   "start; BAMF's six weeks (ANKOMMEN_COURSES_WAIT_TARGET_DAYS)")
        ->envname("ANKOMMEN_COURSES_WAIT_TARGET_DAYS")
        ->check(CLI::Range(1, 365));
    app.add_option("--answer-days", settings.answer_days, "days to answer an offer (ANKOMMEN_COURSES_ANSWER_DAYS)")
        ->envname("ANKOMMEN_COURSES_ANSWER_DAYS")
        ->check(CLI::Range(1, 60));
    app.add_option("--min-answer-days", settings.min_answer_days,
                   "near a course's start, the shortest deadline; below --answer-days, offers near the start "
                   "are due the day before it (ANKOMMEN_COURSES_MIN_ANSWER_DAYS)")
        ->envname("ANKOMMEN_COURSES_MIN_ANSWER_DAYS")
        ->check(CLI::Range(1, 60));
    app.add_option("--late-entry-days", settings.late_entry_days,
                   "how long after its start a course takes newcomers (ANKOMMEN_COURSES_LATE_ENTRY_DAYS)")
        ->envname("ANKOMMEN_COURSES_LATE_ENTRY_DAYS")
        ->check(CLI::Range(0, 365));
    app.add_option("--max-km", settings.default_max_km,
                   "default travel limit in km (ANKOMMEN_COURSES_MAX_KM)")
        ->envname("ANKOMMEN_COURSES_MAX_KM")
        ->check(CLI::Range(1.0, 200.0));
    app.add_option("--area-max-km", area_limits,
                   "per social area, e.g. \"Riesa=20,Meißen=10\" (ANKOMMEN_COURSES_AREA_MAX_KM)")
        ->envname("ANKOMMEN_COURSES_AREA_MAX_KM");
    app.add_option("--group-sizes", group_sizes,
                   "group sizes per course type over BAMF's, e.g. \"integration_alpha=16,integration_general=20\" "
                   "(ANKOMMEN_COURSES_GROUP_SIZES)")
        ->envname("ANKOMMEN_COURSES_GROUP_SIZES");
    app.add_option("--childcare-from-age", settings.childcare_from_age,
                   "the age from which childcare beside a course takes a child (ANKOMMEN_COURSES_CHILDCARE_FROM_AGE)")
        ->envname("ANKOMMEN_COURSES_CHILDCARE_FROM_AGE")
        ->check(CLI::Range(0, 5));
    app.add_option("--allocation-period", period_seconds,
                   "seconds between scheduled allocation runs (ANKOMMEN_COURSES_ALLOCATION_PERIOD)")
        ->envname("ANKOMMEN_COURSES_ALLOCATION_PERIOD")
        ->check(CLI::Range(1, 86400));
  });
  if (!ParseNamedNumbers(area_limits, 0.1, 200, settings.area_max_km)) {
    std::cerr << "ankommen-courses: --area-max-km: expected area=km pairs separated by commas\n";
    return 2;
  }

  if (auto s = settings.types.SetGroupSizes(group_sizes); !s.ok()) {
    std::cerr << "ankommen-courses: --group-sizes: " << s.message() << "\n";
    return 2;
  }
  settings.rules.land = LandRulesOf(config);
  auto platform = Platform::Start(config, {streams::Courses(), streams::Registry(), streams::Schools()});
  if (!platform.ok()) {
    log::Error("start_failed", {{"error", platform.status().message()}});
    return 1;
  }
  const Clock& clock = (*platform)->clock();
  courses::CourseStore store((*platform)->outbox(), (*platform)->redis());
  // A store written by a release before the line index gets it here, once.
  if (auto indexed = store.BuildLines(); !indexed.ok()) {
    log::Error("start_failed", {{"error", indexed.status().message()}});
    return 1;
  } else if (*indexed > 0) {
    log::Info("waiting_lines_built", {{"learners", static_cast<int64_t>(*indexed)}});
  }
  courses::Courses use_cases(store, clock, DistrictTimeZone(), settings, (*platform)->metrics());
  courses::AllocatorOptions allocator_options;
  allocator_options.loop.period = absl::Seconds(period_seconds);
  allocator_options.loop.runs_on_its_own = !(*platform)->simulated();
  allocator_options.metrics = &(*platform)->metrics();
  courses::Allocator allocator(use_cases, ReplicaName(), allocator_options);
  use_cases.set_on_demand([&allocator] { allocator.Wake(); });
  use_cases.set_on_change([&allocator] { allocator.RefreshGaugesSoon(); });

  Consumers consumers;
  // The registry's events a lane at a time: a run of registrations on one
  // read and one round trip of commits.
  if (!consumers.Add((*platform)->SubscribeBatches(streams::kRegistry, "courses-registry", "",
                                                   [&use_cases](const std::vector<IncomingEvent>& events) {
                                                     return use_cases.ApplyRegistryEvents(events);
                                                   })) ||
      !consumers.Add((*platform)->Subscribe(streams::kSchools, "courses-kita", streams::kKitaPlaced,
                                            [&use_cases](const IncomingEvent& e) { return use_cases.ApplySchoolsEvent(e); }))) {
    return 1;
  }
  allocator.Start();
  return ServeService(*platform, "ankommen.courses.v1.CourseService", consumers,
                      [&](Edge& edge) { return std::make_unique<courses::CourseGrpcService>(use_cases, allocator, edge); },
                      [&] { allocator.Stop(); });
}

