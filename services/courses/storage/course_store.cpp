#include "storage/course_store.h"

#include <algorithm>
#include <set>
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

absl::StatusOr<std::vector<std::optional<LoadedLearner>>> CourseStore::LoadLearners(
    const std::vector<std::string>& person_ids) {
  return LoadEach<v1::LearnerRecord>(redis_, person_ids, [this](const std::string& id) { return LearnerKey(id); });
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

namespace {
std::string Milliseconds(absl::Duration ttl) {
  return std::to_string(std::max<int64_t>(1, absl::ToInt64Milliseconds(ttl)));
}
}  // namespace

std::string CourseStore::AcceptingKey(const std::string& person_id, const std::string& request_id) const {
  return keys().Key(PartitionOfId(person_id), "accepting:" + request_id);
}

absl::StatusOr<std::string> CourseStore::ClaimAcceptance(const std::string& person_id, const std::string& request_id,
                                                          const std::string& offer_id, absl::Duration ttl) {
  // SET … NX GET (Redis 7): sets and answers nil, or answers who holds it.
  auto reply = redis_.Command(
      {"SET", AcceptingKey(person_id, request_id), offer_id, "NX", "GET", "PX", Milliseconds(ttl)});
  if (!reply.ok()) return reply.status();
  if (reply->type != RedisReply::Type::kString || reply->str == offer_id) return std::string();  // ours, or a retry
  return reply->str;
}

namespace {
// The claim passes from `from` to the new offer only while `from` still
// holds it (or nobody does): two takeovers at once, one wins.
const LuaScript kTakeOverScript{"take_over_acceptance", R"lua(
local holder = redis.call('GET', KEYS[1])
if holder == false or holder == ARGV[1] or holder == ARGV[2] then
  redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
  return ''
end
return holder
)lua"};
}  // namespace

absl::StatusOr<std::string> CourseStore::TakeOverAcceptance(const std::string& person_id, const std::string& request_id,
                                                             const std::string& from_offer_id,
                                                             const std::string& offer_id, absl::Duration ttl) {
  auto reply =
      redis_.Eval(kTakeOverScript, {AcceptingKey(person_id, request_id)}, {from_offer_id, offer_id, Milliseconds(ttl)});
  if (!reply.ok()) return reply.status();
  return reply->str;
}

absl::StatusOr<std::vector<LoadedCourse>> CourseStore::LoadAllCourses() {
  return LoadIndexed<v1::CourseRecord>(redis_, keys(), "courses", [this](const std::string& id) { return CourseKey(id); });
}

absl::StatusOr<std::vector<LoadedLearner>> CourseStore::LoadActiveLearners() {
  return LoadIndexed<v1::LearnerRecord>(redis_, keys(), "active", [this](const std::string& id) { return LearnerKey(id); });
}

absl::StatusOr<std::vector<LoadedLearner>> CourseStore::LoadWaitingLearners() {
  return LoadIndexed<v1::LearnerRecord>(redis_, keys(), "waiting", [this](const std::string& id) { return LearnerKey(id); });
}

absl::StatusOr<std::vector<LoadedLearner>> CourseStore::LoadHoldingLearners() {
  return LoadIndexed<v1::LearnerRecord>(redis_, keys(), "holding", [this](const std::string& id) { return LearnerKey(id); });
}

namespace {

struct LineEntry {
  std::string key;
  std::string member;
  bool operator<(const LineEntry& o) const { return std::tie(key, member) < std::tie(o.key, o.member); }
};

// A line's name, "<type>:<area>", as the partition's `lines` set keeps it.
std::string LineOf(v1::CourseType type, const std::string& social_area) {
  return absl::StrCat(static_cast<int>(type), ":", social_area);
}

std::string LineName(const char* what, v1::CourseType type, const std::string& social_area) {
  return absl::StrCat(what, ":", LineOf(type, social_area));
}

// The marker BuildLines sets once a partition is indexed; its number grows
// with what the index holds (2: the waiting and holding sets, the lines' names).
constexpr char kLinesBuilt[] = "lines-built:2";

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
  ops.push_back(AnyRequest(after, IsOpen) ? IndexOp::SortedAdd(ActiveKey(p), after.person_id())
                                          : IndexOp::SortedRemove(ActiveKey(p), after.person_id()));
  // The waiting and holding sets change only when the learner's do: no op
  // (and no cost to the commit) otherwise. Without a `before` (a new learner,
  // or one indexed afresh) both are written either way.
  for (const auto& [key, matches] : {std::pair{WaitingKey(p), &IsWaiting}, std::pair{HoldingKey(p), &HoldsASeat}}) {
    const bool was_in = before != nullptr && AnyRequest(*before, matches), is_in = AnyRequest(after, matches);
    if (is_in && (!was_in || before == nullptr)) ops.push_back(IndexOp::SortedAdd(key, after.person_id()));
    if (!is_in && (was_in || before == nullptr)) ops.push_back(IndexOp::SortedRemove(key, after.person_id()));
  }
  for (const auto& e : was) {
    if (!is.count(e)) ops.push_back(IndexOp::SortedRemove(e.key, e.member));
  }
  std::set<std::string> lines_added;
  for (const auto& e : is) {
    if (was.count(e)) continue;
    ops.push_back(IndexOp::SortedAdd(e.key, e.member));
    lines_added.insert(e.key);
  }
  // The line's name, so that the gauges find every line without a scan.
  for (const auto& r : after.requests()) {
    if (r.status() != v1::REQUEST_STATUS_WAITING) continue;
    const std::string key = LineKey(p, r.course_type(), after.social_area());
    if (lines_added.erase(key) > 0) {
      ops.push_back(IndexOp::SortedAdd(keys().Key(p, "lines"), LineOf(r.course_type(), after.social_area())));
    }
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

absl::StatusOr<std::set<CourseStore::LineId>> CourseStore::Lines() {
  std::vector<std::vector<std::string>> names;
  for (int p = 0; p < kPartitions; ++p) names.push_back({"ZRANGE", keys().Key(p, "lines"), "0", "-1"});
  auto named = redis_.Pipeline(names);
  if (!named.ok()) return named.status();
  std::set<LineId> lines;
  for (const auto& reply : *named) {
    for (const auto& e : reply.elements) {
      const size_t colon = e.str.find(':');
      int type = 0;
      if (colon == std::string::npos || !absl::SimpleAtoi(e.str.substr(0, colon), &type)) continue;
      lines.insert({static_cast<v1::CourseType>(type), e.str.substr(colon + 1)});
    }
  }
  return lines;
}

absl::StatusOr<std::map<CourseStore::LineId, CourseStore::LineSummary>> CourseStore::SummariseLines() {
  auto named = Lines();
  if (!named.ok()) return named.status();
  const std::set<LineId>& lines = *named;
  // Per line and partition: its length, and the first entry of each rank
  // (obliged, …, admitted to free seats), which is that rank's oldest.
  constexpr char kRanks[] = "0123";
  std::vector<std::vector<std::string>> asks;
  for (const auto& [type, area] : lines) {
    for (int p = 0; p < kPartitions; ++p) {
      const std::string key = LineKey(p, type, area);
      asks.push_back({"ZCARD", key});
      for (const char* r = kRanks; *r != 0; ++r) {
        asks.push_back({"ZRANGEBYLEX", key, absl::StrCat("[", std::string(1, *r)),
                        absl::StrCat("(", std::string(1, static_cast<char>(*r + 1))), "LIMIT", "0", "1"});
      }
    }
  }
  std::map<LineId, LineSummary> out;
  if (asks.empty()) return out;
  auto replies = redis_.Pipeline(asks);
  if (!replies.ok()) return replies.status();
  size_t i = 0;
  for (const auto& line : lines) {
    LineSummary summary;
    std::optional<absl::CivilDay> oldest;
    for (int p = 0; p < kPartitions; ++p) {
      summary.waiting += static_cast<int>((*replies)[i++].integer);
      for (const char* r = kRanks; *r != 0; ++r) {
        const auto& first = (*replies)[i++];
        if (first.elements.empty()) continue;
        const auto day = DayOfLineOrderKey(first.elements[0].str);
        if (day && (!oldest || *day < *oldest)) oldest = *day;
      }
    }
    if (summary.waiting == 0 || !oldest) continue;
    summary.oldest = *oldest;
    out[line] = summary;
  }
  return out;
}

absl::StatusOr<std::optional<bool>> CourseStore::Reindex(const std::string& person_id) {
  std::optional<bool> indexed;
  // Through a commit at the version read, so that a change made meanwhile
  // is never overwritten by an entry it had already removed.
  auto s = ApplyChange(outbox_, PartitionOfId(person_id), [&]() -> absl::StatusOr<std::optional<Commit>> {
    indexed.reset();  // a retry reads afresh
    auto loaded = LoadLearner(person_id);
    if (!loaded.ok()) return loaded.status();
    if (!loaded->has_value()) return std::optional<Commit>();
    std::vector<IndexOp> ops = LearnerIndex(nullptr, (*loaded)->record);
    const std::string active = ActiveKey(PartitionOfId(person_id));
    indexed = std::any_of(ops.begin(), ops.end(), [&](const IndexOp& op) {
      return op.kind == IndexOp::Kind::kSortedAdd && op.key != active;  // waiting or holding
    });
    Commit c;
    c.aggregate_key = LearnerKey(person_id);
    c.expected_version = (*loaded)->version;
    c.state = (*loaded)->record.SerializeAsString();
    c.index_ops = std::move(ops);
    return std::optional<Commit>(std::move(c));
  });
  if (!s.ok()) return s;
  return indexed;
}

absl::StatusOr<int> CourseStore::RepairSets() {
  auto learners = LoadActiveLearners();
  if (!learners.ok()) return learners.status();
  std::vector<std::vector<std::string>> members;
  for (int p = 0; p < kPartitions; ++p) {
    members.push_back({"ZRANGE", WaitingKey(p), "0", "-1"});
    members.push_back({"ZRANGE", HoldingKey(p), "0", "-1"});
  }
  auto replies = redis_.Pipeline(members);
  if (!replies.ok()) return replies.status();
  std::set<std::string> in_waiting, in_holding;
  for (size_t i = 0; i < replies->size(); ++i) {
    for (const auto& e : (*replies)[i].elements) (i % 2 == 0 ? in_waiting : in_holding).insert(e.str);
  }
  // Whoever the sets name wrongly or miss, and whoever they name that is no
  // longer active (erased, or every request closed): what their commits left.
  std::set<std::string> drifted;
  for (const auto& l : *learners) {
    const std::string& id = l.record.person_id();
    const bool waiting = in_waiting.erase(id) > 0, holding = in_holding.erase(id) > 0;
    if (waiting != AnyRequest(l.record, IsWaiting) || holding != AnyRequest(l.record, HoldsASeat)) drifted.insert(id);
  }
  drifted.insert(in_waiting.begin(), in_waiting.end());
  drifted.insert(in_holding.begin(), in_holding.end());
  for (const auto& person_id : drifted) {
    auto reindexed = Reindex(person_id);
    if (!reindexed.ok()) return reindexed.status();
    if (reindexed->has_value()) continue;
    // Gone (erased) without its entries removed: nobody writes them again.
    const int p = PartitionOfId(person_id);
    for (const auto& key : {ActiveKey(p), WaitingKey(p), HoldingKey(p)}) {
      if (auto s = redis_.Command({"ZREM", key, person_id}); !s.ok()) return s.status();
    }
  }
  return static_cast<int>(drifted.size());
}

absl::StatusOr<int> CourseStore::BuildLines() {
  std::vector<std::vector<std::string>> probes;
  for (int p = 0; p < kPartitions; ++p) probes.push_back({"EXISTS", keys().Key(p, kLinesBuilt)});
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
      auto reindexed = Reindex(person_id);
      if (!reindexed.ok()) return reindexed.status();
      indexed += reindexed->value_or(false) ? 1 : 0;
    }
    if (auto s = redis_.Command({"SET", keys().Key(p, kLinesBuilt), "1"}); !s.ok()) return s.status();
  }
  return indexed;
}

}  // namespace ankommen::courses
