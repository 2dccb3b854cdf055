// Each indicator on a small history whose figure is known by hand.
#include "figures.h"

#include <gtest/gtest.h>

namespace ankommen::monitoring {
namespace {

using D = absl::CivilDay;

const Indicator& I(std::string_view id) { return *FindIndicator(id); }

class FiguresTest : public ::testing::Test {
 protected:
  // A household in `area` registered on `day` with members of the given ages.
  void Household(const std::string& id, D day, const std::string& area, std::vector<int> ages) {
    HouseholdHistory& hh = h_.households[id];
    hh.registered = day;
    hh.social_area.Set(day, area);
    hh.persons.Set(day, static_cast<int>(ages.size()));
    for (size_t i = 0; i < ages.size(); ++i) {
      PersonHistory& p = h_.persons[id + "_" + std::to_string(i)];
      p.household_id = id;
      p.registered = day;
      p.age_years.Set(day, ages[i]);
      p.school_year_age.Set(day, ages[i]);
      p.level.Set(day, 0);
    }
  }
  PersonHistory& P(const std::string& id) { return h_.persons.at(id); }
  void Place(const std::string& id, bool shared, int m2, const std::string& area) {
    h_.accommodations[id] = {shared, m2, 6.0, area};
  }

  Figure F(std::string_view id, D from, D to, const std::string& area = "", std::optional<D> as_of = {}) {
    return ComputeFigure(h_, I(id), Scope{from, to, area, as_of.value_or(to)}, AgeBands{});
  }

