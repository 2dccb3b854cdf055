// School and Kita rules: ages, siblings, seats per class, phases, the gap
// report, and the districts' table format against the Meißen figures.
#include "domain/school_rules.h"

#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "domain/school_table.h"
#include "domain/validation.h"

namespace ankommen::schools {
namespace {

v1::ChildRecord Child(const std::string& id, const std::string& household, v1::SchoolType type,
                      v1::ChildStatus status = v1::CHILD_STATUS_WAITING, const std::string& area = "Riesa") {
  v1::ChildRecord c;
  c.mutable_child()->set_person_id(id);
  c.mutable_child()->set_household_id(household);
  c.mutable_child()->set_school_type(type);
  c.mutable_child()->set_social_area(area);
  c.mutable_child()->mutable_placement()->set_status(status);
  return c;
}

v1::SchoolRecord School(std::vector<int> seats, std::vector<int> imported = {}) {
  v1::SchoolRecord r;
  r.mutable_school()->set_school_id("sch_1000000000000000");
  r.mutable_school()->set_school_type(v1::SCHOOL_TYPE_GS);
  r.mutable_school()->mutable_location()->set_social_area("Riesa");
  for (size_t i = 0; i < seats.size(); ++i) {
    auto* c = r.mutable_school()->add_classes();
    c->set_class_id("cl_" + std::to_string(i));
    c->set_seats(seats[i]);
    c->set_imported_pupils(i < imported.size() ? imported[i] : 0);
  }
  return r;
}

TEST(SchoolRulesTest, AgeDecidesSchoolTypeOrKita) {
  AgeRules r;
  EXPECT_FALSE(SchoolTypeForAge(0, r));
  EXPECT_FALSE(KitaGroupForAge(0, r)) << "the legal claim starts at one";
  EXPECT_EQ(KitaGroupForAge(2, r), v1::AGE_GROUP_UNDER_3);
  EXPECT_EQ(KitaGroupForAge(5, r), v1::AGE_GROUP_3_TO_SCHOOL);
  EXPECT_FALSE(KitaGroupForAge(6, r));
  EXPECT_EQ(SchoolTypeForAge(6, r), v1::SCHOOL_TYPE_GS);
  EXPECT_EQ(SchoolTypeForAge(9, r), v1::SCHOOL_TYPE_GS);
  EXPECT_EQ(SchoolTypeForAge(10, r), v1::SCHOOL_TYPE_OS);
  EXPECT_EQ(SchoolTypeForAge(15, r), v1::SCHOOL_TYPE_OS);
  EXPECT_EQ(SchoolTypeForAge(16, r), v1::SCHOOL_TYPE_BSZ);
}

TEST(SchoolRulesTest, TheAgesCallForKitaThenSchoolWhileItIsCompulsoryThenNothing) {
  AgeRules r;
  EXPECT_FALSE(NeedForAges(0, 0, r).any()) << "the Kita claim starts at one";
  EXPECT_EQ(NeedForAges(1, 0, r).age_group, v1::AGE_GROUP_UNDER_3);
  EXPECT_EQ(NeedForAges(4, 3, r).age_group, v1::AGE_GROUP_3_TO_SCHOOL);
  EXPECT_EQ(NeedForAges(6, 5, r).age_group, v1::AGE_GROUP_3_TO_SCHOOL)
      << "six after the cut-off: Kita until the next school year";
  EXPECT_EQ(NeedForAges(6, 6, r).school_type, v1::SCHOOL_TYPE_GS);
  EXPECT_EQ(NeedForAges(11, 10, r).school_type, v1::SCHOOL_TYPE_OS);
  EXPECT_EQ(NeedForAges(17, 16, r).school_type, v1::SCHOOL_TYPE_BSZ);
  EXPECT_FALSE(NeedForAges(18, 17, r).any()) << "compulsory schooling ended: courses, not school";
  EXPECT_FALSE(NeedForAges(20, 19, r).any()) << "a 20-year-old head of household is a learner";
  r.land.school_obliged_until = 19;
  EXPECT_EQ(NeedForAges(18, 17, r).school_type, v1::SCHOOL_TYPE_BSZ) << "the Land's end, not a constant";
}

TEST(SchoolRulesTest, SiblingsOfOneSchoolTypeFormOneGroup) {
  auto groups = GroupSiblings({Child("p_3", "hh_a", v1::SCHOOL_TYPE_GS), Child("p_1", "hh_a", v1::SCHOOL_TYPE_GS),
                               Child("p_2", "hh_a", v1::SCHOOL_TYPE_OS), Child("p_4", "hh_b", v1::SCHOOL_TYPE_GS)});
  ASSERT_EQ(groups.size(), 3u);
  EXPECT_EQ(groups[0].household_id, "hh_a");
  EXPECT_EQ(groups[0].school_type, v1::SCHOOL_TYPE_GS);
  EXPECT_EQ(groups[0].person_ids, (std::vector<std::string>{"p_1", "p_3"}));
  EXPECT_EQ(groups[1].person_ids, (std::vector<std::string>{"p_2"}));
  EXPECT_EQ(groups[2].household_id, "hh_b");
}

TEST(SchoolRulesTest, PupilsGoToTheEmptiestClassAndNeverBeyondTheSeats) {
  auto school = School({3, 3}, {2, 0});
  EXPECT_EQ(FreeSeats(school), 4);
  ASSERT_TRUE(SeatPupils(school, {"p_1", "p_2"}, 0).ok());
  EXPECT_EQ(FindPupil(school, "p_1")->class_id(), "cl_1");
  EXPECT_EQ(FindPupil(school, "p_2")->class_id(), "cl_1");
  EXPECT_EQ(FreeSeats(school), 2);
  // Three siblings do not fit: none of them is seated.
  EXPECT_TRUE(absl::IsFailedPrecondition(SeatPupils(school, {"p_3", "p_4", "p_5"}, 0)));
  EXPECT_EQ(school.pupils_size(), 2);
  EXPECT_TRUE(absl::IsAlreadyExists(SeatPupils(school, {"p_1"}, 0)));
  const v1::School view = View(school);
  for (const auto& c : view.classes()) EXPECT_LE(c.pupils(), c.seats());
}

// Saxony's DaZ concept: a pupil may start directly in phase 2 or a regular class.
TEST(SchoolRulesTest, RecordedGermanStartsAPupilInPhaseTwoOrARegularClass) {
  const DazRules rules;
  EXPECT_EQ(StartPhase("", rules), 1);
  EXPECT_EQ(StartPhase("A0", rules), 1);
  EXPECT_EQ(StartPhase("A1", rules), 1);
  EXPECT_EQ(StartPhase("A2", rules), 2);
  EXPECT_EQ(StartPhase("B1", rules), 3);
  EXPECT_EQ(StartPhase("C1", rules), 3);
  auto school = School({3});
  ASSERT_TRUE(SeatPupils(school, {"p_1", "p_2"}, 0, false, {1, 2}).ok());
  EXPECT_EQ(FindPupil(school, "p_1")->phase(), 1);
  EXPECT_EQ(FindPupil(school, "p_2")->phase(), 2);
  EXPECT_EQ(FreeSeats(school), 1) << "phase 2 holds its DaZ seat";
}

// Pupils imported with the school's table are part way through their DaZ
// time: they leave evenly over it, and the seats come free for newcomers.
TEST(SchoolRulesTest, ImportedPupilsLeaveTheirSeatsOverTheDazTime) {
  const absl::CivilDay day0(2026, 9, 1);
  EXPECT_EQ(ImportedRemaining(12, day0, day0, 24), 12);
  EXPECT_EQ(ImportedRemaining(12, day0, day0 + 84, 24), 6) << "half the time, half the pupils";
  EXPECT_EQ(ImportedRemaining(12, day0, day0 + 1, 24), 12) << "rounded up: nobody leaves early";
  EXPECT_EQ(ImportedRemaining(12, day0, day0 + 168, 24), 0);
  EXPECT_EQ(ImportedRemaining(12, day0, day0 + 400, 24), 0);
  EXPECT_EQ(ImportedRemaining(12, day0, day0 + 400, 0), 12) << "0: they stay";

  auto school = School({10, 10}, {8, 4});
  ASSERT_TRUE(LeaveImported(school, day0, 24)) << "the first sight notes the day and counts";
  EXPECT_EQ(school.imported_on(), "2026-09-01");
  EXPECT_EQ(FreeSeats(school), 8);
  EXPECT_FALSE(LeaveImported(school, day0 + 1, 24));
  ASSERT_TRUE(LeaveImported(school, day0 + 84, 24));
  EXPECT_EQ(school.school().classes(0).imported_pupils(), 4);
  EXPECT_EQ(school.school().classes(1).imported_pupils(), 2);
  EXPECT_EQ(FreeSeats(school), 14);
  auto none = School({10});
  EXPECT_FALSE(LeaveImported(none, day0, 24)) << "nothing imported, nothing to note";
}

TEST(SchoolRulesTest, KitaSiblingsOfAGroupGoTogetherWithTheLongestCareAnyNeeds) {
  auto kita_child = [](const std::string& id, const std::string& household, v1::AgeGroup group, int hours) {
    v1::ChildRecord c;
    c.mutable_child()->set_person_id(id);
    c.mutable_child()->set_household_id(household);
    c.mutable_child()->set_age_group(group);
    c.mutable_child()->set_care_hours(hours);
    return c;
  };
  auto groups = GroupKitaSiblings({kita_child("p_2", "hh_a", v1::AGE_GROUP_UNDER_3, 6),
                                   kita_child("p_1", "hh_a", v1::AGE_GROUP_UNDER_3, 9),
                                   kita_child("p_3", "hh_a", v1::AGE_GROUP_3_TO_SCHOOL, 0),
                                   Child("p_4", "hh_a", v1::SCHOOL_TYPE_GS)});
  ASSERT_EQ(groups.size(), 2u) << "twins together; the older sibling's group apart; the pupil not at all";
  EXPECT_EQ(groups[0].person_ids, (std::vector<std::string>{"p_1", "p_2"}));
  EXPECT_EQ(groups[0].care_hours, 9);
  EXPECT_EQ(groups[1].person_ids, (std::vector<std::string>{"p_3"}));
  EXPECT_EQ(groups[1].care_hours, 9) << "the family's hours, so that the siblings fit one Kita";
  v1::Kita short_day;
  short_day.set_hours_per_day(6);
  EXPECT_FALSE(CoversHours(short_day, 9));
  EXPECT_TRUE(CoversHours(short_day, 6));
  EXPECT_TRUE(CoversHours(short_day, 0)) << "not said: any Kita";
}

TEST(SchoolRulesTest, AKitaPlaceIsSoughtAheadOfTheWishedStart) {
  const absl::CivilDay today(2026, 12, 4);
  v1::Child child;
  EXPECT_TRUE(SoughtYet(child, today, 56)) << "no wish: at once";
  child.set_wished_start("2027-03-01");
  EXPECT_FALSE(SoughtYet(child, today, 56));
  EXPECT_TRUE(SoughtYet(child, absl::CivilDay(2027, 1, 4), 56));
}

TEST(SchoolRulesTest, SeatsNeverBelowThePupils) {
  auto school = School({4}, {1});
  ASSERT_TRUE(SeatPupils(school, {"p_1", "p_2"}, 0).ok());
  EXPECT_TRUE(absl::IsFailedPrecondition(ChangeClassSeats(school, "cl_0", 2)));
  EXPECT_TRUE(ChangeClassSeats(school, "cl_0", 3).ok());
  EXPECT_TRUE(absl::IsNotFound(ChangeClassSeats(school, "cl_9", 3)));
}

TEST(SchoolRulesTest, PhasesGoForwardOneStepAndPhaseThreeFreesTheSeat) {
  auto school = School({2});
  ASSERT_TRUE(SeatPupils(school, {"p_1", "p_2"}, 0).ok());
  EXPECT_EQ(FreeSeats(school), 0);
  EXPECT_TRUE(absl::IsFailedPrecondition(AdvancePhase(school, "p_1", 3))) << "no skipping";
  ASSERT_TRUE(AdvancePhase(school, "p_1", 2).ok());
  EXPECT_EQ(FreeSeats(school), 0) << "phase 2 still holds the DaZ seat";
  ASSERT_TRUE(AdvancePhase(school, "p_1", 3).ok());
  EXPECT_EQ(FreeSeats(school), 1);
  EXPECT_TRUE(absl::IsFailedPrecondition(AdvancePhase(school, "p_1", 4)));
  EXPECT_TRUE(absl::IsFailedPrecondition(AdvancePhase(school, "p_2", 1)));
  EXPECT_TRUE(absl::IsNotFound(AdvancePhase(school, "p_9", 2)));
}

TEST(SchoolRulesTest, TheGapIsWaitingBeyondTheFreeSeats) {
  auto school = School({5}, {3});  // 2 free in Riesa
  v1::KitaRecord kita;
  kita.mutable_kita()->set_kita_id("kita_1000000000000000");
  kita.mutable_kita()->mutable_location()->set_social_area("Riesa");
  kita.mutable_kita()->set_places_under_3(1);
  std::vector<v1::ChildRecord> children;
  for (int i = 0; i < 5; ++i) children.push_back(Child("p_" + std::to_string(i), "hh", v1::SCHOOL_TYPE_GS));
  children.push_back(Child("p_placed", "hh", v1::SCHOOL_TYPE_GS, v1::CHILD_STATUS_PLACED));
  auto kita_child = Child("p_k", "hh", v1::SCHOOL_TYPE_UNSPECIFIED);
  kita_child.mutable_child()->set_age_group(v1::AGE_GROUP_UNDER_3);
  children.push_back(kita_child);
  auto report = CapacityReport({school}, {kita}, children);
  const v1::AreaCapacity* gs = nullptr;
  const v1::AreaCapacity* under3 = nullptr;
  for (const auto& r : report) {
    if (r.school_type() == v1::SCHOOL_TYPE_GS) gs = &r;
    if (r.age_group() == v1::AGE_GROUP_UNDER_3) under3 = &r;
  }
  ASSERT_TRUE(gs && under3);
  EXPECT_EQ(gs->seats(), 5);
  EXPECT_EQ(gs->used(), 3);
  EXPECT_EQ(gs->free(), 2);
  EXPECT_EQ(gs->waiting(), 5);
  EXPECT_EQ(gs->short_by(), 3);
  EXPECT_EQ(under3->waiting(), 1);
  EXPECT_EQ(under3->short_by(), 0);
}

TEST(SchoolTableTest, TheMeissenTableReproducesItsTotals) {
  std::ifstream in(ANKOMMEN_MEISSEN_CSV);
  ASSERT_TRUE(in) << ANKOMMEN_MEISSEN_CSV;
  std::stringstream csv;
  csv << in.rdbuf();
  std::map<std::string, ankommen::common::v1::ApproxLocation> areas;
  for (const char* area : {"Großenhain", "Radebeul", "Riesa", "Meißen"}) {
    areas[area].set_lat(51.2);
    areas[area].set_lon(13.4);
  }
  ParsedTable table = ParseSchoolTable(csv.str(), areas, "14627000");
  EXPECT_TRUE(table.rejected.empty()) << table.rejected[0].reason();
  ASSERT_EQ(table.rows.size(), 19u);
  std::map<int, v1::TypeTotals> totals;
  for (const auto& t : Totals(table.rows)) totals[t.school_type()] = t;
  EXPECT_EQ(totals[v1::SCHOOL_TYPE_GS].pupils(), 199);
  EXPECT_EQ(totals[v1::SCHOOL_TYPE_GS].classes(), 12);
  EXPECT_EQ(totals[v1::SCHOOL_TYPE_GS].reserve(), 77);
  EXPECT_EQ(totals[v1::SCHOOL_TYPE_OS].pupils(), 182);
  EXPECT_EQ(totals[v1::SCHOOL_TYPE_OS].classes(), 10);
  EXPECT_EQ(totals[v1::SCHOOL_TYPE_OS].reserve(), 50);
  EXPECT_EQ(totals[v1::SCHOOL_TYPE_BSZ].pupils(), 136);
  EXPECT_EQ(totals[v1::SCHOOL_TYPE_BSZ].classes(), 9);
  EXPECT_EQ(totals[v1::SCHOOL_TYPE_BSZ].reserve(), 71);
  // Seats are pupils plus reserve, spread over the classes, never fewer than the pupils in a class.
  for (const auto& row : table.rows) {
    int seats = 0, pupils = 0;
    for (const auto& c : row.school.classes()) {
      EXPECT_GE(c.seats(), c.imported_pupils());
      seats += c.seats();
      pupils += c.imported_pupils();
    }
    EXPECT_EQ(seats, row.pupils + row.reserve);
    EXPECT_EQ(pupils, row.pupils);
  }
}

TEST(SchoolTableTest, BadRowsAreReportedWithTheirLineAndNothingElseIsLost) {
  const std::string csv =
      "school,school_type,social_area,vka_pupils,vka_classes,capacity_reserve,lat,lon\n"
      "Good GS,GS,Riesa,10,1,5,51.3,13.3\n"
      "Bad type,XS,Riesa,10,1,5,51.3,13.3\n"
      "Negative,OS,Riesa,-4,1,5,51.3,13.3\n"
      "\"Quoted, with comma\",OS,Riesa,4,2,5,51.3,13.3\n"
      "No place,GS,Nowhere,1,1,1,,\n";
  ParsedTable table = ParseSchoolTable(csv, {}, "");
  ASSERT_EQ(table.rows.size(), 2u);
  EXPECT_EQ(table.rows[1].school.name(), "Quoted, with comma");
  ASSERT_EQ(table.rejected.size(), 3u);
  EXPECT_EQ(table.rejected[0].line(), 3);
  EXPECT_NE(table.rejected[0].reason().find("school_type"), std::string::npos);
  EXPECT_EQ(table.rejected[1].line(), 4);
  EXPECT_NE(table.rejected[1].reason().find("vka_pupils"), std::string::npos);
  EXPECT_EQ(table.rejected[2].line(), 6);
  EXPECT_NE(table.rejected[2].reason().find("coordinates"), std::string::npos);
  EXPECT_EQ(ParseSchoolTable("name,type\nx,y\n", {}, "").rejected.size(), 6u) << "each missing column named";
}

TEST(SchoolValidationTest, BadInputNamesTheField) {
  v1::CreateSchoolRequest school;
  school.set_idempotency_key("k");
  school.mutable_school()->set_name("GS");
  school.mutable_school()->set_school_type(static_cast<v1::SchoolType>(42));
  school.mutable_school()->add_classes()->set_seats(-2);
  auto s = ValidateCreateSchool(school);
  EXPECT_NE(s.message().find("school.school_type"), std::string::npos) << s;
  EXPECT_NE(s.message().find("school.classes[0].seats"), std::string::npos) << s;
  v1::RequestKitaRequest kita;
  kita.set_idempotency_key("k");
  kita.set_person_id("p_1000000000000000");
  kita.set_age_years(45);
  EXPECT_NE(ValidateRequestKita(kita, {}).message().find("age_years"), std::string::npos);
  v1::AdvancePhaseRequest phase;
  phase.set_idempotency_key("k");
  phase.set_person_id("p_1000000000000000");
  phase.set_phase(4);
  EXPECT_NE(ValidateAdvancePhase(phase).message().find("phase"), std::string::npos);
}

}  // namespace
}  // namespace ankommen::schools
