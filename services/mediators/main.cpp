// ankommen-mediators: wiring only.
#include "bus/streams.h"
#include "grpc/grpc_host.h"
#include "matcher.h"
#include "mediators.h"
#include "mediators_grpc.h"
#include "observability/log.h"
#include "runtime/config_flags.h"
#include "runtime/platform.h"
#include "runtime/service_main.h"
#include "storage/mediators_store.h"

int main(int argc, char** argv) {
  using namespace ankommen;
  BlockTerminationSignals();
  mediators::MediatorsSettings settings;
  int period_seconds = 300;
  int travel_minutes = 30;
  int urgent_hours = 24;
  ServiceConfig config = LoadServiceConfig("mediators", argc, argv, [&](CLI::App& app) {
    app.add_option("--policy", settings.match.policy, "matching: optimal or fcfs (ANKOMMEN_MEDIATORS_POLICY)")
        ->envname("ANKOMMEN_MEDIATORS_POLICY")
        ->check(CLI::IsMember({"optimal", "fcfs"}));
    app.add_option("--matching-period", period_seconds,
                   "seconds between scheduled matching runs (ANKOMMEN_MEDIATORS_MATCHING_PERIOD)")
        ->envname("ANKOMMEN_MEDIATORS_MATCHING_PERIOD")
        ->check(CLI::Range(1, 86400));
    app.add_option("--travel-minutes", travel_minutes,
                   "time a mediator needs between two appointments in person (ANKOMMEN_MEDIATORS_TRAVEL_MINUTES)")
        ->envname("ANKOMMEN_MEDIATORS_TRAVEL_MINUTES")
        ->check(CLI::Range(0, 240));
    app.add_option("--urgent-target-hours", urgent_hours,
                   "hours within which an urgent request should be booked: the alert's threshold "
                   "(ANKOMMEN_MEDIATORS_URGENT_TARGET_HOURS)")
        ->envname("ANKOMMEN_MEDIATORS_URGENT_TARGET_HOURS")
        ->check(CLI::Range(1, 720));
  });
  settings.match.zone = DistrictTimeZone();
  settings.match.travel = absl::Minutes(travel_minutes);
  settings.urgent_target = absl::Hours(urgent_hours);

  auto platform = Platform::Start(config, {streams::Mediators(), streams::Registry()});
  if (!platform.ok()) {
    log::Error("start_failed", {{"error", platform.status().message()}});
    return 1;
  }
  mediators::MediatorsStore store((*platform)->outbox(), (*platform)->redis());
  mediators::Mediators use_cases(store, (*platform)->clock(), settings, (*platform)->metrics());
  mediators::MatcherOptions matcher_options;
  matcher_options.loop.period = absl::Seconds(period_seconds);
  matcher_options.loop.runs_on_its_own = !(*platform)->simulated();
  matcher_options.metrics = &(*platform)->metrics();
  mediators::Matcher matcher(use_cases, ReplicaName(), matcher_options);
  use_cases.set_on_demand([&matcher] { matcher.Wake(); });
  use_cases.set_on_change([&matcher] { matcher.RefreshGaugesSoon(); });

  Consumers consumers;
  if (!consumers.Add((*platform)->Subscribe(streams::kRegistry, "mediators-registry", "",
                                            [&use_cases](const IncomingEvent& e) { return use_cases.ApplyRegistryEvent(e); }))) {
    return 1;
  }
  matcher.Start();
  return ServeService(*platform, "ankommen.mediators.v1.MediatorService", consumers,
                      [&](Edge& edge) { return std::make_unique<mediators::MediatorsGrpcService>(use_cases, matcher, edge); },
                      [&] { matcher.Stop(); });
}
