#include "grpc/grpc_host.h"

#include <csignal>

#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/generic/async_generic_service.h>
#include <grpcpp/impl/server_builder_option.h>
#include <grpcpp/impl/server_builder_plugin.h>
#include <grpcpp/grpcpp.h>
#include <grpcpp/resource_quota.h>
#include <grpcpp/health_check_service_interface.h>
#include <grpcpp/support/server_interceptor.h>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "store/ids.h"
#include "observability/log.h"
#include "observability/metrics.h"

namespace ankommen {
namespace {

const char* CodeName(grpc::StatusCode code) {
  switch (code) {
    case grpc::OK: return "OK";
    case grpc::CANCELLED: return "CANCELLED";
    case grpc::UNKNOWN: return "UNKNOWN";
    case grpc::INVALID_ARGUMENT: return "INVALID_ARGUMENT";
    case grpc::DEADLINE_EXCEEDED: return "DEADLINE_EXCEEDED";
    case grpc::NOT_FOUND: return "NOT_FOUND";
    case grpc::ALREADY_EXISTS: return "ALREADY_EXISTS";
    case grpc::PERMISSION_DENIED: return "PERMISSION_DENIED";
    case grpc::RESOURCE_EXHAUSTED: return "RESOURCE_EXHAUSTED";
    case grpc::FAILED_PRECONDITION: return "FAILED_PRECONDITION";
    case grpc::ABORTED: return "ABORTED";
    case grpc::OUT_OF_RANGE: return "OUT_OF_RANGE";
    case grpc::UNIMPLEMENTED: return "UNIMPLEMENTED";
    case grpc::INTERNAL: return "INTERNAL";
    case grpc::UNAVAILABLE: return "UNAVAILABLE";
    case grpc::DATA_LOSS: return "DATA_LOSS";
    case grpc::UNAUTHENTICATED: return "UNAUTHENTICATED";
    default: return "UNKNOWN";
  }
}

struct GrpcInstruments {
  explicit GrpcInstruments(prometheus::Registry& registry)
      : requests(prometheus::BuildCounter()
                     .Name("ankommen_grpc_requests_total")
                     .Help("gRPC requests handled, by method and status code")
                     .Register(registry),
                 {"method", "code"}),
        seconds(prometheus::BuildHistogram()
                    .Name("ankommen_grpc_request_duration_seconds")
                    .Help("gRPC request latency, by method")
                    .Register(registry),
                {"method"}) {}
  MetricVec<prometheus::Counter> requests;
  MetricVec<prometheus::Histogram> seconds;
};

// Counts and times every call, and writes one log line per call with its
// method, code, duration and correlation id (no request content).
class ObservingInterceptor final : public grpc::experimental::Interceptor {
 public:
  ObservingInterceptor(grpc::experimental::ServerRpcInfo* info, GrpcInstruments& instruments)
      : method_(info->method()), instruments_(instruments), start_(absl::Now()) {}

  void Intercept(grpc::experimental::InterceptorBatchMethods* methods) override {
    using grpc::experimental::InterceptionHookPoints;
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::POST_RECV_INITIAL_METADATA)) {
      auto* md = methods->GetRecvInitialMetadata();
      if (auto it = md->find("x-correlation-id"); it != md->end()) {
        correlation_id_.assign(it->second.data(), std::min<size_t>(it->second.size(), 128));
      } else {
        // One id for the call's log line, its handler and the events it causes.
        correlation_id_ = NewRandomId("corr", PartitionOfKey(method_));
        md->emplace(grpc::string_ref("x-correlation-id"), grpc::string_ref(correlation_id_));
      }
    }
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::PRE_SEND_STATUS)) {
      grpc::Status status = methods->GetSendStatus();
      double seconds = absl::ToDoubleSeconds(absl::Now() - start_);
      const char* code = CodeName(status.error_code());
      instruments_.requests.With({method_, code}).Increment();
      instruments_.seconds.With({method_}, LatencyBuckets()).Observe(seconds);
      // Health checks come every few seconds from every probe: not worth a line.
      if (method_.rfind("/grpc.health.v1.", 0) != 0) {
        auto level = status.ok() ? log::Level::kInfo : log::Level::kWarn;
        log::Write(level, "grpc_request", {{"method", method_}, {"code", code},
                                           {"duration_ms", seconds * 1000.0},
                                           {"correlation_id", correlation_id_}});
      }
    }
    methods->Proceed();
  }

 private:
  std::string method_;
  GrpcInstruments& instruments_;
  absl::Time start_;
  std::string correlation_id_;
};

class ObservingInterceptorFactory final : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  explicit ObservingInterceptorFactory(prometheus::Registry& registry) : instruments_(registry) {}
  grpc::experimental::Interceptor* CreateServerInterceptor(grpc::experimental::ServerRpcInfo* info) override {
    return new ObservingInterceptor(info, instruments_);
  }

 private:
  GrpcInstruments instruments_;
};

// Takes the reflection plugin out of a server's plugins.
class WithoutReflection final : public grpc::ServerBuilderOption {
 public:
  void UpdateArguments(grpc::ChannelArguments*) override {}
  void UpdatePlugins(std::vector<std::unique_ptr<grpc::ServerBuilderPlugin>>* plugins) override {
    std::erase_if(*plugins, [](const auto& plugin) { return plugin->name() == "proto_server_reflection"; });
  }
};

