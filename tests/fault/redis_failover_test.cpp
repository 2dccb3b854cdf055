// Redis failover without an operator, and no acknowledged write lost: a
// primary, two replicas (as the deployment runs three nodes) and three
// sentinels on loopback; the registry finds the
// primary through the sentinels and acknowledges a registration only once a
// replica has it (ANKOMMEN_REDIS_MIN_REPLICAS=1). Under a registration load
// the primary is killed (SIGKILL). Every registration acknowledged before,
// during and after is there afterwards, none twice, and the registry writes
// again within seconds without anyone touching it; each registration's event
// reaches JetStream once. The sentinels let nobody in without a login, and the
// registry's login may only look the primary up.
#include <csignal>
#include <fstream>

#include <grpcpp/grpcpp.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <hiredis/hiredis.h>

#include <algorithm>
#include <optional>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "ankommen/registry/v1/events.pb.h"
#include "ankommen/registry/v1/registry.grpc.pb.h"
#include "bus/bus.h"
#include "support/sample_households.h"
#include "support/servers.h"

namespace ankommen {
namespace {

namespace rv1 = ankommen::registry::v1;

class RedisFailoverTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::string redis = testing::FindBinary("redis-server");
    primary_ = std::make_unique<testing::Process>(
        redis, std::vector<std::string>{"--bind", "127.0.0.1", "--port", std::to_string(primary_port_), "--save", "",
                                        "--appendonly", "no", "--dir", dir_.path()},
        std::map<std::string, std::string>{}, dir_.path() + "/primary.log");
    for (int port : replica_ports_) {
      replicas_.push_back(std::make_unique<testing::Process>(
          redis, std::vector<std::string>{"--bind", "127.0.0.1", "--port", std::to_string(port), "--save", "",
                                          "--appendonly", "no", "--dir", dir_.path(), "--replicaof", "127.0.0.1",
                                          std::to_string(primary_port_)},
          std::map<std::string, std::string>{}, absl::StrCat(dir_.path(), "/replica-", port, ".log")));
      ASSERT_TRUE(testing::WaitUntil([&] { return Info(port, "master_link_status:up"); }, 15000))
          << "the replica follows the primary";
    }
    for (int i = 0; i < 3; ++i) {
      const int port = testing::FreePort();
      const std::string conf = absl::StrCat(dir_.path(), "/sentinel-", i, ".conf");
      // The sentinels as the deployment runs them: nobody without a login; one
      // another as `peer`; the services as `lookup`, who may only ask for the primary.
      std::ofstream(conf) << "bind 127.0.0.1\nport " << port << "\ndir " << dir_.path() << "\n"
                          << "user default off\n"
                          << "user peer on >" << kPeerPassword << " +@all\n"
                          << "user lookup on >" << kLookupPassword
                          << " -@all +sentinel|get-master-addr-by-name +ping\n"
                          << "sentinel sentinel-user peer\nsentinel sentinel-pass " << kPeerPassword << "\n"
                          << "sentinel monitor ankommen 127.0.0.1 " << primary_port_ << " 2\n"
                          << "sentinel down-after-milliseconds ankommen 1000\n"
                          << "sentinel failover-timeout ankommen 10000\n"
                          << "sentinel parallel-syncs ankommen 1\n";
      sentinels_.push_back(absl::StrCat("127.0.0.1:", port));
      sentinel_processes_.push_back(std::make_unique<testing::Process>(
          redis, std::vector<std::string>{conf, "--sentinel"}, std::map<std::string, std::string>{},
          absl::StrCat(dir_.path(), "/sentinel-", i, ".log")));
    }
    // Each sentinel sees the replica and the other sentinels before the test goes on.
    ASSERT_TRUE(testing::WaitUntil([&] {
      for (const auto& s : sentinels_) {
        const int port = std::stoi(s.substr(s.rfind(':') + 1));
        if (!Info(port, "slaves=2,sentinels=3", "peer", kPeerPassword)) return false;
      }
      return true;
    }, 30000)) << "three sentinels watching a primary with two replicas";
    registry_ = std::make_unique<testing::ServiceProcess>(
        ANKOMMEN_REGISTRY_BINARY, "ankommen.registry.v1.RegistryService", nats_,
        absl::StrCat("redis://127.0.0.1:", primary_port_, "/0"),
        std::map<std::string, std::string>{{"ANKOMMEN_REDIS_SENTINELS", absl::StrJoin(sentinels_, ",")},
                                           {"ANKOMMEN_REDIS_SENTINEL_USER", "lookup"},
                                           {"ANKOMMEN_REDIS_SENTINEL_PASSWORD_FILE", LookupPasswordFile()},
                                           {"ANKOMMEN_REDIS_MIN_REPLICAS", "1"},
                                           {"ANKOMMEN_REDIS_REPLICA_TIMEOUT_MS", "500"}});
    stub_ = rv1::RegistryService::NewStub(grpc::CreateChannel(registry_->grpc_addr(), grpc::InsecureChannelCredentials()));
  }

