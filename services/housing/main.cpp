// ankommen-housing: wiring only.
#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "allocator.h"
#include "rules/land.h"
#include "runtime/config_flags.h"
#include "grpc/grpc_host.h"
#include "housing.h"
#include "housing_grpc.h"
#include "observability/log.h"
#include "runtime/platform.h"
#include "runtime/service_main.h"
#include "storage/housing_store.h"
#include "bus/streams.h"

int main(int argc, char** argv) {
  using namespace ankommen;
  BlockTerminationSignals();
  housing::HousingSettings settings;
  std::string workers_text;
  int period_seconds = 300;
  int square_metres = 0;
  ServiceConfig config = LoadServiceConfig("housing", argc, argv, [&](CLI::App& app) {
    app.add_option("--policy", settings.policy, "allocation: optimal or fcfs (ANKOMMEN_HOUSING_POLICY)")
        ->envname("ANKOMMEN_HOUSING_POLICY")
        ->check(CLI::IsMember({"optimal", "fcfs"}));
    app.add_option("--m2-per-person", square_metres,
                   "minimum living space per person; unset: the Land's standard (ANKOMMEN_HOUSING_M2_PER_PERSON)")
        ->envname("ANKOMMEN_HOUSING_M2_PER_PERSON")
        ->check(CLI::Range(1, 50));
    app.add_option("--max-km", settings.max_km, "farthest placement from where a household registered (ANKOMMEN_HOUSING_MAX_KM)")
        ->envname("ANKOMMEN_HOUSING_MAX_KM")
        ->check(CLI::Range(1.0, 500.0));
    app.add_option("--social-workers", workers_text, "per social area, e.g. \"Riesa=2,Meißen=3\" (ANKOMMEN_HOUSING_SOCIAL_WORKERS)")
        ->envname("ANKOMMEN_HOUSING_SOCIAL_WORKERS");
    app.add_option("--caseload-target", settings.caseload_target,
                   "refugee social work's target: persons drawing AsylbLG benefits in shared accommodation per "
                   "social worker (ANKOMMEN_HOUSING_CASELOAD_TARGET)")
        ->envname("ANKOMMEN_HOUSING_CASELOAD_TARGET")
        ->check(CLI::Range(1, 10000));
    app.add_option("--allocation-period", period_seconds,
                   "seconds between scheduled allocation runs (ANKOMMEN_HOUSING_ALLOCATION_PERIOD)")
        ->envname("ANKOMMEN_HOUSING_ALLOCATION_PERIOD")
        ->check(CLI::Range(1, 86400));
  });
  settings.standards.square_metres_per_person =
      square_metres > 0 ? square_metres : LandRulesOf(config).square_metres_per_person;
  if (settings.standards.square_metres_per_person == 0) {
    std::cerr << "ankommen-housing: the Land " << config.land
              << " has no living-space standard here (SN has): set ANKOMMEN_HOUSING_M2_PER_PERSON\n";
    return 2;
  }
  std::map<std::string, double> workers;
  if (!ParseNamedNumbers(workers_text, 0, 1000, workers)) {
    std::cerr << "ankommen-housing: --social-workers: expected area=count pairs separated by commas\n";
    return 2;
  }
  for (const auto& [area, count] : workers) settings.social_workers[area] = static_cast<int>(count);

  auto platform = Platform::Start(config, {streams::Housing(), streams::Registry()});
  if (!platform.ok()) {
    log::Error("start_failed", {{"error", platform.status().message()}});
    return 1;
  }
  const Clock& clock = (*platform)->clock();
  housing::HousingStore store((*platform)->outbox(), (*platform)->redis());
  housing::Housing use_cases(store, clock, DistrictTimeZone(), settings, (*platform)->metrics());
  housing::AllocatorOptions allocator_options;
  allocator_options.loop.period = absl::Seconds(period_seconds);
  allocator_options.loop.runs_on_its_own = !(*platform)->simulated();
  allocator_options.metrics = &(*platform)->metrics();
  housing::Allocator allocator(use_cases, ReplicaName(), allocator_options);
  use_cases.set_on_demand([&allocator] { allocator.Wake(); });
  use_cases.set_on_change([&allocator] { allocator.RefreshGaugesSoon(); });

  Consumers consumers;
  if (!consumers.Add((*platform)->Subscribe(streams::kRegistry, "housing-registry", "", [&use_cases](const IncomingEvent& e) {
        return use_cases.ApplyRegistryEvent(e);
      }))) {
    return 1;
  }
  allocator.Start();
  return ServeService(*platform, "ankommen.housing.v1.HousingService", consumers,
                      [&](Edge& edge) { return std::make_unique<housing::HousingGrpcService>(use_cases, allocator, edge); },
                      [&] { allocator.Stop(); });
}

