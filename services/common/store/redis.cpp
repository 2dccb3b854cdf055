#include "store/redis.h"

#include <hiredis/hiredis.h>

#include <algorithm>
#include <memory>
#include <tuple>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"

namespace ankommen {

struct RedisPool::Conn {
  redisContext* ctx = nullptr;
  ~Conn() {
    if (ctx != nullptr) redisFree(ctx);
  }
  bool broken() const { return ctx == nullptr || ctx->err != 0; }
};

namespace {

// hiredis's reader builds each reply straight into a RedisReply rather than
// into its own tree of redisReply, which was then copied and freed: a string
// element costs one allocation at most (none when short), where it cost four.
// The root is a RootReply, which also tells an error reply apart; elements
// live in their parent array, sized when the array's header is read.
struct RootReply {
  RedisReply reply;
  bool error = false;
};

template <typename Fill>
void* Build(const redisReadTask* task, Fill&& fill) {
  if (task->parent == nullptr) {
    auto* root = new RootReply;
    root->error = task->type == REDIS_REPLY_ERROR;
    fill(root->reply);
    return root;
  }
  const redisReadTask* parent = task->parent;
  RedisReply* array = parent->parent == nullptr ? &static_cast<RootReply*>(parent->obj)->reply
                                                : static_cast<RedisReply*>(parent->obj);
  RedisReply& element = array->elements[static_cast<size_t>(task->idx)];
  fill(element);
  return &element;
}

void* BuildString(const redisReadTask* task, char* str, size_t len) {
  return Build(task, [&](RedisReply& r) {
    switch (task->type) {
      case REDIS_REPLY_STRING: r.type = RedisReply::Type::kString; break;
      case REDIS_REPLY_STATUS: r.type = RedisReply::Type::kStatus; break;
      default:
        // An error: the root's message (Take), nil inside an array.
        r.type = RedisReply::Type::kNil;
        if (task->parent != nullptr) return;
    }
    r.str.assign(str, len);
  });
}

void* BuildArray(const redisReadTask* task, int elements) {
  return Build(task, [&](RedisReply& r) {
    r.type = RedisReply::Type::kArray;
    r.elements.resize(static_cast<size_t>(std::max(elements, 0)));
  });
}

void* BuildInteger(const redisReadTask* task, long long value) {
  return Build(task, [&](RedisReply& r) {
    r.type = RedisReply::Type::kInteger;
    r.integer = value;
  });
}

void* BuildNil(const redisReadTask* task) {
  return Build(task, [](RedisReply& r) { r.type = RedisReply::Type::kNil; });
}

// Only roots are freed: a reply the reader drops (an error half-way through).
void FreeRoot(void* root) { delete static_cast<RootReply*>(root); }

redisReplyObjectFunctions kBuildReplies = {BuildString, BuildArray, BuildInteger, BuildNil, FreeRoot};

// A new connection's replies built as RedisReply (before anything is read on it).
void BuildRepliesOn(redisContext* ctx) {
  if (ctx != nullptr && ctx->reader != nullptr) ctx->reader->fn = &kBuildReplies;
}

// Converts a reply (or its absence) into a value or a status; frees it.
absl::StatusOr<RedisReply> Take(redisContext* ctx, void* raw) {
  if (raw == nullptr) {
    return absl::UnavailableError(absl::StrCat("redis: ", ctx->errstr[0] ? ctx->errstr : "connection lost"));
  }
  std::unique_ptr<RootReply> root(static_cast<RootReply*>(raw));
  if (root->error) {
    const std::string& message = root->reply.str;
    // Scripts raise domain failures as "ERR … user_script … CHECK: <message>".
    if (auto pos = message.find("CHECK: "); pos != std::string::npos) {
      return absl::FailedPreconditionError(message.substr(pos + 7));
    }
    if (absl::StartsWith(message, "NOSCRIPT")) return absl::NotFoundError(message);
    // A failover under way: this server is a replica now, or cannot serve.
    // The connection is dropped; the next one goes to whichever is primary.
    if (absl::StartsWith(message, "READONLY") || absl::StartsWith(message, "MASTERDOWN") ||
        absl::StartsWith(message, "LOADING")) {
      ctx->err = REDIS_ERR_OTHER;
      return absl::UnavailableError(absl::StrCat("redis: ", message));
    }
    // Full: the data reached maxmemory (noeviction, as a store must). Nothing
    // was written; a retry helps only once an operator made room
    // (docs/operations.md, Scale).
    if (absl::StartsWith(message, "OOM")) {
      return absl::ResourceExhaustedError(absl::StrCat("redis is full (maxmemory reached): ", message));
    }
    return absl::InternalError(absl::StrCat("redis: ", message));
  }
  return std::move(root->reply);
}

// A command in Redis's protocol, appended to what goes to hiredis at once:
// a pipeline is one buffer, not each command formatted into a buffer of its
// own and copied again.
size_t FormattedSize(const std::vector<std::string>& argv) {
  size_t size = 16;
  for (const auto& a : argv) size += a.size() + 16;
  return size;
}

void AppendFormatted(std::string& out, const std::vector<std::string>& argv) {
  absl::StrAppend(&out, "*", argv.size(), "\r\n");
  for (const auto& a : argv) absl::StrAppend(&out, "$", a.size(), "\r\n", a, "\r\n");
}

}  // namespace

absl::StatusOr<RedisEndpoint> ParseRedisUrl(const std::string& url) {
  constexpr absl::string_view kScheme = "redis://";
  if (!absl::StartsWith(url, kScheme)) return absl::InvalidArgumentError("Redis URL must start with redis://");
  std::string rest = url.substr(kScheme.size());
  RedisEndpoint ep;
  if (auto at = rest.rfind('@'); at != std::string::npos) {
    std::string userinfo = rest.substr(0, at);
    rest = rest.substr(at + 1);
    auto colon = userinfo.find(':');
    if (colon == std::string::npos) return absl::InvalidArgumentError("Redis URL: user without password");
    ep.user = userinfo.substr(0, colon);
    ep.password = userinfo.substr(colon + 1);
    if (ep.password.empty()) return absl::InvalidArgumentError("Redis URL: empty password");
  }
  if (auto slash = rest.find('/'); slash != std::string::npos) {
    std::string db = rest.substr(slash + 1);
    rest = rest.substr(0, slash);
    if (!db.empty() && !absl::SimpleAtoi(db, &ep.db)) return absl::InvalidArgumentError("Redis URL: bad db number");
  }
  auto colon = rest.rfind(':');
  ep.host = rest.substr(0, colon);
  if (colon != std::string::npos && !absl::SimpleAtoi(rest.substr(colon + 1), &ep.port)) {
    return absl::InvalidArgumentError("Redis URL: bad port");
  }
  if (ep.host.empty()) return absl::InvalidArgumentError("Redis URL: no host");
  return ep;
}

RedisPool::RedisPool(RedisEndpoint endpoint, absl::Duration timeout)
    : endpoint_(std::move(endpoint)), timeout_(timeout) {}

RedisPool::~RedisPool() = default;

absl::StatusOr<std::unique_ptr<RedisPool>> RedisPool::Connect(const std::string& url, int size,
                                                              absl::Duration timeout) {
  auto ep = ParseRedisUrl(url);
  if (!ep.ok()) return ep.status();
  return Connect(*ep, size, timeout);
}

absl::StatusOr<std::unique_ptr<RedisPool>> RedisPool::Connect(const RedisEndpoint& endpoint, int size,
                                                              absl::Duration timeout) {
  std::unique_ptr<RedisPool> pool(new RedisPool(endpoint, timeout));
  pool->size_ = size;
  for (int i = 0; i < size; ++i) {
    auto conn = pool->Dial();
    if (!conn.ok()) return conn.status();
    pool->idle_.push_back(std::move(*conn));
  }
  return pool;
}

absl::StatusOr<std::pair<std::string, int>> RedisPool::PrimaryFromSentinels() const {
  const timeval tv = absl::ToTimeval(std::min(timeout_, absl::Seconds(1)));
  std::string last_error = "no sentinel answered";
  for (const auto& sentinel : endpoint_.sentinels) {
    const auto colon = sentinel.rfind(':');
    int port = 0;
    if (colon == std::string::npos || !absl::SimpleAtoi(sentinel.substr(colon + 1), &port)) continue;
    std::unique_ptr<redisContext, void (*)(redisContext*)> ctx(
        redisConnectWithTimeout(sentinel.substr(0, colon).c_str(), port, tv), redisFree);
    if (ctx == nullptr || ctx->err != 0) {
      last_error = absl::StrCat(sentinel, ": ", ctx ? ctx->errstr : "out of memory");
      continue;
    }
    redisSetTimeout(ctx.get(), tv);
    BuildRepliesOn(ctx.get());
    if (!endpoint_.sentinel_password.empty()) {
      auto auth = Take(ctx.get(), endpoint_.sentinel_user.empty()
                                      ? redisCommand(ctx.get(), "AUTH %s", endpoint_.sentinel_password.c_str())
                                      : redisCommand(ctx.get(), "AUTH %s %s", endpoint_.sentinel_user.c_str(),
                                                     endpoint_.sentinel_password.c_str()));
      if (!auth.ok()) {
        last_error = absl::StrCat(sentinel, ": the sentinel refused the login (", auth.status().message(), ")");
        continue;
      }
    }
    auto reply = Take(ctx.get(),
                      redisCommand(ctx.get(), "SENTINEL get-master-addr-by-name %s", endpoint_.primary_name.c_str()));
    if (!reply.ok() || reply->type != RedisReply::Type::kArray || reply->elements.size() != 2) {
      last_error = absl::StrCat(sentinel, ": knows no primary ", endpoint_.primary_name);
      continue;
    }
    std::string address = absl::StrCat(reply->elements[0].str, ":", reply->elements[1].str);
    if (auto it = endpoint_.address_map.find(address); it != endpoint_.address_map.end()) address = it->second;
    const auto at = address.rfind(':');
    int primary_port = 0;
    if (at == std::string::npos || !absl::SimpleAtoi(address.substr(at + 1), &primary_port)) continue;
    return std::make_pair(address.substr(0, at), primary_port);
  }
  return absl::UnavailableError(absl::StrCat("redis: no primary of ", endpoint_.primary_name, " (", last_error, ")"));
}

absl::StatusOr<std::unique_ptr<RedisPool::Conn>> RedisPool::Dial() {
  std::string host = endpoint_.host;
  int port = endpoint_.port;
  if (!endpoint_.sentinels.empty()) {
    auto primary = PrimaryFromSentinels();
    if (!primary.ok()) return primary.status();
    std::tie(host, port) = *primary;
  }
  timeval tv = absl::ToTimeval(timeout_);
  auto conn = std::make_unique<Conn>();
  conn->ctx = redisConnectWithTimeout(host.c_str(), port, tv);
  if (conn->ctx == nullptr || conn->ctx->err != 0) {
    return absl::UnavailableError(absl::StrCat("redis ", host, ":", port, ": ",
                                               conn->ctx ? conn->ctx->errstr : "out of memory"));
  }
  redisSetTimeout(conn->ctx, tv);
  BuildRepliesOn(conn->ctx);
  if (!endpoint_.password.empty()) {
    auto r = endpoint_.user.empty()
                 ? Take(conn->ctx, redisCommand(conn->ctx, "AUTH %s", endpoint_.password.c_str()))
                 : Take(conn->ctx, redisCommand(conn->ctx, "AUTH %s %s", endpoint_.user.c_str(),
                                                endpoint_.password.c_str()));
    // Never the password in the message.
    if (!r.ok()) return absl::PermissionDeniedError(absl::StrCat("redis: authentication as '", endpoint_.user, "' refused"));
  }
  if (endpoint_.db != 0) {
    auto r = Take(conn->ctx, redisCommand(conn->ctx, "SELECT %d", endpoint_.db));
    if (!r.ok()) return r.status();
  }
  if (!endpoint_.sentinels.empty()) {
    // The sentinels' view may lag a failover by a moment: only a primary will do.
    auto role = Take(conn->ctx, redisCommand(conn->ctx, "ROLE"));
    if (!role.ok()) return role.status();
    if (role->type != RedisReply::Type::kArray || role->elements.empty() || role->elements[0].str != "master") {
      return absl::UnavailableError(absl::StrCat("redis ", host, ":", port, " is not the primary (yet)"));
    }
  }
  return conn;
}

absl::StatusOr<std::unique_ptr<RedisPool::Conn>> RedisPool::Acquire() {
  std::unique_ptr<Conn> conn;
  {
    std::unique_lock lock(mutex_);
    // Take an idle connection, or dial a new one while fewer than size_ are out.
    available_.wait(lock, [&] { return !idle_.empty() || outstanding_ < size_; });
    ++outstanding_;
    if (!idle_.empty()) {
      conn = std::move(idle_.back());
      idle_.pop_back();
    }
  }
  if (conn == nullptr || conn->broken()) {
    auto dialled = Dial();
    if (!dialled.ok()) {
      Release(nullptr);
      return dialled.status();
    }
    conn = std::move(*dialled);
  }
  return conn;
}

void RedisPool::Release(std::unique_ptr<Conn> conn) {
  {
    std::lock_guard lock(mutex_);
    --outstanding_;
    // A broken connection is dropped; the next Acquire dials a new one.
    if (conn != nullptr && !conn->broken()) idle_.push_back(std::move(conn));
  }
  available_.notify_one();
}

absl::StatusOr<RedisReply> RedisPool::Command(const std::vector<std::string>& argv) {
  auto conn = Acquire();
  if (!conn.ok()) return conn.status();
  redisContext* ctx = (*conn)->ctx;
  std::string formatted;
  formatted.reserve(FormattedSize(argv));
  AppendFormatted(formatted, argv);
  redisAppendFormattedCommand(ctx, formatted.data(), formatted.size());
  void* reply = nullptr;
  if (redisGetReply(ctx, &reply) != REDIS_OK) reply = nullptr;
  auto result = Take(ctx, reply);
  Release(std::move(*conn));
  return result;
}

absl::StatusOr<std::vector<RedisReply>> RedisPool::Pipeline(const std::vector<std::vector<std::string>>& commands) {
  auto each = PipelineEach(commands);
  if (!each.ok()) return each.status();
  std::vector<RedisReply> replies;
  replies.reserve(each->size());
  for (auto& r : *each) {
    if (!r.ok()) return r.status();
    replies.push_back(std::move(*r));
  }
  return replies;
}

absl::StatusOr<std::vector<absl::StatusOr<RedisReply>>> RedisPool::PipelineEach(
    const std::vector<std::vector<std::string>>& commands) {
  auto conn = Acquire();
  if (!conn.ok()) return conn.status();
  redisContext* ctx = (*conn)->ctx;
  size_t size = 0;
  for (const auto& argv : commands) size += FormattedSize(argv);
  std::string formatted;
  formatted.reserve(size);
  for (const auto& argv : commands) AppendFormatted(formatted, argv);
  redisAppendFormattedCommand(ctx, formatted.data(), formatted.size());
  std::vector<absl::StatusOr<RedisReply>> replies;
  replies.reserve(commands.size());
  for (size_t i = 0; i < commands.size(); ++i) {
    void* raw = nullptr;
    if (redisGetReply(ctx, &raw) != REDIS_OK) {
      const std::string error = absl::StrCat("redis: ", ctx->errstr);
      Release(std::move(*conn));
      return absl::UnavailableError(error);
    }
    replies.push_back(Take(ctx, raw));
  }
  Release(std::move(*conn));
  return replies;
}

absl::StatusOr<std::string> RedisPool::ShaOf(const LuaScript& script) {
  {
    std::lock_guard lock(sha_mutex_);
    if (auto it = sha_by_source_.find(script.source); it != sha_by_source_.end()) return it->second;
  }
  auto loaded = Command({"SCRIPT", "LOAD", script.source});
  if (!loaded.ok()) return loaded.status();
  std::lock_guard lock(sha_mutex_);
  sha_by_source_[script.source] = loaded->str;
  return loaded->str;
}

std::vector<std::string> RedisPool::EvalArgv(const std::string& sha, const std::vector<std::string>& keys,
                                             const std::vector<std::string>& args) const {
  std::vector<std::string> argv;
  argv.reserve(3 + keys.size() + args.size());
  argv.push_back("EVALSHA");
  argv.push_back(sha);
  argv.push_back(std::to_string(keys.size()));
  argv.insert(argv.end(), keys.begin(), keys.end());
  argv.insert(argv.end(), args.begin(), args.end());
  return argv;
}

absl::StatusOr<RedisReply> RedisPool::EvalDurable(const LuaScript& script, std::vector<std::string> keys,
                                                  std::vector<std::string> args) {
  std::vector<ScriptCall> call(1);
  call[0].keys = std::move(keys);
  call[0].args = std::move(args);
  auto replies = EvalEachDurable(script, call);
  if (!replies.ok()) return replies.status();
  return std::move(replies->front());
}

absl::StatusOr<RedisReply> RedisPool::Eval(const LuaScript& script, const std::vector<std::string>& keys,
                                           const std::vector<std::string>& args) {
  for (int attempt = 0; attempt < 2; ++attempt) {
    auto sha = ShaOf(script);
    if (!sha.ok()) return sha.status();
    auto reply = Command(EvalArgv(*sha, keys, args));
    if (reply.ok() || reply.status().code() != absl::StatusCode::kNotFound) return reply;
    // The server restarted or was flushed: load the script again.
    std::lock_guard lock(sha_mutex_);
    sha_by_source_.erase(script.source);
  }
  return absl::InternalError(absl::StrCat("redis: script ", script.name, " could not be loaded"));
}

absl::StatusOr<std::vector<absl::StatusOr<RedisReply>>> RedisPool::EvalEachDurable(
    const LuaScript& script, const std::vector<ScriptCall>& calls) {
  for (int attempt = 0; attempt < 2; ++attempt) {
    auto sha = ShaOf(script);
    if (!sha.ok()) return sha.status();
    std::vector<std::vector<std::string>> commands;
    commands.reserve(calls.size() + 1);
    for (const auto& call : calls) commands.push_back(EvalArgv(*sha, call.keys, call.args));
    // WAIT after the last counts the replicas that have all of them.
    if (endpoint_.min_replicas > 0) {
      commands.push_back({"WAIT", std::to_string(endpoint_.min_replicas),
                          std::to_string(absl::ToInt64Milliseconds(endpoint_.replica_timeout))});
    }
    auto replies = PipelineEach(commands);
    if (!replies.ok()) return replies.status();
    // The server lost the script (a restart, a flush): none of them ran.
    // Loaded again, all run again.
    if (!replies->empty() && absl::IsNotFound(replies->front().status())) {
      std::lock_guard lock(sha_mutex_);
      sha_by_source_.erase(script.source);
      continue;
    }
    if (endpoint_.min_replicas > 0) {
      const long long replicas = replies->back().ok() ? replies->back()->integer : 0;
      replies->pop_back();
      // A call that failed keeps its own error; one that ran may stand on
      // the primary alone, and its caller retries with its idempotency key.
      if (replicas < endpoint_.min_replicas) {
        const absl::Status unreplicated = absl::UnavailableError(
            absl::StrCat("redis: the write is on the primary and ", replicas, " of ", endpoint_.min_replicas,
                         " replicas within ", absl::FormatDuration(endpoint_.replica_timeout),
                         "; retry with the same key"));
        for (auto& reply : *replies) {
          if (reply.ok()) reply = unreplicated;
        }
      }
    }
    return replies;
  }
  return absl::InternalError(absl::StrCat("redis: script ", script.name, " could not be loaded"));
}

}  // namespace ankommen
