// How the course service keeps its state in Redis. Courses live in the
// partition their id names, learners (a person and their requests) in the
// partition of the registry's person id:
//   ankommen:courses:{courses:pN}:course:<id>     hash {v, data = CourseRecord}
//   ankommen:courses:{courses:pN}:courses         sorted set of course ids
//   ankommen:courses:{courses:pN}:offer:<id>      the course id of an offer
//   ankommen:courses:{courses:pN}:provider:<id>   hash {v, data = Provider}
//   ankommen:courses:{courses:pN}:learner:<id>    hash {v, data = LearnerRecord}
//   ankommen:courses:{courses:pN}:active          sorted set of persons with open requests
//   ankommen:courses:{courses:pN}:waiting         … of those with a waiting request
//   ankommen:courses:{courses:pN}:holding         … of those offered a seat or enrolled
//   ankommen:courses:{courses:pN}:household:<id>  sorted set of the household's learners
//   ankommen:courses:{courses:pN}:accepting:<request id>  the offer being accepted (minutes)
//   ankommen:courses:{courses:pN}:line:<type>:<area>        the waiting requests of a line (below)
//   ankommen:courses:{courses:pN}:courses-of:<type>:<area>  the courses of a type in a social area
//   ankommen:courses:{courses:pN}:lines           sorted set of the lines (<type>:<area>) the partition has had
//   ankommen:courses:{courses:pN}:lines-built:2   set once the partition's lines and sets are complete
//   ankommen:courses:{courses:allocation}:…     the allocation lease (lease.h)
// A district has hundreds of courses and thousands of waiting people: reads
// that need all of them load them by pipeline from the indexes.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "ankommen/courses/v1/courses.pb.h"
#include "ankommen/courses/v1/state.pb.h"
#include "store/aggregates.h"
#include "store/outbox.h"

namespace ankommen {
class RedisPool;
}

namespace ankommen::courses {

inline constexpr char kCourseIdPrefix[] = "crs";
inline constexpr char kOfferIdPrefix[] = "of";
inline constexpr char kProviderIdPrefix[] = "kt";
inline constexpr char kRequestIdPrefix[] = "rq";
inline constexpr char kPersonIdPrefix[] = "p";  // the registry's

using LoadedCourse = Loaded<v1::CourseRecord>;
using LoadedLearner = Loaded<v1::LearnerRecord>;

class CourseStore {
 public:
  CourseStore(Outbox& outbox, RedisPool& redis) : outbox_(outbox), redis_(redis) {}

  Outbox& outbox() { return outbox_; }
  const KeySpace& keys() const { return outbox_.keys(); }

  std::string CourseKey(const std::string& course_id) const;
  std::string CourseIndexKey(int partition) const { return keys().Key(partition, "courses"); }
  std::string OfferKey(const std::string& offer_id) const;
  std::string ProviderKey(const std::string& provider_id) const;
  std::string LearnerKey(const std::string& person_id) const;
  std::string ActiveKey(int partition) const { return keys().Key(partition, "active"); }
  std::string WaitingKey(int partition) const { return keys().Key(partition, "waiting"); }
  std::string HoldingKey(int partition) const { return keys().Key(partition, "holding"); }

  absl::StatusOr<std::optional<LoadedCourse>> LoadCourse(const std::string& course_id);
  absl::StatusOr<std::optional<LoadedLearner>> LoadLearner(const std::string& person_id);
  // Several learners in one round trip, in the ids' order (nullopt: not followed).
  absl::StatusOr<std::vector<std::optional<LoadedLearner>>> LoadLearners(const std::vector<std::string>& person_ids);
  absl::StatusOr<std::optional<v1::Provider>> LoadProvider(const std::string& provider_id);
  // The course an offer was made in, or nullopt.
  absl::StatusOr<std::optional<std::string>> FindOfferCourse(const std::string& offer_id);

  // The learners of a household (persons share the household's partition).
  absl::StatusOr<std::vector<std::string>> HouseholdMembers(const std::string& household_id);
  std::string HouseholdKey(const std::string& household_id) const;

  // The children of a household the schools service placed in a Kita. Kept
  // apart from the learners, for a week, because the place can be told
  // before the courses have heard of the household at all.
  absl::Status AddKitaPlace(const std::string& household_id, const std::string& child_id);
  absl::StatusOr<std::set<std::string>> KitaPlaces(const std::string& household_id);
  std::string KitaPlacesKey(const std::string& household_id) const;

