// How the mediators service keeps its state in Redis. Each record lives in
// the partition its id names (a person's in the registry's partition):
//   ankommen:mediators:{mediators:pN}:mediator:<id>  hash {v, data = MediatorRecord}
//   ankommen:mediators:{mediators:pN}:pool           sorted set of the mediators in the pool
//   ankommen:mediators:{mediators:pN}:request:<id>   hash {v, data = RequestRecord}
//   ankommen:mediators:{mediators:pN}:open           sorted set of requests open, proposed or unfilled, by start,
//                                                    until the appointment begins without a booking
//   ankommen:mediators:{mediators:pN}:calendar       sorted set of requests booked or done, by start
//   ankommen:mediators:{mediators:pN}:person:<id>    hash {v, data = PersonRecord}
//   ankommen:mediators:{mediators:pN}:person:<id>:requests  sorted set of the person's requests (same partition)
//   ankommen:mediators:{mediators:pN}:audit          stream of reads of contact data and removals
//   ankommen:mediators:{mediators:matching}:…        the matching lease (lease.h)
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "ankommen/mediators/v1/state.pb.h"
#include "store/aggregates.h"
#include "store/audit.h"
#include "store/outbox.h"

namespace ankommen::mediators {

inline constexpr char kMediatorIdPrefix[] = "med";
inline constexpr char kRequestIdPrefix[] = "mreq";
inline constexpr char kPersonIdPrefix[] = "p";      // the registry's
inline constexpr char kHouseholdIdPrefix[] = "hh";  // the registry's

using LoadedMediator = Loaded<v1::MediatorRecord>;
using LoadedRequest = Loaded<v1::RequestRecord>;
using LoadedPerson = Loaded<v1::PersonRecord>;

class MediatorsStore {
 public:
  MediatorsStore(Outbox& outbox, RedisPool& redis) : outbox_(outbox), redis_(redis) {}

  Outbox& outbox() { return outbox_; }
  RedisPool& redis() { return redis_; }
  const KeySpace& keys() const { return outbox_.keys(); }

  std::string MediatorKey(const std::string& id) const;
  std::string RequestKey(const std::string& id) const;
  std::string PersonKey(const std::string& id) const;

  absl::StatusOr<std::optional<LoadedMediator>> LoadMediator(const std::string& id);
  absl::StatusOr<std::optional<LoadedRequest>> LoadRequest(const std::string& id);
  absl::StatusOr<std::optional<LoadedPerson>> LoadPerson(const std::string& id);

  absl::StatusOr<std::vector<LoadedMediator>> LoadPool();
  // Requests open, proposed or unfilled, by start.
  absl::StatusOr<std::vector<LoadedRequest>> LoadOpen();
  // Requests booked or done whose appointment starts in [from, to).
  absl::StatusOr<std::vector<LoadedRequest>> LoadCalendar(absl::Time from, absl::Time to);

  // Keep `pool` true to the mediator (listed while in the pool).
  IndexOp PoolIndex(const v1::MediatorRecord& record) const;
  // Keep `open` and `calendar` true to the request's status.
  std::vector<IndexOp> RequestIndexes(const v1::RequestRecord& record) const;

  // Lists a request under its person (the request lives in the person's partition).
  std::string PersonRequestsKey(const std::string& person_id) const;
  IndexOp PersonRequestIndex(const std::string& person_id, const std::string& request_id) const;
  absl::StatusOr<std::vector<std::string>> RequestsOfPerson(const std::string& person_id);

  // Written with the commit of a change, or alone before a read is answered
  // (fail closed: no contact data unless its read is recorded).
  IndexOp AuditOp(const AuditEntry& entry) const;
  absl::Status Audit(const AuditEntry& entry);
  // The audit entries of a mediator's partition, oldest first (tests, the data-protection officer).
  absl::StatusOr<std::vector<AuditEntry>> ReadAudit(const std::string& mediator_id);

 private:
  Outbox& outbox_;
  RedisPool& redis_;
};

}  // namespace ankommen::mediators
