#include "domain/residence.h"

#include <gtest/gtest.h>

#include "text/field_checks.h"

namespace ankommen::registry {
namespace {

const absl::CivilDay kToday(2026, 12, 4);

struct Transition {
  v1::ResidenceStatus from;
  v1::ResidenceStatus to;
  bool allowed;
};

class TransitionTest : public ::testing::TestWithParam<Transition> {};

TEST_P(TransitionTest, FollowsTheLaw) {
  auto [from, to, allowed] = GetParam();
  absl::Status s = CheckStatusTransition(from, to);
  if (allowed) {
    EXPECT_TRUE(s.ok()) << s.message();
  } else {
    EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
  }
}

INSTANTIATE_TEST_SUITE_P(
    Table, TransitionTest,
    ::testing::Values(
        Transition{v1::RESIDENCE_STATUS_ASYLUM_SEEKER, v1::RESIDENCE_STATUS_PROTECTION_GRANTED, true},
        Transition{v1::RESIDENCE_STATUS_ASYLUM_SEEKER, v1::RESIDENCE_STATUS_TOLERATED, true},
        Transition{v1::RESIDENCE_STATUS_TOLERATED, v1::RESIDENCE_STATUS_ASYLUM_SEEKER, true},
        Transition{v1::RESIDENCE_STATUS_TOLERATED, v1::RESIDENCE_STATUS_RESIDENCE_PERMIT, true},
        Transition{v1::RESIDENCE_STATUS_PROTECTION_GRANTED, v1::RESIDENCE_STATUS_RESIDENCE_PERMIT, true},
        Transition{v1::RESIDENCE_STATUS_PROTECTION_GRANTED, v1::RESIDENCE_STATUS_TOLERATED, true},
        Transition{v1::RESIDENCE_STATUS_PROTECTION_GRANTED, v1::RESIDENCE_STATUS_ASYLUM_SEEKER, false},
        Transition{v1::RESIDENCE_STATUS_RESIDENCE_PERMIT, v1::RESIDENCE_STATUS_ASYLUM_SEEKER, false},
        Transition{v1::RESIDENCE_STATUS_EU_CITIZEN, v1::RESIDENCE_STATUS_ASYLUM_SEEKER, false},
        Transition{v1::RESIDENCE_STATUS_EU_CITIZEN, v1::RESIDENCE_STATUS_PROTECTION_GRANTED, false},
        Transition{v1::RESIDENCE_STATUS_ASYLUM_SEEKER, v1::RESIDENCE_STATUS_ASYLUM_SEEKER, false},
        Transition{v1::RESIDENCE_STATUS_OTHER, v1::RESIDENCE_STATUS_ASYLUM_SEEKER, true}),
    [](const auto& param_info) {
      auto short_name = [](v1::ResidenceStatus s) { return v1::ResidenceStatus_Name(s).substr(17); };
      return short_name(param_info.param.from) + "_to_" + short_name(param_info.param.to);
    });

TEST(StatusChangeTest, ProtectionGrantedMovesToSgbTwoWithGoodProspect) {
  v1::Person person;
  person.set_residence_status(v1::RESIDENCE_STATUS_ASYLUM_SEEKER);
  person.set_stay_prospect(v1::STAY_PROSPECT_UNCLEAR);
  person.set_benefit_regime(v1::BENEFIT_REGIME_ASYLBLG);
  v1::ChangeResidenceStatusRequest request;
  request.set_residence_status(v1::RESIDENCE_STATUS_PROTECTION_GRANTED);
  ApplyStatusChange(request, person, kToday);
  EXPECT_EQ(person.residence_status(), v1::RESIDENCE_STATUS_PROTECTION_GRANTED);
  EXPECT_EQ(person.stay_prospect(), v1::STAY_PROSPECT_GOOD);
  EXPECT_EQ(person.benefit_regime(), v1::BENEFIT_REGIME_SGB_II);
}

TEST(StatusChangeTest, ExplicitValuesWin) {
  v1::Person person;
  person.set_residence_status(v1::RESIDENCE_STATUS_ASYLUM_SEEKER);
  v1::ChangeResidenceStatusRequest request;
  request.set_residence_status(v1::RESIDENCE_STATUS_PROTECTION_GRANTED);
  request.set_benefit_regime(v1::BENEFIT_REGIME_SGB_XII);
  ApplyStatusChange(request, person, kToday);
  EXPECT_EQ(person.benefit_regime(), v1::BENEFIT_REGIME_SGB_XII);
}

TEST(StatusChangeTest, TheFirstTitleIsRecordedOnceWithItsDay) {
  v1::Person person;
  person.set_residence_status(v1::RESIDENCE_STATUS_ASYLUM_SEEKER);
  v1::ChangeResidenceStatusRequest request;
  request.set_residence_status(v1::RESIDENCE_STATUS_PROTECTION_GRANTED);
  ApplyStatusChange(request, person, kToday);
  EXPECT_EQ(person.first_permit_date(), FormatIsoDate(kToday)) << "unset: the day of the change";
  // A later title (a settlement permit) does not move the first one.
  request.set_residence_status(v1::RESIDENCE_STATUS_RESIDENCE_PERMIT);
  request.set_permit_issued_on("2027-01-05");
  ApplyStatusChange(request, person, kToday + 400);
  EXPECT_EQ(person.first_permit_date(), FormatIsoDate(kToday));
  // Toleration records none.
  v1::Person tolerated;
  tolerated.set_residence_status(v1::RESIDENCE_STATUS_ASYLUM_SEEKER);
  v1::ChangeResidenceStatusRequest toleration;
  toleration.set_residence_status(v1::RESIDENCE_STATUS_TOLERATED);
  ApplyStatusChange(toleration, tolerated, kToday);
  EXPECT_EQ(tolerated.first_permit_date(), "");
}

TEST(StatusChangeTest, TheIssueDayGivenIsTheFirstPermit) {
  v1::Person person;
  person.set_residence_status(v1::RESIDENCE_STATUS_ASYLUM_SEEKER);
  v1::ChangeResidenceStatusRequest request;
  request.set_residence_status(v1::RESIDENCE_STATUS_RESIDENCE_PERMIT);
  request.set_permit_issued_on("2026-10-01");
  ApplyStatusChange(request, person, kToday);
  EXPECT_EQ(person.first_permit_date(), "2026-10-01");
}

TEST(ObligationTest, AnOfficeImposesAndLiftsAndNothingIsLiftedTwice) {
  v1::Person person;
  person.set_person_id("p_1");
  v1::RecordCourseObligationRequest impose;
  impose.mutable_obligation()->set_authority(v1::OBLIGING_AUTHORITY_JOBCENTER);
  impose.mutable_obligation()->set_ground(v1::OBLIGATION_GROUND_SGB_II);
  impose.mutable_obligation()->set_decided_on("2026-11-02");
  impose.mutable_obligation()->set_reason("Eingliederungsvereinbarung 4711");
  ASSERT_TRUE(ApplyObligation(impose, person).ok());
  EXPECT_EQ(person.course_obligation().authority(), v1::OBLIGING_AUTHORITY_JOBCENTER);
  v1::RecordCourseObligationRequest lift = impose;
  lift.set_lift(true);
  ASSERT_TRUE(ApplyObligation(lift, person).ok());
  EXPECT_FALSE(person.has_course_obligation());
  EXPECT_TRUE(absl::IsFailedPrecondition(ApplyObligation(lift, person)));
}

TEST(StatusChangeTest, TolerationKeepsProspectAndMeansAsylbLG) {
  v1::Person person;
  person.set_residence_status(v1::RESIDENCE_STATUS_ASYLUM_SEEKER);
  person.set_stay_prospect(v1::STAY_PROSPECT_UNCLEAR);
  v1::ChangeResidenceStatusRequest request;
  request.set_residence_status(v1::RESIDENCE_STATUS_TOLERATED);
  ApplyStatusChange(request, person, kToday);
  EXPECT_EQ(person.stay_prospect(), v1::STAY_PROSPECT_UNCLEAR);
  EXPECT_EQ(person.benefit_regime(), v1::BENEFIT_REGIME_ASYLBLG);
}

}  // namespace
}  // namespace ankommen::registry
