// ankommen-registry: wiring only.
#include <nats/nats.h>

#include "config_flags.h"
#include "domain/facts.h"
#include "grpc_host.h"
#include "log.h"
#include "platform.h"
#include "registry.h"
#include "registry_grpc.h"
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

  SystemClock clock;
  registry::HouseholdStore store((*platform)->outbox(), (*platform)->redis());
  registry::Registry registry(store, clock, DistrictTimeZone());
  AllowAllAuthorizer authorizer;
  WorkerPool workers(config.redis_pool_size * 2, 1024);
  Edge edge(authorizer, workers);
  registry::RegistryGrpcService service(registry, edge);

  // Levels reached in courses come back to the registry.
  auto consumer = (*platform)->Subscribe(streams::kCourses, "registry-course-results", streams::kCourseCompleted,
                                         [&registry](const IncomingEvent& e) { return registry.ApplyCourseCompleted(e); });
  if (!consumer.ok()) {
    log::Error("consumer_failed", {{"error", consumer.status().message()}});
    return 1;
  }
  std::vector<std::unique_ptr<Consumer>> consumers;
  consumers.push_back(std::move(*consumer));
  int code = (*platform)->ServeUntilSignal({&service}, {"ankommen.registry.v1.RegistryService"}, std::move(consumers));
  workers.Stop();
  platform->reset();
  nats_Close();
  return code;
}
