// The API: registering households through the registry's gRPC API (validation,
// duplicate detection, the Redis commit with its outbox, the relay to
// JetStream) beside a bare echo server built with the same gRPC library and the
// same messages, each in its own process on this machine, at 1, 8 and 64
// concurrent clients. The households are varied as a district's are: families
// of 1 to 7, names drawn from the duplicate corpora's languages (sample_names.h).
// One JSON line per case: throughput, p50 and p99 latency, the echo server's
// beside it, and the ratio; the target is 40 % of the echo server's throughput
// at 64 clients. Then half load: half the most the registry served, offered at
// an even pace, its p99 latency counted from each call's planned time (target
// ≤ 10 ms).
//
// Each case also counts what a registration asked of Redis (INFO
// commandstats: commands per call, a script's own included, and the outbox
// relay's reads of its streams apart), a figure a shared machine's noise
// does not move.
//
// Then the crowded block: one client registers `--crowded` single adults of the
// same common name and the stand-in birth date (Mohammad Ahmadi, 1 January
// 1995), as a Land's registry holds thousands of them; its rate per thousand
// beside the rate of people with distinct names registered just before and
// after on the same registry. The target: the last thousand at ≥ 0.8 × that.
//
// Beside the 64 clients' case, the CPU each process spent per call (from
// /proc: the registry, redis-server, nats-server, the clients; the echo server
// and the clients in the echo run), and what the target would need of this
// machine's cores: redis-server's and nats-server's share per registration, the
// clients' and gRPC's own (the echo server's) at 0.4 of the echo server's rate.
// Above the cores there are, the target cannot be met while a registration
// asks of Redis and JetStream what it asks now, however little the registry
// itself spends.
//
// With --uncapped N, the same for N people on a fresh registry that compares
// everyone under a key, as before the cap.
//
//   ankommen-api-bench [--seconds 3] [--crowded 10000] [--uncapped 2000] [--per-key N]
//   ankommen-api-bench --echo-server PORT   (the baseline, started by the benchmark)
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <csignal>
#include <fstream>
#include <iostream>
#include <iterator>
#include <map>
#include <sstream>
#include <thread>
#include <vector>

#include <grpcpp/grpcpp.h>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "ankommen/registry/v1/registry.grpc.pb.h"
#include "sample_names.h"
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

