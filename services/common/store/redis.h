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
  // Sentinel: the sentinels ("host:port") asked which server is the primary
  // of `primary_name`; host and port above are then not dialled. A connection
  // is dialled only to a server that says it is the primary.
  std::vector<std::string> sentinels;
  std::string primary_name = "ankommen";
  // The sentinels' own ACL user (one that may only look the primary up);
  // empty: they are asked without logging in.
  std::string sentinel_user;
  std::string sentinel_password;
  // The address a sentinel names → the address to dial (a TLS tunnel's local
  // port for each Redis node); unmapped addresses are dialled as named.
  std::map<std::string, std::string> address_map;
  // A durable write (EvalDurable) is acknowledged only once this many replicas
  // have it (WAIT), within replica_timeout; 0: once the primary has it.
  int min_replicas = 0;
  absl::Duration replica_timeout = absl::Seconds(1);
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
  // script-raised errors); lost connections, and a server that is no longer
  // the primary (READONLY), become UNAVAILABLE and are redialled on next use
  // (through the sentinels, when there are any).
  absl::StatusOr<RedisReply> Command(const std::vector<std::string>& argv);

  // Several commands on one connection, one round trip.
  absl::StatusOr<std::vector<RedisReply>> Pipeline(const std::vector<std::vector<std::string>>& commands);

  // As Pipeline, with each command's own reply or error: the outer status is
  // the connection's (UNAVAILABLE: lost, and what it ran is unknown).
  absl::StatusOr<std::vector<absl::StatusOr<RedisReply>>> PipelineEach(
      const std::vector<std::vector<std::string>>& commands);

  absl::StatusOr<RedisReply> Eval(const LuaScript& script, const std::vector<std::string>& keys,
                                  const std::vector<std::string>& args);

  // Eval of a script that writes what a caller is told is done (a commit):
  // with min_replicas, answered only once that many replicas have the write,
  // else UNAVAILABLE — the write may stand on the primary alone, and the
  // caller retries with its idempotency key.
  absl::StatusOr<RedisReply> EvalDurable(const LuaScript& script, std::vector<std::string> keys,
                                         std::vector<std::string> args);

  // EvalDurable of several calls of one script in one round trip (one WAIT
  // after the last): each call's own reply or error, in order (UNAVAILABLE
  // for one that ran when too few replicas have it). Redis runs them one
  // after the other, each atomic by itself, none with another.
  struct ScriptCall {
    std::vector<std::string> keys, args;
  };
  absl::StatusOr<std::vector<absl::StatusOr<RedisReply>>> EvalEachDurable(const LuaScript& script,
                                                                          const std::vector<ScriptCall>& calls);

 private:
  struct Conn;
  RedisPool(RedisEndpoint endpoint, absl::Duration timeout);
  absl::StatusOr<std::unique_ptr<Conn>> Dial();
  absl::StatusOr<std::pair<std::string, int>> PrimaryFromSentinels() const;
  std::vector<std::string> EvalArgv(const std::string& sha, const std::vector<std::string>& keys,
                                    const std::vector<std::string>& args) const;
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
