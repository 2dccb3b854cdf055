#include "storage/course_store.h"

#include <algorithm>
#include <tuple>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "domain/learner_rules.h"
#include "domain/waitlist.h"
#include "store/command.h"
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

namespace {

struct LineEntry {
  std::string key;
  std::string member;
  bool operator<(const LineEntry& o) const { return std::tie(key, member) < std::tie(o.key, o.member); }
};

std::string LineName(const char* what, v1::CourseType type, const std::string& social_area) {
  return absl::StrCat(what, ":", static_cast<int>(type), ":", social_area);
}

}  // namespace

std::string CourseStore::LineKey(int partition, v1::CourseType type, const std::string& social_area) const {
  return keys().Key(partition, LineName("line", type, social_area));
}

std::string CourseStore::CoursesOfKey(int partition, v1::CourseType type, const std::string& social_area) const {
  return keys().Key(partition, LineName("courses-of", type, social_area));
}

std::vector<IndexOp> CourseStore::LearnerIndex(const v1::LearnerRecord* before, const v1::LearnerRecord& after) const {
  const int p = PartitionOfId(after.person_id());
  auto entries = [&](const v1::LearnerRecord& learner) {
    std::set<LineEntry> out;
    for (const auto& r : learner.requests()) {
      if (r.status() != v1::REQUEST_STATUS_WAITING) continue;
      out.insert({LineKey(p, r.course_type(), learner.social_area()), LineOrderKey(ToRequest(r))});
    }
    return out;
  };
  const std::set<LineEntry> was = before != nullptr ? entries(*before) : std::set<LineEntry>();
  const std::set<LineEntry> is = entries(after);
  std::vector<IndexOp> ops;
  const bool open = std::any_of(after.requests().begin(), after.requests().end(),
                                [](const v1::SeatRequest& r) { return IsOpen(r.status()); });
  ops.push_back(open ? IndexOp::SortedAdd(ActiveKey(p), after.person_id())
                     : IndexOp::SortedRemove(ActiveKey(p), after.person_id()));
  for (const auto& e : was) {
    if (!is.count(e)) ops.push_back(IndexOp::SortedRemove(e.key, e.member));
  }
  for (const auto& e : is) {
    if (!was.count(e)) ops.push_back(IndexOp::SortedAdd(e.key, e.member));
  }
  return ops;
}

std::vector<IndexOp> CourseStore::CourseIndex(const v1::Course& course) const {
  const int p = PartitionOfId(course.course_id());
  return {IndexOp::SortedAdd(CourseIndexKey(p), course.course_id()),
          IndexOp::SortedAdd(CoursesOfKey(p, course.course_type(), course.location().social_area()), course.course_id())};
}

absl::StatusOr<int> CourseStore::CountAhead(v1::CourseType type, const std::string& social_area,
                                            const std::string& order_key) {
  std::vector<std::vector<std::string>> counts;
  for (int p = 0; p < kPartitions; ++p) counts.push_back({"ZLEXCOUNT", LineKey(p, type, social_area), "-", "(" + order_key});
  auto replies = redis_.Pipeline(counts);
  if (!replies.ok()) return replies.status();
  long long ahead = 0;
  for (const auto& r : *replies) ahead += r.integer;
  return static_cast<int>(ahead);
}

absl::StatusOr<std::vector<LoadedCourse>> CourseStore::LoadCoursesOf(v1::CourseType type, const std::string& social_area) {
  return LoadIndexed<v1::CourseRecord>(redis_, keys(), LineName("courses-of", type, social_area),
                                       [this](const std::string& id) { return CourseKey(id); });
}

absl::StatusOr<int> CourseStore::BuildLines() {
  std::vector<std::vector<std::string>> probes;
  for (int p = 0; p < kPartitions; ++p) probes.push_back({"EXISTS", keys().Key(p, "lines-built")});
  auto built = redis_.Pipeline(probes);
  if (!built.ok()) return built.status();
  std::vector<int> missing;
  for (int p = 0; p < kPartitions; ++p) {
    if ((*built)[static_cast<size_t>(p)].integer != 1) missing.push_back(p);
  }
  if (missing.empty()) return 0;
  auto courses = LoadAllCourses();
  if (!courses.ok()) return courses.status();
  int indexed = 0;
  for (int p : missing) {
    std::vector<std::vector<std::string>> adds;
    for (const auto& c : *courses) {
      if (PartitionOfId(c.record.course().course_id()) != p) continue;
      for (const auto& op : CourseIndex(c.record.course())) adds.push_back({"ZADD", op.key, "0", op.member});
    }
    if (!adds.empty()) {
      if (auto s = redis_.Pipeline(adds); !s.ok()) return s.status();
    }
    auto active = redis_.Command({"ZRANGE", ActiveKey(p), "0", "-1"});
    if (!active.ok()) return active.status();
    for (const auto& e : active->elements) {
      const std::string person_id = e.str;
      bool waiting = false;
      // Through a commit at the version read, so that a change made meanwhile
      // is never overwritten by an entry it had already removed.
      auto s = ApplyChange(outbox_, p, [&]() -> absl::StatusOr<std::optional<Commit>> {
        auto loaded = LoadLearner(person_id);
        if (!loaded.ok()) return loaded.status();
        if (!loaded->has_value()) return std::optional<Commit>();
        std::vector<IndexOp> ops = LearnerIndex(nullptr, (*loaded)->record);
        waiting = ops.size() > 1;  // more than `active`: a line entry
        if (!waiting) return std::optional<Commit>();
        Commit c;
        c.aggregate_key = LearnerKey(person_id);
        c.expected_version = (*loaded)->version;
        c.state = (*loaded)->record.SerializeAsString();
        c.index_ops = std::move(ops);
        return std::optional<Commit>(std::move(c));
      });
      if (!s.ok()) return s;
      indexed += waiting ? 1 : 0;
    }
    if (auto s = redis_.Command({"SET", keys().Key(p, "lines-built"), "1"}); !s.ok()) return s.status();
  }
  return indexed;
}

}  // namespace ankommen::courses
