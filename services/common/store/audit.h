// Who read or changed whose personal data: one entry per read or change in a
// stream per partition (ankommen:<service>:{<service>:pN}:audit), with ids
// and the purpose the caller named — never the data itself. The registry keeps
// one for persons, the mediators service one for mediators.
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "store/ids.h"
#include "store/outbox.h"

namespace ankommen {

struct RedisReply;

struct AuditEntry {
  std::string actor;   // the caller (token subject)
  std::string action;  // e.g. "GetContact", "ErasePerson"
  std::string subject;  // a person, household or mediator id
  std::string purpose;
  std::string correlation_id;
};

std::string AuditStreamKey(const KeySpace& keys, int partition);
// The entry written with a commit: the change and its record together.
IndexOp AuditAppendOp(const KeySpace& keys, int partition, const AuditEntry& entry);
// The entry written alone, before personal data is handed out (fail closed:
// the caller answers nothing when this fails).
absl::Status AppendAudit(RedisPool& redis, const KeySpace& keys, int partition, const AuditEntry& entry);
// An entry from the field list of one XRANGE item.
AuditEntry AuditEntryOf(const RedisReply& fields);
// A partition's entries, oldest first.
absl::StatusOr<std::vector<AuditEntry>> ReadAuditStream(RedisPool& redis, const KeySpace& keys, int partition);

}  // namespace ankommen
