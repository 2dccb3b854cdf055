// A valid course to vary in tests: a general integration course in Riesa,
// mornings, near the sample family's home (sample_households.h).
#pragma once

#include <string>

#include "ankommen/courses/v1/courses.pb.h"

namespace ankommen::testing {

inline ankommen::courses::v1::CreateCourseRequest SampleCourse(const std::string& key, const std::string& provider_id,
                                                              const std::string& title = "Integrationskurs Riesa-Mitte") {
  namespace cv1 = ankommen::courses::v1;
  cv1::CreateCourseRequest r;
  r.set_idempotency_key(key);
  auto* course = r.mutable_course();
  course->set_provider_id(provider_id);
  course->set_title(title);
  course->set_course_type(cv1::COURSE_TYPE_INTEGRATION_GENERAL);
  course->mutable_location()->set_municipality_ags("14627230");
  course->mutable_location()->set_social_area("Riesa");
  course->mutable_location()->mutable_coordinates()->set_lat(51.31);
  course->mutable_location()->mutable_coordinates()->set_lon(13.29);
  course->set_start_date("2027-01-11");
  course->set_schedule(cv1::SCHEDULE_MORNING);
  return r;
}

}  // namespace ankommen::testing
