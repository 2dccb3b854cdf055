#include "storage/course_store.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "domain/learner_rules.h"
#include "store/ids.h"
#include "store/redis.h"

namespace ankommen::courses {

std::string CourseStore::CourseKey(const std::string& id) const { return keys().Key(PartitionOfId(id), "course:" + id); }
std::string CourseStore::OfferKey(const std::string& id) const { return keys().Key(PartitionOfId(id), "offer:" + id); }
std::string CourseStore::ProviderKey(const std::string& id) const {
  return keys().Key(PartitionOfId(id), "provider:" + id);
}
std::string CourseStore::LearnerKey(const std::string& id) const {
  return keys().Key(PartitionOfId(id), "learner:" + id);
}

absl::StatusOr<std::optional<LoadedCourse>> CourseStore::LoadCourse(const std::string& course_id) {
  return LoadAggregate<v1::CourseRecord>(outbox_, CourseKey(course_id));
}

absl::StatusOr<std::optional<LoadedLearner>> CourseStore::LoadLearner(const std::string& person_id) {
  return LoadAggregate<v1::LearnerRecord>(outbox_, LearnerKey(person_id));
}

absl::StatusOr<std::optional<v1::Provider>> CourseStore::LoadProvider(const std::string& provider_id) {
  auto parsed = LoadAggregate<v1::Provider>(outbox_, ProviderKey(provider_id));
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

namespace {
// Long enough for the registry's events of the household to arrive however
// late; short, because it names children (a child's erasure leaves it to expire).
constexpr int kKitaPlacesTtlSeconds = 7 * 24 * 3600;
}  // namespace

std::string CourseStore::KitaPlacesKey(const std::string& household_id) const {
  return keys().Key(PartitionOfId(household_id), "kita:" + household_id);
}

absl::Status CourseStore::AddKitaPlace(const std::string& household_id, const std::string& child_id) {
  const std::string key = KitaPlacesKey(household_id);
  if (auto reply = redis_.Command({"SADD", key, child_id}); !reply.ok()) return reply.status();
  auto reply = redis_.Command({"EXPIRE", key, std::to_string(kKitaPlacesTtlSeconds)});
  return reply.ok() ? absl::OkStatus() : reply.status();
}

absl::StatusOr<std::set<std::string>> CourseStore::KitaPlaces(const std::string& household_id) {
  auto reply = redis_.Command({"SMEMBERS", KitaPlacesKey(household_id)});
  if (!reply.ok()) return reply.status();
  std::set<std::string> out;
  for (const auto& e : reply->elements) out.insert(e.str);
  return out;
}

absl::StatusOr<std::vector<LoadedCourse>> CourseStore::LoadAllCourses() {
  return LoadIndexed<v1::CourseRecord>(redis_, keys(), "courses", [this](const std::string& id) { return CourseKey(id); });
}

absl::StatusOr<std::vector<LoadedLearner>> CourseStore::LoadActiveLearners() {
  return LoadIndexed<v1::LearnerRecord>(redis_, keys(), "active", [this](const std::string& id) { return LearnerKey(id); });
}

IndexOp CourseStore::ActiveIndex(const v1::LearnerRecord& learner) const {
  const int p = PartitionOfId(learner.person_id());
  for (const auto& r : learner.requests()) {
    if (IsOpen(r.status())) return IndexOp::SortedAdd(ActiveKey(p), learner.person_id());
  }
  return IndexOp::SortedRemove(ActiveKey(p), learner.person_id());
}

}  // namespace ankommen::courses
