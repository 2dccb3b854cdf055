// How the registry keeps households in Redis. One aggregate per household
// (its members inside), in the partition its id names:
//   ankommen:registry:{registry:pN}:household:<id>  hash {v, data = Household proto}
//   ankommen:registry:{registry:pN}:person:<id>     the household id, or "erased"
//   ankommen:registry:{registry:pN}:area:<area>     sorted set of household ids
//   ankommen:registry:{registry:pN}:audit           stream of reads and changes
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "ankommen/registry/v1/registry.pb.h"
#include "outbox.h"

namespace ankommen {
class RedisPool;
}

namespace ankommen::registry {

namespace v1 = ::ankommen::registry::v1;

struct LoadedHousehold {
  v1::Household household;  // with version set
  int64_t version = 0;
};

struct PersonRef {
  enum class State { kUnknown, kErased, kActive };
  State state = State::kUnknown;
  std::string household_id;
};

struct HouseholdPage {
  std::vector<v1::Household> households;
  std::string next_page_token;
};

// A record of who read or changed whose data (ids only).
struct AuditEntry {
  std::string actor;
  std::string action;   // e.g. "GetContact", "ErasePerson"
  std::string subject;  // a person or household id
  std::string purpose;
  std::string correlation_id;
};

class HouseholdStore {
 public:
  HouseholdStore(Outbox& outbox, RedisPool& redis) : outbox_(outbox), redis_(redis) {}

  const KeySpace& keys() const { return outbox_.keys(); }
  std::string HouseholdKey(const std::string& household_id) const;
  std::string PersonKey(const std::string& person_id) const;
  std::string AreaKey(int partition, const std::string& social_area) const;

  absl::StatusOr<std::optional<LoadedHousehold>> Load(const std::string& household_id);
  absl::StatusOr<PersonRef> FindPerson(const std::string& person_id);

  // Households of an area, ordered by partition and id; token from the last page.
  absl::StatusOr<HouseholdPage> ListByArea(const std::string& social_area, int page_size, const std::string& token);

  // Index changes for a household's whole life in the store.
  std::vector<IndexOp> IndexNew(const v1::Household& household) const;
  std::vector<IndexOp> IndexMoved(const v1::Household& before, const v1::Household& after) const;

  Outbox& outbox() { return outbox_; }

  absl::Status Audit(int partition, const AuditEntry& entry);
  // The audit entries of one partition, oldest first (for tests and the data-protection officer's tools).
  absl::StatusOr<std::vector<AuditEntry>> ReadAudit(int partition);

 private:
  Outbox& outbox_;
  RedisPool& redis_;
};

}  // namespace ankommen::registry
