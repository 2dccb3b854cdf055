// Time moves people, with the binaries as they ship (registry, courses,
// schools; real NATS and Redis) over a simulated school year in Saxony: the
// registry's daily RunAgeChanges tells each birthday and school year that
// changes what an age calls for, and the services act on it — an infant's
// Kita claim from the first birthday, school instead of Kita from the first
// August after the sixth birthday falls by 30 June, the course service taking
// over when compulsory schooling ends, and the youth course closing at 27.
#include <atomic>
#include <thread>

#include <gtest/gtest.h>
#include <grpcpp/grpcpp.h>

#include "ankommen/courses/v1/courses.grpc.pb.h"
#include "ankommen/registry/v1/events.pb.h"
#include "ankommen/registry/v1/registry.grpc.pb.h"
#include "ankommen/schools/v1/schools.grpc.pb.h"
#include "bus/bus.h"
#include "runtime/simulated_clock.h"
#include "store/redis.h"
#include "support/sample_households.h"
#include "support/servers.h"

namespace ankommen {
namespace {

namespace rv1 = ankommen::registry::v1;
namespace cv1 = ankommen::courses::v1;
namespace sv1 = ankommen::schools::v1;

class AgesE2ETest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto pool = RedisPool::Connect(redis_.url(), 1);
    ASSERT_TRUE(pool.ok());
    redis_pool_ = std::move(*pool);
    ASSERT_TRUE(SimulatedClock::Set(*redis_pool_, At(start_)).ok());
    const std::map<std::string, std::string> env = {{"ANKOMMEN_CLOCK", "simulated"}, {"ANKOMMEN_LAND", "SN"}};
    registry_ = std::make_unique<testing::ServiceProcess>(ANKOMMEN_REGISTRY_BINARY,
                                                          "ankommen.registry.v1.RegistryService", nats_, redis_, env);
    courses_ = std::make_unique<testing::ServiceProcess>(ANKOMMEN_COURSES_BINARY, "ankommen.courses.v1.CourseService",
                                                         nats_, redis_, env);
    schools_ = std::make_unique<testing::ServiceProcess>(ANKOMMEN_SCHOOLS_BINARY, "ankommen.schools.v1.SchoolService",
                                                         nats_, redis_, env);
    registry_stub_ = rv1::RegistryService::NewStub(
        grpc::CreateChannel(registry_->grpc_addr(), grpc::InsecureChannelCredentials()));
    courses_stub_ = cv1::CourseService::NewStub(
        grpc::CreateChannel(courses_->grpc_addr(), grpc::InsecureChannelCredentials()));
    schools_stub_ = sv1::SchoolService::NewStub(
        grpc::CreateChannel(schools_->grpc_addr(), grpc::InsecureChannelCredentials()));
    auto bus = Bus::Connect(nats_.url(), "e2e-reader", nullptr);
    ASSERT_TRUE(bus.ok());
    bus_ = std::move(*bus);
  }

  static absl::Time At(absl::CivilDay day) {
    return absl::FromCivil(absl::CivilSecond(day.year(), day.month(), day.day(), 8, 0, 0), absl::UTCTimeZone());
  }

