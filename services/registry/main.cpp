// ankommen-registry: wiring only.
#include "config_flags.h"
#include "domain/facts.h"
#include "grpc_host.h"
#include "log.h"
#include "platform.h"
#include "registry.h"
#include "registry_grpc.h"
#include "review_metrics.h"
#include "service_main.h"
#include "storage/household_store.h"
#include "streams.h"

int main(int argc, char** argv) {
  using namespace ankommen;
  BlockTerminationSignals();
  std::string duplicates = "hold";
  ServiceConfig config = LoadServiceConfig("registry", argc, argv, [&duplicates](CLI::App& app) {
    app.add_option("--duplicates", duplicates,
                   "hold: a suspected duplicate's household waits for a person's decision before any other "
                   "service hears of it; flag: it goes on at once, the suspicion only listed "
                   "(ANKOMMEN_REGISTRY_DUPLICATES)")
        ->check(CLI::IsMember({"hold", "flag"}))
        ->envname("ANKOMMEN_REGISTRY_DUPLICATES");
  });

  auto platform = Platform::Start(config, {streams::Registry(), streams::Courses()});
  if (!platform.ok()) {
    log::Error("start_failed", {{"error", platform.status().message()}});
    return 1;
  }

  const Clock& clock = (*platform)->clock();
  registry::HouseholdStore store((*platform)->outbox(), (*platform)->redis());
  registry::Registry registry(store, clock, DistrictTimeZone(), {.hold_duplicates = duplicates == "hold"});
  registry::ReviewMetrics review((*platform)->metrics(), store, clock);
  registry.set_on_review([&review](const char* what) { review.Count(what); });
  review.Start();
  // Levels reached in courses come back to the registry.
  Consumers consumers;
  if (!consumers.Add((*platform)->Subscribe(streams::kCourses, "registry-course-results", streams::kCourseCompleted,
                                            [&registry](const IncomingEvent& e) { return registry.ApplyCourseCompleted(e); }))) {
    return 1;
  }
  return ServeService(*platform, "ankommen.registry.v1.RegistryService", consumers,
                      [&](Edge& edge) { return std::make_unique<registry::RegistryGrpcService>(registry, edge); });
}

