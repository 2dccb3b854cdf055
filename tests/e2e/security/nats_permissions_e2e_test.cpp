// The NATS users the Kubernetes deployment defines (k8s/base/nats/
// authorization.conf) on a real nats-server, with the five services each
// logged in as its own user, its password read from a file as from the
// mounted Secret: a household registered and a person erased go through
// every service without one permissions violation; and a service's user
// cannot forge another service's events, nor change another's stream, and
// nobody gets in without a password.
#include <stdlib.h>

#include <fstream>
#include <random>

#include <gmock/gmock.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "ankommen/courses/v1/courses.grpc.pb.h"
#include "ankommen/housing/v1/housing.grpc.pb.h"
#include "ankommen/registry/v1/registry.grpc.pb.h"
#include "ankommen/schools/v1/schools.grpc.pb.h"
#include "bus.h"
#include "ids.h"
#include "streams.h"
#include "support/sample_households.h"
#include "support/servers.h"

namespace ankommen {
namespace {

namespace rv1 = ankommen::registry::v1;
namespace cv1 = ankommen::courses::v1;
namespace sv1 = ankommen::schools::v1;
namespace hv1 = ankommen::housing::v1;

const std::vector<std::string> kServices = {"registry", "courses", "schools", "housing", "notifications"};

std::unique_ptr<grpc::ClientContext> Ctx() {
  auto ctx = std::make_unique<grpc::ClientContext>();
  ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(20));
  ctx->AddMetadata("x-ankommen-actor", "nats-permissions-e2e");
  return ctx;
}

// The passwords of this run, in the environment nats-server reads them from
// (it inherits the test's), and in one file per service.
std::map<std::string, std::string> MakePasswords(const testing::TempDir& dir) {
  std::mt19937_64 rng{std::random_device{}()};
  std::map<std::string, std::string> passwords;
  for (const auto& user : {"registry", "courses", "schools", "housing", "notifications", "operator"}) {
    passwords[user] = absl::StrCat("pw", rng(), rng());
    setenv(absl::StrCat("NATS_", absl::AsciiStrToUpper(user), "_PASSWORD").c_str(), passwords[user].c_str(), 1);
    std::ofstream(dir.path() + "/" + user) << passwords[user] << "\n";
  }
  // nats-server's configuration: the deployment's users, included as they ship
  // (nats-server includes files relative to the including one: a copy beside it).
  std::ifstream users(std::string(ANKOMMEN_SOURCE_DIR) + "/k8s/base/nats/authorization.conf");
  std::ofstream(dir.path() + "/authorization.conf") << users.rdbuf();
  std::ofstream(dir.path() + "/nats.conf") << "include \"authorization.conf\"\n";
  return passwords;
}

class NatsPermissionsE2ETest : public ::testing::Test {
 protected:
  std::map<std::string, std::string> Env(const std::string& service) {
    return {{"ANKOMMEN_NATS_USER", service}, {"ANKOMMEN_NATS_PASSWORD_FILE", dir_.path() + "/" + service}};
  }

