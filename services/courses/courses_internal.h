// Shared by the files of the course service's use cases (courses.cpp,
// catalogue.cpp, requests.cpp, offers.cpp, registry_events.cpp): its metric
// instruments and small helpers. Not for other services.
#pragma once

#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/status/statusor.h"
#include "courses.h"
#include "domain/course_rules.h"
#include "google/protobuf/timestamp.pb.h"
#include "observability/metrics.h"

namespace ankommen::courses {

struct CourseInstruments {
  explicit CourseInstruments(prometheus::Registry& r)
      : waitlist(prometheus::BuildGauge()
                     .Name("ankommen_course_waitlist_size")
                     .Help("Requests waiting for a course seat")
                     .Register(r)),
        oldest(prometheus::BuildGauge()
                   .Name("ankommen_course_oldest_request_age_days")
                   .Help("Days the longest-waiting request has waited")
                   .Register(r)),
        waiting_time(prometheus::BuildHistogram()
                         .Name("ankommen_course_waiting_time_days")
                         .Help("Waiting time as BAMF counts it: days from registering with the provider "
                               "(accepting the offer) to the course's start, by the learner's social area")
                         .Register(r)),
        access_time(prometheus::BuildHistogram()
                        .Name("ankommen_course_access_time_days")
                        .Help("Access time as BAMF counts it: days from the entitlement or obligation "
                              "(the request) to the course's start, by the learner's social area")
                        .Register(r)),
        wait_target(prometheus::BuildGauge()
                        .Name("ankommen_course_wait_target_days")
                        .Help("The district's target for the waiting time (ANKOMMEN_COURSES_WAIT_TARGET_DAYS)")
                        .Register(r)),
        seats(prometheus::BuildGauge()
                  .Name("ankommen_course_seats")
                  .Help("Seats of courses taking participants, by state (free, offered, enrolled)")
                  .Register(r)),
        childcare(prometheus::BuildGauge()
                      .Name("ankommen_course_childcare_places")
                      .Help("Childcare places of courses taking participants, by state (free, in_use)")
                      .Register(r)),
        offers(prometheus::BuildCounter()
                   .Name("ankommen_course_offers_total")
                   .Help("Offers closed, by outcome (accepted, declined, expired, withdrawn)")
                   .Register(r)),
        waitlist_table(waitlist, {"course_type", "social_area"}),
        oldest_table(oldest, {"course_type", "social_area"}),
        waiting_time_vec(waiting_time, {"course_type", "social_area"}),
        access_time_vec(access_time, {"course_type", "social_area"}),
        seats_table(seats, {"course_type", "social_area", "state"}),
        childcare_table(childcare, {"social_area", "state"}),
        offers_vec(offers, {"course_type", "outcome"}) {}

  prometheus::Family<prometheus::Gauge>& waitlist;
  prometheus::Family<prometheus::Gauge>& oldest;
  prometheus::Family<prometheus::Histogram>& waiting_time;
  prometheus::Family<prometheus::Histogram>& access_time;
  prometheus::Family<prometheus::Gauge>& wait_target;
  prometheus::Family<prometheus::Gauge>& seats;
  prometheus::Family<prometheus::Gauge>& childcare;
  prometheus::Family<prometheus::Counter>& offers;
  GaugeTable waitlist_table;
  GaugeTable oldest_table;
  MetricVec<prometheus::Histogram> waiting_time_vec;
  MetricVec<prometheus::Histogram> access_time_vec;
  GaugeTable seats_table;
  GaugeTable childcare_table;
  MetricVec<prometheus::Counter> offers_vec;
};

inline const prometheus::Histogram::BucketBoundaries& WaitBuckets() {
  static const prometheus::Histogram::BucketBoundaries kBuckets = {7, 14, 21, 30, 42, 60, 90, 120, 180, 270, 365, 540, 730};
  return kBuckets;
}

inline std::string TypeLabel(v1::CourseType type) { return CourseTypeName(ToCourseType(type)); }

inline google::protobuf::Timestamp ToTimestamp(int64_t unix_seconds) {
  google::protobuf::Timestamp t;
  t.set_seconds(unix_seconds);
  return t;
}


// Page tokens are offsets into a stable order: "o<N>".
inline absl::StatusOr<size_t> ParseOffsetToken(const std::string& token) {
  size_t offset = 0;
  if (token.empty()) return offset;
  if (token[0] != 'o' || !absl::SimpleAtoi(token.substr(1), &offset)) {
    return absl::InvalidArgumentError("page_token: is not a token this service gave out");
  }
  return offset;
}

template <typename T, typename Out>
std::string Page(std::vector<T>& items, size_t offset, int page_size, Out add) {
  const size_t size = page_size == 0 ? kDefaultPageSize : static_cast<size_t>(page_size);
  for (size_t i = offset; i < items.size() && i < offset + size; ++i) add(items[i]);
  return offset + size < items.size() ? absl::StrCat("o", offset + size) : "";
}


}  // namespace ankommen::courses
