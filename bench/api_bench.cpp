// The API: registering households through the registry's gRPC API (validation,
// the Redis commit with its outbox, the relay to JetStream) beside a bare echo
// server built with the same gRPC library and the same messages, each in its
// own process on this machine, at 1, 8 and 64 concurrent clients. One JSON line
// per case: throughput, p50 and p99 latency, the echo server's beside it, and
// the ratio; the target is 40 % of the echo server's throughput at 64 clients.
//
//   ankommen-api-bench [--seconds 3]
//   ankommen-api-bench --echo-server PORT   (the baseline, started by the benchmark)
#include <algorithm>
#include <atomic>
#include <csignal>
#include <iostream>
#include <thread>
#include <vector>

#include <grpcpp/grpcpp.h>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "ankommen/registry/v1/registry.grpc.pb.h"
#include "support/sample_households.h"
#include "support/servers.h"

namespace {

namespace rv1 = ankommen::registry::v1;

// Answers RegisterHousehold with the household it was sent: gRPC and protobuf, nothing else.
class Echo final : public rv1::RegistryService::CallbackService {
  grpc::ServerUnaryReactor* RegisterHousehold(grpc::CallbackServerContext* context,
                                              const rv1::RegisterHouseholdRequest* request,
                                              rv1::RegisterHouseholdResponse* response) override {
    *response->mutable_household() = request->household();
    auto* reactor = context->DefaultReactor();
    reactor->Finish(grpc::Status::OK);
    return reactor;
  }
};

int ServeEcho(int port) {
  Echo echo;
  grpc::ServerBuilder builder;
  builder.AddListeningPort(absl::StrCat("127.0.0.1:", port), grpc::InsecureServerCredentials());
  builder.RegisterService(&echo);
  auto server = builder.BuildAndStart();
  if (!server) return 1;
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  int signal = 0;
  sigwait(&set, &signal);
  server->Shutdown();
  return 0;
}

struct Result {
  double per_second = 0, p50_ms = 0, p99_ms = 0;
  long errors = 0;
};

// `clients` threads register households for `seconds`; calls per second and latency percentiles.
Result Load(const std::string& addr, int clients, double seconds, const std::string& run) {
  auto channel = grpc::CreateChannel(addr, grpc::InsecureChannelCredentials());
  auto stub = rv1::RegistryService::NewStub(channel);
  std::vector<std::vector<double>> latencies(static_cast<size_t>(clients));
  std::atomic<long> errors{0};
  const absl::Time start = absl::Now(), end = start + absl::Seconds(seconds);
  std::vector<std::thread> threads;
  for (int c = 0; c < clients; ++c) {
    threads.emplace_back([&, c] {
      for (int n = 0; absl::Now() < end; ++n) {
        auto request = ankommen::testing::SampleRegistration(absl::StrCat(run, "-", c, "-", n));
        rv1::RegisterHouseholdResponse response;
        grpc::ClientContext ctx;
        ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
        const absl::Time t = absl::Now();
        // A failed call is an error, not throughput: only answers count.
        if (!stub->RegisterHousehold(&ctx, request, &response).ok()) {
          ++errors;
          continue;
        }
        latencies[static_cast<size_t>(c)].push_back(absl::ToDoubleMilliseconds(absl::Now() - t));
      }
    });
  }
  for (auto& t : threads) t.join();
  std::vector<double> all;
  for (const auto& l : latencies) all.insert(all.end(), l.begin(), l.end());
  std::sort(all.begin(), all.end());
  Result r;
  r.errors = errors;
  if (all.empty()) return r;
  r.per_second = static_cast<double>(all.size()) / absl::ToDoubleSeconds(absl::Now() - start);
  r.p50_ms = all[all.size() / 2];
  r.p99_ms = all[std::min(all.size() - 1, all.size() * 99 / 100)];
  return r;
}

}  // namespace

int main(int argc, char** argv) {
  double seconds = 3;
  for (int i = 1; i + 1 < argc; ++i) {
    if (std::string(argv[i]) == "--echo-server") {
      sigset_t set;
      sigemptyset(&set);
      sigaddset(&set, SIGTERM);
      pthread_sigmask(SIG_BLOCK, &set, nullptr);
      return ServeEcho(std::stoi(argv[i + 1]));
    }
    if (std::string(argv[i]) == "--seconds") seconds = std::stod(argv[i + 1]);
  }
  namespace t = ankommen::testing;
  t::NatsServer nats;
  t::RedisServer redis;
  t::ServiceProcess registry(ANKOMMEN_REGISTRY_BINARY, "ankommen.registry.v1.RegistryService", nats, redis);
  t::TempDir dir;
  const int echo_port = t::FreePort();
  t::Process echo(argv[0], {"--echo-server", std::to_string(echo_port)}, {}, dir.path() + "/echo.log");
  const std::string echo_addr = absl::StrCat("127.0.0.1:", echo_port);
  t::WaitUntil([&] {
    auto stub = rv1::RegistryService::NewStub(grpc::CreateChannel(echo_addr, grpc::InsecureChannelCredentials()));
    grpc::ClientContext ctx;
    rv1::RegisterHouseholdResponse out;
    return stub->RegisterHousehold(&ctx, t::SampleRegistration("warm"), &out).ok();
  });
  std::cout << "api: " << seconds << " s per case\n";
  std::string table = "\nclients  registry/s  p50 ms  p99 ms    echo/s  ratio\n";
  long errors = 0;
  for (int clients : {1, 8, 64}) {
    const Result base = Load(echo_addr, clients, seconds, absl::StrCat("echo", clients));
    const Result reg = Load(registry.grpc_addr(), clients, seconds, absl::StrCat("reg", clients));
    std::cout << "{\"case\": \"register_household\", \"clients\": " << clients
              << ", \"per_second\": " << static_cast<long>(reg.per_second) << ", \"p50_ms\": " << reg.p50_ms
              << ", \"p99_ms\": " << reg.p99_ms << ", \"errors\": " << reg.errors
              << ", \"baseline_errors\": " << base.errors
              << ", \"baseline\": \"grpc echo\", \"baseline_per_second\": " << static_cast<long>(base.per_second)
              << ", \"baseline_p50_ms\": " << base.p50_ms << ", \"baseline_p99_ms\": " << base.p99_ms
              << ", \"ratio\": " << static_cast<double>(static_cast<long>(reg.per_second / base.per_second * 1000)) / 1000
              << ", \"target_ratio\": " << (clients == 64 ? "0.4" : "null")
              << ", \"cores\": " << std::thread::hardware_concurrency() << "}\n";
    table += absl::StrFormat("%7d %11.0f %7.2f %7.2f %9.0f %6.2f\n", clients, reg.per_second, reg.p50_ms, reg.p99_ms,
                             base.per_second, reg.per_second / base.per_second);
    errors += reg.errors + base.errors;
  }
  std::cout << table << "target: 0.40 of the echo server at 64 clients; p99 <= 10 ms at half load\n";
  echo.Stop(SIGTERM);
  if (errors > 0) {
    std::cerr << "api: " << errors << " calls failed; the rates above count answers only\n";
    return 1;
  }
  return 0;
}
