// How the registry keeps households in Redis. One aggregate per household
// (its members inside), in the partition its id names:
//   ankommen:registry:{registry:pN}:household:<id>  hash {v, data = Household proto}
//   ankommen:registry:{registry:pN}:person:<id>     the household id, or "erased" (expires
//                                                   with the idempotency window)
//   ankommen:registry:{registry:pN}:area:<area>     sorted set of household ids
//   ankommen:registry:{registry:pN}:audit           stream of reads and changes
//   ankommen:registry:{registry:pK}:blocking:<hash> sorted set of person ids filed
//                                                   under one blocking key (duplicates.h),
//                                                   scored by when filed (unix ms; 0 before 0.9),
//                                                   in the partition K the key's hash names,
//                                                   not the persons': a check reads one set
//                                                   per key, not sixteen
//   (…:{registry:pN}:dupkey:<hash>: the same, in each person's partition, as
//    stored until 2026-12-05; PlaceBlockingKeys moves it at start)
//   ankommen:registry:{registry:pN}:profile:<id>    what a duplicate check compares of a
//                                                   person (EncodeProfile), so that it reads
//                                                   no household; absent for persons stored
//                                                   before 2026-12-05, whose households are read
//   ankommen:registry:{registry:pN}:duplicates:open sorted set of held person ids,
//                                                   scored by when the suspicion was found
//   ankommen:registry:{registry:pN}:cases:closed    sorted set of households whose case
//                                                   closed (with members left), by when
//   ankommen:registry:{registry:pN}:ages:due        sorted set of households by the day
//                                                   (days since 1970-01-01) a member's age
//                                                   next changes what it calls for
//   ankommen:registry:{registry:p0}:ages:indexed    set once every household stored before
//                                                   ages:due existed was filed there
// A person merged into another keeps "merged:<surviving id>" under person:<id>.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "ankommen/registry/v1/registry.pb.h"
#include "domain/duplicates.h"
#include "store/audit.h"
#include "store/outbox.h"

namespace ankommen {
class RedisPool;
}

namespace ankommen::registry {

struct LoadedHousehold {
  v1::Household household;  // with version set
  int64_t version = 0;
};

struct PersonRef {
  enum class State { kUnknown, kErased, kMerged, kActive };
  State state = State::kUnknown;
  std::string household_id;  // when active
  std::string merged_into;   // when merged: the surviving person's id
};

// What duplicate detection compares of a person.
PersonProfile ProfileOf(const v1::Person& person);

// A person's profile as stored beside the blocking sets, with the ids of the
// other members of the household (a crowded key's check compares them too):
// fields separated by a unit separator, which validation keeps out of names.
struct StoredProfile {
  PersonProfile profile;
  std::vector<std::string> housemates;
};
std::string EncodeProfile(const v1::Person& person, const v1::Household& household);
// The housemates are read only when asked for: a check needs them only under a crowded key.
std::optional<StoredProfile> DecodeProfile(const std::string& person_id, std::string_view stored,
                                           bool with_housemates = true);

struct HeldPerson {
  std::string person_id;
  std::string household_id;
  v1::DuplicateSuspicion suspicion;
};

struct HeldPage {
  std::vector<HeldPerson> held;  // one entry per open suspicion
  std::string next_page_token;
};

struct HeldStats {
  int64_t persons = 0;
  int64_t oldest_found_at = 0;  // unix seconds; 0 when none is held
};

struct HouseholdPage {
  std::vector<v1::Household> households;
  std::string next_page_token;
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

  // Index changes for a household's whole life in the store. Members are
  // filed for duplicate detection as of `filed_at` (when they were registered
  // or joined), to the millisecond: a crowded key is read latest first.
  std::vector<IndexOp> IndexNew(const v1::Household& household, absl::Time filed_at) const;
  std::vector<IndexOp> IndexMoved(const v1::Household& before, const v1::Household& after, absl::Time filed_at) const;

  Outbox& outbox() { return outbox_; }