  static constexpr char kPeerPassword[] = "peer-secret";
  static constexpr char kLookupPassword[] = "lookup-secret";

  std::string LookupPasswordFile() {
    const std::string path = dir_.path() + "/sentinel-lookup";
    std::ofstream(path) << kLookupPassword << "\n";
    return path;
  }

  // A command on the server (or sentinel) on `port`, logged in when a user is
  // given; its reply as text (an error's message too), "" when unreachable.
  static std::string Ask(int port, const std::vector<std::string>& argv, const std::string& user = "",
                         const std::string& password = "") {
    timeval tv{1, 0};
    std::unique_ptr<redisContext, void (*)(redisContext*)> ctx(redisConnectWithTimeout("127.0.0.1", port, tv), redisFree);
    if (ctx == nullptr || ctx->err != 0) return "";
    if (!user.empty()) {
      auto* auth = static_cast<redisReply*>(redisCommand(ctx.get(), "AUTH %s %s", user.c_str(), password.c_str()));
      if (auth == nullptr) return "";
      freeReplyObject(auth);
    }
    std::vector<const char*> args;
    std::vector<size_t> lengths;
    for (const auto& a : argv) {
      args.push_back(a.data());
      lengths.push_back(a.size());
    }
    auto* reply = static_cast<redisReply*>(
        redisCommandArgv(ctx.get(), static_cast<int>(args.size()), args.data(), lengths.data()));
    if (reply == nullptr) return "";
    std::string text = reply->str != nullptr ? std::string(reply->str, reply->len) : "";
    if (reply->type == REDIS_REPLY_ARRAY && reply->elements > 0 && reply->element[0]->str != nullptr) {
      text = std::string(reply->element[0]->str, reply->element[0]->len);
    }
    freeReplyObject(reply);
    return text;
  }

  // Whether INFO of the server (or sentinel) on `port` holds `text`.
  static bool Info(int port, const std::string& text, const std::string& user = "", const std::string& password = "") {
    return Ask(port, {"INFO"}, user, password).find(text) != std::string::npos;
  }

  // One registration, retried with its key until it is acknowledged (or 60 s pass).
  std::optional<std::string> Register(int n) {
    const absl::Time give_up = absl::Now() + absl::Seconds(60);
    while (absl::Now() < give_up) {
      grpc::ClientContext ctx;
      ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(3));
      rv1::RegisterHouseholdResponse response;
      auto s = stub_->RegisterHousehold(&ctx, testing::SampleRegistration(absl::StrCat("failover-", n)), &response);
      if (s.ok()) return response.household().household_id();
      ++retries_;
      absl::SleepFor(absl::Milliseconds(100));
    }
    return std::nullopt;
  }

  testing::TempDir dir_;
  const int primary_port_ = testing::FreePort();
  const std::vector<int> replica_ports_ = {testing::FreePort(), testing::FreePort()};
  std::unique_ptr<testing::Process> primary_;
  std::vector<std::unique_ptr<testing::Process>> replicas_;
  std::vector<std::string> sentinels_;
  std::vector<std::unique_ptr<testing::Process>> sentinel_processes_;
  testing::NatsServer nats_;
  std::unique_ptr<testing::ServiceProcess> registry_;
  std::unique_ptr<rv1::RegistryService::Stub> stub_;
  int retries_ = 0;
};

