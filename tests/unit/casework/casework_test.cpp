// Who looks after a household, and what a status change or a move hands over.
#include "responsibility.h"

#include <gtest/gtest.h>

namespace ankommen::casework {
namespace {

Household Family(Stage stage, bool shared, const std::string& area = "Riesa", int adult_age = 35) {
  Household h{"h_1", area, shared, {}};
  h.members = {{"p_1", adult_age, stage, Benefits::kAsylblg},
               {"p_2", adult_age - 2, stage, Benefits::kAsylblg},
               {"p_3", 8, stage, Benefits::kAsylblg}};
  return h;
}

const std::vector<Worker> kWorkers = {
    {"w_fsa_riesa_1", Program::kRefugeeSocialWork, "Riesa", 150},
    {"w_fsa_riesa_2", Program::kRefugeeSocialWork, "Riesa", 150},
    {"w_fsa_meissen", Program::kRefugeeSocialWork, "Meißen", 150},
    {"w_mbe_riesa", Program::kMigrationCounselling, "Riesa", 200},
    {"w_jmd_riesa", Program::kYouthMigration, "Riesa", 120},
};

TEST(CaseworkTest, TheProgrammeFollowsTheProcedureTheAccommodationAndTheAges) {
  const Rules rules;
  EXPECT_EQ(Responsible(Family(Stage::kAsylumProcedure, false), rules), Program::kRefugeeSocialWork);
  EXPECT_EQ(Responsible(Family(Stage::kProtected, true), rules), Program::kRefugeeSocialWork);
  EXPECT_EQ(Responsible(Family(Stage::kProtected, false), rules), Program::kMigrationCounselling);
  EXPECT_EQ(Responsible(Family(Stage::kProtected, false, "Riesa", 24), rules), Program::kYouthMigration);
  Rules elsewhere;
  elsewhere.refugee_social_work_while_shared = false;  // a district whose FSA ends with the procedure
  EXPECT_EQ(Responsible(Family(Stage::kProtected, true), elsewhere), Program::kMigrationCounselling);
  // One member still in the procedure keeps the household with refugee social work.
  Household mixed = Family(Stage::kProtected, false);
  mixed.members[1].stage = Stage::kAsylumProcedure;
  EXPECT_EQ(Responsible(mixed, rules), Program::kRefugeeSocialWork);
}

TEST(CaseworkTest, TheWorkerWithTheMostRoomInTheAreaTakesTheHousehold) {
  const Rules rules;
  std::map<std::string, int> load = {{"w_fsa_riesa_1", 120}, {"w_fsa_riesa_2", 100}, {"w_fsa_meissen", 0}};
  const Assignment a = Assign(Family(Stage::kAsylumProcedure, true), kWorkers, load, rules);
  ASSERT_TRUE(a.worker_id.has_value());
  EXPECT_EQ(*a.worker_id, "w_fsa_riesa_2");  // 50 free against 30; Meißen's is another area
  EXPECT_EQ(a.program, Program::kRefugeeSocialWork);
  // Ties go by id, whatever order the workers come in.
  load["w_fsa_riesa_2"] = 120;
  std::vector<Worker> reversed(kWorkers.rbegin(), kWorkers.rend());
  EXPECT_EQ(*Assign(Family(Stage::kAsylumProcedure, true), reversed, load, rules).worker_id, "w_fsa_riesa_1");
  // Full: none, and the planners are told what is missing.
  load = {{"w_fsa_riesa_1", 149}, {"w_fsa_riesa_2", 148}};
  const Assignment full = Assign(Family(Stage::kAsylumProcedure, true), kWorkers, load, rules);
  EXPECT_FALSE(full.worker_id.has_value());
  EXPECT_EQ(full.why_none, "every fsa worker in Riesa is full");
  EXPECT_EQ(Assign(Family(Stage::kProtected, false, "Meißen"), kWorkers, {}, rules).why_none,
            "no mbe worker in Meißen");
}

TEST(CaseworkTest, ProtectionGrantedHandsOverWithAJobcenterTaskForEachMemberOnSgbII) {
  const Rules rules;
  const Household before = Family(Stage::kAsylumProcedure, false);
  std::map<std::string, int> load = {{"w_fsa_riesa_1", 3}};
  const Assignment current = Assign(before, kWorkers, load, rules);
  ASSERT_EQ(*current.worker_id, "w_fsa_riesa_2");
  load[*current.worker_id] += 3;
  Household after = Family(Stage::kProtected, false);
  for (Member& m : after.members) m.benefits = Benefits::kSgbII;
  after.members[2].benefits = Benefits::kAsylblg;  // not yet decided for the child
  const HandOver h = Reassess(before, after, current, kWorkers, load, rules);
  EXPECT_TRUE(h.needed);
  EXPECT_EQ(h.to.program, Program::kMigrationCounselling);
  EXPECT_EQ(*h.to.worker_id, "w_mbe_riesa");
  ASSERT_EQ(h.tasks.size(), 3u);
  EXPECT_EQ(h.tasks[0].kind, TaskKind::kJobcenterContact);
  EXPECT_EQ(h.tasks[0].person_id, "p_1");
  EXPECT_EQ(h.tasks[1].person_id, "p_2");
  EXPECT_EQ(h.tasks[2].kind, TaskKind::kIntroduceNewWorker);
}

TEST(CaseworkTest, AMoveToAnotherAreaHandsOverToThatAreasWorkerAndNothingChangedChangesNothing) {
  const Rules rules;
  const Household before = Family(Stage::kAsylumProcedure, true);
  const Assignment current = Assign(before, kWorkers, {}, rules);
  const HandOver same = Reassess(before, before, current, kWorkers, {{*current.worker_id, 3}}, rules);
  EXPECT_FALSE(same.needed);
  EXPECT_TRUE(same.tasks.empty());
  const HandOver moved = Reassess(before, Family(Stage::kAsylumProcedure, true, "Meißen"), current, kWorkers,
                                  {{*current.worker_id, 3}}, rules);
  EXPECT_TRUE(moved.needed);
  EXPECT_EQ(*moved.to.worker_id, "w_fsa_meissen");
  ASSERT_EQ(moved.tasks.size(), 1u);
  EXPECT_EQ(moved.tasks[0].kind, TaskKind::kIntroduceNewWorker);
}

TEST(CaseworkTest, TheCaseloadIsPersonsPerWorkerOfTheProgramme) {
  const std::map<std::string, int> load = {{"w_fsa_riesa_1", 150}, {"w_fsa_riesa_2", 90}, {"w_fsa_meissen", 60}};
  EXPECT_DOUBLE_EQ(*PersonsPerWorker(kWorkers, load, Program::kRefugeeSocialWork), 100);
  EXPECT_DOUBLE_EQ(*PersonsPerWorker(kWorkers, load, Program::kRefugeeSocialWork, "Riesa"), 120);
  EXPECT_DOUBLE_EQ(*PersonsPerWorker(kWorkers, load, Program::kYouthMigration), 0);
  EXPECT_FALSE(PersonsPerWorker(kWorkers, load, Program::kMigrationCounselling, "Meißen").has_value());
}

}  // namespace
}  // namespace ankommen::casework
