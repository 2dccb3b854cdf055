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
class CallbackGenericService;
class Server;
class Service;
}  // namespace grpc

namespace ankommen {

class Metrics;

struct GrpcHostOptions {
  std::string addr;  // host:port; port 0 picks one
  // A plaintext port answering grpc.health.v1 only (the kubelet's gRPC probes
  // speak no TLS); empty: none. Port 0 picks one.
  std::string probe_addr;
  int max_request_bytes = 8 * 1024 * 1024;
  // gRPC's resource quota: the memory all calls in flight may hold.
  int64_t memory_bytes = 128 * 1024 * 1024;
  std::shared_ptr<grpc::ServerCredentials> credentials;  // TLS or insecure
  bool reflection = false;                               // server reflection only when asked for
};

class GrpcHost {
 public:
  GrpcHost(std::string service_name, Metrics& metrics);
  ~GrpcHost();

  // Binds and starts serving. health_names are the full service names
  // reported SERVING once started, e.g. "ankommen.registry.v1.RegistryService";
  // the probe port reports the same.
  absl::Status Start(const GrpcHostOptions& options, const std::vector<grpc::Service*>& services,
                     std::vector<std::string> health_names);
  int port() const { return port_; }
  int probe_port() const { return probe_port_; }

  // NOT_SERVING first, so load balancers stop sending; then waits up to
  // `grace` for calls in flight, and cancels the rest.
  void Shutdown(absl::Duration grace);

 private:
  std::string service_name_;
  Metrics& metrics_;
  void SetServing(bool serving);

  std::unique_ptr<grpc::Server> server_;
  std::unique_ptr<grpc::Server> probe_server_;
  std::unique_ptr<grpc::CallbackGenericService> probe_rest_;  // every other method: UNIMPLEMENTED
  std::vector<std::string> health_names_;
  int port_ = 0;
  int probe_port_ = 0;
};

// Blocks SIGTERM and SIGINT in this thread and every thread started after it;
// call first thing in main.
void BlockTerminationSignals();

// Waits for SIGTERM or SIGINT; returns the signal's name.
std::string WaitForTerminationSignal();

}  // namespace ankommen
