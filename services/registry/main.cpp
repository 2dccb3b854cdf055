// ankommen-registry: wiring only.
#include "config_flags.h"
#include "domain/facts.h"
#include "grpc_host.h"
#include "log.h"
#include "platform.h"
#include "registry.h"
#include "registry_grpc.h"
#include "service_main.h"
#include "storage/household_store.h"
#include "streams.h"

int main(int argc, char** argv) {
  using namespace ankommen;
  BlockTerminationSignals();
  ServiceConfig config = LoadServiceConfig("registry", argc, argv);

  auto platform = Platform::Start(config, {streams::Registry(), streams::Courses()});
  if (!platform.ok()) {
    log::Error("start_failed", {{"error", platform.status().message()}});
    return 1;
  }

  const Clock& clock = (*platform)->clock();
  registry::HouseholdStore store((*platform)->outbox(), (*platform)->redis());
  registry::Registry registry(store, clock, DistrictTimeZone());
  // Levels reached in courses come back to the registry.
  Consumers consumers;
  if (!consumers.Add((*platform)->Subscribe(streams::kCourses, "registry-course-results", streams::kCourseCompleted,
                                            [&registry](const IncomingEvent& e) { return registry.ApplyCourseCompleted(e); }))) {
    return 1;
  }
  return ServeService(*platform, "ankommen.registry.v1.RegistryService", consumers,
                      [&](Edge& edge) { return std::make_unique<registry::RegistryGrpcService>(registry, edge); });
}

