// A district as the simulation runs it, read at run time from a directory of
// CSV tables (docs/district-format.md): its municipalities and social areas,
// course providers and course plan, the arrivals profile and the standards it
// keeps. Nothing of any one district is compiled in; deploy/sample/ holds
// Landkreis Meißen and Landkreis Kaiserslautern. Pure: reading and checking
// touch no server.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "ankommen/courses/v1/courses.pb.h"
#include "ankommen/housing/v1/housing.pb.h"
#include "ankommen/registry/v1/registry.pb.h"
#include "random.h"

namespace ankommen::sim {

struct Town {
  std::string name;
  std::string ags;          // Amtlicher Gemeindeschlüssel
  std::string social_area;  // the district's Sozialraum
  std::string postal_code;
  double lat = 0, lon = 0;    // the town centre
  double arrival_weight = 0;  // share of the district's arrivals assigned here (~ population); 0: a course venue only
};

struct SocialArea {
  std::string name;
  int social_workers = 0;  // refugee social work (FSA), at district scale
  // After protection: migration counselling for adults (MBE) and the youth
  // migration services (JMD), at district scale (optional columns; 0: none).
  int migration_counsellors = 0;
  int youth_migration_workers = 0;
  std::string team_email;  // where capacity gaps are reported; may be empty
};

struct Provider {
  std::string key;
  std::string name;
  std::string bamf_number;
};

// A course a provider runs again and again: a new class every `every_weeks`
// from `first_week` (weeks from the simulation's start).
struct CourseSeries {
  courses::v1::CourseType type = courses::v1::COURSE_TYPE_UNSPECIFIED;
  std::string town;
  std::string provider;  // a Provider's key
  int every_weeks = 0;
  int first_week = 0;
  courses::v1::Schedule schedule = courses::v1::SCHEDULE_UNSPECIFIED;
  int seats = 0;  // 0: the type's default
  int childcare = 0;
  int duration_weeks = 0;
  std::string target_level;
};

// Where arrivals come from, with what language and literacy, and how their
// asylum procedure ends.
struct Origin {
  std::string nationality;  // ISO 3166-1 alpha-2
  std::string language;     // ISO 639-1
  double weight = 0;
  double literate_latin = 0;  // share literate in Latin script
  registry::v1::ResidenceStatus status = registry::v1::RESIDENCE_STATUS_UNSPECIFIED;
  registry::v1::StayProspect prospect = registry::v1::STAY_PROSPECT_UNSPECIFIED;
  double protection_share = 0;  // of asylum decisions
  int decision_weeks_min = 0, decision_weeks_max = 0;  // 0: no procedure (e.g. § 24 AufenthG)
};

struct ArrivalsProfile {
  double households_per_week = 10;
  // single adult, couple, single parent, couple with children
  std::vector<double> household_shapes = {35, 10, 15, 40};
  std::vector<double> children = {30, 35, 20, 15};  // 1, 2, 3, 4 children in a family with children
  double childcare_share = 1;       // parents of a child under six who need childcare for a course
  double works_daytime_share = 0.08;
  std::vector<double> contact = {45, 30, 25};  // e-mail, phone only, neither
  std::vector<double> cefr = {70, 20, 10};     // A0, A1, A2 on arrival
  double kita_decline_share = 0;               // families who do not want a Kita place
  std::vector<Origin> origins;
};

// How people and offices answer.
struct Behaviour {
  double offer_accept_share = 0.75;   // of course offers; declined or left to lapse otherwise
  double offer_decline_share = 0.10;
  double housing_confirm_share = 0.92;  // housing offers the authority confirms
};

struct District {
  std::string name;
  std::string land;  // ISO 3166-2 subdivision code without "DE-": SN, RP, BW…
  std::string school_cutoff;  // MM-DD, for a Land whose cut-off rules/land.h lacks
  std::vector<SocialArea> social_areas;
  std::vector<Town> towns;
  std::vector<Provider> providers;
  std::vector<CourseSeries> course_plan;
  ArrivalsProfile arrivals;
  Behaviour behaviour;
  double flats_per_week = 1.5;  // reported to the vacancy register, district-wide
  int m2_per_person = 7;        // the Land's housing standard
  int persons_per_social_worker = 150;
  int caseload_target = 0;  // refugee social work's target per worker; 0: the service's default
  int announce_weeks_ahead = 6;  // providers announce a class this long before it starts
  int course_max_km = 0;         // 0: the course service's default
  int course_late_entry_days = 28;  // a running course takes newcomers this long after its start
  std::map<std::string, int> school_max_km;  // GS, OS, GYMNASIUM, BSZ, KITA; absent: the school service's default
  // The pool of language and culture mediators (mediators.csv, as the
  // mediators service imports it; optional: without one, no appointment asks for a mediator).
  std::string mediators_csv;
  // The district's targets for its integration indicators (targets.csv, optional; docs/indicators.md).
  std::string targets_csv;

  const Town& TownNamed(const std::string& name) const;
};

// One thing wrong with a district's files, named so that whoever keeps the
// tables can find it.
struct DistrictProblem {
  std::string file;  // relative to the district directory
  int line = 0;      // 1-based; 0 when the whole file is meant
  std::string field;
  std::string message;
  std::string ToString() const;
};

struct LoadedDistrict {
  District district;
  std::vector<DistrictProblem> problems;  // empty: the district is good to run
  bool ok() const { return problems.empty(); }
};

// The tables of a district by file name (district.csv, social_areas.csv,
// municipalities.csv, providers.csv, course_plan.csv, origins.csv, and the
// imported schools.csv, kitas.csv, accommodations.csv, of which only the
// header and the social areas and municipality keys are checked here; the
// services check the rest on import; and the optional mediators.csv, each
// row read and checked by the mediators' rules; and the optional targets.csv,
// checked as docs/indicators.md describes). A missing file is a problem.
LoadedDistrict ParseDistrict(const std::map<std::string, std::string>& files);
// The same, read from a directory.
LoadedDistrict ReadDistrict(const std::string& dir);

// The services' settings the district implies (housing standard, social
// workers per area × scale, travel limits, capacity-gap teams), as
// ANKOMMEN_* environment variables.
std::map<std::string, std::string> ServiceEnvironment(const District& district, int scale);

// A course as its provider announces it: created `announce_day` (days from the
// simulation's start; 0 for courses already announced), starting `start_day`,
// ending `end_day`.
struct PlannedCourse {
  int series = -1;  // its row of the course plan
  int announce_day = 0;
  int start_day = 0;
  int end_day = 0;
  std::string provider;  // a key into the providers
  courses::v1::Course course;  // without provider_id and start_date (set when announced)
};

// Courses announced over `weeks`; `scale` parallel classes of each.
std::vector<PlannedCourse> CoursePlan(const District& district, int weeks, int scale);

// Flats landlords report free to the vacancy register, week by week.
struct ReportedFlat {
  int day = 0;
  housing::v1::Accommodation accommodation;
};
std::vector<ReportedFlat> FlatSupply(const District& district, int weeks, int scale, Random& random);

}  // namespace ankommen::sim
