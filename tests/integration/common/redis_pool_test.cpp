// The Redis pool against a real redis-server.
#include "store/redis.h"

#include <atomic>
#include <thread>

#include <gtest/gtest.h>

#include "support/servers.h"

namespace ankommen {
namespace {

class RedisPoolTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto pool = RedisPool::Connect(redis_.url(), 4);
    ASSERT_TRUE(pool.ok()) << pool.status();
    pool_ = std::move(*pool);
  }
  testing::RedisServer redis_;
  std::unique_ptr<RedisPool> pool_;
};

TEST_F(RedisPoolTest, CommandsAndBinaryValues) {
  std::string binary("a\0b\xff", 4);
  ASSERT_TRUE(pool_->Command({"SET", "k", binary}).ok());
  auto got = pool_->Command({"GET", "k"});
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->str, binary);
  auto missing = pool_->Command({"GET", "nothing"});
  ASSERT_TRUE(missing.ok());
  EXPECT_TRUE(missing->is_nil());
}

TEST_F(RedisPoolTest, ErrorRepliesBecomeStatuses) {
  ASSERT_TRUE(pool_->Command({"SET", "k", "v"}).ok());
  auto wrong_type = pool_->Command({"LPUSH", "k", "x"});
  EXPECT_EQ(wrong_type.status().code(), absl::StatusCode::kInternal);
}

// A Redis at its maxmemory refuses writes (noeviction): the caller hears
// RESOURCE_EXHAUSTED naming it, not an internal error; reads still work.
TEST_F(RedisPoolTest, AFullRedisRefusesWritesAsResourceExhausted) {
  ASSERT_TRUE(pool_->Command({"CONFIG", "SET", "maxmemory-policy", "noeviction"}).ok());
  ASSERT_TRUE(pool_->Command({"CONFIG", "SET", "maxmemory", "4mb"}).ok());
  const std::string value(100 * 1024, 'x');
  absl::Status refused;
  int written = 0;
  for (; written < 200 && refused.ok(); ++written) {
    refused = pool_->Command({"SET", "fill:" + std::to_string(written), value}).status();
  }
  ASSERT_FALSE(refused.ok()) << "4 MB took 20 MB of values";
  EXPECT_EQ(refused.code(), absl::StatusCode::kResourceExhausted) << refused;
  EXPECT_NE(refused.message().find("maxmemory"), std::string::npos) << refused;
  // A script that writes is refused the same way; a read answers.
  auto script = pool_->Command({"EVAL", "return redis.call('SET', KEYS[1], ARGV[1])", "1", "by-script", value});
  EXPECT_EQ(script.status().code(), absl::StatusCode::kResourceExhausted) << script.status();
  EXPECT_TRUE(pool_->Command({"GET", "fill:0"}).ok());
  EXPECT_TRUE(pool_->Command({"GET", "by-script"})->is_nil());
}

TEST_F(RedisPoolTest, PipelineAnswersInOrder) {
  auto replies = pool_->Pipeline({{"SET", "a", "1"}, {"INCR", "a"}, {"GET", "a"}});
  ASSERT_TRUE(replies.ok());
  ASSERT_EQ(replies->size(), 3u);
  EXPECT_EQ((*replies)[1].integer, 2);
  EXPECT_EQ((*replies)[2].str, "2");
}

