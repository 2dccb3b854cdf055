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

int main(int argc, char** argv) {
  using namespace ankommen;
  BlockTerminationSignals();
  ServiceConfig config = LoadServiceConfig("registry", argc, argv);

  StreamSpec registry_stream;
  registry_stream.name = registry::kRegistryStream;
  registry_stream.subjects = {std::string(registry::kSubjectPrefix) + ">"};
  auto platform = Platform::Start(config, {registry_stream});
  if (!platform.ok()) {
    log::Error("start_failed", {{"error", platform.status().message()}});
    return 1;
  }

  absl::TimeZone zone;
  if (!absl::LoadTimeZone("Europe/Berlin", &zone)) log::Warn("time_zone_missing", {{"using", "UTC"}});
  SystemClock clock;
  registry::HouseholdStore store((*platform)->outbox(), (*platform)->redis());
  registry::Registry registry(store, clock, zone);
  AllowAllAuthorizer authorizer;
  WorkerPool workers(config.redis_pool_size * 2, 1024);
  Edge edge(authorizer, workers);
  registry::RegistryGrpcService service(registry, edge);

  int code = (*platform)->ServeUntilSignal({&service}, {"ankommen.registry.v1.RegistryService"});
  workers.Stop();
  platform->reset();
  nats_Close();
  return code;
}
