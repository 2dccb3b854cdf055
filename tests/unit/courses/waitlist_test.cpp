#include "domain/waitlist.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <random>

#include "absl/strings/str_cat.h"

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

// The line kept in Redis orders its entries by bytes: that order must be the line's.
TEST(WaitlistTest, TheLineOrderKeySortsAsTheLineDoes) {
  std::mt19937 draw(7);
  std::vector<Request> list;
  for (int i = 0; i < 2000; ++i) {
    // Few days and mixed id lengths, so that ties fall to the id and "rq_10" meets "rq_9".
    Request r = R(absl::StrCat("rq_", draw() % 500), absl::CivilDay(2025, 12, 20) + static_cast<int>(draw() % 40),
                  draw() % 4 == 0);
    r.admitted_if_free = draw() % 5 == 0;
    list.push_back(std::move(r));
  }
  list.push_back(R("rq_old", absl::CivilDay(1969, 7, 20)));
  list.push_back(R("rq_unparsed", absl::CivilDay()));
  std::vector<Request> by_key = list;
  std::stable_sort(by_key.begin(), by_key.end(),
                   [](const Request& a, const Request& b) { return LineOrderKey(a) < LineOrderKey(b); });
  std::stable_sort(list.begin(), list.end(), InLineBefore);
  ASSERT_EQ(list.size(), by_key.size());
  for (size_t i = 0; i < list.size(); ++i) {
    ASSERT_EQ(LineOrderKey(list[i]), LineOrderKey(by_key[i])) << "at " << i;
    ASSERT_FALSE(InLineBefore(by_key[i], list[i]) || InLineBefore(list[i], by_key[i])) << "at " << i;
  }
  EXPECT_EQ(LineOrderKey(R("rq_1", absl::CivilDay(2026, 1, 10), true)), "00046030|rq_1");
}

// The gauges read the oldest request of a line from its first entry.
TEST(WaitlistTest, TheDayAskedReadsBackFromTheLineOrderKey) {
  for (const absl::CivilDay day : {absl::CivilDay(2026, 1, 10), absl::CivilDay(1969, 7, 20), absl::CivilDay(1900, 1, 1)}) {
    Request r = R("rq_1|x", day);
    r.admitted_if_free = true;
    EXPECT_EQ(DayOfLineOrderKey(LineOrderKey(r)), day);
  }
  EXPECT_EQ(DayOfLineOrderKey("2004603|rq"), std::nullopt) << "no rank";
  EXPECT_EQ(DayOfLineOrderKey("0004603x|rq"), std::nullopt);
  EXPECT_EQ(DayOfLineOrderKey(""), std::nullopt);
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
