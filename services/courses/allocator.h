// Allocation: the waiting list and the free seats through the placement
// engine, its placements made into offers. Runs when woken (new seats, freed
// seats, new requests), on a schedule, and on demand (RunAllocation); only on
// the replica that holds the lease, and every course it writes remembers the
// lease's fencing token, so an allocator that lost its lease (a long pause)
// cannot write over a newer one. Each run first sweeps: expired offers free
// their seats, and requests that missed the second step of a seat change
// (a crash between course and learner) are brought in line with the holds.
// It reads only what it needs: the waiting learners (none when no seat is
// free), and for the sweep those offered a seat or enrolled.
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "ankommen/courses/v1/courses.pb.h"
#include "ankommen/courses/v1/events.pb.h"
#include "courses.h"
#include "domain/allocation.h"
#include "runtime/leased_runner.h"

namespace ankommen::courses {

using AllocatorOptions = LeasedRunnerOptions;

class Allocator final : public LeasedRunner {
 public:
  Allocator(Courses& courses, std::string holder, AllocatorOptions options = {});
  ~Allocator() override { Stop(); }

  // One run now: ABORTED when another replica holds the lease.
  absl::StatusOr<v1::RunAllocationResponse> RunOnce(const std::string& policy);

 private:
  absl::Status RunScheduled() override { return RunOnce("").status(); }
  absl::Status Sweep(int64_t fence, v1::RunAllocationResponse& report);
  absl::Status Allocate(int64_t fence, const std::string& policy, v1::RunAllocationResponse& report);
  // One offer of `course` to `w`, due by AnswerBy (SecondAnswerBy in the
  // pass of lapsed courses); false when the course was full meanwhile.
  absl::StatusOr<bool> MakeOffer(int64_t fence, const WaitingRequest& w, const CourseSeats& course, Pass pass,
                                 absl::Time now);
  // Frees an offered seat on its course (expired, or its request vanished).
  absl::Status ReleaseOffer(const std::string& course_id, const v1::Hold& hold, int64_t fence,
                            v1::OfferOutcome outcome);

  Courses& courses_;
  // When the sweep next checks the waiting and holding sets against every
  // active learner (CourseStore::RepairSets): at the first run, then every
  // kSetCheckPeriod of real time.
  absl::Time next_set_check_ = absl::InfinitePast();
  static constexpr absl::Duration kSetCheckPeriod = absl::Minutes(10);
};

}  // namespace ankommen::courses
