// The waiting lists as people and planners see them: every waiting request in
// line order per course type and social area, its place in line, and an
// estimated seat date from the seats that courses of that type in that area
// will open. Built from one read of the store; district-sized (thousands of
// requests, hundreds of courses).
#pragma once

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "ankommen/courses/v1/courses.pb.h"
#include "domain/waitlist.h"
#include "storage/course_store.h"

namespace ankommen::courses {

// One request's place in its line and estimated seat date, read from the
// store's line index (CourseStore::CountAhead) and the courses of its type in
// the area: O(partitions × log n) in the requests waiting, where
// WaitingView::Load reads them all. Clears both when it is not waiting.
absl::Status AnnotateFromLines(CourseStore& store, const std::string& social_area, absl::CivilDay today,
                               v1::SeatRequest& request);

class WaitingView {
 public:
  static absl::StatusOr<WaitingView> Load(CourseStore& store, absl::CivilDay today);

  // Sets place_in_line and estimated_seat_date on a waiting request (clears them otherwise).
  void Annotate(v1::SeatRequest& request) const;

  // Waiting requests of a type, in line order, with their places; area empty: all areas.
  std::vector<v1::SeatRequest> Line(v1::CourseType type, const std::string& social_area) const;

  struct LineStats {
    int waiting = 0;
    int oldest_days = 0;
  };
  using Key = std::pair<v1::CourseType, std::string>;  // course type, social area
  std::map<Key, LineStats> Stats() const;

 private:
  struct Entry {
    v1::SeatRequest request;
    Request in_line;  // the domain's view, for ordering
  };
  absl::CivilDay today_;
  std::map<Key, std::vector<Entry>> lines_;                  // sorted into line order
  std::map<std::string, std::pair<Key, int>> place_of_;      // request id -> line, 1-based place
  std::map<Key, std::vector<SeatsOpening>> openings_;
};

}  // namespace ankommen::courses
