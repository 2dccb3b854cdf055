// The sample district the simulation runs: Landkreis Meißen as the seeds
// describe it (four social areas, the towns of its DaZ sites), with a course
// plan and a housing supply that are generated — plausible, not facts (see
// deploy/sample/district/README.md for which is which).
#pragma once

#include <string>
#include <vector>

#include "ankommen/courses/v1/courses.pb.h"
#include "ankommen/housing/v1/housing.pb.h"
#include "random.h"

namespace ankommen::sim {

struct Town {
  std::string name;
  std::string ags;          // Amtlicher Gemeindeschlüssel
  std::string social_area;  // the district's Sozialraum
  std::string postal_code;
  double lat = 0, lon = 0;  // the town centre
  double arrival_weight = 0;  // share of the district's arrivals assigned here (~ population)
};

struct District {
  std::string name;
  std::vector<std::string> social_areas;
  std::vector<Town> towns;
  int persons_per_social_worker = 150;  // Meißen today (DOMAIN.md)

  const Town& TownNamed(const std::string& name) const;
};

District Meissen();

// A course as its provider announces it: created `announce_day` (days from the
// simulation's start; 0 for courses already announced), starting `start_day`,
// ending `end_day`.
struct PlannedCourse {
  int announce_day = 0;
  int start_day = 0;
  int end_day = 0;
  std::string provider;  // a key into the providers
  courses::v1::Course course;  // without provider_id and start_date (set when announced)
};

struct Provider {
  std::string key;
  std::string name;
  std::string bamf_number;
};

std::vector<Provider> Providers();

// Courses announced over `weeks`; `scale` parallel classes of each.
std::vector<PlannedCourse> CoursePlan(const District& district, int weeks, int scale);

// Flats landlords report free to the vacancy register, week by week.
struct ReportedFlat {
  int day = 0;
  housing::v1::Accommodation accommodation;
};
std::vector<ReportedFlat> FlatSupply(const District& district, int weeks, int scale, Random& random);

}  // namespace ankommen::sim
