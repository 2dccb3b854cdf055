// How the school service keeps its state in Redis. Schools and Kitas live in
// the partition their id names, children in the partition of the registry's
// person id (their household's):
//   ankommen:schools:{schools:pN}:school:<id>     hash {v, data = SchoolRecord}
//   ankommen:schools:{schools:pN}:schools         sorted set of school ids
//   ankommen:schools:{schools:pN}:kita:<id>       hash {v, data = KitaRecord}
//   ankommen:schools:{schools:pN}:kitas           sorted set of Kita ids
//   ankommen:schools:{schools:pN}:child:<id>      hash {v, data = ChildRecord}
//   ankommen:schools:{schools:pN}:children        sorted set of children waiting or placed
//   ankommen:schools:{schools:pN}:household:<id>  sorted set of the household's children
//   ankommen:schools:{schools:pN}:gap:<key>       hash {v, data = the last gap reported}
//   ankommen:schools:{schools:placement}:…        the placement lease (lease.h)
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "store/aggregates.h"
#include "ankommen/schools/v1/state.pb.h"
#include "store/outbox.h"

namespace ankommen::schools {

using LoadedSchool = Loaded<v1::SchoolRecord>;
using LoadedKita = Loaded<v1::KitaRecord>;
using LoadedChild = Loaded<v1::ChildRecord>;

class SchoolStore {
 public:
  SchoolStore(Outbox& outbox, RedisPool& redis) : outbox_(outbox), redis_(redis) {}

  Outbox& outbox() { return outbox_; }
  RedisPool& redis() { return redis_; }
  const KeySpace& keys() const { return outbox_.keys(); }

  std::string SchoolKey(const std::string& id) const;
  std::string KitaKey(const std::string& id) const;
  std::string ChildKey(const std::string& person_id) const;
  std::string HouseholdKey(const std::string& household_id) const;
  std::string SchoolIndexKey(int partition) const { return keys().Key(partition, "schools"); }
  std::string KitaIndexKey(int partition) const { return keys().Key(partition, "kitas"); }
  std::string GapKey(const std::string& gap) const;

  absl::StatusOr<std::optional<LoadedSchool>> LoadSchool(const std::string& id);
  absl::StatusOr<std::optional<LoadedKita>> LoadKita(const std::string& id);
  absl::StatusOr<std::optional<LoadedChild>> LoadChild(const std::string& person_id);
  absl::StatusOr<std::vector<std::string>> HouseholdChildren(const std::string& household_id);

  absl::StatusOr<std::vector<LoadedSchool>> LoadAllSchools();
  absl::StatusOr<std::vector<LoadedKita>> LoadAllKitas();
  absl::StatusOr<std::vector<LoadedChild>> LoadActiveChildren();

  // Keeps `children` true to the child's status (waiting or placed: listed).
  IndexOp ActiveIndex(const v1::ChildRecord& child) const;

 private:
  Outbox& outbox_;
  RedisPool& redis_;
};

}  // namespace ankommen::schools
