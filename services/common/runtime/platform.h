// Wires the platform pieces a service process needs, in start-up order:
// logging, metrics endpoint, Redis pool, NATS with its streams, the outbox and
// its relay; then serves gRPC until SIGTERM and stops in reverse order.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "bus/bus.h"
#include "runtime/clock.h"
#include "runtime/config.h"
#include "runtime/redis_endpoint.h"
#include "observability/metrics.h"
#include "store/outbox.h"
#include "store/redis.h"

namespace grpc {
class Service;
}

namespace ankommen {

// This replica's name, unique among replicas: host, process and a random part.
std::string ReplicaName();

class Platform {
 public:
  // Connects everything; streams are created or updated to the given specs
  // (the dead-letter stream always).
  static absl::StatusOr<std::unique_ptr<Platform>> Start(const ServiceConfig& config,
                                                         const std::vector<StreamSpec>& streams);
  ~Platform();

  const ServiceConfig& config() const { return config_; }
  Metrics& metrics() { return *metrics_; }
  RedisPool& redis() { return *redis_; }
  Bus& bus() { return *bus_; }
  Outbox& outbox() { return *outbox_; }
  // The system clock, or the simulator's (ServiceConfig::clock).
  const Clock& clock() const { return *clock_; }
  // A simulated district: the simulator sets the time and calls the runs.
  bool simulated() const { return config_.clock == "simulated"; }

  // A durable consumer of a stream (filter empty: all of it), dead-lettering
  // after the configured number of deliveries.
  absl::StatusOr<std::unique_ptr<Consumer>> Subscribe(const std::string& stream, const std::string& durable,
                                                      const std::string& filter, EventHandler handler);
  // The same with a handler of a lane's events at once (bus.h, BatchHandler).
  absl::StatusOr<std::unique_ptr<Consumer>> SubscribeBatches(const std::string& stream, const std::string& durable,
                                                             const std::string& filter, BatchHandler handler);

  // Serves until SIGTERM or SIGINT, then drains: health NOT_SERVING, calls in
  // flight finish (up to 10 s), consumers stop, the relay publishes what is left.
  // Returns the process exit code.
  int ServeUntilSignal(const std::vector<grpc::Service*>& services, const std::vector<std::string>& health_names,
                       std::vector<std::unique_ptr<Consumer>> consumers = {});

 private:
  explicit Platform(ServiceConfig config) : config_(std::move(config)) {}

  ServiceConfig config_;
  std::unique_ptr<Metrics> metrics_;
  std::unique_ptr<RedisPool> redis_;
  std::unique_ptr<Clock> clock_;
  std::unique_ptr<Bus> bus_;
  std::unique_ptr<Outbox> outbox_;
  std::unique_ptr<OutboxRelay> relay_;
};

}  // namespace ankommen
