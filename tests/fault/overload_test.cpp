// Overload: far more concurrent registrations than the registry has workers
// and queue for. Beyond capacity it answers RESOURCE_EXHAUSTED at once (or
// the caller's deadline passes), recovers by itself, and writes nothing half:
// once every caller has retried with its key, each household exists exactly
// once. The figures are printed.
#include <algorithm>
#include <atomic>
#include <mutex>
#include <thread>

#include <gtest/gtest.h>
#include <grpcpp/grpcpp.h>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "ankommen/registry/v1/registry.grpc.pb.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "support/sample_households.h"
#include "support/servers.h"

namespace ankommen {
namespace {

namespace rv1 = ankommen::registry::v1;

constexpr int kClients = 48;
constexpr int kPerClient = 12;

rv1::RegisterHouseholdRequest Household(int i) {
  auto r = testing::SampleRegistration(absl::StrCat("storm-", i),
                                       absl::StrCat("Sturm", std::string(1, static_cast<char>('A' + i % 26)),
                                                    std::string(1, static_cast<char>('a' + (i / 26) % 26))));
  r.mutable_household()->mutable_members()->RemoveLast();
  r.mutable_household()->mutable_members(0)->set_birth_date(absl::StrCat(1950 + i % 50, "-0", 1 + i % 9, "-1", i % 10));
  return r;
}

TEST(OverloadTest, BeyondCapacityTheRegistryShedsLoadQuicklyRecoversAndWritesNothingHalf) {
  testing::NatsServer nats;
  testing::RedisServer redis;
  // Two workers and four places in the queue: a small registry to overwhelm.
  testing::ServiceProcess registry(ANKOMMEN_REGISTRY_BINARY, "ankommen.registry.v1.RegistryService", nats, redis,
                                   {{"ANKOMMEN_REDIS_POOL_SIZE", "1"}, {"ANKOMMEN_MAX_QUEUED", "4"}});
  auto channel = grpc::CreateChannel(registry.grpc_addr(), grpc::InsecureChannelCredentials());
  auto stub = rv1::RegistryService::NewStub(channel);

  std::mutex mu;
  std::vector<double> shed_ms;
  std::atomic<int> ok{0}, exhausted{0}, deadline{0}, other{0};
  std::vector<std::thread> clients;
  const absl::Time storm_start = absl::Now();
  for (int c = 0; c < kClients; ++c) {
    clients.emplace_back([&, c] {
      for (int k = 0; k < kPerClient; ++k) {
        grpc::ClientContext ctx;
        ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::milliseconds(250));
        rv1::RegisterHouseholdResponse resp;
        const absl::Time start = absl::Now();
        auto s = stub->RegisterHousehold(&ctx, Household(c * kPerClient + k), &resp);
        const double ms = absl::ToDoubleMilliseconds(absl::Now() - start);
        if (s.ok()) ++ok;
        else if (s.error_code() == grpc::RESOURCE_EXHAUSTED) {
          ++exhausted;
          std::lock_guard lock(mu);
          shed_ms.push_back(ms);
        } else if (s.error_code() == grpc::DEADLINE_EXCEEDED || s.error_code() == grpc::CANCELLED) {
          ++deadline;
        } else {
          ++other;
        }
      }
    });
  }
  for (auto& t : clients) t.join();
  const double storm_s = absl::ToDoubleSeconds(absl::Now() - storm_start);

  // Recovered by itself: healthy, and an ordinary call goes through at once.
  auto health = grpc::health::v1::Health::NewStub(channel);
  grpc::ClientContext hctx;
  hctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(2));
  grpc::health::v1::HealthCheckRequest hreq;
  hreq.set_service("ankommen.registry.v1.RegistryService");
  grpc::health::v1::HealthCheckResponse hresp;
  ASSERT_TRUE(health->Check(&hctx, hreq, &hresp).ok());
  EXPECT_EQ(hresp.status(), grpc::health::v1::HealthCheckResponse::SERVING);

  // Every caller retries with its key, unhurried: each household exists once.
  std::set<std::string> ids;
  for (int i = 0; i < kClients * kPerClient; ++i) {
    rv1::RegisterHouseholdResponse resp;
    grpc::Status s;
    for (int attempt = 0; attempt < 20; ++attempt) {
      grpc::ClientContext ctx;
      ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
      s = stub->RegisterHousehold(&ctx, Household(i), &resp);
      if (s.ok()) break;
      absl::SleepFor(absl::Milliseconds(50));
    }
    ASSERT_TRUE(s.ok()) << s.error_message();
    ids.insert(resp.household().household_id());
  }
  int listed = 0;
  std::string token;
  do {
    rv1::ListHouseholdsRequest req;
    req.set_social_area("Riesa");
    req.set_page_size(500);
    req.set_page_token(token);
    req.set_purpose("overload test: count");
    rv1::ListHouseholdsResponse resp;
    grpc::ClientContext ctx;
    ASSERT_TRUE(stub->ListHouseholds(&ctx, req, &resp).ok());
    listed += resp.households_size();
    token = resp.next_page_token();
  } while (!token.empty());

  std::sort(shed_ms.begin(), shed_ms.end());
  const double p50 = shed_ms.empty() ? 0 : shed_ms[shed_ms.size() / 2];
  const double p99 = shed_ms.empty() ? 0 : shed_ms[std::min(shed_ms.size() - 1, shed_ms.size() * 99 / 100)];
  std::printf("overload: %d clients x %d registrations in %.1f s against 2 workers and a queue of 4: %d ok, %d "
              "RESOURCE_EXHAUSTED (answered in p50 %.1f ms, p99 %.1f ms), %d past their 250 ms deadline, %d other; "
              "after retries %zu households for %d keys, %d listed\n",
              kClients, kPerClient, storm_s, ok.load(), exhausted.load(), p50, p99, deadline.load(), other.load(),
              ids.size(), kClients * kPerClient, listed);
  EXPECT_GT(exhausted.load(), 0) << "the storm should have exceeded the queue";
  EXPECT_GT(ok.load(), 0) << "and still served some";
  EXPECT_EQ(other.load(), 0);
  EXPECT_LT(p99, 100.0) << "shedding must be quick";
  EXPECT_EQ(static_cast<int>(ids.size()), kClients * kPerClient);
  EXPECT_EQ(listed, kClients * kPerClient) << "nothing half-written, nothing twice";
}

}  // namespace
}  // namespace ankommen