  // One acceptance at a time per request, whose person may hold several
  // offers (CourseSettings::offers_at_once): claims the request for `offer_id`
  // for `ttl` and returns "", or returns the other offer that holds the claim.
  // The claim is taken before the course's commit and left to expire: once
  // that commit is followed, the request says it is enrolled.
  absl::StatusOr<std::string> ClaimAcceptance(const std::string& person_id, const std::string& request_id,
                                              const std::string& offer_id, absl::Duration ttl);
  // The claim of an acceptance that can no longer go through (its offer
  // withdrawn, declined or lapsed since it claimed) passed to `offer_id`:
  // "" once it holds the claim, or the offer that holds it now.
  absl::StatusOr<std::string> TakeOverAcceptance(const std::string& person_id, const std::string& request_id,
                                                 const std::string& from_offer_id, const std::string& offer_id,
                                                 absl::Duration ttl);
  std::string AcceptingKey(const std::string& person_id, const std::string& request_id) const;

  // Every course, and every learner with an open request.
  absl::StatusOr<std::vector<LoadedCourse>> LoadAllCourses();
  absl::StatusOr<std::vector<LoadedLearner>> LoadActiveLearners();
  // Only those of them with a waiting request (what an allocation places), or
  // with an offer or an enrolment (what its sweep reconciles with the courses):
  // in a district most active learners are enrolled, and between a district's
  // courses most runs find no seat free at all.
  absl::StatusOr<std::vector<LoadedLearner>> LoadWaitingLearners();
  absl::StatusOr<std::vector<LoadedLearner>> LoadHoldingLearners();

  // The index changes that keep `active` and the waiting lines true to a
  // learner's record; `before` as it was loaded (nullptr for a new learner).
  std::vector<IndexOp> LearnerIndex(const v1::LearnerRecord* before, const v1::LearnerRecord& after) const;
  // The index entries of a new course (its type and place never change).
  std::vector<IndexOp> CourseIndex(const v1::Course& course) const;

  // The waiting lines: per course type and the learner's social area, in the
  // learner's partition, each waiting request under its LineOrderKey with
  // score 0, so that Redis keeps them in line order and the requests ahead of
  // one are a ZLEXCOUNT per partition — a place in line costs O(log n), not a
  // read of everyone waiting.
  std::string LineKey(int partition, v1::CourseType type, const std::string& social_area) const;
  std::string CoursesOfKey(int partition, v1::CourseType type, const std::string& social_area) const;
  // How many waiting requests of the line stand before `order_key`.
  absl::StatusOr<int> CountAhead(v1::CourseType type, const std::string& social_area, const std::string& order_key);
  // The courses of a type in a social area.
  absl::StatusOr<std::vector<LoadedCourse>> LoadCoursesOf(v1::CourseType type, const std::string& social_area);
  // Each line's length and the day its longest-waiting request asked, from the
  // index (a count and the first entry of each rank, per partition), for the
  // gauges: lines with nobody waiting are left out.
  struct LineSummary {
    int waiting = 0;
    absl::CivilDay oldest;
  };
  using LineId = std::pair<v1::CourseType, std::string>;  // course type, social area
  absl::StatusOr<std::map<LineId, LineSummary>> SummariseLines();
  // Fills the lines, the waiting and holding sets and the courses' index from
  // the records in every partition where they are not complete yet (a store
  // written by a release before them); safe beside commits and beside another
  // replica doing the same. Returns how many learners it indexed.
  absl::StatusOr<int> BuildLines();
  // Finds learners the waiting and holding sets have wrong (left by an older
  // replica's commits during a rolling update, or a hand edit) and indexes
  // them again; returns how many. Reads every active learner, as the
  // allocation did before the sets: run now and then, not per allocation.
  absl::StatusOr<int> RepairSets();

 private:
  // Writes a learner's index entries afresh (versioned): whether it waits or
  // holds a seat; nullopt when the learner is gone.
  absl::StatusOr<std::optional<bool>> Reindex(const std::string& person_id);
  // Every line a partition has had (from the `lines` sets).
  absl::StatusOr<std::set<LineId>> Lines();

  Outbox& outbox_;
  RedisPool& redis_;
};

}  // namespace ankommen::courses