  History h_;
};

TEST_F(FiguresTest, LanguageLevelsCountTheAdultsOfTheCohortWithinTheirWindow) {
  Household("h1", D(2027, 1, 10), "Riesa", {30, 28, 5});  // two adults, a child
  Household("h2", D(2027, 2, 1), "Meißen", {40});
  Household("h3", D(2026, 12, 1), "Riesa", {35});  // arrived before the period: not in the cohort
  P("h1_0").level.Set(D(2027, 9, 1), LevelRank("A2"));   // within 12 months
  P("h1_1").level.Set(D(2028, 3, 1), LevelRank("B1"));   // A2 too late (14 months), B1 within 24
  P("h2_0").level.Set(D(2027, 6, 1), LevelRank("A1"));   // not yet A2
  P("h3_0").level.Set(D(2027, 3, 1), LevelRank("B2"));
  const Figure a2 = F("language_a2_within_12_months", D(2027, 1, 1), D(2027, 3, 31), "", D(2029, 6, 30));
  EXPECT_EQ(a2.denominator, 3);
  EXPECT_EQ(a2.numerator, 1);
  EXPECT_NEAR(*a2.value, 100.0 / 3, 1e-9);
  EXPECT_TRUE(a2.complete);
  const Figure b1 = F("language_b1_within_24_months", D(2027, 1, 1), D(2027, 3, 31), "", D(2029, 6, 30));
  EXPECT_EQ(b1.numerator, 1);
  EXPECT_EQ(b1.denominator, 3);
  // Per area: Riesa's cohort is h1's two adults.
  const Figure riesa = F("language_a2_within_12_months", D(2027, 1, 1), D(2027, 3, 31), "Riesa", D(2029, 6, 30));
  EXPECT_EQ(riesa.denominator, 2);
  EXPECT_EQ(riesa.numerator, 1);
  // Looked at early, the share is preliminary: windows are still open.
  const Figure early = F("language_a2_within_12_months", D(2027, 1, 1), D(2027, 3, 31), "", D(2027, 10, 1));
  EXPECT_FALSE(early.complete);
  EXPECT_EQ(early.numerator, 1);
  // Someone who left the district within the window without reaching it is no longer counted.
  P("h2_0").left = D(2027, 8, 1);
  EXPECT_EQ(F("language_a2_within_12_months", D(2027, 1, 1), D(2027, 3, 31), "", D(2029, 6, 30)).denominator, 2);
}

TEST_F(FiguresTest, CourseTimesAreMediansOfTheEnrolmentsThatStartedInThePeriod) {
  Household("h1", D(2027, 1, 1), "Riesa", {30, 31, 32});
  Household("h2", D(2027, 1, 1), "Meißen", {30});
  h_.enrolments = {{"h1_0", D(2027, 2, 1), 10, 40},
                   {"h1_1", D(2027, 2, 15), 20, 50},
                   {"h1_2", D(2027, 3, 1), 30, 90},
                   {"h2_0", D(2027, 3, 10), 5, 7},
                   {"h2_0", D(2027, 5, 1), 99, 99}};  // after the period
  const Figure waiting = F("course_waiting_time_days", D(2027, 1, 1), D(2027, 3, 31));
  EXPECT_EQ(waiting.denominator, 4);
  EXPECT_DOUBLE_EQ(*waiting.value, 10);  // 5 10 20 30: the nearest rank, a wait someone had
  EXPECT_DOUBLE_EQ(*F("course_access_time_days", D(2027, 1, 1), D(2027, 3, 31)).value, 40);  // 7 40 50 90
  EXPECT_DOUBLE_EQ(*F("course_access_time_days", D(2027, 1, 1), D(2027, 3, 31), "Riesa").value, 50);
  EXPECT_FALSE(F("course_access_time_days", D(2027, 6, 1), D(2027, 6, 30)).value.has_value());
}

TEST_F(FiguresTest, KitaShareCountsChildrenFromOneToSchoolLivingHereAtThePeriodsEnd) {
  Household("h1", D(2027, 1, 1), "Riesa", {35, 2, 4, 7, 0});  // 2 and 4 in the band; 7 at school; 0 too young
  Household("h2", D(2027, 1, 1), "Riesa", {3});
  P("h1_1").kita_placed = D(2027, 2, 1);
  P("h2_0").kita_placed = D(2027, 7, 1);  // after the period's end
  P("h1_4").age_years.Set(D(2027, 5, 1), 1);  // turns one in the period: now in the band
  const Figure f = F("kita_share_ages_1_to_6", D(2027, 1, 1), D(2027, 6, 30));
  EXPECT_EQ(f.denominator, 4);  // 2, 4, the one-year-old, 3
  EXPECT_EQ(f.numerator, 1);
  EXPECT_DOUBLE_EQ(*f.value, 25);
  P("h1_2").left = D(2027, 3, 1);  // moved away
  EXPECT_EQ(F("kita_share_ages_1_to_6", D(2027, 1, 1), D(2027, 6, 30)).denominator, 3);
}

TEST_F(FiguresTest, DazClassWithinFourteenDaysOfArrival) {
  Household("h1", D(2027, 1, 1), "Riesa", {40, 7, 12, 17, 18});  // 7, 12, 17 of school age; 18 not obliged
  Household("h2", D(2027, 3, 25), "Riesa", {9});  // its 14 days end after the period's as-of
  P("h1_1").school_placed = D(2027, 1, 10);  // 9 days
  P("h1_2").school_placed = D(2027, 1, 15);  // 14 days: still within
  P("h1_3").school_placed = D(2027, 2, 1);   // 31 days
  const Figure f = F("daz_class_within_14_days", D(2027, 1, 1), D(2027, 3, 31));
  EXPECT_EQ(f.denominator, 4);
  EXPECT_EQ(f.numerator, 2);
  EXPECT_FALSE(f.complete);  // h2's window is open on 31 March
  const Figure later = F("daz_class_within_14_days", D(2027, 1, 1), D(2027, 3, 31), "", D(2027, 5, 1));
  EXPECT_TRUE(later.complete);
  EXPECT_DOUBLE_EQ(*later.value, 50);
}

TEST_F(FiguresTest, HousingFiguresAtThePeriodsEnd) {
  Place("gu1", true, 60, "Riesa");   // 60 m² at 6 m² a person: 10 persons
  Place("flat1", false, 40, "Riesa");
  Place("flat2", false, 30, "Meißen");
  Household("h1", D(2025, 1, 1), "Riesa", {30, 30, 5, 5, 5, 5});
  Household("h2", D(2026, 6, 1), "Riesa", {30, 30, 30, 30, 30});
  Household("h3", D(2026, 1, 1), "Riesa", {30, 30});
  Household("h4", D(2026, 1, 1), "Meißen", {30, 30, 30, 30, 30, 30});  // 6 persons in 30 m²: below standard
  h_.households["h1"].accommodation.Set(D(2025, 1, 5), "gu1");   // shared since January 2025
  h_.households["h2"].accommodation.Set(D(2026, 6, 5), "gu1");   // shared, under a year on 31 Mar 2027
  h_.households["h3"].accommodation.Set(D(2026, 1, 5), "gu1");
  h_.households["h3"].accommodation.Set(D(2026, 8, 1), "flat1");  // moved on to a flat
  h_.households["h4"].accommodation.Set(D(2026, 2, 1), "flat2");
  const D from(2027, 1, 1), to(2027, 3, 31);
  const Figure flats = F("households_in_flats", from, to);
  EXPECT_EQ(flats.denominator, 4);
  EXPECT_EQ(flats.numerator, 2);
  EXPECT_DOUBLE_EQ(*F("households_in_flats", from, to, "Riesa").value, 100.0 / 3);
  EXPECT_DOUBLE_EQ(*F("shared_accommodation_over_12_months", from, to).value, 1);  // h1
  // gu1 holds 11 persons in 60 m² (needs 66), flat2 holds 6 in 30 m² (needs 36); flat1 is fine.
  EXPECT_DOUBLE_EQ(*F("places_below_standard", from, to).value, 2);
  EXPECT_DOUBLE_EQ(*F("places_below_standard", from, to, "Meißen").value, 1);
  h_.households["h2"].accommodation.Set(D(2027, 2, 1), "");  // moved out
  EXPECT_DOUBLE_EQ(*F("places_below_standard", from, to).value, 1);
  EXPECT_EQ(F("households_in_flats", from, to).denominator, 3);
}

TEST_F(FiguresTest, CaseloadIsAsylblgRecipientsInSharedAccommodationPerWorker) {
  Place("gu1", true, 500, "Riesa");
  Place("flat1", false, 80, "Riesa");
  Household("h1", D(2027, 1, 1), "Riesa", {30, 30, 5});
  Household("h2", D(2027, 1, 1), "Riesa", {30});
  for (const auto& [id, p] : h_.persons) h_.persons[id].asylblg.Set(D(2027, 1, 1), true);
  h_.households["h1"].accommodation.Set(D(2027, 1, 2), "gu1");
  h_.households["h2"].accommodation.Set(D(2027, 1, 2), "flat1");  // in a flat: another service's caseload
  P("h1_1").asylblg.Set(D(2027, 2, 1), false);  // protection granted: SGB II
  h_.social_workers = {{"Riesa", 2}, {"Meißen", 1}};
  const Figure f = F("caseload_per_social_worker", D(2027, 1, 1), D(2027, 3, 31), "Riesa");
  EXPECT_EQ(f.numerator, 2);
  EXPECT_EQ(f.denominator, 2);
  EXPECT_DOUBLE_EQ(*f.value, 1);
  EXPECT_DOUBLE_EQ(*F("caseload_per_social_worker", D(2027, 1, 1), D(2027, 1, 31)).value, 1);  // 3 of 3 workers
}

TEST_F(FiguresTest, WithCaseworksStaffListTheCaseloadIsPersonsAssignedPerRefugeeSocialWorker) {
  Household("h1", D(2027, 1, 1), "Riesa", {30, 30, 5});
  Household("h2", D(2027, 1, 1), "Riesa", {30});
  Household("h3", D(2027, 1, 1), "Meißen", {40, 8});
  h_.social_workers = {{"Riesa", 9}};  // configured, but the staff list decides now
  h_.workers["w1"].Set(D(2027, 1, 1), {"fsa", "Riesa", true});
  h_.workers["w2"].Set(D(2027, 1, 1), {"fsa", "Riesa", true});
  h_.workers["w2"].Set(D(2027, 3, 1), {"fsa", "Riesa", false});  // left
  h_.workers["w3"].Set(D(2027, 1, 1), {"mbe", "Riesa", true});   // another programme
  h_.workers["w4"].Set(D(2027, 1, 1), {"fsa", "Meißen", true});
  h_.households["h1"].casework.Set(D(2027, 1, 1), {"fsa", "w1", 3});
  h_.households["h2"].casework.Set(D(2027, 1, 1), {"fsa", "w2", 1});
  h_.households["h2"].casework.Set(D(2027, 3, 1), {"fsa", "w1", 1});       // handed over when w2 left
  h_.households["h1"].casework.Set(D(2027, 2, 15), {"mbe", "w3", 3});      // protection: migration counselling
  h_.households["h3"].casework.Set(D(2027, 1, 1), {"fsa", "w4", 2});
  // End of January in Riesa: 3 + 1 persons, two workers.
  Figure f = F("caseload_per_social_worker", D(2027, 1, 1), D(2027, 1, 31), "Riesa");
  EXPECT_EQ(f.numerator, 4);
  EXPECT_EQ(f.denominator, 2);
  EXPECT_DOUBLE_EQ(*f.value, 2);
  // End of March: h1 went to migration counselling, w2 left and h2 is w1's.
  f = F("caseload_per_social_worker", D(2027, 1, 1), D(2027, 3, 31), "Riesa");
  EXPECT_EQ(f.numerator, 1);
  EXPECT_EQ(f.denominator, 1);
  // The district: w1 and w4.
  f = F("caseload_per_social_worker", D(2027, 1, 1), D(2027, 3, 31));
  EXPECT_EQ(f.numerator, 3);
  EXPECT_EQ(f.denominator, 2);
  EXPECT_DOUBLE_EQ(*f.value, 1.5);
}

TEST_F(FiguresTest, MessagesNotDeliveredAndMediatorRequestsFilled) {
  Household("h1", D(2027, 1, 1), "Riesa", {30});
  Household("h2", D(2027, 1, 1), "Meißen", {30});
  h_.messages = {{"m1", {"h1_0", D(2027, 1, 5), false}},
                 {"m2", {"h1_0", D(2027, 1, 6), true}},
                 {"m3", {"h2_0", D(2027, 1, 7), false}},
                 {"m4", {"team:Riesa", D(2027, 1, 8), true}},
                 {"m5", {"h2_0", D(2027, 5, 1), true}}};  // after the period
  const Figure all = F("messages_not_delivered", D(2027, 1, 1), D(2027, 3, 31));
  EXPECT_EQ(all.numerator, 2);
  EXPECT_EQ(all.denominator, 4);
  const Figure riesa = F("messages_not_delivered", D(2027, 1, 1), D(2027, 3, 31), "Riesa");
  EXPECT_EQ(riesa.numerator, 2);
  EXPECT_EQ(riesa.denominator, 3);

  h_.mediations = {{"r1", {"Riesa", D(2027, 1, 10), true, false}},
                   {"r2", {"Riesa", D(2027, 1, 11), false, false}},
                   {"r3", {"Riesa", D(2027, 1, 12), false, true}},    // the office cancelled: not counted
                   {"r4", {"Meißen", D(2027, 1, 13), true, false}},
                   {"r5", {"Meißen", D(2027, 4, 13), false, false}}};  // appointment after as-of
  const Figure filled = F("mediator_requests_filled", D(2027, 1, 1), D(2027, 6, 30), "", D(2027, 3, 31));
  EXPECT_EQ(filled.numerator, 2);
  EXPECT_EQ(filled.denominator, 3);
}

TEST_F(FiguresTest, TheReportTakesTheAreasTargetBeforeTheDistrictsAndLightsIt) {
  Household("h1", D(2027, 1, 1), "Riesa", {30});
  h_.enrolments = {{"h1_0", D(2027, 2, 1), 50, 60}};
  std::vector<Target> targets = {
      {"course_waiting_time_days", "", std::nullopt, 42, D(2027, 1, 1), D(2027, 12, 31)},
      {"course_waiting_time_days", "Riesa", std::nullopt, 60, D(2027, 1, 1), D(2027, 12, 31)},
      {"course_access_time_days", "", std::nullopt, 42, D(2026, 1, 1), D(2026, 12, 31)}};  // another year
  const Scope riesa{D(2027, 1, 1), D(2027, 3, 31), "Riesa", D(2027, 3, 31)};
  const auto rows = BuildReport(h_, riesa, AgeBands{}, targets);
  ASSERT_EQ(rows.size(), Catalogue().size());
  const ReportRow* waiting = nullptr;
  const ReportRow* access = nullptr;
  for (const auto& r : rows) {
    if (r.indicator->id == "course_waiting_time_days") waiting = &r;
    if (r.indicator->id == "course_access_time_days") access = &r;
  }
  ASSERT_TRUE(waiting && waiting->target);
  EXPECT_EQ(waiting->target->social_area, "Riesa");
  EXPECT_EQ(waiting->light, Light::kGreen);  // 50 days against Riesa's 60
  EXPECT_FALSE(access->target.has_value());
  // The trend has a point per month: February holds the enrolment, January and March none.
  ASSERT_EQ(waiting->trend.size(), 3u);
  EXPECT_EQ(waiting->trend[0].month_end, D(2027, 1, 31));
  EXPECT_FALSE(waiting->trend[0].value.has_value());
  EXPECT_DOUBLE_EQ(*waiting->trend[1].value, 50);
  // Against the district's 42 days it is red (more than a tenth over).
  const Scope district{D(2027, 1, 1), D(2027, 3, 31), "", D(2027, 3, 31)};
  for (const auto& r : BuildReport(h_, district, AgeBands{}, targets)) {
    if (r.indicator->id == "course_waiting_time_days") {
      EXPECT_EQ(r.light, Light::kRed);
    }
  }
}

TEST(TimelineTest, ValuesAreTakenOnOrBeforeTheDayWhateverOrderTheyWereSetIn) {
  Timeline<int> t;
  t.Set(D(2027, 3, 1), 3);
  t.Set(D(2027, 1, 1), 1);
  t.Set(D(2027, 2, 1), 2);
  t.Set(D(2027, 2, 1), 20);
  EXPECT_FALSE(t.At(D(2026, 12, 31)).has_value());
  EXPECT_EQ(t.At(D(2027, 1, 15)), 1);
  EXPECT_EQ(t.At(D(2027, 2, 1)), 20);
  EXPECT_EQ(t.At(D(2027, 12, 1)), 3);
  EXPECT_EQ(t.changes().size(), 3u);
}

}  // namespace
}  // namespace ankommen::monitoring
