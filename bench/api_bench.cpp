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
// 1995), as a Land's registry holds thousands of them; its rate per thousand.
// The last thousand run in turns of 50 with people of distinct names, whose
// rate in the same seconds is the baseline (the distinct names' rate just
// before and after the block is printed beside it). The target: the last
// thousand at ≥ 0.8 × that. Per call, crowded against distinct: the
// registry's and redis-server's CPU and context switches, the Redis commands.
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
#include <filesystem>
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

// The context switches of all a process's threads so far, voluntary or not
// (/proc/<pid>/task/*/status): each a thread put to sleep or woken, which on
// a virtual machine's cores costs as much as the work between them.
long ContextSwitches(pid_t pid) {
  long total = 0;
  std::error_code error;
  for (const auto& task : std::filesystem::directory_iterator(absl::StrCat("/proc/", pid, "/task"), error)) {
    std::ifstream in(task.path() / "status");
    std::string line;
    while (std::getline(in, line)) {
      absl::string_view field = line;
      long n = 0;
      if ((absl::ConsumePrefix(&field, "voluntary_ctxt_switches:") ||
           absl::ConsumePrefix(&field, "nonvoluntary_ctxt_switches:")) &&
          absl::SimpleAtoi(absl::StripAsciiWhitespace(field), &n)) {
        total += n;
      }
    }
  }
  return total;
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

// A ratio as printed: cut, not rounded, to thousandths.
double Thousandths(double ratio) { return static_cast<double>(static_cast<long>(ratio * 1000)) / 1000; }

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

// One client registering households one after another, made by `make(n)`:
// the seconds each run of calls took; failed calls counted.
template <typename Make>
double TimeCalls(rv1::RegistryService::Stub& stub, int from, int count, Make make, long& errors) {
  const absl::Time start = absl::Now();
  for (int n = from; n < from + count; ++n) {
    auto request = make(n);
    rv1::RegisterHouseholdResponse response;
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    if (!stub.RegisterHousehold(&ctx, request, &response).ok()) ++errors;
  }
  return absl::ToDoubleSeconds(absl::Now() - start);
}

// What a registry under measurement is: its address and the processes whose
// CPU and commands are counted.
struct Served {
  std::string addr;
  pid_t registry = -1;
  const ankommen::testing::RedisServer* redis = nullptr;
};

// CPU and context switches of the registry and redis-server, and Redis
// commands, per call over a stretch.
struct PerCall {
  double registry_us = 0, redis_us = 0, registry_switches = 0, redis_switches = 0, commands = 0;

  std::string Json() const {
    return absl::StrFormat(
        "{\"registry_cpu_us\": %.0f, \"redis_cpu_us\": %.0f, \"registry_context_switches\": %.1f, "
        "\"redis_context_switches\": %.1f, \"redis_commands\": %.1f}",
        registry_us, redis_us, registry_switches, redis_switches, commands);
  }
};

// The crowded block: `crowded` people of one name and date. Its last thousand
// are registered in turns of 50 with 50 people of distinct names, so the rate
// they are held against is measured in the same minute (a shared machine's
// rate moves by a quarter from one minute to the next); beside it, as until
// 2026-12-06, distinct names registered before and after the block. Prints its
// JSON line and table; returns the failed calls.
long CrowdedBlock(const Served& served, int crowded, const std::string& per_key) {
  namespace b = ankommen::bench;
  const int window = std::min(1000, crowded), turn = std::min(50, window);
  auto stub = rv1::RegistryService::NewStub(grpc::CreateChannel(served.addr, grpc::InsecureChannelCredentials()));
  long errors = 0;
  auto distinct = [](int n) {
    return Registration(absl::StrCat("distinct-", n),
                        {{b::NameDraw::UniqueFamily(100000 + n), b::NameDraw::UniqueFamily(n),
                          absl::StrFormat("19%02d-%02d-%02d", 50 + n % 50, 1 + n % 12, 1 + n % 28), "AF"}});
  };
  auto same = [](int n) {
    return Registration(absl::StrCat("crowded-", n), {{"Mohammad", "Ahmadi", "1995-01-01", "AF"}});
  };
  // The CPU, context switches and Redis commands per call of `run`'s `calls` calls.
  auto measured = [&](long calls, auto&& run) {
    const auto commands_before = RedisCommands(*served.redis);
    const long registry_switches = ContextSwitches(served.registry),
               redis_switches = ContextSwitches(served.redis->pid());
    const auto cpu = CpuDuring({{"registry", served.registry}, {"redis", served.redis->pid()}}, run);
    PerCall per;
    if (calls == 0) return per;
    per.registry_switches =
        static_cast<double>(ContextSwitches(served.registry) - registry_switches) / static_cast<double>(calls);
    per.redis_switches =
        static_cast<double>(ContextSwitches(served.redis->pid()) - redis_switches) / static_cast<double>(calls);
    per.commands = RedisWorkPerCall(commands_before, RedisCommands(*served.redis), static_cast<double>(calls)).commands;
    per.registry_us = cpu.at("registry") / static_cast<double>(calls) * 1e6;
    per.redis_us = cpu.at("redis") / static_cast<double>(calls) * 1e6;
    return per;
  };
  int distinct_n = 0;
  double before = 0, after = 0;
  const PerCall distinct_work = measured(window, [&] {
    before = window / TimeCalls(*stub, distinct_n, window, distinct, errors);
  });
  distinct_n += window;
  // The block but its last thousand, a rate per thousand.
  std::vector<double> rates;
  int same_n = 0;
  const PerCall block_work = measured(crowded - window, [&] {
    for (; same_n + window <= crowded - window; same_n += window) {
      rates.push_back(window / TimeCalls(*stub, same_n, window, same, errors));
    }
  });
  // The last thousand, in turns with distinct names: each turn's rates, and the whole.
  double same_s = 0, distinct_s = 0;
  std::vector<double> turn_ratios;
  for (int done = 0; done < window; done += turn) {
    const double s = TimeCalls(*stub, same_n, turn, same, errors);
    const double d = TimeCalls(*stub, distinct_n, turn, distinct, errors);
    same_n += turn;
    distinct_n += turn;
    same_s += s;
    distinct_s += d;
    turn_ratios.push_back(d / s);
  }
  rates.push_back(window / same_s);
  after = window / TimeCalls(*stub, distinct_n, window, distinct, errors);
  distinct_n += window;
  std::sort(turn_ratios.begin(), turn_ratios.end());
  const double last = window / same_s, alongside = window / distinct_s, ratio = last / alongside;
  const double median_turn = turn_ratios[turn_ratios.size() / 2];
  const double before_after = last / ((before + after) / 2);
  std::string per_window;
  for (double r : rates) per_window += absl::StrCat(per_window.empty() ? "" : ", ", static_cast<long>(r));
  std::cout << "{\"case\": \"crowded_block\", \"compared_per_key\": \"" << per_key << "\", \"persons\": " << crowded
            << ", \"window\": " << window << ", \"per_second_by_window\": [" << per_window
            << "], \"last_window_per_second\": " << static_cast<long>(last)
            << ", \"baseline\": \"distinct names, same client, in turns of " << turn
            << " with the last window\", \"baseline_per_second\": " << static_cast<long>(alongside)
            << ", \"ratio\": " << Thousandths(ratio) << ", \"ratio_median_of_turns\": " << Thousandths(median_turn)
            << ", \"baseline_before\": " << static_cast<long>(before) << ", \"baseline_after\": "
            << static_cast<long>(after) << ", \"ratio_to_before_and_after\": " << Thousandths(before_after)
            << ", \"per_call_crowded\": " << block_work.Json() << ", \"per_call_distinct\": " << distinct_work.Json()
            << ", \"target_ratio\": 0.8, \"errors\": " << errors << "}\n";
  std::cout << absl::StrFormat(
      "\ncrowded block (%d x Mohammad Ahmadi, 1995-01-01), %s compared per key, one client, per %d: %s /s\n"
      "last %d in turns of %d with distinct names: %.0f /s against %.0f /s, %.2f of them (median turn %.2f; "
      "target 0.80)\n"
      "distinct names before and after the block: %.0f /s, %.0f /s (the last %d at %.2f of them)\n"
      "per call          registry CPU us  redis-server CPU us  registry switches  redis-server switches  Redis commands\n",
      crowded, per_key, window, per_window, window, turn, last, alongside, ratio, median_turn, before, after, window,
      before_after);
  for (const auto& [name, w] : {std::pair{"crowded", block_work}, std::pair{"distinct", distinct_work}}) {
    std::cout << absl::StrFormat("%-16s %15.0f %20.0f %18.1f %22.1f %15.1f\n", name, w.registry_us, w.redis_us,
                                 w.registry_switches, w.redis_switches, w.commands);
  }
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
              << ", \"ratio\": " << Thousandths(reg.per_second / base.per_second)
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
  if (crowded > 0) {
    errors += CrowdedBlock({registry.grpc_addr(), registry.process().pid(), &redis}, crowded,
                           per_key.empty() ? "the default" : per_key);
  }
  if (uncapped > 0) {
    // The same on a fresh registry that compares everyone under a key, as it
    // did before the cap: what the cap is measured against.
    t::NatsServer nats2;
    t::RedisServer redis2;
    t::ServiceProcess everyone(ANKOMMEN_REGISTRY_BINARY, "ankommen.registry.v1.RegistryService", nats2, redis2,
                               {{"ANKOMMEN_REGISTRY_DUPLICATE_CANDIDATES_PER_KEY", "100000"}});
    errors += CrowdedBlock({everyone.grpc_addr(), everyone.process().pid(), &redis2}, uncapped, "all");
  }
  if (errors > 0) {
    std::cerr << "api: " << errors << " calls failed; the rates above count answers only\n";
    return 1;
  }
  return 0;
}
