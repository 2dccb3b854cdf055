// The gRPC server every service runs: the standard health service with a
// status per service, server reflection, interceptors for metrics and request
// logs, and graceful shutdown.
#pragma once

#include <grpcpp/security/server_credentials.h>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"

namespace grpc {
class Server;
class Service;
}  // namespace grpc

namespace ankommen {

class Metrics;

class GrpcHost {
 public:
  GrpcHost(std::string service_name, Metrics& metrics);
  ~GrpcHost();

  // Binds addr (port 0 picks one) and starts serving. health_names are the
  // full service names reported SERVING once started, e.g.
  // "ankommen.registry.v1.RegistryService". Server reflection only when asked for.
  absl::Status Start(const std::string& addr, const std::vector<grpc::Service*>& services,
                     std::vector<std::string> health_names, int max_request_bytes,
                     std::shared_ptr<grpc::ServerCredentials> credentials, bool reflection = false);
  int port() const { return port_; }

  // NOT_SERVING first, so load balancers stop sending; then waits up to
  // `grace` for calls in flight, and cancels the rest.
  void Shutdown(absl::Duration grace);

 private:
  std::string service_name_;
  Metrics& metrics_;
  std::unique_ptr<grpc::Server> server_;
  std::vector<std::string> health_names_;
  int port_ = 0;
};

// Blocks SIGTERM and SIGINT in this thread and every thread started after it;
// call first thing in main.
void BlockTerminationSignals();

// Waits for SIGTERM or SIGINT; returns the signal's name.
std::string WaitForTerminationSignal();

}  // namespace ankommen
