#include "erasure_scan.h"

#include <hiredis/hiredis.h>

#include <functional>
#include <memory>

namespace ankommen::testing {
namespace {

using Reply = std::unique_ptr<redisReply, decltype(&freeReplyObject)>;

Reply Run(redisContext* ctx, const std::vector<std::string>& argv) {
  std::vector<const char*> ptrs;
  std::vector<size_t> lens;
  for (const auto& a : argv) {
    ptrs.push_back(a.data());
    lens.push_back(a.size());
  }
  return Reply(static_cast<redisReply*>(redisCommandArgv(ctx, static_cast<int>(argv.size()), ptrs.data(), lens.data())),
               freeReplyObject);
}

void Flatten(const redisReply* r, std::string& out) {
  if (r == nullptr) return;
  if (r->str != nullptr) out.append(r->str, r->len).push_back('\n');
  for (size_t i = 0; i < r->elements; ++i) Flatten(r->element[i], out);
}

bool EndsWith(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

}  // namespace

std::vector<Trace> TracesOf(int port, const std::string& text) {
  std::vector<Trace> traces;
  timeval timeout{5, 0};
  std::unique_ptr<redisContext, decltype(&redisFree)> ctx(redisConnectWithTimeout("127.0.0.1", port, timeout), redisFree);
  if (!ctx || ctx->err) return traces;
  Reply keys = Run(ctx.get(), {"KEYS", "*"});
  for (size_t i = 0; keys && i < keys->elements; ++i) {
    const std::string key(keys->element[i]->str, keys->element[i]->len);
    std::string all = key + "\n";
    Reply type = Run(ctx.get(), {"TYPE", key});
    const std::string t = type && type->str ? type->str : "";
    Reply value = t == "hash"     ? Run(ctx.get(), {"HGETALL", key})
                  : t == "stream" ? Run(ctx.get(), {"XRANGE", key, "-", "+"})
                  : t == "zset"   ? Run(ctx.get(), {"ZRANGE", key, "0", "-1"})
                  : t == "set"    ? Run(ctx.get(), {"SMEMBERS", key})
                  : t == "string" ? Run(ctx.get(), {"GET", key})
                                  : Reply(nullptr, freeReplyObject);
    Flatten(value.get(), all);
    if (all.find(text) == std::string::npos) continue;
    Reply ttl = Run(ctx.get(), {"TTL", key});
    traces.push_back({key, ttl ? ttl->integer : -1});
  }
  return traces;
}

std::vector<std::string> KeptForGood(const std::vector<Trace>& traces, long long expiring_within_seconds) {
  std::vector<std::string> kept;
  for (const auto& t : traces) {
    const bool audit = t.key.rfind("ankommen:registry:", 0) == 0 && EndsWith(t.key, ":audit");
    const bool expiring = t.ttl_seconds > 0 && t.ttl_seconds <= expiring_within_seconds;
    if (!audit && !expiring) kept.push_back(t.key + " (ttl " + std::to_string(t.ttl_seconds) + ")");
  }
  return kept;
}

}  // namespace ankommen::testing
