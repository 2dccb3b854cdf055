#include "district.h"

#include <stdexcept>

#include "absl/strings/str_cat.h"

namespace ankommen::sim {

namespace cv1 = courses::v1;

const Town& District::TownNamed(const std::string& town) const {
  for (const auto& t : towns) {
    if (t.name == town) return t;
  }
  throw std::out_of_range("no town " + town);
}

District Meissen() {
  District d;
  d.name = "Landkreis Meißen";
  d.social_areas = {"Meißen", "Riesa", "Großenhain", "Radebeul"};
  // Town centres and postal codes are public geography; the areas follow the
  // note in DOMAIN.md (Coswig → Radebeul, Gröditz and Nünchritz → Riesa,
  // Niederau → Meißen, Ebersbach → Großenhain). Weights follow population.
  d.towns = {
      {"Meißen", "14627140", "Meißen", "01662", 51.1636, 13.4775, 28},
      {"Niederau", "14627160", "Meißen", "01689", 51.1790, 13.5370, 4},
      {"Nossen", "14627170", "Meißen", "01683", 51.0580, 13.2970, 10},
      {"Riesa", "14627230", "Riesa", "01587", 51.3080, 13.2940, 30},
      {"Gröditz", "14627050", "Riesa", "01609", 51.4130, 13.4460, 7},
      {"Nünchritz", "14627180", "Riesa", "01612", 51.2990, 13.3890, 5},
      {"Großenhain", "14627060", "Großenhain", "01558", 51.2890, 13.5240, 18},
      {"Ebersbach", "14627030", "Großenhain", "01561", 51.2600, 13.6200, 4},
      {"Radebeul", "14627210", "Radebeul", "01445", 51.1065, 13.6600, 34},
      {"Coswig", "14627010", "Radebeul", "01640", 51.1270, 13.5830, 21},
  };
  return d;
}

std::vector<Provider> Providers() {
  return {{"vhs", "Volkshochschule Landkreis Meißen", "11001"},
          {"elbland", "Sprachschule Elbland", "11002"},
          {"bildungswerk", "Bildungswerk Riesa", "11003"},
          {"ehrenamt", "Ehrenamtliche Sprachpaten Großenhain", ""}};
}

namespace {

struct Series {
  cv1::CourseType type;
  std::string town;
  std::string provider;
  int every_weeks;  // a new class starts this often
  int first_week;   // the first start, in weeks from the simulation's start
  cv1::Schedule schedule;
  int seats;  // 0: the type's default
  int childcare;
  int duration_weeks;
  std::string target_level;
};

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
  using cv1::COURSE_TYPE_FIRST_ORIENTATION, cv1::COURSE_TYPE_INTEGRATION_ALPHA, cv1::COURSE_TYPE_INTEGRATION_GENERAL,
      cv1::COURSE_TYPE_INTEGRATION_PARENTS, cv1::COURSE_TYPE_INTEGRATION_YOUTH, cv1::COURSE_TYPE_JOB_LANGUAGE,
      cv1::COURSE_TYPE_VOLUNTEER, cv1::SCHEDULE_MORNING, cv1::SCHEDULE_AFTERNOON, cv1::SCHEDULE_EVENING;
  // Most courses in the larger towns; childcare only in a few; evening classes
  // for people who work. Integration courses run about 24 weeks full-time.
  const std::vector<Series> series = {
      {COURSE_TYPE_INTEGRATION_GENERAL, "Meißen", "vhs", 5, 1, SCHEDULE_MORNING, 0, 0, 24, "B1"},
      {COURSE_TYPE_INTEGRATION_GENERAL, "Riesa", "bildungswerk", 5, 2, SCHEDULE_MORNING, 0, 0, 24, "B1"},
      {COURSE_TYPE_INTEGRATION_GENERAL, "Radebeul", "elbland", 6, 3, SCHEDULE_MORNING, 0, 0, 24, "B1"},
      {COURSE_TYPE_INTEGRATION_GENERAL, "Großenhain", "vhs", 10, 4, SCHEDULE_MORNING, 0, 0, 24, "B1"},
      {COURSE_TYPE_INTEGRATION_GENERAL, "Riesa", "bildungswerk", 10, 6, SCHEDULE_EVENING, 18, 0, 30, "B1"},
      {COURSE_TYPE_INTEGRATION_ALPHA, "Meißen", "vhs", 9, 2, SCHEDULE_MORNING, 0, 0, 30, "B1"},
      {COURSE_TYPE_INTEGRATION_ALPHA, "Riesa", "bildungswerk", 12, 5, SCHEDULE_MORNING, 0, 0, 30, "B1"},
      {COURSE_TYPE_INTEGRATION_PARENTS, "Riesa", "bildungswerk", 9, 1, SCHEDULE_MORNING, 18, 8, 30, "B1"},
      {COURSE_TYPE_INTEGRATION_PARENTS, "Meißen", "vhs", 12, 4, SCHEDULE_MORNING, 18, 6, 30, "B1"},
      {COURSE_TYPE_INTEGRATION_PARENTS, "Coswig", "elbland", 13, 7, SCHEDULE_MORNING, 18, 6, 30, "B1"},
      {COURSE_TYPE_INTEGRATION_YOUTH, "Meißen", "vhs", 12, 3, SCHEDULE_MORNING, 0, 0, 30, "B1"},
      {COURSE_TYPE_FIRST_ORIENTATION, "Großenhain", "vhs", 6, 1, SCHEDULE_AFTERNOON, 0, 0, 12, "A1"},
      {COURSE_TYPE_FIRST_ORIENTATION, "Riesa", "bildungswerk", 6, 3, SCHEDULE_AFTERNOON, 0, 0, 12, "A1"},
      {COURSE_TYPE_FIRST_ORIENTATION, "Radebeul", "elbland", 8, 2, SCHEDULE_AFTERNOON, 0, 0, 12, "A1"},
      {COURSE_TYPE_JOB_LANGUAGE, "Radebeul", "elbland", 8, 3, SCHEDULE_EVENING, 0, 0, 16, "B2"},
      {COURSE_TYPE_JOB_LANGUAGE, "Meißen", "vhs", 10, 6, SCHEDULE_EVENING, 0, 0, 16, "B2"},
      {COURSE_TYPE_VOLUNTEER, "Gröditz", "ehrenamt", 6, 2, SCHEDULE_AFTERNOON, 15, 0, 10, "A2"},
      {COURSE_TYPE_VOLUNTEER, "Nossen", "ehrenamt", 8, 1, SCHEDULE_AFTERNOON, 15, 0, 10, "A2"},
      {COURSE_TYPE_VOLUNTEER, "Ebersbach", "ehrenamt", 8, 5, SCHEDULE_AFTERNOON, 15, 0, 10, "A2"},
  };
  constexpr int kAnnouncedWeeksAhead = 6;  // providers announce classes about six weeks before they start
  std::vector<PlannedCourse> plan;
  for (const auto& s : series) {
    const Town& town = district.TownNamed(s.town);
    int number = 0;
    for (int week = s.first_week; week < weeks; week += s.every_weeks) {
      ++number;
      for (int copy = 0; copy < scale; ++copy) {
        PlannedCourse p;
        p.start_day = week * 7;
        p.announce_day = std::max(0, p.start_day - kAnnouncedWeeksAhead * 7);
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
    const int count = random.Poisson(1.5 * scale);  // about one or two a week across the district
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
