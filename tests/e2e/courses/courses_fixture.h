// The course service as it ships, beside the registry (and the schools
// service where a test needs it), with real nats-server and redis-server:
// the fixture the course e2e tests share.
#pragma once

#include <atomic>
#include <csignal>
#include <thread>

#include <gmock/gmock.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"

#include "ankommen/courses/v1/courses.grpc.pb.h"
#include "ankommen/courses/v1/events.pb.h"
#include "ankommen/registry/v1/registry.grpc.pb.h"
#include "ankommen/schools/v1/schools.grpc.pb.h"
#include "bus/bus.h"
#include "bus/streams.h"
#include "store/redis.h"
#include "runtime/simulated_clock.h"
#include "support/sample_households.h"
#include "support/servers.h"

namespace ankommen::courses_e2e {

namespace cv1 = ankommen::courses::v1;
namespace rv1 = ankommen::registry::v1;

constexpr double kRiesaLat = 51.3078, kRiesaLon = 13.2939;

// Waits as testing::WaitUntil does, with the timeout as a duration.
inline bool WaitUntil(const std::function<bool()>& done, absl::Duration timeout = absl::Seconds(15)) {
  return testing::WaitUntil(done, static_cast<int>(absl::ToInt64Milliseconds(timeout)));
}

class CoursesE2ETest : public ::testing::Test {
 protected:
  void SetUp() override { StartServices({}); }

  void StartServices(const std::map<std::string, std::string>& env) {
    registry_ = std::make_unique<testing::ServiceProcess>(ANKOMMEN_REGISTRY_BINARY,
                                                          "ankommen.registry.v1.RegistryService", nats_, redis_, env);
    // Scheduled runs out of the way: the tests see the runs that events and calls trigger.
    auto courses_env = env;
    courses_env["ANKOMMEN_COURSES_ALLOCATION_PERIOD"] = "3600";
    courses_ = std::make_unique<testing::ServiceProcess>(ANKOMMEN_COURSES_BINARY, "ankommen.courses.v1.CourseService",
                                                         nats_, redis_, courses_env);
    registry_stub_ = rv1::RegistryService::NewStub(
        grpc::CreateChannel(registry_->grpc_addr(), grpc::InsecureChannelCredentials()));
    stub_ = cv1::CourseService::NewStub(grpc::CreateChannel(courses_->grpc_addr(), grpc::InsecureChannelCredentials()));
  }

  // Every test ends with a clean shutdown: SIGTERM drains and exits 0 (a crash would not).
  // The test's channels close first: an idle client that polls nothing would
  // hold the server's graceful GOAWAY for seconds.
  void TearDown() override {
    stub_.reset();
    registry_stub_.reset();
    EXPECT_EQ(courses_->process().Stop(SIGTERM), 0) << courses_->process().Log();
    EXPECT_EQ(registry_->process().Stop(SIGTERM), 0) << registry_->process().Log();
  }

  // The course service's events on one subject, in order.
  template <typename Event>
  std::vector<Event> CourseEvents(const std::string& subject) {
    std::vector<Event> out;
    auto bus = Bus::Connect(nats_.url(), "e2e-reader", nullptr);
    if (!bus.ok()) return out;
    auto all = (*bus)->ReadStream(streams::kCourses, 1, 10000);
    if (!all.ok()) return out;
    for (const auto& e : *all) {
      if (e.subject != subject) continue;
      out.emplace_back().ParseFromString(e.payload);
    }
    return out;
  }

  static std::unique_ptr<grpc::ClientContext> Ctx() {
    auto ctx = std::make_unique<grpc::ClientContext>();
    ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(20));
    return ctx;
  }

  // A household with one adult (protection granted, A1) and a school child; the adult's person id.
  std::string RegisterAdult(const std::string& key, int status = rv1::RESIDENCE_STATUS_PROTECTION_GRANTED,
                            int prospect = rv1::STAY_PROSPECT_UNSPECIFIED) {
    auto req = testing::SampleRegistration(key);
    auto* adult = req.mutable_household()->mutable_members(0);
    adult->set_residence_status(static_cast<rv1::ResidenceStatus>(status));
    adult->set_stay_prospect(static_cast<rv1::StayProspect>(prospect));
    adult->mutable_needs()->set_childcare(false);
    rv1::RegisterHouseholdResponse resp;
    auto s = registry_stub_->RegisterHousehold(Ctx().get(), req, &resp);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return s.ok() ? resp.household().members(0).person_id() : "";
  }

  std::optional<cv1::GetLearnerResponse> Learner(const std::string& person_id) {
    cv1::GetLearnerRequest req;
    req.set_person_id(person_id);
    cv1::GetLearnerResponse resp;
    if (!stub_->GetLearner(Ctx().get(), req, &resp).ok()) return std::nullopt;
    return resp;
  }