  // Duplicate detection. The persons filed under the blocking keys: under
  // each key at most `per_key`, the latest filed first, so
  // that a crowded block (a common name with 1 January for a birthday, shared
  // by thousands in a Land) costs no more than a full one. Keys in the order
  // given, each person once; `crowded` counts the keys that held more.
  struct Filed {
    std::vector<std::string> person_ids;
    int crowded = 0;
  };
  absl::StatusOr<Filed> PersonsUnderKeys(const std::vector<std::string>& blocking_keys, int per_key);
  // Moves blocking sets stored per person's partition (dupkey:, as stored
  // until 2026-12-05) to the partition of their key, merging as it goes; safe to repeat and to
  // run on two replicas at once. Returns the sets moved.
  absl::StatusOr<int> PlaceBlockingKeys();
  // Each household of these persons once, with all its active members and
  // their household ids set; valid only during the call.
  absl::Status VisitHouseholdsOf(const std::vector<std::string>& person_ids,
                                 const std::function<void(const v1::Household&)>& visit);
  // What a duplicate check of `household` compares (FindSuspects): its members,
  // and the persons of other households filed under their blocking keys, at
  // most `per_key` under each. When a key was crowded, the ids of the other
  // members of the households found, by household: a household in which
  // someone is suspected is compared whole (HousematesSharingAKey), so that a
  // family registered twice is still found through its rarer names.
  struct Compared {
    std::vector<PersonProfile> members;
    std::vector<PersonProfile> candidates;
    std::map<std::string, std::vector<std::string>> housemates;
    int crowded_keys = 0;
  };
  absl::StatusOr<Compared> DuplicateCandidates(const v1::Household& household, int per_key);
  // Of these persons, those who share a blocking key with one of `members`.
  absl::StatusOr<std::vector<PersonProfile>> HousematesSharingAKey(const std::vector<std::string>& person_ids,
                                                                  const std::vector<PersonProfile>& members);
  // The stored profiles of these persons, in order; none for a person stored
  // before profiles were, or no longer active. Their housemates only when asked for.
  absl::StatusOr<std::vector<std::optional<StoredProfile>>> LoadProfiles(const std::vector<std::string>& person_ids,
                                                                         bool with_housemates);
  // The active persons among these ids, with their household ids set.
  absl::StatusOr<std::vector<v1::Person>> LoadActivePersons(const std::vector<std::string>& person_ids);
  // Held persons and their open suspicions, oldest first.
  absl::StatusOr<HeldPage> ListHeld(int page_size, const std::string& token);
  absl::StatusOr<HeldStats> CountHeld();

  // Retention. Households whose case closed at or before `cutoff` (unix
  // seconds), with members left, oldest first.
  absl::StatusOr<std::vector<std::pair<std::string, int64_t>>> ClosedCasesBefore(int64_t cutoff);
  // Audit entries of a partition written longer than `age` ago (by Redis's
  // clock, which dates them): counted, or removed.
  absl::StatusOr<int64_t> AuditEntriesOlderThan(int partition, absl::Duration age, bool remove);

  // Ages. A household filed under the day its members' ages next change
  // anything (ages.h), or taken off the list when none ever will again.
  IndexOp AgesDue(const std::string& household_id, std::optional<absl::CivilDay> day) const;
  // Households due on or before the day, with the day each was due.
  absl::StatusOr<std::vector<std::pair<std::string, absl::CivilDay>>> AgesDueBy(absl::CivilDay day);
  // Once: every household stored before the ages list existed, so that it
  // can be filed (false when that was done before).
  absl::Status ForgetAgesDue(const std::string& household_id);  // a household no longer stored
  // The day the household is due now (nullopt when it is not on the list).
  absl::StatusOr<std::optional<absl::CivilDay>> AgesDueOf(const std::string& household_id);
  absl::StatusOr<bool> AgesIndexed();
  absl::StatusOr<std::vector<std::string>> AllHouseholdIds();
  absl::Status MarkAgesIndexed();

  absl::Status Audit(int partition, const AuditEntry& entry);
  // The same entry written with a commit, so that a change and its record
  // are one (the commit's partition).
  IndexOp AuditOp(int partition, const AuditEntry& entry) const;

  struct AuditQuery {
    std::string subject;  // empty: all
    std::string actor;    // empty: all
    absl::Time since = absl::InfinitePast();
    absl::Time until = absl::InfiniteFuture();
    int page_size = 100;
    std::string page_token;
  };
  struct AuditPage {
    std::vector<std::pair<absl::Time, AuditEntry>> entries;
    std::string next_page_token;
  };
  // Entries across partitions (or the subject's), oldest first.
  absl::StatusOr<AuditPage> QueryAudit(const AuditQuery& query);
  // The audit entries of one partition, oldest first (for tests and the data-protection officer's tools).
  absl::StatusOr<std::vector<AuditEntry>> ReadAudit(int partition);

 private:
  Outbox& outbox_;
  // The set of a blocking key, in the partition its hash names.
  std::string BlockingKey(const std::string& hashed) const;
  std::string ProfileKey(const std::string& person_id) const;
  std::string HeldKey(int partition) const;
  std::string ClosedKey(int partition) const;
  std::string AgesDueKey(int partition) const;
  // (score, member) of every partition's sorted set `key(p)` with scores in
  // [min, max] (Redis's syntax), at most `limit` per partition (0: all), sorted.
  absl::StatusOr<std::vector<std::pair<int64_t, std::string>>> ScoredAcrossPartitions(
      const std::function<std::string(int)>& key, const std::string& min, const std::string& max, int limit);
  // Blocking-set and held-set changes between two states of a household.
  void IndexDuplicates(const v1::Household& before, const v1::Household& after, double filed_at_ms,
                       std::vector<IndexOp>& ops) const;

  RedisPool& redis_;
};

}  // namespace ankommen::registry