  static std::unique_ptr<grpc::ClientContext> Ctx() {
    auto ctx = std::make_unique<grpc::ClientContext>();
    ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(20));
    ctx->AddMetadata("x-ankommen-actor", "auslaenderbehoerde");
    return ctx;
  }

  std::optional<sv1::Child> Child(const std::string& person_id) {
    sv1::GetChildRequest request;
    request.set_person_id(person_id);
    sv1::GetChildResponse response;
    if (!schools_stub_->GetChild(Ctx().get(), request, &response).ok()) return std::nullopt;
    return response.child();
  }

  // The learner's open course requests by type, or nullopt when the course service does not follow them.
  std::optional<std::set<cv1::CourseType>> OpenRequests(const std::string& person_id) {
    cv1::GetLearnerRequest request;
    request.set_person_id(person_id);
    cv1::GetLearnerResponse response;
    if (!courses_stub_->GetLearner(Ctx().get(), request, &response).ok()) return std::nullopt;
    std::set<cv1::CourseType> open;
    for (const auto& r : response.requests()) {
      if (r.status() == cv1::REQUEST_STATUS_WAITING || r.status() == cv1::REQUEST_STATUS_OFFERED) {
        open.insert(r.course_type());
      }
    }
    return open;
  }

  rv1::RunAgeChangesResponse RunAgeChanges() {
    rv1::RunAgeChangesResponse response;
    auto s = registry_stub_->RunAgeChanges(Ctx().get(), rv1::RunAgeChangesRequest(), &response);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return response;
  }

  std::vector<rv1::HouseholdAged> AgedEvents() {
    std::vector<rv1::HouseholdAged> out;
    auto all = bus_->ReadStream("REGISTRY", 1, 10000);
    if (!all.ok()) return out;
    for (const auto& e : *all) {
      if (e.subject != "ankommen.registry.household.aged") continue;
      rv1::HouseholdAged aged;
      EXPECT_TRUE(aged.ParseFromString(e.payload));
      out.push_back(aged);
      EXPECT_EQ(e.payload.find("2025-10-20"), std::string::npos) << "no birth date leaves the registry";
    }
    return out;
  }

  // Day by day from the day after `from` up to `to`, the job run each day as in production.
  void LiveUntil(absl::CivilDay to) {
    for (absl::CivilDay day = today_ + 1; day <= to; ++day) {
      ASSERT_TRUE(SimulatedClock::Set(*redis_pool_, At(day)).ok());
      const auto report = RunAgeChanges();
      announced_ += report.households_announced();
      aged_ += report.persons_aged();
      today_ = day;
    }
  }

  const absl::CivilDay start_{2026, 9, 1};
  absl::CivilDay today_ = start_;
  int announced_ = 0, aged_ = 0;
  testing::NatsServer nats_;
  testing::RedisServer redis_;
  std::unique_ptr<RedisPool> redis_pool_;
  std::unique_ptr<testing::ServiceProcess> registry_, courses_, schools_;
  std::unique_ptr<rv1::RegistryService::Stub> registry_stub_;
  std::unique_ptr<cv1::CourseService::Stub> courses_stub_;
  std::unique_ptr<sv1::SchoolService::Stub> schools_stub_;
  std::unique_ptr<Bus> bus_;
};