  testing::TempDir dir_;
  std::map<std::string, std::string> passwords_ = MakePasswords(dir_);
  testing::NatsServer nats_{{"-c", dir_.path() + "/nats.conf"}};
  testing::RedisServer redis_;
};

TEST_F(NatsPermissionsE2ETest, EachServiceWorksAsItsOwnUserAndCannotSpeakForAnother) {
  testing::ServiceProcess registry(ANKOMMEN_REGISTRY_BINARY, "ankommen.registry.v1.RegistryService", nats_, redis_,
                                   Env("registry"));
  testing::ServiceProcess courses(ANKOMMEN_COURSES_BINARY, "ankommen.courses.v1.CourseService", nats_, redis_,
                                  Env("courses"));
  testing::ServiceProcess schools(ANKOMMEN_SCHOOLS_BINARY, "ankommen.schools.v1.SchoolService", nats_, redis_,
                                  Env("schools"));
  testing::ServiceProcess housing(ANKOMMEN_HOUSING_BINARY, "ankommen.housing.v1.HousingService", nats_, redis_,
                                  Env("housing"));
  auto notifications_env = Env("notifications");
  notifications_env["ANKOMMEN_REGISTRY_ADDR"] = registry.grpc_addr();
  testing::ServiceProcess notifications(ANKOMMEN_NOTIFICATIONS_BINARY, "ankommen.notifications.v1.NotificationService",
                                        nats_, redis_, notifications_env);
  auto channel = [](testing::ServiceProcess& s) {
    return grpc::CreateChannel(s.grpc_addr(), grpc::InsecureChannelCredentials());
  };
  auto registry_stub = rv1::RegistryService::NewStub(channel(registry));
  auto courses_stub = cv1::CourseService::NewStub(channel(courses));
  auto schools_stub = sv1::SchoolService::NewStub(channel(schools));
  auto housing_stub = hv1::HousingService::NewStub(channel(housing));

  // A household goes through every service; then the son is erased, which
  // the notification service hears of too.
  rv1::RegisterHouseholdResponse registered;
  ASSERT_TRUE(registry_stub->RegisterHousehold(Ctx().get(), testing::SampleRegistration("nats"), &registered).ok());
  const std::string mother = registered.household().members(0).person_id();
  const std::string son = registered.household().members(1).person_id();
  ASSERT_TRUE(testing::WaitUntil([&] {
    cv1::GetLearnerRequest l;
    l.set_person_id(mother);
    cv1::GetLearnerResponse learner;
    sv1::GetChildRequest c;
    c.set_person_id(son);
    sv1::GetChildResponse child;
    hv1::GetHouseholdRequest h;
    h.set_household_id(registered.household().household_id());
    hv1::GetHouseholdResponse household;
    return courses_stub->GetLearner(Ctx().get(), l, &learner).ok() &&
           schools_stub->GetChild(Ctx().get(), c, &child).ok() &&
           housing_stub->GetHousehold(Ctx().get(), h, &household).ok();
  }, 30000)) << nats_.Log();
  rv1::ErasePersonRequest erase;
  erase.set_idempotency_key("erase-son");
  erase.set_person_id(son);
  erase.set_reason("Art. 17 request");
  rv1::ErasePersonResponse erased;
  ASSERT_TRUE(registry_stub->ErasePerson(Ctx().get(), erase, &erased).ok());
  ASSERT_TRUE(testing::WaitUntil([&] {
    return redis_.Command({"EXISTS", KeySpace("notifications").Key(PartitionOfId(son), "erased:" + son)}) == "1";
  }, 30000)) << "the notification service hears of the erasure";

  // Not one refusal on the way (nats-server logs each as "Publish Violation" or "Subscription Violation").
  EXPECT_THAT(nats_.Log(), ::testing::Not(::testing::HasSubstr("Violation"))) << nats_.Log();

  // The course service's user cannot speak for the registry, nor change its stream.
  auto as_courses = Bus::Connect(nats_.url(), "forger", nullptr, Bus::Access{"courses", passwords_["courses"]});
  ASSERT_TRUE(as_courses.ok()) << as_courses.status();
  OutgoingEvent forged;
  forged.subject = streams::kPersonErased;
  forged.event_id = "ev_forged";
  forged.event_type = "ankommen.registry.v1.PersonErased";
  forged.payload = "x";
  EXPECT_FALSE((*as_courses)->Publish(forged).ok()) << "courses published a registry event";
  OutgoingEvent own;
  own.subject = "ankommen.courses.test.allowed";
  own.event_id = "ev_own";
  own.event_type = "test";
  own.payload = "x";
  EXPECT_TRUE((*as_courses)->Publish(own).ok()) << "its own subjects stay open";
  StreamSpec changed = streams::Registry();
  changed.max_age = absl::Hours(1);  // would drop the registry's history
  EXPECT_FALSE((*as_courses)->EnsureStream(changed).ok()) << "courses changed the registry's stream";
  EXPECT_THAT(nats_.Log(), ::testing::HasSubstr("Publish Violation")) << "the refusals are logged";

  // Nobody gets in without a password, or with another's.
  EXPECT_FALSE(Bus::Connect(nats_.url(), "anonymous", nullptr, absl::Seconds(1)).ok());
  EXPECT_FALSE(Bus::Connect(nats_.url(), "guess", nullptr, Bus::Access{"registry", passwords_["courses"]},
                            absl::Seconds(1))
                   .ok());
}

}  // namespace
}  // namespace ankommen
