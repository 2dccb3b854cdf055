// The seven services as they ship, each with its own environment (its own
// credentials), and the walk the credential tests take through them: a
// household registered reaches courses, schools, housing, casework and the
// mediators (an office asks a mediator for the mother); its son erased
// reaches the notification, mediators and casework services, which mark it
// in their own keys.
#pragma once

#include <map>
#include <memory>
#include <string>

#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include "ankommen/casework/v1/casework.grpc.pb.h"
#include "ankommen/courses/v1/courses.grpc.pb.h"
#include "ankommen/housing/v1/housing.grpc.pb.h"
#include "ankommen/mediators/v1/mediators.grpc.pb.h"
#include "ankommen/registry/v1/registry.grpc.pb.h"
#include "ankommen/schools/v1/schools.grpc.pb.h"
#include "store/ids.h"
#include "support/sample_households.h"
#include "support/servers.h"

namespace ankommen::testing {

using ServiceEnv = std::map<std::string, std::string>;

class DistrictServices {
 public:
  // env(service): the service's own variables ("registry", "courses", ...).
  DistrictServices(const NatsServer& nats, const RedisServer& redis, const std::function<ServiceEnv(const std::string&)>& env)
      : redis_(redis),
        registry_(ANKOMMEN_REGISTRY_BINARY, "ankommen.registry.v1.RegistryService", nats, redis, env("registry")),
        courses_(ANKOMMEN_COURSES_BINARY, "ankommen.courses.v1.CourseService", nats, redis, env("courses")),
        schools_(ANKOMMEN_SCHOOLS_BINARY, "ankommen.schools.v1.SchoolService", nats, redis, env("schools")),
        housing_(ANKOMMEN_HOUSING_BINARY, "ankommen.housing.v1.HousingService", nats, redis, env("housing")),
        notifications_(ANKOMMEN_NOTIFICATIONS_BINARY, "ankommen.notifications.v1.NotificationService", nats, redis,
                       WithRegistry(env("notifications"))),
        mediators_(ANKOMMEN_MEDIATORS_BINARY, "ankommen.mediators.v1.MediatorService", nats, redis, env("mediators")),
        casework_(ANKOMMEN_CASEWORK_BINARY, "ankommen.casework.v1.CaseworkService", nats, redis, env("casework")) {}

  // Registers a family, waits until courses, schools and housing know it and
  // the mediators service takes a request for the mother, erases the son and
  // waits until the notification and mediators services have marked that.
  // Fails the test (with `diagnosis` appended) when a step does not happen.
  void RegisterAndErase(const std::string& key, const std::string& diagnosis = "") {
    namespace rv1 = ankommen::registry::v1;
    namespace cv1 = ankommen::courses::v1;
    namespace sv1 = ankommen::schools::v1;
    namespace hv1 = ankommen::housing::v1;
    auto registry = rv1::RegistryService::NewStub(Channel(registry_));
    auto courses = cv1::CourseService::NewStub(Channel(courses_));
    auto schools = sv1::SchoolService::NewStub(Channel(schools_));
    auto housing = hv1::HousingService::NewStub(Channel(housing_));
    auto mediators = ankommen::mediators::v1::MediatorService::NewStub(Channel(mediators_));
    auto casework = ankommen::casework::v1::CaseworkService::NewStub(Channel(casework_));
    ankommen::casework::v1::GetCaseRequest get_case;
    ankommen::casework::v1::GetCaseResponse case_now;
    rv1::RegisterHouseholdResponse registered;
    ASSERT_TRUE(registry->RegisterHousehold(Ctx().get(), SampleRegistration(key), &registered).ok());
    const std::string mother = registered.household().members(0).person_id();
    const std::string son = registered.household().members(1).person_id();
    ASSERT_TRUE(WaitUntil([&] {
      cv1::GetLearnerRequest l;
      l.set_person_id(mother);
      cv1::GetLearnerResponse learner;
      sv1::GetChildRequest c;
      c.set_person_id(son);
      sv1::GetChildResponse child;
      hv1::GetHouseholdRequest h;
      h.set_household_id(registered.household().household_id());
      hv1::GetHouseholdResponse household;
      get_case.set_household_id(registered.household().household_id());
      return courses->GetLearner(Ctx().get(), l, &learner).ok() && schools->GetChild(Ctx().get(), c, &child).ok() &&
             housing->GetHousehold(Ctx().get(), h, &household).ok() &&
             casework->GetCase(Ctx().get(), get_case, &case_now).ok();
    }, 30000)) << "the household should reach courses, schools, housing and casework\n" << diagnosis;
    // An office asks a mediator for the mother, by her id: her language and household from the registry's events.
    ankommen::mediators::v1::RequestMediatorRequest ask;
    ask.set_idempotency_key(key + "-mediator");
    ask.mutable_request()->set_person_id(mother);
    ask.mutable_request()->set_remote(true);
    ask.mutable_request()->mutable_start()->set_seconds(std::time(nullptr) + 7 * 86400);
    ask.mutable_request()->set_duration_minutes(30);
    ask.mutable_request()->set_topic(ankommen::mediators::v1::TOPIC_AUTHORITY);
    ankommen::mediators::v1::RequestMediatorResponse asked;
    grpc::Status mediator_status;
    ASSERT_TRUE(WaitUntil([&] {
      mediator_status = mediators->RequestMediator(Ctx().get(), ask, &asked);
      return mediator_status.ok();
    }, 30000)) << "the mediators service should know the mother: " << mediator_status.error_message() << "\n" << diagnosis;
    rv1::ErasePersonRequest erase;
    erase.set_idempotency_key(key + "-erase-son");
    erase.set_person_id(son);
    erase.set_reason("Art. 17 request");
    rv1::ErasePersonResponse erased;
    ASSERT_TRUE(registry->ErasePerson(Ctx().get(), erase, &erased).ok());
    ASSERT_TRUE(WaitUntil([&] {
      return redis_.Command({"EXISTS", KeySpace("notifications").Key(PartitionOfId(son), "erased:" + son)}) == "1";
    }, 30000)) << "the notification service should hear of the erasure\n" << diagnosis;
    ASSERT_TRUE(WaitUntil([&] {
      return redis_.Command({"HGET", KeySpace("mediators").Key(PartitionOfId(son), "person:" + son), "v"}) == "2";
    }, 30000)) << "the mediators service should hear of the erasure\n" << diagnosis;
    ASSERT_TRUE(WaitUntil([&] {
      return casework->GetCase(Ctx().get(), get_case, &case_now).ok() && case_now.case_().persons() == 1;
    }, 30000)) << "the casework service should hear of the erasure\n" << diagnosis;
  }

 private:
  ServiceEnv WithRegistry(ServiceEnv env) const {
    env["ANKOMMEN_REGISTRY_ADDR"] = registry_.grpc_addr();
    return env;
  }
  static std::shared_ptr<grpc::Channel> Channel(const ServiceProcess& s) {
    return grpc::CreateChannel(s.grpc_addr(), grpc::InsecureChannelCredentials());
  }
  static std::unique_ptr<grpc::ClientContext> Ctx() {
    auto ctx = std::make_unique<grpc::ClientContext>();
    ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(20));
    ctx->AddMetadata("x-ankommen-actor", "security-e2e");
    return ctx;
  }

  const RedisServer& redis_;
  ServiceProcess registry_, courses_, schools_, housing_, notifications_, mediators_, casework_;
};

}  // namespace ankommen::testing