// Replies are built by hiredis's reader straight into RedisReply: every shape
// the services read, nested as Redis sends it.
TEST_F(RedisPoolTest, EveryShapeOfReplyIsReadAsSent) {
  ASSERT_TRUE(pool_->Command({"XADD", "s", "1-1", "f", "v", "g", std::string("\0\r\n", 3)}).ok());
  ASSERT_TRUE(pool_->Command({"SET", "long", std::string(100000, 'x')}).ok());
  auto replies = pool_->Pipeline({
      {"XRANGE", "s", "-", "+"},         // [[id, [field, value, …]]]
      {"MGET", "long", "missing"},       // a string and a nil inside an array
      {"SMEMBERS", "nothing"},           // an empty array
      {"PING"},                          // a status
      {"EVAL", "return {1, {'a', {}}, false, redis.error_reply('nested')}", "0"},
      {"BLPOP", "empty-list", "0.01"},   // a nil array
  });
  ASSERT_TRUE(replies.ok()) << replies.status();
  const RedisReply& entries = (*replies)[0];
  ASSERT_EQ(entries.type, RedisReply::Type::kArray);
  ASSERT_EQ(entries.elements.size(), 1u);
  EXPECT_EQ(entries.elements[0].elements[0].str, "1-1");
  ASSERT_EQ(entries.elements[0].elements[1].elements.size(), 4u);
  EXPECT_EQ(entries.elements[0].elements[1].elements[3].str, std::string("\0\r\n", 3));
  const RedisReply& mget = (*replies)[1];
  ASSERT_EQ(mget.elements.size(), 2u);
  EXPECT_EQ(mget.elements[0].str, std::string(100000, 'x'));
  EXPECT_TRUE(mget.elements[1].is_nil());
  EXPECT_EQ((*replies)[2].type, RedisReply::Type::kArray);
  EXPECT_TRUE((*replies)[2].elements.empty());
  EXPECT_EQ((*replies)[3].type, RedisReply::Type::kStatus);
  EXPECT_EQ((*replies)[3].str, "PONG");
  const RedisReply& table = (*replies)[4];
  ASSERT_EQ(table.elements.size(), 4u);
  EXPECT_EQ(table.elements[0].integer, 1);
  EXPECT_EQ(table.elements[1].elements[0].str, "a");
  EXPECT_EQ(table.elements[1].elements[1].type, RedisReply::Type::kArray);
  EXPECT_TRUE(table.elements[2].is_nil());
  EXPECT_TRUE(table.elements[3].is_nil()) << "an error inside an array is no value";
  EXPECT_TRUE((*replies)[5].is_nil());
  // An error at the top is a status, and the connection goes on answering.
  EXPECT_EQ(pool_->Command({"EVAL", "return redis.error_reply('top')", "0"}).status().code(),
            absl::StatusCode::kInternal);
  EXPECT_EQ(pool_->Command({"GET", "long"})->str.size(), 100000u);
}

TEST_F(RedisPoolTest, ScriptsRunBySha1AndSurviveAScriptFlush) {
  LuaScript script{"add", "return redis.call('INCRBY', KEYS[1], ARGV[1])"};
  auto first = pool_->Eval(script, {"n"}, {"5"});
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(first->integer, 5);
  ASSERT_TRUE(pool_->Command({"SCRIPT", "FLUSH"}).ok());
  auto second = pool_->Eval(script, {"n"}, {"2"});
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_EQ(second->integer, 7);
}