TEST_F(AgesE2ETest, AYearMovesEveryoneOnAsTheLawHasIt) {
  // A mother with an infant (one on 20 October), a five-year-old (six on 15 June
  // 2027: school from August 2027), a seventeen-year-old (eighteen on 10 February)
  // and a son of 26 with protection (27 on 5 March: the youth course closes).
  auto registration = testing::SampleWithChildren("ages-1", {"2025-10-20", "2021-06-15", "2009-02-10", "2000-03-05"});
  auto* elder = registration.mutable_household()->mutable_members(4);
  elder->set_residence_status(rv1::RESIDENCE_STATUS_PROTECTION_GRANTED);
  elder->set_literate_latin(true);
  elder->set_cefr_level("A1");
  rv1::RegisterHouseholdResponse registered;
  ASSERT_TRUE(registry_stub_->RegisterHousehold(Ctx().get(), registration, &registered).ok());
  const auto& m = registered.household().members();
  const std::string mother = m[0].person_id(), infant = m[1].person_id(), five = m[2].person_id(),
                    teen = m[3].person_id(), elder_id = m[4].person_id();

  // Registered: the five-year-old waits for a Kita place, the teen for a
  // vocational school; the infant has no claim yet; the elder son is a learner.
  ASSERT_TRUE(testing::WaitUntil([&] { return Child(five) && Child(teen) && OpenRequests(elder_id); }));
  EXPECT_EQ(Child(five)->age_group(), sv1::AGE_GROUP_3_TO_SCHOOL);
  EXPECT_EQ(Child(teen)->school_type(), sv1::SCHOOL_TYPE_BSZ);
  EXPECT_EQ(Child(teen)->placement().status(), sv1::CHILD_STATUS_WAITING);
  EXPECT_FALSE(Child(infant)) << "no Kita claim before the first birthday";
  EXPECT_FALSE(Child(elder_id)) << "past compulsory schooling: courses, not school";
  EXPECT_FALSE(OpenRequests(teen)) << "while at school, not a course learner";
  EXPECT_TRUE(OpenRequests(elder_id)->count(cv1::COURSE_TYPE_INTEGRATION_YOUTH));

  // Households stored before the ages list existed are filed from their registration day.
  for (const char* pattern : {"ankommen:registry:*:ages:*"}) {
    auto keys = redis_pool_->Command({"KEYS", pattern});
    ASSERT_TRUE(keys.ok());
    ASSERT_FALSE(keys->elements.empty()) << "positive control: the registration filed the household";
    for (const auto& key : keys->elements) ASSERT_TRUE(redis_pool_->Command({"DEL", key.str}).ok());
  }

  // The first birthday: a Kita claim, under three, waiting from that day.
  LiveUntil(absl::CivilDay(2026, 10, 19));
  EXPECT_EQ(announced_, 0);
  LiveUntil(absl::CivilDay(2026, 10, 20));
  EXPECT_EQ(RunAgeChanges().households_announced(), 0) << "a second run the same day tells nothing twice";
  ASSERT_TRUE(testing::WaitUntil([&] { return Child(infant).has_value(); }));
  EXPECT_EQ(Child(infant)->age_group(), sv1::AGE_GROUP_UNDER_3);
  EXPECT_EQ(Child(infant)->waiting_since(), "2026-10-20");
  EXPECT_EQ(Child(infant)->placement().status(), sv1::CHILD_STATUS_WAITING);

  // Eighteen: compulsory schooling ends; the wait for school ends and the courses take over.
  // Two replicas run the job at once that day: the household is told once.
  LiveUntil(absl::CivilDay(2027, 2, 9));
  ASSERT_TRUE(SimulatedClock::Set(*redis_pool_, At(absl::CivilDay(2027, 2, 10))).ok());
  std::atomic<int> told = 0, persons = 0;
  {
    std::vector<std::thread> replicas;
    for (int i = 0; i < 2; ++i) {
      replicas.emplace_back([&] {
        const auto report = RunAgeChanges();
        told += report.households_announced();
        persons += report.persons_aged();
      });
    }
    for (auto& t : replicas) t.join();
  }
  EXPECT_EQ(told.load(), 1) << "told once, whichever replica did it";
  announced_ += told;
  aged_ += persons;
  today_ = absl::CivilDay(2027, 2, 10);
  ASSERT_TRUE(testing::WaitUntil([&] { return OpenRequests(teen).has_value(); }));
  EXPECT_FALSE(OpenRequests(teen)->empty());
  ASSERT_TRUE(testing::WaitUntil([&] { return Child(teen)->placement().status() == sv1::CHILD_STATUS_LEFT; }));

  // Twenty-seven: no youth course any more; the general one instead.
  LiveUntil(absl::CivilDay(2027, 3, 5));
  ASSERT_TRUE(testing::WaitUntil([&] { return !OpenRequests(elder_id)->count(cv1::COURSE_TYPE_INTEGRATION_YOUTH); }));
  EXPECT_TRUE(OpenRequests(elder_id)->count(cv1::COURSE_TYPE_INTEGRATION_GENERAL));

  // Six on 15 June, before Saxony's cut-off: Kita until the school year starts, then school.
  LiveUntil(absl::CivilDay(2027, 7, 31));
  EXPECT_EQ(Child(five)->age_group(), sv1::AGE_GROUP_3_TO_SCHOOL);
  LiveUntil(absl::CivilDay(2027, 8, 31));
  ASSERT_TRUE(testing::WaitUntil([&] { return Child(five)->school_type() == sv1::SCHOOL_TYPE_GS; }));
  EXPECT_EQ(Child(five)->age_group(), sv1::AGE_GROUP_UNSPECIFIED);
  EXPECT_EQ(Child(five)->waiting_since(), "2027-08-01");
  EXPECT_EQ(Child(infant)->age_group(), sv1::AGE_GROUP_UNDER_3) << "two on 20 October 2027: still under three";

  // Five days told something in the year: 20 Oct, 10 Feb, 5 Mar, 15 Jun, 1 Aug.
  // On 1 August the infant, the five-year-old and the (now adult) teen's
  // school-year ages moved; the mother's birthdays were never told.
  EXPECT_EQ(announced_, 5);
  EXPECT_EQ(aged_, 7);
  const auto events = AgedEvents();
  ASSERT_EQ(events.size(), 5u);
  for (const auto& e : events) {
    for (const auto& id : e.aged_person_ids()) EXPECT_NE(id, mother);
  }
  EXPECT_EQ(events[0].aged_person_ids_size(), 1);
  EXPECT_EQ(events[0].aged_person_ids(0), infant);
}

}  // namespace
}  // namespace ankommen