TEST_F(RedisFailoverTest, AKilledPrimaryIsReplacedAndNoAcknowledgedRegistrationIsLost) {
  // The services' sentinel user may find the primary and nothing else: no
  // failover asked for, no sentinel reconfigured; without a login, nothing.
  const int sentinel = std::stoi(sentinels_[0].substr(sentinels_[0].rfind(':') + 1));
  EXPECT_EQ(Ask(sentinel, {"SENTINEL", "get-master-addr-by-name", "ankommen"}, "lookup", kLookupPassword), "127.0.0.1");
  EXPECT_THAT(Ask(sentinel, {"SENTINEL", "failover", "ankommen"}, "lookup", kLookupPassword),
              ::testing::HasSubstr("NOPERM"));
  EXPECT_THAT(Ask(sentinel, {"SENTINEL", "set", "ankommen", "quorum", "1"}, "lookup", kLookupPassword),
              ::testing::HasSubstr("NOPERM"));
  EXPECT_THAT(Ask(sentinel, {"SENTINEL", "get-master-addr-by-name", "ankommen"}), ::testing::HasSubstr("NOAUTH"));

  std::vector<std::string> acknowledged;
  absl::Time killed_at, first_after;
  constexpr int kBefore = 40, kTotal = 100;
  for (int n = 0; n < kTotal; ++n) {
    if (n == kBefore) {
      ASSERT_GE(primary_->Stop(SIGKILL), -1);
      killed_at = absl::Now();
    }
    auto id = Register(n);
    ASSERT_TRUE(id.has_value()) << "registration " << n << " never acknowledged";
    if (n == kBefore) first_after = absl::Now();
    acknowledged.push_back(*id);
  }
  // Every acknowledged registration is there, on the new primary, once.
  std::set<std::string> distinct(acknowledged.begin(), acknowledged.end());
  EXPECT_EQ(distinct.size(), acknowledged.size()) << "a key answered with another household";
  std::set<std::string> listed;
  std::string page;
  do {
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    rv1::ListHouseholdsRequest list;
    list.set_social_area("Riesa");  // the sample household's
    list.set_page_size(500);
    list.set_page_token(page);
    list.set_purpose("failover test");
    rv1::ListHouseholdsResponse households;
    auto s = stub_->ListHouseholds(&ctx, list, &households);
    ASSERT_TRUE(s.ok()) << s.error_message();
    for (const auto& h : households.households()) {
      EXPECT_TRUE(listed.insert(h.household_id()).second) << h.household_id() << " twice";
    }
    page = households.next_page_token();
  } while (!page.empty());
  for (const auto& id : distinct) EXPECT_TRUE(listed.contains(id)) << id << " acknowledged, then lost";
  EXPECT_EQ(listed.size(), distinct.size()) << "households nobody was told of";
  EXPECT_TRUE(Info(replica_ports_[0], "role:master") || Info(replica_ports_[1], "role:master"))
      << "a replica was promoted";
  // And each registration's event reached JetStream once (the outbox on the new primary).
  auto bus = Bus::Connect(nats_.url(), "failover-test", nullptr);
  ASSERT_TRUE(bus.ok());
  std::map<std::string, int> registered;
  ASSERT_TRUE(testing::WaitUntil([&] {
    registered.clear();
    auto events = (*bus)->ReadStream("REGISTRY", 1, 100000);
    if (!events.ok()) return false;
    for (const auto& e : *events) {
      rv1::HouseholdRegistered r;
      if (e.event_type == rv1::HouseholdRegistered::descriptor()->full_name() && r.ParseFromString(e.payload)) {
        ++registered[r.household_id()];
      }
    }
    return registered.size() >= distinct.size();
  }, 30000)) << registered.size() << " of " << distinct.size() << " registrations published";
  for (const auto& id : distinct) EXPECT_EQ(registered[id], 1) << id;
  const double without_primary = absl::ToDoubleSeconds(first_after - killed_at);
  const auto lost = std::count_if(distinct.begin(), distinct.end(), [&](const auto& id) { return !listed.contains(id); });
  std::printf("failover: %zu registrations acknowledged (%d before the kill), %zu there afterwards, lost %ld; "
              "%.1f s from the kill to the next acknowledged write; %d retries by the caller\n",
              acknowledged.size(), kBefore, listed.size(), static_cast<long>(lost), without_primary, retries_);
  EXPECT_LT(without_primary, 30.0) << "the registry writes again within seconds, by itself";
}

}  // namespace
}  // namespace ankommen
