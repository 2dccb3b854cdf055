// The course service in-process against a real redis-server, on a clock the
// test moves: the fixture the course service's integration tests share.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "allocator.h"
#include "ankommen/courses/v1/events.pb.h"
#include "ankommen/registry/v1/events.pb.h"
#include "courses.h"
#include "observability/metrics.h"
#include "store/ids.h"
#include "store/outbox.h"
#include "store/redis.h"
#include "storage/course_store.h"
#include "support/outbox_events.h"
#include "support/servers.h"

namespace ankommen::courses {

namespace rv1 = ::ankommen::registry::v1;

inline const absl::Time kStart = absl::FromCivil(absl::CivilSecond(2026, 11, 23, 10, 0, 0), absl::UTCTimeZone());

class CoursesIntegrationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto pool = RedisPool::Connect(redis_.url(), 4);
    ASSERT_TRUE(pool.ok()) << pool.status();
    pool_ = std::move(*pool);
    outbox_ = std::make_unique<Outbox>(*pool_, KeySpace("courses"));
    store_ = std::make_unique<CourseStore>(*outbox_, *pool_);
    Start(CourseSettings{});
  }

  // The service (and its allocator) with these settings.
  void Start(const CourseSettings& settings) {
    allocator_.reset();
    courses_ = std::make_unique<Courses>(*store_, clock_, absl::UTCTimeZone(), settings, metrics_);
    allocator_ = std::make_unique<Allocator>(*courses_, "test-allocator");
  }

  // A household in Riesa whose adult has protection; returns the adult's id.
  std::string Arrive(const std::string& event_id, int partition = 3) {
    rv1::HouseholdRegistered e;
    e.mutable_meta()->set_event_id(event_id);
    e.set_household_id(NewId("hh", partition));
    e.set_municipality_ags("14627230");
    e.set_social_area("Riesa");
    e.mutable_approx_location()->set_lat(51.31);
    e.mutable_approx_location()->set_lon(13.29);
    auto* m = e.add_members();
    m->set_person_id(NewId("p", partition));
    m->set_age_years(35);
    m->set_cefr_level("A1");
    m->set_literate_latin(true);
    m->set_residence_status(rv1::RESIDENCE_STATUS_PROTECTION_GRANTED);
    last_event_ = IncomingEvent{};
    last_event_.subject = "ankommen.registry.household.registered";
    last_event_.event_id = event_id;
    last_event_.event_type = rv1::HouseholdRegistered::descriptor()->full_name();
    last_event_.payload = e.SerializeAsString();
    EXPECT_TRUE(courses_->ApplyRegistryEvent(last_event_).ok());
    return m->person_id();
  }

  std::string Course(int seats, v1::CourseType type = v1::COURSE_TYPE_INTEGRATION_GENERAL, int childcare = 0) {
    v1::CreateProviderRequest p;
    p.set_idempotency_key("p-" + std::to_string(++keys_));
    p.mutable_provider()->set_name("VHS");
    v1::CreateProviderResponse provider;
    EXPECT_TRUE(courses_->CreateProvider(p, provider, {}).ok());
    v1::CreateCourseRequest c;
    c.set_idempotency_key("c-" + std::to_string(++keys_));
    auto* course = c.mutable_course();
    course->set_provider_id(provider.provider().provider_id());
    course->set_course_type(type);
    course->set_childcare_places(childcare);
    course->mutable_location()->set_municipality_ags("14627230");
    course->mutable_location()->set_social_area("Riesa");
    course->mutable_location()->mutable_coordinates()->set_lat(51.30);
    course->mutable_location()->mutable_coordinates()->set_lon(13.30);
    course->set_start_date("2027-01-11");
    course->set_schedule(v1::SCHEDULE_MORNING);
    course->set_seats(seats);
    v1::CreateCourseResponse created;
    auto s = courses_->CreateCourse(c, created, {});
    EXPECT_TRUE(s.ok()) << s;
    return created.course().course_id();
  }

  v1::SeatRequest Request(const std::string& person_id) {
    v1::GetLearnerRequest req;
    req.set_person_id(person_id);
    v1::GetLearnerResponse resp;
    EXPECT_TRUE(courses_->GetLearner(req, resp, {}).ok());
    return resp.requests_size() > 0 ? resp.requests(resp.requests_size() - 1) : v1::SeatRequest();
  }

  absl::Status Answer(const std::string& offer_id, bool accept) {
    if (accept) {
      v1::AcceptOfferRequest r;
      r.set_idempotency_key("accept-" + offer_id);
      r.set_offer_id(offer_id);
      v1::AcceptOfferResponse out;
      return courses_->AcceptOffer(r, out, {});
    }
    v1::DeclineOfferRequest r;
    r.set_idempotency_key("decline-" + offer_id);
    r.set_offer_id(offer_id);
    v1::DeclineOfferResponse out;
    return courses_->DeclineOffer(r, out, {});
  }

  // The OfferClosed events in the outbox (no relay runs here).
  std::vector<v1::OfferClosed> ClosedOffers() { return testing::OutboxEvents<v1::OfferClosed>(*pool_, outbox_->keys()); }

  int64_t OutboxLength(int partition) {
    auto r = pool_->Command({"XLEN", outbox_->keys().Outbox(partition)});
    return r.ok() ? r->integer : -1;
  }

  testing::RedisServer redis_;
  ManualClock clock_{kStart};
  Metrics metrics_;
  std::unique_ptr<RedisPool> pool_;
  std::unique_ptr<Outbox> outbox_;
  std::unique_ptr<CourseStore> store_;
  std::unique_ptr<Courses> courses_;
  std::unique_ptr<Allocator> allocator_;
  IncomingEvent last_event_;
  int keys_ = 0;
};

}  // namespace ankommen::courses
