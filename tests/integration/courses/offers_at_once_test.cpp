// Two courses offered at once (CourseSettings::offers_at_once): the further
// offer only from seats nobody waiting is given, the first acceptance gives
// the other seat back, a decline keeps the other offer open.
#include <array>
#include <atomic>
#include <thread>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "courses_fixture.h"
#include "domain/course_rules.h"
#include "domain/learner_rules.h"

namespace ankommen::courses {
namespace {

class OffersAtOnceTest : public CoursesIntegrationTest {
 protected:
  void SetUp() override {
    CoursesIntegrationTest::SetUp();
    CourseSettings settings;
    settings.offers_at_once = 2;
    Start(settings);
  }

  int Offered(const std::string& course) { return View((*store_->LoadCourse(course))->record).offered(); }
  int Enrolled(const std::string& course) { return View((*store_->LoadCourse(course))->record).enrolled(); }

  // One person, two courses of five seats: after a run, the person's request (offered both).
  v1::SeatRequest OfferedTwoCourses(const std::string& person) {
    Course(5);
    Course(5);
    EXPECT_TRUE(allocator_->RunOnce("").ok());
    return Request(person);
  }
};

TEST_F(OffersAtOnceTest, TheFirstAcceptanceGivesTheOtherSeatBack) {
  const std::string person = Arrive("ev-1");
  const std::string a = Course(5), b = Course(5);
  ASSERT_TRUE(allocator_->RunOnce("").ok());

  const v1::SeatRequest offered = Request(person);
  ASSERT_EQ(offered.status(), v1::REQUEST_STATUS_OFFERED);
  ASSERT_EQ(OfferCount(offered), 2);
  EXPECT_EQ(offered.other_offers_size(), 1) << "the API's `offer`, and the course offered beside it";
  EXPECT_NE(OpenOffers(offered)[0].course_id(), OpenOffers(offered)[1].course_id());
  EXPECT_EQ(Offered(a), 1);
  EXPECT_EQ(Offered(b), 1);

  // The person takes the second course offered.
  const v1::Offer taken = OpenOffers(offered)[1], other = OpenOffers(offered)[0];
  ASSERT_TRUE(Answer(taken.offer_id(), /*accept=*/true).ok());
  const v1::SeatRequest enrolled = Request(person);
  EXPECT_EQ(enrolled.status(), v1::REQUEST_STATUS_ENROLLED);
  EXPECT_EQ(enrolled.course_id(), taken.course_id());
  EXPECT_EQ(OfferCount(enrolled), 0);
  EXPECT_EQ(Enrolled(taken.course_id()), 1);
  EXPECT_EQ(Offered(other.course_id()), 0) << "the other seat is free again";

  // Told as withdrawn because another was accepted (which the notification
  // service does not write to the person: it was their choice).
  int withdrawn = 0;
  for (const auto& e : ClosedOffers()) {
    if (e.offer_id() != other.offer_id()) continue;
    ++withdrawn;
    EXPECT_EQ(e.outcome(), v1::OFFER_OUTCOME_WITHDRAWN);
    EXPECT_EQ(e.withdrawal_reason(), v1::WITHDRAWAL_REASON_ANOTHER_ACCEPTED);
  }
  EXPECT_EQ(withdrawn, 1);
  // Accepting the other now is refused, and changes nothing.
  EXPECT_TRUE(absl::IsFailedPrecondition(Answer(other.offer_id(), /*accept=*/true)));
  EXPECT_EQ(Request(person).course_id(), taken.course_id());
  EXPECT_EQ(Enrolled(other.course_id()), 0);
}

// Accepting the other course between the first acceptance and its
// withdrawal of the other offer: refused, one course per request.
TEST_F(OffersAtOnceTest, OnceEnrolledTheOtherCourseCannotBeAcceptedToo) {
  const std::string person = Arrive("ev-1");
  const v1::SeatRequest offered = OfferedTwoCourses(person);
  ASSERT_EQ(OfferCount(offered), 2);
  const v1::Offer first = OpenOffers(offered)[0], second = OpenOffers(offered)[1];
  // The request has followed the first acceptance; the second offer still stands at its course.
  v1::Hold hold;
  hold.set_offer_id(first.offer_id());
  hold.set_request_id(offered.request_id());
  hold.set_person_id(person);
  ASSERT_TRUE(courses_->FollowHold(hold, HoldChange::kEnrolled, first.course_id()).ok());
  ASSERT_EQ(Offered(second.course_id()), 1);

  const absl::Status refused = Answer(second.offer_id(), /*accept=*/true);
  EXPECT_TRUE(absl::IsFailedPrecondition(refused)) << refused;
  EXPECT_EQ(Enrolled(second.course_id()), 0);
  EXPECT_EQ(Request(person).course_id(), first.course_id());
}

// Both offers accepted at the same moment (two clicks, two caseworkers):
// neither acceptance has been followed by the request when the other checks
// it, so the request is claimed — one is enrolled, the other is told to ask
// again, and its seat is given back; a sweep after it changes nothing.
TEST_F(OffersAtOnceTest, TwoAcceptancesAtOnceEnrolInOneCourse) {
  constexpr int kPeople = 12;
  std::vector<std::string> people;
  for (int i = 0; i < kPeople; ++i) people.push_back(Arrive("ev-" + std::to_string(i)));
  const std::string a = Course(kPeople), b = Course(kPeople);
  ASSERT_TRUE(allocator_->RunOnce("").ok());
  for (const auto& person : people) {
    const v1::SeatRequest offered = Request(person);
    ASSERT_EQ(OfferCount(offered), 2) << person;
    std::array<absl::Status, 2> answers;
    std::atomic<int> ready{0};
    std::vector<std::thread> clicks;
    for (int k = 0; k < 2; ++k) {
      clicks.emplace_back([&, k] {
        for (++ready; ready < 2;) {
        }
        answers[k] = Answer(OpenOffers(offered)[k].offer_id(), /*accept=*/true);
      });
    }
    for (auto& t : clicks) t.join();
    EXPECT_NE(answers[0].ok(), answers[1].ok()) << answers[0] << " / " << answers[1];
    for (const auto& refused : answers) {
      if (!refused.ok()) {
        EXPECT_TRUE(absl::IsAborted(refused) || absl::IsFailedPrecondition(refused)) << refused;
      }
    }
    const v1::SeatRequest enrolled = Request(person);
    EXPECT_EQ(enrolled.status(), v1::REQUEST_STATUS_ENROLLED);
    EXPECT_EQ(enrolled.course_id(), OpenOffers(offered)[answers[0].ok() ? 0 : 1].course_id());
  }
  EXPECT_EQ(Enrolled(a) + Enrolled(b), kPeople) << "one seat each, none held twice";
  EXPECT_EQ(Offered(a) + Offered(b), 0) << "every other seat given back";
  ASSERT_TRUE(allocator_->RunOnce("").ok());
  for (const auto& person : people) EXPECT_EQ(Request(person).status(), v1::REQUEST_STATUS_ENROLLED);
  EXPECT_EQ(Enrolled(a) + Enrolled(b), kPeople);
}

// An acceptance cut short after claiming the request (the service stopped
// between its claim and its commit) leaves the claim behind, as this test
// leaves it. While that offer stands, the other waits; once it is gone (here
// declined, as it may also be withdrawn or lapse) its acceptance can never go
// through, and the other is accepted at once rather than after the claim
// expires. A claim whose acceptance did go through keeps refusing.
TEST_F(OffersAtOnceTest, AClaimLeftByAnAcceptanceThatCannotGoThroughPassesOn) {
  const std::string person = Arrive("ev-1");
  const v1::SeatRequest offered = OfferedTwoCourses(person);
  ASSERT_EQ(OfferCount(offered), 2);
  const v1::Offer first = OpenOffers(offered)[0], second = OpenOffers(offered)[1];
  auto left = store_->ClaimAcceptance(person, offered.request_id(), first.offer_id(), absl::Minutes(10));
  ASSERT_TRUE(left.ok() && left->empty()) << left.status();

  const absl::Status waits = Answer(second.offer_id(), /*accept=*/true);
  EXPECT_TRUE(absl::IsAborted(waits)) << waits;
  EXPECT_THAT(std::string(waits.message()), ::testing::HasSubstr(first.offer_id()));
  EXPECT_EQ(Enrolled(second.course_id()), 0);
  EXPECT_EQ(Request(person).status(), v1::REQUEST_STATUS_OFFERED);

  ASSERT_TRUE(Answer(first.offer_id(), /*accept=*/false).ok());
  const absl::Status accepted = Answer(second.offer_id(), /*accept=*/true);
  ASSERT_TRUE(accepted.ok()) << accepted;
  EXPECT_EQ(Request(person).status(), v1::REQUEST_STATUS_ENROLLED);
  EXPECT_EQ(Request(person).course_id(), second.course_id());
  EXPECT_EQ(Enrolled(second.course_id()), 1);
  EXPECT_EQ(Enrolled(first.course_id()) + Offered(first.course_id()), 0);
  auto holder = store_->ClaimAcceptance(person, offered.request_id(), first.offer_id(), absl::Minutes(10));
  ASSERT_TRUE(holder.ok()) << holder.status();
  EXPECT_EQ(*holder, second.offer_id()) << "the claim passed to the acceptance that went through";
}

// The claim's holder went through at its course, and the request has not yet
// followed: the other offer is refused as taken, not told to ask again.
TEST_F(OffersAtOnceTest, AClaimWhoseAcceptanceWentThroughRefusesTheOther) {
  const std::string person = Arrive("ev-1");
  const v1::SeatRequest offered = OfferedTwoCourses(person);
  ASSERT_EQ(OfferCount(offered), 2);
  const v1::Offer first = OpenOffers(offered)[0], second = OpenOffers(offered)[1];
  // The first course's commit as an acceptance makes it, the request not followed.
  auto loaded = store_->LoadCourse(first.course_id());
  ASSERT_TRUE(loaded.ok() && loaded->has_value());
  v1::CourseRecord record = (*loaded)->record;
  ASSERT_TRUE(Accept(record, first.offer_id(), clock_.Now()).ok());
  Commit commit;
  commit.partition = PartitionOfId(first.course_id());
  commit.aggregate_key = store_->CourseKey(first.course_id());
  commit.expected_version = (*loaded)->version;
  commit.state = record.SerializeAsString();
  ASSERT_TRUE(store_->outbox().Apply(commit).ok());
  ASSERT_TRUE(store_->ClaimAcceptance(person, offered.request_id(), first.offer_id(), absl::Minutes(10)).ok());
  ASSERT_EQ(Request(person).status(), v1::REQUEST_STATUS_OFFERED);

  const absl::Status refused = Answer(second.offer_id(), /*accept=*/true);
  EXPECT_TRUE(absl::IsFailedPrecondition(refused)) << refused;
  EXPECT_EQ(Enrolled(second.course_id()), 0);
  EXPECT_EQ(Enrolled(first.course_id()), 1);
}

TEST_F(OffersAtOnceTest, ADeclineKeepsTheOtherOfferOpen) {
  const std::string person = Arrive("ev-1");
  const v1::SeatRequest offered = OfferedTwoCourses(person);
  ASSERT_EQ(OfferCount(offered), 2);

  ASSERT_TRUE(Answer(OpenOffers(offered)[0].offer_id(), /*accept=*/false).ok());
  v1::SeatRequest still = Request(person);
  EXPECT_EQ(still.status(), v1::REQUEST_STATUS_OFFERED);
  ASSERT_EQ(OfferCount(still), 1);
  EXPECT_EQ(OpenOffers(still)[0].offer_id(), OpenOffers(offered)[1].offer_id());
  EXPECT_THAT(still.passed_course_ids(), ::testing::ElementsAre(OpenOffers(offered)[0].course_id()));

  // The declined course is not offered again; no third course exists.
  ASSERT_TRUE(allocator_->RunOnce("").ok());
  still = Request(person);
  ASSERT_EQ(OfferCount(still), 1);
  EXPECT_EQ(OpenOffers(still)[0].offer_id(), OpenOffers(offered)[1].offer_id());

  // Declining the other too: back in line.
  ASSERT_TRUE(Answer(OpenOffers(still)[0].offer_id(), /*accept=*/false).ok());
  EXPECT_EQ(Request(person).status(), v1::REQUEST_STATUS_WAITING);
}

TEST_F(OffersAtOnceTest, ASecondCourseOnlyFromSeatsNobodyWaitingIsGiven) {
  // Two people, one seat in each course: each is offered one, nobody two.
  const std::string first = Arrive("ev-1"), second = Arrive("ev-2");
  const std::string a = Course(1), b = Course(1);
  ASSERT_TRUE(allocator_->RunOnce("").ok());
  EXPECT_EQ(OfferCount(Request(first)), 1);
  EXPECT_EQ(OfferCount(Request(second)), 1);
  EXPECT_EQ(Offered(a) + Offered(b), 2);

  // Someone who arrives once both seats are held waits; the held seats are
  // not taken from either.
  const std::string third = Arrive("ev-3");
  ASSERT_TRUE(allocator_->RunOnce("").ok());
  EXPECT_EQ(Request(third).status(), v1::REQUEST_STATUS_WAITING);
}

TEST_F(OffersAtOnceTest, AnOfferLapsingLeavesTheOtherAndFirstComeFirstServedOffersOne) {
  const std::string person = Arrive("ev-1");
  Course(5);
  Course(5);
  ASSERT_TRUE(allocator_->RunOnce("fcfs").ok());
  ASSERT_EQ(OfferCount(Request(person)), 1) << "the first-come list as districts keep it: one offer";

  // The engine adds the second; the first lapses at its deadline, the second stays.
  clock_.Advance(absl::Hours(24));
  ASSERT_TRUE(allocator_->RunOnce("").ok());
  const v1::SeatRequest two = Request(person);
  ASSERT_EQ(OfferCount(two), 2);
  ASSERT_LT(OpenOffers(two)[0].deadline().seconds(), OpenOffers(two)[1].deadline().seconds());
  clock_.Set(absl::FromUnixSeconds(OpenOffers(two)[0].deadline().seconds() + 1));
  ASSERT_TRUE(allocator_->RunOnce("fcfs").ok());
  const v1::SeatRequest one = Request(person);
  EXPECT_EQ(one.status(), v1::REQUEST_STATUS_OFFERED);
  ASSERT_EQ(OfferCount(one), 1);
  EXPECT_EQ(OpenOffers(one)[0].offer_id(), OpenOffers(two)[1].offer_id());
  EXPECT_THAT(one.lapsed_course_ids(), ::testing::ElementsAre(OpenOffers(two)[0].course_id()));
}

TEST_F(OffersAtOnceTest, AnErasedPersonsSeatsAreBothGivenBack) {
  const std::string person = Arrive("ev-1");
  const std::string a = Course(5), b = Course(5);
  ASSERT_TRUE(allocator_->RunOnce("").ok());
  ASSERT_EQ(OfferCount(Request(person)), 2);
  rv1::PersonErased erased;
  erased.mutable_meta()->set_event_id("ev-erased");
  erased.set_person_id(person);
  auto s = courses_->ApplyRegistryEvent({"ankommen.registry.person.erased", "ev-erased",
                                         rv1::PersonErased::descriptor()->full_name(), erased.SerializeAsString()});
  ASSERT_TRUE(s.ok()) << s;
  EXPECT_EQ(Offered(a), 0);
  EXPECT_EQ(Offered(b), 0);
}

}  // namespace
}  // namespace ankommen::courses
