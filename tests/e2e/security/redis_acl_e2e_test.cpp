// The Redis users the Kubernetes deployment creates (k8s/base/redis/users.acl)
// on a real redis-server, with the six services each logged in as its own
// user, its password read from a file as from the mounted Secret: a household
// registered and a person erased go through every service without a single
// command Redis refuses them (ACL LOG stays empty), and each service's user
// can touch its own keys only — not another service's, and no KEYS, FLUSHALL
// or CONFIG.
#include <cstdlib>
#include <fstream>
#include <random>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "e2e/security/district_services.h"
#include "store/redis.h"
#include "support/servers.h"

namespace ankommen {
namespace {

const std::vector<std::string> kServices = {"registry", "courses", "schools", "housing", "notifications", "mediators", "casework"};

std::string RandomPassword() {
  static std::mt19937_64 rng{std::random_device{}()};
  return absl::StrCat("pw", rng(), rng());
}

class RedisAclE2ETest : public ::testing::Test {
 protected:
  void SetUp() override {
    // The deployment's users, with passwords of this run. The test's own
    // connection stays the default user (the deployment turns it off).
    std::ifstream in(std::string(ANKOMMEN_SOURCE_DIR) + "/k8s/base/redis/users.acl");
    ASSERT_TRUE(in) << "k8s/base/redis/users.acl";
    std::string line;
    std::getline(in, line);
    EXPECT_EQ(line, "user default off") << "the deployment's default user must be off";
    for (const auto& name : {"REGISTRY", "COURSES", "SCHOOLS", "HOUSING", "NOTIFICATIONS", "MEDIATORS", "CASEWORK", "REPLICATION", "SENTINEL",
                             "PROBE", "BACKUP"}) {
      passwords_[absl::AsciiStrToLower(name)] = RandomPassword();
    }
    while (std::getline(in, line)) {
      for (const auto& [user, password] : passwords_) {
        line = absl::StrReplaceAll(line, {{absl::StrCat("@", absl::AsciiStrToUpper(user), "_PASSWORD@"), password}});
      }
      std::vector<std::string> words = absl::StrSplit(line, ' ', absl::SkipEmpty());
      ASSERT_GE(words.size(), 2u);
      ASSERT_EQ(words[0], "user");
      words[0] = "SETUSER";
      words.insert(words.begin(), "ACL");
      ASSERT_EQ(redis_.Command(words), "OK") << line;
    }
    for (const auto& service : kServices) {
      const std::string file = dir_.path() + "/" + service;
      std::ofstream(file) << passwords_[service] << "\n";
      env_[service] = {{"ANKOMMEN_REDIS_USER", service}, {"ANKOMMEN_REDIS_PASSWORD_FILE", file}};
    }
    ASSERT_EQ(redis_.Command({"ACL", "LOG", "RESET"}), "OK");
  }

  std::unique_ptr<RedisPool> As(const std::string& user) {
    RedisEndpoint endpoint;
    endpoint.host = "127.0.0.1";
    endpoint.port = redis_.port();
    endpoint.user = user;
    endpoint.password = passwords_[user];
    auto pool = RedisPool::Connect(endpoint, 1);
    EXPECT_TRUE(pool.ok()) << user << ": " << pool.status();
    return pool.ok() ? std::move(*pool) : nullptr;
  }