TEST_F(RedisPoolTest, ScriptCheckFailuresAreFailedPrecondition) {
  LuaScript script{"refuse", "return redis.error_reply('CHECK: no seats left')"};
  auto result = pool_->Eval(script, {"k"}, {});
  EXPECT_EQ(result.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(result.status().message(), "no seats left");
}

TEST_F(RedisPoolTest, ManyThreadsShareFewConnections) {
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < 16; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 200; ++i) {
        if (!pool_->Command({"INCR", "counter"}).ok()) ++failures;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(pool_->Command({"GET", "counter"})->str, "3200");
}

TEST(RedisPoolConnectTest, UnreachableRedisIsUnavailable) {
  int port = testing::FreePort();
  auto pool = RedisPool::Connect("redis://127.0.0.1:" + std::to_string(port), 1, absl::Milliseconds(300));
  EXPECT_EQ(pool.status().code(), absl::StatusCode::kUnavailable);
}

TEST(RedisUrlTest, Parses) {
  auto ep = ParseRedisUrl("redis://redis.ankommen.svc:6380/3");
  ASSERT_TRUE(ep.ok());
  EXPECT_EQ(ep->host, "redis.ankommen.svc");
  EXPECT_EQ(ep->port, 6380);
  EXPECT_EQ(ep->db, 3);
  EXPECT_FALSE(ParseRedisUrl("http://x").ok());
  EXPECT_FALSE(ParseRedisUrl("redis://:99").ok());
  auto with_user = ParseRedisUrl("redis://registry:s3cr:et@redis:6379/0");
  ASSERT_TRUE(with_user.ok());
  EXPECT_EQ(with_user->user, "registry");
  EXPECT_EQ(with_user->password, "s3cr:et");
  EXPECT_EQ(with_user->host, "redis");
  EXPECT_FALSE(ParseRedisUrl("redis://registry@redis:6379").ok());
}

// Each service its own Redis user, limited to its own keys (and the
// simulated clock): what a service's credentials cannot touch, it cannot
// break. A wrong password is refused without the password in the message.
TEST_F(RedisPoolTest, AServiceUserReachesOnlyItsOwnKeys) {
  ASSERT_EQ(redis_.Command({"ACL", "SETUSER", "registry", "on", ">s3cret", "~ankommen:registry:*", "~ankommen:clock",
                            "+@all", "-@dangerous"}),
            "OK");
  auto pool = RedisPool::Connect("redis://registry:s3cret@127.0.0.1:" + std::to_string(redis_.port()), 1);
  ASSERT_TRUE(pool.ok()) << pool.status();
  EXPECT_TRUE((*pool)->Command({"SET", "ankommen:registry:{registry:p1}:x", "1"}).ok());
  auto foreign = (*pool)->Command({"SET", "ankommen:courses:{courses:p1}:x", "1"});
  EXPECT_FALSE(foreign.ok());
  EXPECT_NE(std::string(foreign.status().message()).find("NOPERM"), std::string::npos) << foreign.status();
  EXPECT_FALSE((*pool)->Command({"FLUSHALL"}).ok());
  auto wrong = RedisPool::Connect("redis://registry:guess@127.0.0.1:" + std::to_string(redis_.port()), 1);
  EXPECT_EQ(wrong.status().code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(std::string(wrong.status().message()).find("guess"), std::string::npos);
}

}  // namespace
}  // namespace ankommen

namespace ankommen {
namespace {

// A durable write waits for a replica: without one it is not acknowledged
// (UNAVAILABLE, though the primary has it); with one it is. A server that
// turned replica answers UNAVAILABLE, not INTERNAL, so callers retry.
TEST(RedisDurabilityTest, AWriteIsAcknowledgedOnlyOnceAReplicaHasIt) {
  const LuaScript set{"set", "redis.call('SET', KEYS[1], ARGV[1]) return 1"};
  testing::RedisServer primary;
  auto endpoint = ParseRedisUrl(primary.url());
  ASSERT_TRUE(endpoint.ok());
  endpoint->min_replicas = 1;
  // Long enough for a replica on a loaded machine to acknowledge; WAIT answers
  // as soon as it has, so only the write without a replica waits it out.
  endpoint->replica_timeout = absl::Seconds(3);
  auto pool = RedisPool::Connect(*endpoint, 2);
  ASSERT_TRUE(pool.ok()) << pool.status();
  auto alone = (*pool)->EvalDurable(set, {"k"}, {"alone"});
  EXPECT_EQ(alone.status().code(), absl::StatusCode::kUnavailable) << alone.status();
  EXPECT_EQ(primary.Command({"GET", "k"}), "alone") << "on the primary, but not acknowledged";

  testing::RedisServer replica;
  ASSERT_EQ(replica.Command({"REPLICAOF", "127.0.0.1", std::to_string(primary.port())}), "OK");
  ASSERT_TRUE(testing::WaitUntil([&] {
    return replica.Command({"INFO", "replication"}).find("master_link_status:up") != std::string::npos;
  }, 15000));
  auto replicated = (*pool)->EvalDurable(set, {"k"}, {"replicated"});
  ASSERT_TRUE(replicated.ok()) << replicated.status();
  EXPECT_EQ(replica.Command({"GET", "k"}), "replicated");

  // Writes sent to a replica: the server says READONLY, the pool says retry.
  auto on_replica = RedisPool::Connect(replica.url(), 1);
  ASSERT_TRUE(on_replica.ok());
  EXPECT_EQ((*on_replica)->Command({"SET", "k", "x"}).status().code(), absl::StatusCode::kUnavailable);
}

}  // namespace
}  // namespace ankommen
