#include "storage/course_store.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "domain/learner_rules.h"
#include "ids.h"
#include "redis.h"

namespace ankommen::courses {
namespace {

template <typename Record>
absl::StatusOr<std::optional<Loaded<Record>>> Parse(const std::optional<StoredAggregate>& stored, const char* what,
                                                    const std::string& id) {
  if (!stored.has_value()) return std::optional<Loaded<Record>>();
  Loaded<Record> loaded;
  if (!loaded.record.ParseFromString(stored->state)) {
    return absl::DataLossError(absl::StrCat(what, " ", id, " is stored unreadably"));
  }
  loaded.version = stored->version;
  return std::optional<Loaded<Record>>(std::move(loaded));
}

}  // namespace

std::string CourseStore::CourseKey(const std::string& id) const { return keys().Key(PartitionOfId(id), "course:" + id); }
std::string CourseStore::OfferKey(const std::string& id) const { return keys().Key(PartitionOfId(id), "offer:" + id); }
std::string CourseStore::ProviderKey(const std::string& id) const {
  return keys().Key(PartitionOfId(id), "provider:" + id);
}
std::string CourseStore::LearnerKey(const std::string& id) const {
  return keys().Key(PartitionOfId(id), "learner:" + id);
}

absl::StatusOr<std::optional<LoadedCourse>> CourseStore::LoadCourse(const std::string& course_id) {
  auto stored = outbox_.Load(CourseKey(course_id));
  if (!stored.ok()) return stored.status();
  return Parse<v1::CourseRecord>(*stored, "course", course_id);
}

absl::StatusOr<std::optional<LoadedLearner>> CourseStore::LoadLearner(const std::string& person_id) {
  auto stored = outbox_.Load(LearnerKey(person_id));
  if (!stored.ok()) return stored.status();
  return Parse<v1::LearnerRecord>(*stored, "learner", person_id);
}

absl::StatusOr<std::optional<v1::Provider>> CourseStore::LoadProvider(const std::string& provider_id) {
  auto stored = outbox_.Load(ProviderKey(provider_id));
  if (!stored.ok()) return stored.status();
  auto parsed = Parse<v1::Provider>(*stored, "provider", provider_id);
  if (!parsed.ok()) return parsed.status();
  if (!parsed->has_value()) return std::optional<v1::Provider>();
  return std::optional<v1::Provider>(std::move((*parsed)->record));
}

absl::StatusOr<std::optional<std::string>> CourseStore::FindOfferCourse(const std::string& offer_id) {
  auto reply = redis_.Command({"GET", OfferKey(offer_id)});
  if (!reply.ok()) return reply.status();
  if (reply->is_nil()) return std::optional<std::string>();
  return std::optional<std::string>(reply->str);
}

std::string CourseStore::HouseholdKey(const std::string& household_id) const {
  return keys().Key(PartitionOfId(household_id), "household:" + household_id);
}

absl::StatusOr<std::vector<std::string>> CourseStore::HouseholdMembers(const std::string& household_id) {
  auto reply = redis_.Command({"ZRANGE", HouseholdKey(household_id), "0", "-1"});
  if (!reply.ok()) return reply.status();
  std::vector<std::string> out;
  for (const auto& e : reply->elements) out.push_back(e.str);
  return out;
}

template <typename Record>
absl::StatusOr<std::vector<Loaded<Record>>> CourseStore::LoadIndexed(
    const std::string& index_name, std::string (CourseStore::*key_of)(const std::string&) const) {
  std::vector<std::vector<std::string>> ranges;
  for (int p = 0; p < kPartitions; ++p) ranges.push_back({"ZRANGE", keys().Key(p, index_name), "0", "-1"});
  auto indexes = redis_.Pipeline(ranges);
  if (!indexes.ok()) return indexes.status();
  std::vector<std::string> ids;
  std::vector<std::vector<std::string>> gets;
  for (const auto& index : *indexes) {
    for (const auto& e : index.elements) {
      ids.push_back(e.str);
      gets.push_back({"HMGET", (this->*key_of)(e.str), "v", "data"});
    }
  }
  std::vector<Loaded<Record>> out;
  if (gets.empty()) return out;
  auto replies = redis_.Pipeline(gets);
  if (!replies.ok()) return replies.status();
  out.reserve(replies->size());
  for (size_t i = 0; i < replies->size(); ++i) {
    const auto& r = (*replies)[i];
    if (r.elements.size() < 2 || r.elements[1].is_nil()) continue;  // removed meanwhile
    Loaded<Record> loaded;
    if (!loaded.record.ParseFromString(r.elements[1].str) || !absl::SimpleAtoi(r.elements[0].str, &loaded.version)) {
      return absl::DataLossError(absl::StrCat(ids[i], " is stored unreadably"));
    }
    out.push_back(std::move(loaded));
  }
  return out;
}

absl::StatusOr<std::vector<LoadedCourse>> CourseStore::LoadAllCourses() {
  return LoadIndexed<v1::CourseRecord>("courses", &CourseStore::CourseKey);
}

absl::StatusOr<std::vector<LoadedLearner>> CourseStore::LoadActiveLearners() {
  return LoadIndexed<v1::LearnerRecord>("active", &CourseStore::LearnerKey);
}

IndexOp CourseStore::ActiveIndex(const v1::LearnerRecord& learner) const {
  const int p = PartitionOfId(learner.person_id());
  for (const auto& r : learner.requests()) {
    if (IsOpen(r.status())) return IndexOp::SortedAdd(ActiveKey(p), learner.person_id());
  }
  return IndexOp::SortedRemove(ActiveKey(p), learner.person_id());
}

namespace {

// Takes the lease if free (a new fencing token) or renews it if ours (the same token).
const LuaScript kAcquireScript{"lease_acquire", R"lua(
local holder = redis.call('GET', KEYS[1])
if holder and holder ~= ARGV[1] then return -1 end
if not holder then
  redis.call('INCR', KEYS[2])
end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return tonumber(redis.call('GET', KEYS[2]))
)lua"};

const LuaScript kReleaseScript{"lease_release", R"lua(
if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) end
return 0
)lua"};

}  // namespace

AllocationLease::AllocationLease(RedisPool& redis, const KeySpace& keys, std::string holder)
    : redis_(redis),
      holder_key_(absl::StrCat("ankommen:", keys.service(), ":{", keys.service(), ":lease}:holder")),
      fence_key_(absl::StrCat("ankommen:", keys.service(), ":{", keys.service(), ":lease}:fence")),
      holder_(std::move(holder)) {}

absl::StatusOr<std::optional<int64_t>> AllocationLease::Acquire(absl::Duration ttl) {
  auto reply = redis_.Eval(kAcquireScript, {holder_key_, fence_key_},
                           {holder_, std::to_string(absl::ToInt64Milliseconds(ttl))});
  if (!reply.ok()) return reply.status();
  if (reply->integer < 0) return std::optional<int64_t>();
  return std::optional<int64_t>(reply->integer);
}

absl::Status AllocationLease::Release() {
  auto reply = redis_.Eval(kReleaseScript, {holder_key_}, {holder_});
  return reply.ok() ? absl::OkStatus() : reply.status();
}

}  // namespace ankommen::courses
