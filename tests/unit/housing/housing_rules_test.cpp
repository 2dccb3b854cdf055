// Housing rules: the standard's arithmetic, a household never split, flats
// before shared accommodation, the vacancy register, leases, and figures.
#include "domain/housing_rules.h"

#include <gtest/gtest.h>

#include "domain/validation.h"
#include "solver.h"

namespace ankommen::housing {
namespace {

const absl::CivilDay kToday(2026, 11, 23);
// 7 m² per person (Baden-Württemberg's; the default is Saxony's 6), shared accommodation +25 km.
const Standards kStandards = [] {
  Standards s;
  s.square_metres_per_person = 7;
  return s;
}();

v1::AccommodationRecord Place(const std::string& id, v1::Kind kind, int beds, int m2, double lat = 51.30) {
  v1::AccommodationRecord r;
  auto* a = r.mutable_accommodation();
  a->set_accommodation_id(id);
  a->set_kind(kind);
  a->set_beds(beds);
  a->set_square_metres(m2);
  a->set_social_area("Riesa");
  a->mutable_coordinates()->set_lat(lat);
  a->mutable_coordinates()->set_lon(13.29);
  a->set_status(v1::ACCOMMODATION_STATUS_ACTIVE);
  if (kind == v1::KIND_FLAT) {
    a->set_vacant(true);
    a->set_vacant_from("2026-11-01");
  }
  return r;
}

v1::HouseholdRecord Household(const std::string& id, int persons) {
  v1::HouseholdRecord r;
  r.mutable_household()->set_household_id(id);
  r.mutable_household()->set_persons(persons);
  r.mutable_household()->set_status(v1::HOUSEHOLD_STATUS_WAITING);
  r.mutable_household()->set_social_area("Riesa");
  r.mutable_household()->set_waiting_since("2026-11-01");
  r.mutable_location()->set_lat(51.30);
  r.mutable_location()->set_lon(13.29);
  return r;
}

v1::Occupancy Offer(const v1::HouseholdRecord& h) {
  v1::Occupancy o;
  o.set_household_id(h.household().household_id());
  o.set_offer_id("ho_" + h.household().household_id());
  o.set_persons(h.household().persons());
  o.set_state(v1::Occupancy::STATE_OFFERED);
  return o;
}

TEST(HousingRulesTest, TheStandardCountsBedsAndSquareMetres) {
  auto gu = Place("acc_1", v1::KIND_SHARED, 10, 56);  // 8 persons' worth of m²
  auto five = Household("hh_1", 5);
  auto four = Household("hh_2", 4);
  ASSERT_TRUE(AddOffer(gu, Offer(five), kStandards, five.household()).ok());
  EXPECT_EQ(FreeBeds(gu), 5);
  EXPECT_EQ(FreeSquareMetres(gu, kStandards), 56 - 35);
  // Four more have beds but not the m²: refused whole.
  auto refused = AddOffer(gu, Offer(four), kStandards, four.household());
  EXPECT_TRUE(absl::IsFailedPrecondition(refused));
  EXPECT_NE(refused.message().find("m²"), std::string::npos);
  EXPECT_EQ(gu.occupancies_size(), 1);
}

TEST(HousingRulesTest, AHouseholdIsNeverSplitAndAFlatTakesOne) {
  auto flat = Place("acc_2", v1::KIND_FLAT, 4, 80);
  auto five = Household("hh_1", 5);
  EXPECT_TRUE(absl::IsFailedPrecondition(Fits(flat, five.household(), kStandards))) << "4 beds for 5 people";
  auto two = Household("hh_2", 2);
  ASSERT_TRUE(AddOffer(flat, Offer(two), kStandards, two.household()).ok());
  auto other = Household("hh_3", 1);
  EXPECT_TRUE(absl::IsFailedPrecondition(Fits(flat, other.household(), kStandards))) << "a flat holds one household";
}

TEST(HousingRulesTest, FlatsComeBeforeSharedAccommodation) {
  // A shared accommodation next door, a flat 8 km away: the flat wins; at 40 km the shared place does.
  auto household = Household("hh_1", 3);
  auto gu = Place("acc_gu", v1::KIND_SHARED, 50, 500, 51.30);
  auto near_flat = Place("acc_flat", v1::KIND_FLAT, 4, 70, 51.30 + 8 / 111.0);
  auto far_flat = Place("acc_far", v1::KIND_FLAT, 4, 70, 51.30 + 40 / 111.0);
  auto solve = [&](const v1::AccommodationRecord& flat) {
    auto problem = BuildHousingProblem({&household}, {&gu, &flat}, kStandards, kToday, 60);
    auto solver = placement::MakeSolver(placement::ChooseSolver(problem));
    auto solution = (*solver)->Solve(problem);
    EXPECT_TRUE(solution.ok());
    return problem.places[static_cast<size_t>(solution->placements[0].place)].id;
  };
  EXPECT_EQ(solve(near_flat), "acc_flat");
  EXPECT_EQ(solve(far_flat), "acc_gu");
}

TEST(HousingRulesTest, DeclinedPlacesAndStepsAreRespected) {
  auto household = Household("hh_1", 2);
  household.add_declined_ids("acc_flat");
  household.mutable_household()->set_step_free(true);
  auto flat = Place("acc_flat", v1::KIND_FLAT, 4, 70);
  flat.mutable_accommodation()->set_step_free(true);
  auto stairs = Place("acc_stairs", v1::KIND_FLAT, 4, 70);
  auto problem = BuildHousingProblem({&household}, {&flat, &stairs}, kStandards, kToday, 60);
  EXPECT_TRUE(problem.candidates.empty());
}

TEST(HousingRulesTest, TheVacancyRegisterDecidesWhenAFlatIsAvailable) {
  auto flat = Place("acc_1", v1::KIND_FLAT, 4, 70);
  EXPECT_TRUE(Available(flat, kToday));
  flat.mutable_accommodation()->set_vacant_from("2026-12-01");
  EXPECT_FALSE(Available(flat, kToday)) << "free only from December";
  flat.mutable_accommodation()->set_vacant(false);
  flat.mutable_accommodation()->set_vacant_from("2026-11-01");
  EXPECT_FALSE(Available(flat, kToday)) << "withdrawn from the register";
  EXPECT_TRUE(Available(Place("acc_gu", v1::KIND_SHARED, 10, 100), kToday));
}

TEST(HousingRulesTest, ALeasePassesOnlyFromAFlatItsTenantsLiveIn) {
  auto flat = Place("acc_1", v1::KIND_FLAT, 4, 70);
  flat.mutable_accommodation()->set_lease_transferable(true);
  auto h = Household("hh_1", 3);
  ASSERT_TRUE(AddOffer(flat, Offer(h), kStandards, h.household()).ok());
  EXPECT_TRUE(absl::IsFailedPrecondition(TransferLease(flat, "hh_1"))) << "offered, not moved in";
  ASSERT_TRUE(Confirm(flat, "ho_hh_1", 1).ok());
  EXPECT_TRUE(absl::IsFailedPrecondition(Confirm(flat, "ho_hh_1", 1).status())) << "confirmed once";
  ASSERT_TRUE(TransferLease(flat, "hh_1").ok());
  EXPECT_EQ(flat.accommodation().status(), v1::ACCOMMODATION_STATUS_TRANSFERRED);
  EXPECT_FALSE(Available(flat, kToday));
  auto gu = Place("acc_gu", v1::KIND_SHARED, 10, 100);
  EXPECT_TRUE(absl::IsFailedPrecondition(TransferLease(gu, "hh_1")));
  EXPECT_TRUE(LeaseCanPassWith(3));
  EXPECT_TRUE(LeaseCanPassWith(4));
  EXPECT_FALSE(LeaseCanPassWith(1));
}

TEST(HousingRulesTest, FiguresPerArea) {
  auto flat = Place("acc_1", v1::KIND_FLAT, 4, 40);
  auto gu = Place("acc_2", v1::KIND_SHARED, 20, 60);
  auto three = Household("hh_1", 3);
  auto nine = Household("hh_2", 9);
  ASSERT_TRUE(AddOffer(flat, Offer(three), kStandards, three.household()).ok());
  ASSERT_TRUE(Confirm(flat, "ho_hh_1", 1).ok());
  // Nine people in 60 m² (below 7 m² each): as an import or a changed standard could leave it.
  auto* o = gu.add_occupancies();
  *o = Offer(nine);
  o->set_state(v1::Occupancy::STATE_OCCUPIED);
  auto waiting = Household("hh_3", 2);
  // Refugee social work counts AsylbLG recipients in shared accommodation: seven of the
  // nine in the GU (two draw SGB II); the family in the flat and the one waiting not.
  auto in_gu = nine;
  in_gu.mutable_household()->set_status(v1::HOUSEHOLD_STATUS_HOUSED);
  in_gu.mutable_household()->set_accommodation_id("acc_2");
  for (int i = 0; i < 7; ++i) in_gu.add_asylblg_person_ids("p_gu_" + std::to_string(i));
  auto in_flat = three;
  in_flat.mutable_household()->set_status(v1::HOUSEHOLD_STATUS_HOUSED);
  in_flat.mutable_household()->set_accommodation_id("acc_1");
  for (int i = 0; i < 3; ++i) in_flat.add_asylblg_person_ids("p_flat_" + std::to_string(i));
  waiting.add_asylblg_person_ids("p_waiting");
  auto figures = Figures({flat, gu}, {waiting, in_gu, in_flat}, {{"Riesa", 2}}, kStandards);
  ASSERT_EQ(figures.size(), 1u);
  const auto& f = figures[0];
  EXPECT_EQ(f.persons_housed(), 12);
  EXPECT_EQ(f.persons_in_flats(), 3);
  EXPECT_DOUBLE_EQ(f.share_in_flats(), 0.25);
  EXPECT_DOUBLE_EQ(f.square_metres_per_person(), 100.0 / 12);
  EXPECT_EQ(f.standard_violations(), 1);
  EXPECT_EQ(f.households_waiting(), 1);
  EXPECT_EQ(f.caseload_persons(), 7);
  EXPECT_DOUBLE_EQ(f.persons_per_social_worker(), 3.5) << "the caseload, not the 12 housed, per worker";
}

TEST(HousingValidationTest, BadAccommodationsNameTheField) {
  v1::CreateAccommodationRequest req;
  req.set_idempotency_key("k");
  auto* a = req.mutable_accommodation();
  a->set_kind(v1::KIND_FLAT);
  a->set_name("Wohnung");
  a->set_municipality_ags("14627230");
  a->set_social_area("Riesa");
  a->mutable_coordinates()->set_lat(51.3);
  a->mutable_coordinates()->set_lon(13.3);
  a->set_rooms(2);
  a->set_beds(0);
  a->set_square_metres(40);
  EXPECT_NE(ValidateCreateAccommodation(req).message().find("accommodation.beds"), std::string::npos);
  a->set_beds(3);
  a->set_square_metres(-3);
  EXPECT_NE(ValidateCreateAccommodation(req).message().find("accommodation.square_metres"), std::string::npos);
  a->set_square_metres(60);
  EXPECT_TRUE(ValidateCreateAccommodation(req).ok());
}

TEST(HousingValidationTest, TableRowsBecomeAccommodationsOrSayWhy) {
  CsvTable table = ParseCsv(
      "kind,name,operator,municipality_ags,social_area,lat,lon,beds,rooms,square_metres,step_free,lease_transferable\n"
      "flat,Wohnung Riesa 1,WBG Riesa,14627230,Riesa,51.3,13.3,4,3,70,yes,yes\n"
      "castle,Schloss,,14627230,Riesa,51.3,13.3,4,3,70,no,no\n");
  ASSERT_EQ(table.rows.size(), 2u);
  auto flat = AccommodationFromRow(table, table.rows[0]);
  ASSERT_TRUE(flat.ok()) << flat.status();
  EXPECT_TRUE(flat->step_free());
  EXPECT_TRUE(flat->lease_transferable());
  auto castle = AccommodationFromRow(table, table.rows[1]);
  EXPECT_NE(castle.status().message().find("kind"), std::string::npos);
}

}  // namespace
}  // namespace ankommen::housing
