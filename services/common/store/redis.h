// A pool of Redis connections (hiredis contexts are not thread-safe; gRPC
// handlers run concurrently) and Lua scripts called by SHA.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"

struct redisContext;

namespace ankommen {

// An owned copy of a hiredis reply.
struct RedisReply {
  enum class Type { kNil, kString, kInteger, kArray, kStatus };
  Type type = Type::kNil;
  std::string str;  // kString and kStatus
  long long integer = 0;
  std::vector<RedisReply> elements;

  bool is_nil() const { return type == Type::kNil; }
};

// A Lua script: its text, loaded into Redis once per connection pool and
// then called by its SHA1 (EVALSHA), reloaded if the server lost it.
struct LuaScript {
  std::string name;  // for errors and metrics
  std::string source;
};

struct RedisEndpoint {
  std::string host;
  int port = 6379;
  int db = 0;
  // redis://user:password@host:port/db — an ACL user (Redis 6+); a password
  // alone authenticates the default user.
  std::string user;
  std::string password;
};
absl::StatusOr<RedisEndpoint> ParseRedisUrl(const std::string& url);

class RedisPool {
 public:
  // Connects `size` contexts; fails with UNAVAILABLE when Redis does not answer.
  static absl::StatusOr<std::unique_ptr<RedisPool>> Connect(const std::string& url, int size,
                                                            absl::Duration timeout = absl::Seconds(5));
  static absl::StatusOr<std::unique_ptr<RedisPool>> Connect(const RedisEndpoint& endpoint, int size,
                                                            absl::Duration timeout = absl::Seconds(5));
  ~RedisPool();
  RedisPool(const RedisPool&) = delete;
  RedisPool& operator=(const RedisPool&) = delete;

  // One command. Redis error replies become INTERNAL (or FAILED_PRECONDITION for
  // script-raised errors); lost connections become UNAVAILABLE and are redialled
  // on next use.
  absl::StatusOr<RedisReply> Command(const std::vector<std::string>& argv);

  // Several commands on one connection, one round trip.
  absl::StatusOr<std::vector<RedisReply>> Pipeline(const std::vector<std::vector<std::string>>& commands);

  absl::StatusOr<RedisReply> Eval(const LuaScript& script, const std::vector<std::string>& keys,
                                  const std::vector<std::string>& args);

 private:
  struct Conn;
  RedisPool(RedisEndpoint endpoint, absl::Duration timeout);
  absl::StatusOr<std::unique_ptr<Conn>> Dial();
  absl::StatusOr<std::unique_ptr<Conn>> Acquire();
  void Release(std::unique_ptr<Conn> conn);
  absl::StatusOr<std::string> ShaOf(const LuaScript& script);

  RedisEndpoint endpoint_;
  absl::Duration timeout_;
  std::mutex mutex_;
  std::condition_variable available_;
  std::vector<std::unique_ptr<Conn>> idle_;
  int size_ = 0;
  int outstanding_ = 0;
  std::mutex sha_mutex_;
  std::map<std::string, std::string> sha_by_source_;
};

}  // namespace ankommen