// The probe port's answer to everything but the health service (which gRPC
// adds to every server): nothing of the API is there.
class HealthOnly final : public grpc::CallbackGenericService {
 public:
  grpc::ServerGenericBidiReactor* CreateReactor(grpc::GenericCallbackServerContext*) override {
    class Refusal final : public grpc::ServerGenericBidiReactor {
     public:
      Refusal() { Finish(grpc::Status(grpc::UNIMPLEMENTED, "the probe port answers grpc.health.v1 only")); }
      void OnDone() override { delete this; }
    };
    return new Refusal;
  }
};

}  // namespace

GrpcHost::GrpcHost(std::string service_name, Metrics& metrics)
    : service_name_(std::move(service_name)), metrics_(metrics) {}

GrpcHost::~GrpcHost() { Shutdown(absl::ZeroDuration()); }

absl::Status GrpcHost::Start(const GrpcHostOptions& options, const std::vector<grpc::Service*>& services,
                             std::vector<std::string> health_names) {
  grpc::EnableDefaultHealthCheckService(true);
  grpc::ServerBuilder builder;
  // Linking grpc++_reflection registers its plugin for every server; this one
  // keeps it only when asked for.
  if (options.reflection) {
    grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  } else {
    builder.SetOption(std::make_unique<WithoutReflection>());
  }
  // TLS (and client certificates) when configured: grpc_credentials.h.
  builder.AddListeningPort(options.addr, options.credentials, &port_);
  // gRPC binds with SO_REUSEPORT on Linux, so a second process on the same
  // address would start and silently take half of the calls: here it fails.
  builder.AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, 0);
  builder.SetMaxReceiveMessageSize(options.max_request_bytes);
  // What one caller can make the process hold before any handler runs: the
  // memory of all calls in flight, the streams on one connection, the size
  // of a call's headers.
  grpc::ResourceQuota quota("ankommen-" + service_name_);
  quota.Resize(static_cast<size_t>(options.memory_bytes));
  builder.SetResourceQuota(quota);
  builder.AddChannelArgument(GRPC_ARG_MAX_CONCURRENT_STREAMS, 100);
  builder.AddChannelArgument(GRPC_ARG_MAX_METADATA_SIZE, 16 * 1024);
  for (auto* service : services) builder.RegisterService(service);
  std::vector<std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>> interceptors;
  interceptors.push_back(std::make_unique<ObservingInterceptorFactory>(metrics_.registry()));
  builder.experimental().SetInterceptorCreators(std::move(interceptors));
  server_ = builder.BuildAndStart();
  if (server_ == nullptr || port_ == 0) {
    server_.reset();
    return absl::UnavailableError(absl::StrCat("cannot listen on ", options.addr));
  }
  if (!options.probe_addr.empty()) {
    // Only the health service: nothing of the API, no personal data.
    grpc::ServerBuilder probe;
    probe.SetOption(std::make_unique<WithoutReflection>());
    probe.AddListeningPort(options.probe_addr, grpc::InsecureServerCredentials(), &probe_port_);
    probe.AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, 0);
    probe.SetMaxReceiveMessageSize(4 * 1024);
    probe.AddChannelArgument(GRPC_ARG_MAX_CONCURRENT_STREAMS, 4);
    probe_rest_ = std::make_unique<HealthOnly>();
    probe.RegisterCallbackGenericService(probe_rest_.get());
    probe_server_ = probe.BuildAndStart();
    if (probe_server_ == nullptr || probe_port_ == 0) {
      probe_server_.reset();
      Shutdown(absl::ZeroDuration());
      return absl::UnavailableError(absl::StrCat("cannot listen on ", options.probe_addr, " (ANKOMMEN_PROBE_ADDR)"));
    }
  }
  health_names_ = std::move(health_names);
  SetServing(true);
  log::Info("grpc_serving", {{"addr", options.addr}, {"port", port_}, {"probe_port", probe_port_}});
  return absl::OkStatus();
}

void GrpcHost::SetServing(bool serving) {
  for (grpc::Server* server : {server_.get(), probe_server_.get()}) {
    if (server == nullptr) continue;
    if (serving) {
      for (const auto& name : health_names_) server->GetHealthCheckService()->SetServingStatus(name, true);
    } else {
      server->GetHealthCheckService()->SetServingStatus(false);
    }
  }
}

void GrpcHost::Shutdown(absl::Duration grace) {
  if (server_ == nullptr) return;
  SetServing(false);
  server_->Shutdown(std::chrono::system_clock::now() + absl::ToChronoMilliseconds(grace));
  server_->Wait();
  server_.reset();
  if (probe_server_ != nullptr) {
    probe_server_->Shutdown(std::chrono::system_clock::now());
    probe_server_->Wait();
    probe_server_.reset();
  }
}

void BlockTerminationSignals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
}

std::string WaitForTerminationSignal() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  int sig = 0;
  sigwait(&set, &sig);
  return sig == SIGTERM ? "SIGTERM" : "SIGINT";
}

}  // namespace ankommen