  // The person's request in a course family's types, once it has the status.
  std::optional<cv1::SeatRequest> WaitForRequest(const std::string& person_id, cv1::RequestStatus status,
                                                 absl::Duration timeout = absl::Seconds(15)) {
    std::optional<cv1::SeatRequest> found;
    WaitUntil([&] {
      auto l = Learner(person_id);
      if (!l) return false;
      for (const auto& r : l->requests()) {
        if (r.status() == status) found = r;
      }
      return found.has_value();
    }, timeout);
    return found;
  }

  std::string CreateProvider() {
    cv1::CreateProviderRequest req;
    req.set_idempotency_key("provider-" + std::to_string(++keys_));
    req.mutable_provider()->set_name("VHS Meißen");
    cv1::CreateProviderResponse resp;
    auto s = stub_->CreateProvider(Ctx().get(), req, &resp);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return resp.provider().provider_id();
  }

  cv1::CreateCourseRequest CourseRequest(cv1::CourseType type, int seats) {
    if (provider_.empty()) provider_ = CreateProvider();
    cv1::CreateCourseRequest req;
    req.set_idempotency_key("course-" + std::to_string(++keys_));
    auto* c = req.mutable_course();
    c->set_provider_id(provider_);
    c->set_title("Integrationskurs Riesa");
    c->set_course_type(type);
    c->mutable_location()->set_municipality_ags("14627230");
    c->mutable_location()->set_social_area("Riesa");
    c->mutable_location()->mutable_coordinates()->set_lat(kRiesaLat + 0.02);
    c->mutable_location()->mutable_coordinates()->set_lon(kRiesaLon);
    c->set_start_date("2027-01-11");
    c->set_schedule(cv1::SCHEDULE_MORNING);
    c->set_seats(seats);
    c->set_target_level("B1");
    return req;
  }

  cv1::Course CreateCourse(cv1::CourseType type, int seats) {
    cv1::CreateCourseResponse resp;
    auto s = stub_->CreateCourse(Ctx().get(), CourseRequest(type, seats), &resp);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return resp.course();
  }

  cv1::Course GetCourse(const std::string& id) {
    cv1::GetCourseRequest req;
    req.set_course_id(id);
    cv1::GetCourseResponse resp;
    EXPECT_TRUE(stub_->GetCourse(Ctx().get(), req, &resp).ok());
    return resp.course();
  }

  grpc::Status Accept(const std::string& offer_id, const std::string& key, cv1::AcceptOfferResponse* out = nullptr) {
    cv1::AcceptOfferRequest req;
    req.set_idempotency_key(key);
    req.set_offer_id(offer_id);
    cv1::AcceptOfferResponse resp;
    auto s = stub_->AcceptOffer(Ctx().get(), req, &resp);
    if (out) *out = resp;
    return s;
  }

  grpc::Status Decline(const std::string& offer_id, const std::string& key) {
    cv1::DeclineOfferRequest req;
    req.set_idempotency_key(key);
    req.set_offer_id(offer_id);
    cv1::DeclineOfferResponse resp;
    return stub_->DeclineOffer(Ctx().get(), req, &resp);
  }

  // The provider starts the course and completes it with one participant's
  // level (keys from `key`); the completion's answer, or the failed call's status.
  grpc::Status StartAndComplete(const std::string& course_id, const std::string& person_id, const std::string& level,
                                const std::string& key, cv1::CompleteCourseResponse* out) {
    cv1::UpdateCourseRequest start;
    start.set_idempotency_key("start-" + key);
    start.set_course_id(course_id);
    start.set_status(cv1::COURSE_STATUS_RUNNING);
    cv1::UpdateCourseResponse started;
    if (auto s = stub_->UpdateCourse(Ctx().get(), start, &started); !s.ok()) return s;
    cv1::CompleteCourseRequest complete;
    complete.set_idempotency_key("complete-" + key);
    complete.set_course_id(course_id);
    auto* result = complete.add_results();
    result->set_person_id(person_id);
    result->set_reached_level(level);
    return stub_->CompleteCourse(Ctx().get(), complete, out);
  }

  // Whether the registry has recorded the person's level as `level` (it consumes course completions).
  bool RegistryLevelIs(const std::string& person_id, const std::string& level) {
    rv1::GetPersonRequest get;
    get.set_person_id(person_id);
    get.set_purpose("e2e: the level after a course");
    rv1::GetPersonResponse got;
    return registry_stub_->GetPerson(Ctx().get(), get, &got).ok() && got.person().cefr_level() == level;
  }

  int keys_ = 0;
  std::string provider_;
  testing::NatsServer nats_;
  testing::RedisServer redis_;
  std::unique_ptr<testing::ServiceProcess> registry_;
  std::unique_ptr<testing::ServiceProcess> courses_;
  std::unique_ptr<rv1::RegistryService::Stub> registry_stub_;
  std::unique_ptr<cv1::CourseService::Stub> stub_;
};

}  // namespace ankommen::courses_e2e
