// The end of every service's main(): the gRPC edge (authorisation, worker
// pool), serving until SIGTERM with the consumers, and the shutdown in
// order. Include only from main.cpp files.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <grpcpp/grpcpp.h>
#include <nats/nats.h>

#include "grpc/grpc_auth.h"
#include "grpc/grpc_edge.h"
#include "observability/log.h"
#include "runtime/platform.h"

namespace ankommen {

// Collects a service's consumers; a consumer that cannot start is an error at start-up.
class Consumers {
 public:
  bool Add(absl::StatusOr<std::unique_ptr<Consumer>> consumer) {
    if (!consumer.ok()) {
      log::Error("consumer_failed", {{"error", consumer.status().message()}});
      return false;
    }
    list_.push_back(std::move(*consumer));
    return true;
  }
  std::vector<std::unique_ptr<Consumer>> Take() { return std::move(list_); }

 private:
  std::vector<std::unique_ptr<Consumer>> list_;
};

// make_service(edge) builds the gRPC service; before_stop runs once serving
// has ended (stop background runners). Returns the exit code.
template <typename MakeService>
int ServeService(std::unique_ptr<Platform>& platform, const std::string& health_name, Consumers& consumers,
                 MakeService make_service, const std::function<void()>& before_stop = {}) {
  auto authorizer = MakeAuthorizer(platform->config());
  if (!authorizer.ok()) {
    log::Error("auth_failed", {{"error", authorizer.status().message()}});
    return 2;
  }
  WorkerPool workers(platform->config().redis_pool_size * 2, static_cast<size_t>(platform->config().max_queued));
  Edge edge(**authorizer, workers);
  auto service = make_service(edge);
  int code = platform->ServeUntilSignal({service.get()}, {health_name}, consumers.Take());
  if (before_stop) before_stop();
  workers.Stop();
  platform.reset();
  nats_Close();
  return code;
}

}  // namespace ankommen