  testing::TempDir dir_;
  testing::NatsServer nats_;
  testing::RedisServer redis_;
  std::map<std::string, std::string> passwords_;
  std::map<std::string, std::map<std::string, std::string>> env_;
};

TEST_F(RedisAclE2ETest, EachServiceWorksAsItsOwnUserAndReachesOnlyItsOwnKeys) {
  // A household goes through every service; then the son is erased, which
  // each of them (the notification service too) records in its own keys.
  testing::DistrictServices services(nats_, redis_, [&](const std::string& service) { return env_[service]; });
  services.RegisterAndErase("acl", redis_.Command({"ACL", "LOG"}));

  // They are logged in as their users, not as the default one.
  const std::string clients = redis_.Command({"CLIENT", "LIST"});
  for (const auto& service : kServices) {
    EXPECT_THAT(clients, ::testing::HasSubstr(absl::StrCat(" user=", service, " "))) << service;
  }
  // Not one command of the services was refused.
  EXPECT_EQ(redis_.Command({"ACL", "LOG"}), "0") << "commands Redis refused the services";

  // Each user: its own keys, nothing else, and no dangerous command.
  for (const auto& service : kServices) {
    auto pool = As(service);
    ASSERT_NE(pool, nullptr);
    EXPECT_TRUE(pool->Command({"SET", absl::StrCat("ankommen:", service, ":{", service, ":p0}:probe"), "1"}).ok()) << service;
    for (const auto& other : kServices) {
      if (other == service) continue;
      auto read = pool->Command({"GET", absl::StrCat("ankommen:", other, ":{", other, ":p0}:probe")});
      EXPECT_FALSE(read.ok()) << service << " read " << other << "'s keys";
    }
    for (std::vector<std::string> dangerous : std::vector<std::vector<std::string>>{
             {"KEYS", "*"}, {"FLUSHALL"}, {"CONFIG", "GET", "*"}, {"DEBUG", "SLEEP", "0"}, {"ACL", "LIST"}}) {
      EXPECT_FALSE(pool->Command(dangerous).ok()) << service << " may " << dangerous[0];
    }
  }
  // The helpers may do their one job only.
  auto probe = As("probe");
  ASSERT_NE(probe, nullptr);
  EXPECT_TRUE(probe->Command({"PING"}).ok());
  // INFO too, for memory against maxmemory (docs/operations.md, Scale): figures, no keys.
  EXPECT_TRUE(probe->Command({"INFO", "memory"}).ok());
  EXPECT_FALSE(probe->Command({"GET", "ankommen:registry:{registry:p0}:probe"}).ok());
  EXPECT_FALSE(probe->Command({"SCAN", "0"}).ok());
  auto replication = As("replication");
  ASSERT_NE(replication, nullptr);
  EXPECT_FALSE(replication->Command({"GET", "ankommen:registry:{registry:p0}:probe"}).ok());
  // The backup takes the whole dataset as a replica would (redis-cli --rdb),
  // and reads what a restore needs (the published marks, the outboxes); no
  // record, no write.
  ASSERT_EQ(redis_.Command({"HSET", "ankommen:registry:{registry:p0}:published", "REGISTRY", "7"}), "1");
  ASSERT_EQ(redis_.Command({"HSET", "ankommen:registry:{registry:p0}:household:hh_0000000000000000", "v", "1"}), "1");
  auto backup = As("backup");
  ASSERT_NE(backup, nullptr);
  EXPECT_TRUE(backup->Command({"SCAN", "0", "MATCH", "ankommen:*:published"}).ok());
  auto mark = backup->Command({"HGETALL", "ankommen:registry:{registry:p0}:published"});
  ASSERT_TRUE(mark.ok()) << mark.status();
  EXPECT_EQ(mark->elements.size(), 2u);
  EXPECT_TRUE(backup->Command({"XRANGE", "ankommen:registry:{registry:p0}:outbox", "-", "+"}).ok());
  EXPECT_FALSE(backup->Command({"HGETALL", "ankommen:registry:{registry:p0}:household:hh_0000000000000000"}).ok());
  EXPECT_FALSE(backup->Command({"HSET", "ankommen:registry:{registry:p0}:published", "REGISTRY", "1"}).ok());
  const std::string rdb = dir_.path() + "/backup.rdb";
  const std::string cli = absl::StrCat("REDISCLI_AUTH=", passwords_["backup"], " redis-cli -p ", redis_.port(),
                                       " --user backup --rdb ", rdb, " >/dev/null 2>&1");
  EXPECT_EQ(std::system(cli.c_str()), 0) << "redis-cli --rdb as the backup user";
  EXPECT_TRUE(std::ifstream(rdb).good());
}

}  // namespace
}  // namespace ankommen
