#include "domain/waitlist.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace ankommen::courses {
namespace {

Request R(std::string id, absl::CivilDay on, bool obliged = false) {
  Request r;
  r.request_id = std::move(id);
  r.person_id = "p_" + r.request_id;
  r.course_type = CourseType::kIntegrationGeneral;
  r.requested_on = on;
  r.obliged = obliged;
  return r;
}

std::vector<std::string> Ids(const std::vector<Request>& rs) {
  std::vector<std::string> out;
  for (const auto& r : rs) out.push_back(r.request_id);
  return out;
}

TEST(WaitlistTest, ObligedFirstThenEarliestThenId) {
  std::vector<Request> list = {R("c", absl::CivilDay(2026, 3, 1)), R("a", absl::CivilDay(2026, 5, 1), true), R("b", absl::CivilDay(2026, 1, 10)),
                               R("d", absl::CivilDay(2026, 1, 10)), R("e", absl::CivilDay(2026, 6, 1), true)};
  SortInLine(list);
  EXPECT_THAT(Ids(list), ::testing::ElementsAre("a", "e", "b", "d", "c"));
  EXPECT_EQ(PlaceInLine(list, "d"), 4);
  EXPECT_EQ(PlaceInLine(list, "a"), 1);
  EXPECT_EQ(PlaceInLine(list, "zz"), std::nullopt);
}

TEST(WaitlistTest, ThoseAdmittedToFreeSeatsStandBehindTheEntitledWhateverTheirDate) {
  Request early = R("early", absl::CivilDay(2026, 1, 1));
  early.admitted_if_free = true;
  std::vector<Request> list = {early, R("late", absl::CivilDay(2026, 9, 1)), R("obliged", absl::CivilDay(2026, 10, 1), true)};
  SortInLine(list);
  EXPECT_THAT(Ids(list), ::testing::ElementsAre("obliged", "late", "early"));
}

TEST(WaitlistTest, OffersExpireAtTheEndOfTheLastDay) {
  Offer o = MakeOffer("o1", R("a", absl::CivilDay(2026, 1, 1)), "course_1", absl::CivilSecond(2026, 11, 23, 10, 0, 0), 7);
  EXPECT_EQ(o.deadline, absl::CivilSecond(2026, 11, 30, 23, 59, 59));
  EXPECT_FALSE(IsExpired(o, absl::CivilSecond(2026, 11, 30, 23, 59, 59)));
  EXPECT_TRUE(IsExpired(o, absl::CivilSecond(2026, 12, 1, 0, 0, 0)));
}

TEST(WaitlistTest, AFallenThroughOfferReturnsToItsOldPlaceInLine) {
  std::vector<Request> list = {R("early", absl::CivilDay(2026, 1, 5)), R("mid", absl::CivilDay(2026, 2, 1)), R("late", absl::CivilDay(2026, 4, 1))};
  SortInLine(list);
  // "early" got an offer and left the list; newer requests arrived meanwhile.
  Offer o = MakeOffer("o1", list[0], "course_1", absl::CivilSecond(2026, 5, 1, 9, 0, 0), 7);
  list.erase(list.begin());
  list.push_back(R("newer", absl::CivilDay(2026, 5, 3)));
  // The course is cancelled: "early" is first again, not last.
  list.push_back(BackInLine(o));
  SortInLine(list);
  EXPECT_THAT(Ids(list), ::testing::ElementsAre("early", "mid", "late", "newer"));
  EXPECT_EQ(list[0].requested_on, absl::CivilDay(2026, 1, 5));
}

TEST(WaitlistTest, EstimatedSeatDateFollowsSeatsOpening) {
  std::vector<SeatsOpening> openings = {{absl::CivilDay(2027, 3, 1), 25}, {absl::CivilDay(2027, 1, 10), 16}, {absl::CivilDay(2027, 5, 1), 25}};
  EXPECT_EQ(EstimateSeatDate(1, openings), absl::CivilDay(2027, 1, 10));
  EXPECT_EQ(EstimateSeatDate(16, openings), absl::CivilDay(2027, 1, 10));
  EXPECT_EQ(EstimateSeatDate(17, openings), absl::CivilDay(2027, 3, 1));
  EXPECT_EQ(EstimateSeatDate(66, openings), absl::CivilDay(2027, 5, 1));
  EXPECT_EQ(EstimateSeatDate(67, openings), std::nullopt);
}

}  // namespace
}  // namespace ankommen::courses