// CPU seconds a process has used so far, all its threads, user and system
// (/proc/<pid>/stat: utime and stime, the 14th and 15th fields).
double CpuSeconds(pid_t pid) {
  std::ifstream in(absl::StrCat("/proc/", pid, "/stat"));
  const std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const size_t name_end = stat.rfind(')');  // the command's name may hold spaces
  if (name_end == std::string::npos) return 0;
  std::istringstream fields(stat.substr(name_end + 1));
  std::string skip;
  for (int field = 3; field <= 13; ++field) fields >> skip;
  long utime = 0, stime = 0;
  fields >> utime >> stime;
  return static_cast<double>(utime + stime) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

// The CPU the named processes spend while `run` runs, in seconds each.
template <typename Run>
std::map<std::string, double> CpuDuring(const std::map<std::string, pid_t>& processes, Run&& run) {
  std::map<std::string, double> before, spent;
  for (const auto& [name, pid] : processes) before[name] = CpuSeconds(pid);
  run();
  for (const auto& [name, pid] : processes) spent[name] = CpuSeconds(pid) - before[name];
  return spent;
}

// What Redis ran, by command: calls and the microseconds Redis counts for
// them (INFO commandstats; a script's own commands are counted as well).
struct CommandCount {
  long calls = 0;
  long usec = 0;
};
std::map<std::string, CommandCount> RedisCommands(const ankommen::testing::RedisServer& redis) {
  std::map<std::string, CommandCount> out;
  for (absl::string_view line : absl::StrSplit(redis.Command({"INFO", "commandstats"}), '\n')) {
    // cmdstat_xrange:calls=12,usec=34,usec_per_call=2.83,...
    if (!absl::ConsumePrefix(&line, "cmdstat_")) continue;
    const size_t colon = line.find(':');
    if (colon == absl::string_view::npos) continue;
    CommandCount& count = out[std::string(line.substr(0, colon))];
    for (absl::string_view field : absl::StrSplit(line.substr(colon + 1), ',')) {
      if (absl::ConsumePrefix(&field, "calls=")) (void)absl::SimpleAtoi(field, &count.calls);
      if (absl::ConsumePrefix(&field, "usec=")) (void)absl::SimpleAtoi(field, &count.usec);
    }
  }
  return out;
}

// Per call, what Redis ran between two readings of its commandstats: every
// command, the microseconds it counted, and the outbox relay's reads of its
// streams (XRANGE, XLEN) apart.
struct RedisWork {
  double commands = 0, usec = 0, relay_reads = 0;
};
RedisWork RedisWorkPerCall(const std::map<std::string, CommandCount>& before,
                           const std::map<std::string, CommandCount>& after, double calls) {
  RedisWork work;
  if (calls <= 0) return work;
  for (const auto& [name, count] : after) {
    const auto it = before.find(name);
    const CommandCount was = it == before.end() ? CommandCount{} : it->second;
    const auto ran = static_cast<double>(count.calls - was.calls);
    work.commands += ran / calls;
    work.usec += static_cast<double>(count.usec - was.usec) / calls;
    if (name == "xrange" || name == "xlen") work.relay_reads += ran / calls;
  }
  return work;
}

// A registration of the sample's address with these people; the first is the head.
rv1::RegisterHouseholdRequest Registration(const std::string& key, const std::vector<ankommen::bench::PersonDraw>& people) {
  auto r = ankommen::testing::SampleRegistration(key);
  auto* h = r.mutable_household();
  h->clear_members();
  for (size_t i = 0; i < people.size(); ++i) {
    auto* m = h->add_members();
    m->set_given_names(people[i].given);
    m->set_family_name(people[i].family);
    m->set_birth_date(people[i].birth_date);
    m->set_nationality(people[i].nationality);
    m->set_residence_status(rv1::RESIDENCE_STATUS_ASYLUM_SEEKER);
    const bool adult = people[i].birth_date < "2008";
    m->set_relation(i == 0 ? rv1::RELATION_HEAD : adult ? rv1::RELATION_PARTNER : rv1::RELATION_CHILD);
    if (adult) {
      m->add_languages("ar");
      m->set_preferred_language("ar");
      m->set_cefr_level("A1");
      m->set_literate_latin(true);
    }
  }
  return r;
}

struct Result {
  double per_second = 0, p50_ms = 0, p99_ms = 0;
  long errors = 0;
};

// The answers' rate since `start` and their latency percentiles, from each client's latencies.
Result Summarise(const std::vector<std::vector<double>>& latencies, long errors, absl::Time start) {
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
      ankommen::bench::NameDraw draw(static_cast<uint64_t>(c + 1) * 7919 + run.size());
      for (int n = 0; absl::Now() < end; ++n) {
        auto request = Registration(absl::StrCat(run, "-", c, "-", n), draw.Family(7));
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
  return Summarise(latencies, errors, start);
}

// Registrations offered at `rate` a second by `clients` threads for `seconds`,
// each sent at its planned time (or at once, when late). Latency runs from the
// planned time, so a backlog counts as the wait it is.
Result LoadPaced(const std::string& addr, int clients, double rate, double seconds, const std::string& run) {
  auto stub = rv1::RegistryService::NewStub(grpc::CreateChannel(addr, grpc::InsecureChannelCredentials()));
  std::vector<std::vector<double>> latencies(static_cast<size_t>(clients));
  std::atomic<long> errors{0};
  const absl::Time start = absl::Now();
  const absl::Duration every = absl::Seconds(clients / rate);
  const long per_client = static_cast<long>(rate * seconds / clients);
  std::vector<std::thread> threads;
  for (int c = 0; c < clients; ++c) {
    threads.emplace_back([&, c] {
      ankommen::bench::NameDraw draw(static_cast<uint64_t>(c + 1) * 104729 + run.size());
      for (long n = 0; n < per_client; ++n) {
        const absl::Time planned = start + absl::Seconds(c / rate) + n * every;
        auto request = Registration(absl::StrCat(run, "-", c, "-", n), draw.Family(7));
        absl::SleepFor(planned - absl::Now());
        rv1::RegisterHouseholdResponse response;
        grpc::ClientContext ctx;
        ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
        if (!stub->RegisterHousehold(&ctx, request, &response).ok()) {
          ++errors;
          continue;
        }
        latencies[static_cast<size_t>(c)].push_back(absl::ToDoubleMilliseconds(absl::Now() - planned));
      }
    });
  }
  for (auto& t : threads) t.join();
  return Summarise(latencies, errors, start);
}

// One client registering `count` households one after another, made by
// `make(n)`: registrations per second over each `window`; failed calls counted.
template <typename Make>
std::vector<double> RatesPerWindow(const std::string& addr, int count, int window, Make make, long& errors) {
  auto stub = rv1::RegistryService::NewStub(grpc::CreateChannel(addr, grpc::InsecureChannelCredentials()));
  std::vector<double> rates;
  absl::Time window_start = absl::Now();
  for (int n = 0; n < count; ++n) {
    auto request = make(n);
    rv1::RegisterHouseholdResponse response;
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    if (!stub->RegisterHousehold(&ctx, request, &response).ok()) ++errors;
    if ((n + 1) % window == 0) {
      const absl::Time now = absl::Now();
      rates.push_back(window / absl::ToDoubleSeconds(now - window_start));
      window_start = now;
    }
  }
  return rates;
}

// The crowded block: `crowded` people of one name and date, beside distinct
// names before and after. Prints its JSON line and table; the failed calls.
long CrowdedBlock(const std::string& addr, int crowded, const std::string& per_key) {
  namespace b = ankommen::bench;
  const int window = std::min(1000, crowded);
  long errors = 0;
  int distinct_n = 0;
  auto distinct = [&](int) {
    const int n = distinct_n++;
    return Registration(absl::StrCat("distinct-", n),
                        {{b::NameDraw::UniqueFamily(100000 + n), b::NameDraw::UniqueFamily(n), absl::StrFormat("19%02d-%02d-%02d", 50 + n % 50,
                                                                                    1 + n % 12, 1 + n % 28), "AF"}});
  };
  auto same = [](int n) {
    return Registration(absl::StrCat("crowded-", n), {{"Mohammad", "Ahmadi", "1995-01-01", "AF"}});
  };
  const auto before = RatesPerWindow(addr, window, window, distinct, errors);
  const auto block = RatesPerWindow(addr, crowded, window, same, errors);
  const auto after = RatesPerWindow(addr, window, window, distinct, errors);
  if (before.empty() || block.empty() || after.empty()) return errors + 1;
  const double baseline = (before[0] + after[0]) / 2, last = block.back();
  std::string per_window;
  for (double r : block) per_window += absl::StrCat(per_window.empty() ? "" : ", ", static_cast<long>(r));
  std::cout << "{\"case\": \"crowded_block\", \"compared_per_key\": \"" << per_key << "\", \"persons\": " << crowded
            << ", \"window\": " << window
            << ", \"per_second_by_window\": [" << per_window << "], \"last_window_per_second\": " << static_cast<long>(last)
            << ", \"baseline\": \"distinct names, same client, before and after\", \"baseline_per_second\": "
            << static_cast<long>(baseline) << ", \"baseline_before\": " << static_cast<long>(before[0])
            << ", \"baseline_after\": " << static_cast<long>(after[0]) << ", \"ratio\": "
            << static_cast<double>(static_cast<long>(last / baseline * 1000)) / 1000 << ", \"target_ratio\": 0.8"
            << ", \"errors\": " << errors << "}\n";
  std::cout << absl::StrFormat(
      "\ncrowded block (%d x Mohammad Ahmadi, 1995-01-01), %s compared per key, one client, per %d: %s /s\n"
      "distinct names: %.0f /s before, %.0f /s after; last %d at %.2f of them (target 0.80)\n",
      crowded, per_key, window, per_window, before[0], after[0], window, last / baseline);
  return errors;
}

}  // namespace

int main(int argc, char** argv) {
  double seconds = 3;
  int crowded = 10000, uncapped = 0;
  std::string per_key;  // the registry's default unless given
  for (int i = 1; i + 1 < argc; ++i) {
    if (std::string(argv[i]) == "--echo-server") {
      sigset_t set;
      sigemptyset(&set);
      sigaddset(&set, SIGTERM);
      pthread_sigmask(SIG_BLOCK, &set, nullptr);
      return ServeEcho(std::stoi(argv[i + 1]));
    }
    if (std::string(argv[i]) == "--seconds") seconds = std::stod(argv[i + 1]);
    if (std::string(argv[i]) == "--crowded") crowded = std::stoi(argv[i + 1]);
    if (std::string(argv[i]) == "--uncapped") uncapped = std::stoi(argv[i + 1]);
    if (std::string(argv[i]) == "--per-key") per_key = argv[i + 1];
  }
  namespace t = ankommen::testing;
  t::NatsServer nats;
  t::RedisServer redis;
  std::map<std::string, std::string> env;
  if (!per_key.empty()) env["ANKOMMEN_REGISTRY_DUPLICATE_CANDIDATES_PER_KEY"] = per_key;
  t::ServiceProcess registry(ANKOMMEN_REGISTRY_BINARY, "ankommen.registry.v1.RegistryService", nats, redis, env);
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
  std::string table = "\nclients  registry/s  p50 ms  p99 ms    echo/s  ratio  Redis commands/call (relay's reads)\n";
  std::string cpu_table;
  long errors = 0;
  double most = 0;  // the most registrations a second of the three cases
  for (int clients : {1, 8, 64}) {
    Result base, reg;
    const auto echo_cpu = CpuDuring({{"echo", echo.pid()}, {"clients", getpid()}}, [&] {
      base = Load(echo_addr, clients, seconds, absl::StrCat("echo", clients));
    });
    const auto commands_before = RedisCommands(redis);
    const auto reg_cpu = CpuDuring({{"registry", registry.process().pid()},
                                    {"redis", redis.pid()},
                                    {"nats", nats.pid()},
                                    {"clients", getpid()}},
                                   [&] { reg = Load(registry.grpc_addr(), clients, seconds, absl::StrCat("reg", clients)); });
    const RedisWork work = RedisWorkPerCall(commands_before, RedisCommands(redis), reg.per_second * seconds);
    std::cout << "{\"case\": \"register_household\", \"clients\": " << clients
              << ", \"per_second\": " << static_cast<long>(reg.per_second) << ", \"p50_ms\": " << reg.p50_ms
              << ", \"p99_ms\": " << reg.p99_ms << ", \"errors\": " << reg.errors
              << ", \"baseline_errors\": " << base.errors
              << ", \"baseline\": \"grpc echo\", \"baseline_per_second\": " << static_cast<long>(base.per_second)
              << ", \"baseline_p50_ms\": " << base.p50_ms << ", \"baseline_p99_ms\": " << base.p99_ms
              << ", \"ratio\": " << static_cast<double>(static_cast<long>(reg.per_second / base.per_second * 1000)) / 1000
              << ", \"redis_commands_per_call\": " << work.commands << ", \"redis_command_us_per_call\": " << work.usec
              << ", \"relay_reads_per_call\": " << work.relay_reads
              << ", \"target_ratio\": " << (clients == 64 ? "0.4" : "null")
              << ", \"cores\": " << std::thread::hardware_concurrency() << "}\n";
    table += absl::StrFormat("%7d %11.0f %7.2f %7.2f %9.0f %6.2f  %.1f (%.1f)\n", clients, reg.per_second, reg.p50_ms,
                             reg.p99_ms, base.per_second, reg.per_second / base.per_second, work.commands,
                             work.relay_reads);
    errors += reg.errors + base.errors;
    most = std::max(most, reg.per_second);
    if (clients == 64 && reg.per_second > 0 && base.per_second > 0) {
      const double calls = reg.per_second * seconds, echo_calls = base.per_second * seconds;
      auto us = [](double cpu, double n) { return cpu / n * 1e6; };
      const double registry_us = us(reg_cpu.at("registry"), calls), redis_us = us(reg_cpu.at("redis"), calls),
                   nats_us = us(reg_cpu.at("nats"), calls), clients_us = us(reg_cpu.at("clients"), calls),
                   echo_us = us(echo_cpu.at("echo"), echo_calls), echo_clients_us = us(echo_cpu.at("clients"), echo_calls);
      // What the target asks of the machine with the registry's own work at
      // the echo server's (gRPC alone), the rest as measured.
      const double target_rate = 0.4 * base.per_second;
      const double floor_us = redis_us + nats_us + echo_clients_us + echo_us;
      const double cores_needed = target_rate * floor_us / 1e6;
      std::cout << "{\"case\": \"register_household_cpu\", \"clients\": 64, \"registry_us\": " << registry_us
                << ", \"redis_us\": " << redis_us << ", \"nats_us\": " << nats_us << ", \"clients_us\": " << clients_us
                << ", \"echo_server_us\": " << echo_us << ", \"echo_clients_us\": " << echo_clients_us
                << ", \"target_per_second\": " << static_cast<long>(target_rate)
                << ", \"cores_needed_at_target\": " << cores_needed
                << ", \"cores\": " << std::thread::hardware_concurrency() << "}\n";
      cpu_table = absl::StrFormat(
          "CPU per call at 64 clients: registry %.0f us, redis-server %.0f us, nats-server %.0f us, clients %.0f us;"
          " echo server %.0f us, its clients %.0f us\n"
          "at the target (%.0f/s), redis-server, nats-server, the clients and gRPC alone would take %.2f cores of %u\n",
          registry_us, redis_us, nats_us, clients_us, echo_us, echo_clients_us, target_rate, cores_needed,
          std::thread::hardware_concurrency());
    }
  }
  // Half load: half the most it served, offered at an even pace by 16 clients.
  const auto half_before = RedisCommands(redis);
  const Result half = LoadPaced(registry.grpc_addr(), 16, most / 2, seconds, "half");
  const RedisWork half_work = RedisWorkPerCall(half_before, RedisCommands(redis), half.per_second * seconds);
  errors += half.errors;
  std::cout << "{\"case\": \"register_household_half_load\", \"clients\": 16, \"offered_per_second\": "
            << static_cast<long>(most / 2) << ", \"per_second\": " << static_cast<long>(half.per_second)
            << ", \"p50_ms\": " << half.p50_ms << ", \"p99_ms\": " << half.p99_ms << ", \"errors\": " << half.errors
            << ", \"redis_commands_per_call\": " << half_work.commands
            << ", \"redis_command_us_per_call\": " << half_work.usec
            << ", \"relay_reads_per_call\": " << half_work.relay_reads << ", \"target_p99_ms\": 10}\n";
  table += absl::StrFormat("half load (%.0f/s offered, 16 clients): %.0f/s, p50 %.2f ms, p99 %.2f ms; Redis %.1f "
                           "commands/call (%.1f the relay's reads)\n",
                           most / 2, half.per_second, half.p50_ms, half.p99_ms, half_work.commands, half_work.relay_reads);
  std::cout << table << "target: 0.40 of the echo server at 64 clients; p99 <= 10 ms at half load\n" << cpu_table;
  echo.Stop(SIGTERM);
  if (crowded > 0) errors += CrowdedBlock(registry.grpc_addr(), crowded, per_key.empty() ? "the default" : per_key);
  if (uncapped > 0) {
    // The same on a fresh registry that compares everyone under a key, as it
    // did before the cap: what the cap is measured against.
    t::NatsServer nats2;
    t::RedisServer redis2;
    t::ServiceProcess everyone(ANKOMMEN_REGISTRY_BINARY, "ankommen.registry.v1.RegistryService", nats2, redis2,
                               {{"ANKOMMEN_REGISTRY_DUPLICATE_CANDIDATES_PER_KEY", "100000"}});
    errors += CrowdedBlock(everyone.grpc_addr(), uncapped, "all");
  }
  if (errors > 0) {
    std::cerr << "api: " << errors << " calls failed; the rates above count answers only\n";
    return 1;
  }
  return 0;
}
