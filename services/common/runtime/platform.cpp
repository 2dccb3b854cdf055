#include "runtime/platform.h"

#include "grpc/grpc_credentials.h"

#include <unistd.h>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/civil_time.h"
#include "grpc/grpc_host.h"
#include "store/ids.h"
#include "observability/log.h"
#include "runtime/simulated_clock.h"

namespace ankommen {

std::string ReplicaName() {
  char host[256] = {0};
  gethostname(host, sizeof(host) - 1);
  return absl::StrCat(host, "/", getpid(), "/", NewRandomId("r", 0));
}

namespace {

ConsumerSpec SpecOf(const ServiceConfig& config, const std::string& stream, const std::string& durable,
                    const std::string& filter) {
  ConsumerSpec spec;
  spec.stream = stream;
  spec.durable = durable;
  spec.filter_subject = filter;
  spec.max_deliver = config.max_deliver;
  spec.workers = config.consumer_workers;
  return spec;
}

}  // namespace

absl::StatusOr<std::unique_ptr<Consumer>> Platform::Subscribe(const std::string& stream, const std::string& durable,
                                                              const std::string& filter, EventHandler handler) {
  return bus_->Consume(SpecOf(config_, stream, durable, filter), std::move(handler));
}

absl::StatusOr<std::unique_ptr<Consumer>> Platform::SubscribeBatches(const std::string& stream,
                                                                     const std::string& durable,
                                                                     const std::string& filter, BatchHandler handler) {
  return bus_->ConsumeBatches(SpecOf(config_, stream, durable, filter), std::move(handler));
}

absl::StatusOr<std::unique_ptr<Platform>> Platform::Start(const ServiceConfig& config,
                                                          const std::vector<StreamSpec>& streams) {
  log::Init(config.service, config.log_level);
  std::unique_ptr<Platform> p(new Platform(config));
  auto metrics = Metrics::Serve(config.metrics_addr);
  if (!metrics.ok()) return metrics.status();
  p->metrics_ = std::move(*metrics);
  auto endpoint = RedisEndpointOf(config);
  if (!endpoint.ok()) return endpoint.status();
  auto redis = RedisPool::Connect(*endpoint, config.redis_pool_size);
  if (!redis.ok()) return redis.status();
  p->redis_ = std::move(*redis);
  if (config.clock == "simulated") {
    p->clock_ = std::make_unique<SimulatedClock>(*p->redis_);
    log::Warn("simulated_clock", {{"reason", "ANKOMMEN_CLOCK=simulated: time is set by ankommen-sim"}});
    // A simulated run must repeat: ids derive from their causes (ids.h),
    // salted by how often this service has started on this Redis.
    auto starts = p->redis_->Command({"INCR", absl::StrCat("ankommen:", config.service, ":starts")});
    if (!starts.ok()) return starts.status();
    DeriveIds(absl::StrCat(config.service, "/", starts->integer));
  } else {
    p->clock_ = std::make_unique<SystemClock>();
  }
  auto bus = Bus::Connect(config, absl::StrCat("ankommen-", config.service), p->metrics_.get());
  if (!bus.ok()) return bus.status();
  p->bus_ = std::move(*bus);
  StreamSpec dead_letters = DeadLetterStreamSpec();
  dead_letters.replicas = config.stream_replicas;
  if (auto s = p->bus_->EnsureStream(dead_letters); !s.ok()) return s;
  for (StreamSpec spec : streams) {
    spec.replicas = config.stream_replicas;
    if (auto s = p->bus_->EnsureStream(spec); !s.ok()) return s;
  }
  KeySpace keys(config.service);
  p->outbox_ = std::make_unique<Outbox>(*p->redis_, keys);
  p->relay_ = std::make_unique<OutboxRelay>(*p->redis_, *p->bus_, keys, p->metrics_.get());
  if (config.outbox_relay) {
    p->outbox_->set_wake([relay = p->relay_.get()](int partition) { relay->Wake(partition); });
    p->relay_->Start();
  } else {
    log::Warn("outbox_relay_disabled", {{"reason", "ANKOMMEN_OUTBOX_RELAY=off"}});
  }
  log::Info("platform_started", {{"metrics_port", p->metrics_->port()}});
  return p;
}

Platform::~Platform() {
  if (relay_) relay_->Stop();
  // The metrics endpoint's web server (civetweb) polls its socket for up to
  // 2 s before it notices a stop. A platform ends with its process, which
  // closes the socket: left to the OS, shutdown takes 0.4 s instead of 2.
  (void)metrics_.release();
}

int Platform::ServeUntilSignal(const std::vector<grpc::Service*>& services,
                               const std::vector<std::string>& health_names,
                               std::vector<std::unique_ptr<Consumer>> consumers) {
  GrpcHost host(config_.service, *metrics_);
  auto credentials = ServerCredentials(config_);
  if (!credentials.ok()) {
    log::Error("tls_failed", {{"error", credentials.status().message()}});
    return 2;
  }
  GrpcHostOptions options;
  options.addr = config_.grpc_addr;
  options.probe_addr = config_.probe_addr;
  options.max_request_bytes = config_.max_request_bytes;
  options.memory_bytes = int64_t{config_.grpc_memory_mb} * 1024 * 1024;
  options.credentials = *credentials;
  options.reflection = config_.reflection;
  if (auto s = host.Start(options, services, health_names); !s.ok()) {
    log::Error("grpc_start_failed", {{"error", s.message()}});
    return 1;
  }
  log::Info("ready", {{"grpc_port", host.port()}, {"probe_port", host.probe_port()}, {"metrics_port", metrics_->port()}});
  std::string signal = WaitForTerminationSignal();
  log::Info("shutting_down", {{"signal", signal}});
  host.Shutdown(absl::Seconds(10));
  for (auto& consumer : consumers) consumer->RequestStop();
  for (auto& consumer : consumers) consumer->Stop();
  relay_->Stop();
  log::Info("stopped");
  return 0;
}

}  // namespace ankommen
