#include "store/audit.h"

#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "store/redis.h"

namespace ankommen {
namespace {

std::string Now() { return absl::FormatTime(absl::RFC3339_sec, absl::Now(), absl::UTCTimeZone()); }

}  // namespace

std::string AuditStreamKey(const KeySpace& keys, int partition) { return keys.Key(partition, "audit"); }

IndexOp AuditAppendOp(const KeySpace& keys, int partition, const AuditEntry& e) {
  return IndexOp::StreamAppend(AuditStreamKey(keys, partition), {{"at", Now()},
                                                                 {"actor", e.actor},
                                                                 {"action", e.action},
                                                                 {"subject", e.subject},
                                                                 {"purpose", e.purpose},
                                                                 {"correlation_id", e.correlation_id}});
}

absl::Status AppendAudit(RedisPool& redis, const KeySpace& keys, int partition, const AuditEntry& e) {
  auto reply = redis.Command({"XADD", AuditStreamKey(keys, partition), "*", "at", Now(), "actor", e.actor, "action",
                              e.action, "subject", e.subject, "purpose", e.purpose, "correlation_id", e.correlation_id});
  return reply.ok() ? absl::OkStatus() : reply.status();
}

AuditEntry AuditEntryOf(const RedisReply& fields) {
  AuditEntry e;
  const auto& f = fields.elements;
  for (size_t i = 0; i + 1 < f.size(); i += 2) {
    if (f[i].str == "actor") e.actor = f[i + 1].str;
    else if (f[i].str == "action") e.action = f[i + 1].str;
    else if (f[i].str == "subject") e.subject = f[i + 1].str;
    else if (f[i].str == "purpose") e.purpose = f[i + 1].str;
    else if (f[i].str == "correlation_id") e.correlation_id = f[i + 1].str;
  }
  return e;
}

absl::StatusOr<std::vector<AuditEntry>> ReadAuditStream(RedisPool& redis, const KeySpace& keys, int partition) {
  auto reply = redis.Command({"XRANGE", AuditStreamKey(keys, partition), "-", "+"});
  if (!reply.ok()) return reply.status();
  std::vector<AuditEntry> out;
  for (const auto& item : reply->elements) {
    if (item.elements.size() >= 2) out.push_back(AuditEntryOf(item.elements[1]));
  }
  return out;
}

}  // namespace ankommen
