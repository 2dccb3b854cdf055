#include "district.h"

#include <stdexcept>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace ankommen::sim {

namespace cv1 = courses::v1;

const Town& District::TownNamed(const std::string& town) const {
  for (const auto& t : towns) {
    if (t.name == town) return t;
  }
  throw std::out_of_range("no town " + town);
}

std::map<std::string, std::string> ServiceEnvironment(const District& district, int scale) {
  std::map<std::string, std::string> env;
  env["ANKOMMEN_HOUSING_M2_PER_PERSON"] = absl::StrCat(district.m2_per_person);
  if (!district.land.empty()) env["ANKOMMEN_LAND"] = district.land;
  if (!district.school_cutoff.empty()) env["ANKOMMEN_SCHOOL_CUTOFF"] = district.school_cutoff;
  std::vector<std::string> workers, teams;
  for (const auto& area : district.social_areas) {
    workers.push_back(absl::StrCat(area.name, "=", area.social_workers * scale));
    if (!area.team_email.empty()) teams.push_back(absl::StrCat(area.name, "=", area.team_email));
  }
  env["ANKOMMEN_HOUSING_SOCIAL_WORKERS"] = absl::StrJoin(workers, ",");
  if (district.caseload_target > 0) {
    env["ANKOMMEN_HOUSING_CASELOAD_TARGET"] = absl::StrCat(district.caseload_target);
    env["ANKOMMEN_CASEWORK_TARGET_PERSONS_PER_WORKER"] = absl::StrCat(district.caseload_target);
  }
  if (!teams.empty()) env["ANKOMMEN_NOTIFICATIONS_TEAMS"] = absl::StrJoin(teams, ",");
  if (district.course_max_km > 0) env["ANKOMMEN_COURSES_MAX_KM"] = absl::StrCat(district.course_max_km);
  env["ANKOMMEN_COURSES_LATE_ENTRY_DAYS"] = absl::StrCat(district.course_late_entry_days);
  if (!district.school_max_km.empty()) {
    env["ANKOMMEN_SCHOOLS_MAX_KM"] = absl::StrJoin(district.school_max_km, ",", absl::PairFormatter("="));
  }
  return env;
}

namespace {

std::string TypeTitle(cv1::CourseType type) {
  switch (type) {
    case cv1::COURSE_TYPE_INTEGRATION_GENERAL: return "Integrationskurs";
    case cv1::COURSE_TYPE_INTEGRATION_ALPHA: return "Integrationskurs mit Alphabetisierung";
    case cv1::COURSE_TYPE_INTEGRATION_PARENTS: return "Eltern- und Frauenintegrationskurs";
    case cv1::COURSE_TYPE_INTEGRATION_YOUTH: return "Jugendintegrationskurs";
    case cv1::COURSE_TYPE_FIRST_ORIENTATION: return "Erstorientierungskurs";
    case cv1::COURSE_TYPE_JOB_LANGUAGE: return "Berufssprachkurs";
    case cv1::COURSE_TYPE_VOLUNTEER: return "Sprachcafé";
    default: return "Kurs";
  }
}

}  // namespace

std::vector<PlannedCourse> CoursePlan(const District& district, int weeks, int scale) {
  std::vector<PlannedCourse> plan;
  for (size_t series = 0; series < district.course_plan.size(); ++series) {
    const CourseSeries& s = district.course_plan[series];
    const Town& town = district.TownNamed(s.town);
    int number = 0;
    for (int week = s.first_week; week < weeks; week += s.every_weeks) {
      ++number;
      for (int copy = 0; copy < scale; ++copy) {
        PlannedCourse p;
        p.series = static_cast<int>(series);
        p.start_day = week * 7;
        p.announce_day = std::max(0, p.start_day - district.announce_weeks_ahead * 7);
        p.end_day = p.start_day + s.duration_weeks * 7;
        p.provider = s.provider;
        cv1::Course& c = p.course;
        c.set_title(absl::StrCat(TypeTitle(s.type), " ", s.town, " ", number, copy > 0 ? absl::StrCat("/", copy + 1) : ""));
        c.set_course_type(s.type);
        c.mutable_location()->set_municipality_ags(town.ags);
        c.mutable_location()->set_social_area(town.social_area);
        c.mutable_location()->mutable_coordinates()->set_lat(town.lat + 0.002 * copy);
        c.mutable_location()->mutable_coordinates()->set_lon(town.lon);
        c.set_schedule(s.schedule);
        if (s.seats > 0) c.set_seats(s.seats);
        c.set_childcare_places(s.childcare);
        c.set_target_level(s.target_level);
        c.set_status(cv1::COURSE_STATUS_OPEN);
        plan.push_back(std::move(p));
      }
    }
  }
  return plan;
}

std::vector<ReportedFlat> FlatSupply(const District& district, int weeks, int scale, Random& random) {
  static const char* kStreets[] = {"Bahnhofstraße", "Lindenweg", "Gartenstraße", "Schulstraße", "Am Markt",
                                   "Dresdner Straße", "Bergstraße", "Wiesenweg"};
  std::vector<double> weights;
  for (const auto& t : district.towns) weights.push_back(t.arrival_weight);
  std::vector<ReportedFlat> flats;
  for (int week = 0; week < weeks; ++week) {
    const int count = random.Poisson(district.flats_per_week * scale);
    for (int i = 0; i < count; ++i) {
      const Town& town = district.towns[random.Pick(weights)];
      ReportedFlat f;
      f.day = week * 7 + random.Int(0, 4);
      auto& a = f.accommodation;
      a.set_kind(housing::v1::KIND_FLAT);
      const int rooms = random.Int(1, 4);
      a.set_name(absl::StrCat("Wohnung ", town.name, " ", kStreets[random.Int(0, 7)], " ", random.Int(1, 60)));
      a.set_operator_(absl::StrCat("Wohnungsgesellschaft ", town.name));
      a.set_municipality_ags(town.ags);
      a.set_social_area(town.social_area);
      a.mutable_coordinates()->set_lat(town.lat + (random.Uniform() - 0.5) * 0.02);
      a.mutable_coordinates()->set_lon(town.lon + (random.Uniform() - 0.5) * 0.03);
      a.set_rooms(rooms);
      a.set_beds(rooms + 1);
      a.set_square_metres(25 + rooms * 17 + random.Int(0, 10));
      a.set_step_free(random.Chance(0.3));
      a.set_lease_transferable(random.Chance(0.7));
      a.set_vacant(true);
      flats.push_back(std::move(f));
    }
  }
  return flats;
}

}  // namespace ankommen::sim
