#include "domain/residence.h"

#include <gtest/gtest.h>

namespace ankommen::registry {
namespace {

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
  ApplyStatusChange(request, person);
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
  ApplyStatusChange(request, person);
  EXPECT_EQ(person.benefit_regime(), v1::BENEFIT_REGIME_SGB_XII);
}

TEST(StatusChangeTest, TolerationKeepsProspectAndMeansAsylbLG) {
  v1::Person person;
  person.set_residence_status(v1::RESIDENCE_STATUS_ASYLUM_SEEKER);
  person.set_stay_prospect(v1::STAY_PROSPECT_UNCLEAR);
  v1::ChangeResidenceStatusRequest request;
  request.set_residence_status(v1::RESIDENCE_STATUS_TOLERATED);
  ApplyStatusChange(request, person);
  EXPECT_EQ(person.stay_prospect(), v1::STAY_PROSPECT_UNCLEAR);
  EXPECT_EQ(person.benefit_regime(), v1::BENEFIT_REGIME_ASYLBLG);
}

}  // namespace
}  // namespace ankommen::registry
