// What each course type is by the BAMF's rules: its group size, the seats a
// new course has when none are given, and its length in teaching units (45
// minutes; language and orientation together). Configuration, not constants:
// the circulars change (DOMAIN.md), and a district may fund smaller groups.
#pragma once

#include <array>
#include <string>

#include "absl/status/status.h"
#include "ankommen/courses/v1/courses.pb.h"

namespace ankommen::courses {

struct CourseTypeRules {
  int group_size = 25;      // the most seats a course of the type may have
  int default_seats = 25;   // a new course's seats when none are given
  int teaching_units = 0;   // 0: the type has no federal standard (volunteer courses)
};

// The one repeat of an integration course below B1 (§ 5 (4) IntV): up to this many units.
inline constexpr int kRepeatTeachingUnits = 300;
inline constexpr int kMaxTeachingUnits = 2000;

class CourseTypeTable {
 public:
  // The federal figures: general and intensive integration courses and job
  // language up to 25; Alpha and second-script courses 16 (BAMF's circular
  // of 2016); general 600 + 100 units, special courses 900 + 100, intensive
  // 400 + 100, first orientation 300, job language 500.
  CourseTypeTable();

  const CourseTypeRules& Of(v1::CourseType type) const;

  // "integration_alpha=16,job_language=20": group sizes for the named types;
  // a default above the new group size comes down to it. INVALID_ARGUMENT
  // naming the item for an unknown type or a size outside 1..60.
  absl::Status SetGroupSizes(const std::string& spec);

 private:
  std::array<CourseTypeRules, 10> rules_;  // by v1::CourseType
};

}  // namespace ankommen::courses
