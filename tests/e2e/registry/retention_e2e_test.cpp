// Closing a case and the retention job, with the binaries as they ship
// (registry, courses, schools; real NATS and Redis) on a simulated clock:
// a closed case lets go of its places at once, is kept unchanged for the
// retention period, and is then erased through the erasure path — nothing of
// the family is left in Redis and the other services hear of each erasure.
#include <gtest/gtest.h>
#include <grpcpp/grpcpp.h>

#include "ankommen/courses/v1/courses.grpc.pb.h"
#include "ankommen/registry/v1/registry.grpc.pb.h"
#include "ankommen/schools/v1/schools.grpc.pb.h"
#include "bus/bus.h"
#include "store/audit.h"
#include "store/redis.h"
#include "runtime/simulated_clock.h"
#include "support/sample_households.h"
#include "support/servers.h"

namespace ankommen {
namespace {

namespace rv1 = ankommen::registry::v1;
namespace cv1 = ankommen::courses::v1;
namespace sv1 = ankommen::schools::v1;

class RetentionE2ETest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto pool = RedisPool::Connect(redis_.url(), 1);
    ASSERT_TRUE(pool.ok());
    redis_pool_ = std::move(*pool);
    ASSERT_TRUE(SimulatedClock::Set(*redis_pool_, start_).ok());
    const std::map<std::string, std::string> simulated = {{"ANKOMMEN_CLOCK", "simulated"}};
    registry_ = std::make_unique<testing::ServiceProcess>(ANKOMMEN_REGISTRY_BINARY,
                                                          "ankommen.registry.v1.RegistryService", nats_, redis_, simulated);
    courses_ = std::make_unique<testing::ServiceProcess>(ANKOMMEN_COURSES_BINARY, "ankommen.courses.v1.CourseService",
                                                         nats_, redis_, simulated);
    schools_ = std::make_unique<testing::ServiceProcess>(ANKOMMEN_SCHOOLS_BINARY, "ankommen.schools.v1.SchoolService",
                                                         nats_, redis_, simulated);
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

  static std::unique_ptr<grpc::ClientContext> Ctx() {
    auto ctx = std::make_unique<grpc::ClientContext>();
    ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(20));
    ctx->AddMetadata("x-ankommen-actor", "auslaenderbehoerde");
    return ctx;
  }

  bool CoursesKnow(const std::string& person_id) {
    cv1::GetLearnerRequest request;
    request.set_person_id(person_id);
    cv1::GetLearnerResponse response;
    return courses_stub_->GetLearner(Ctx().get(), request, &response).ok();
  }

  sv1::ChildStatus ChildStatus(const std::string& person_id) {
    sv1::GetChildRequest request;
    request.set_person_id(person_id);
    sv1::GetChildResponse response;
    if (!schools_stub_->GetChild(Ctx().get(), request, &response).ok()) return sv1::CHILD_STATUS_UNSPECIFIED;
    return response.child().placement().status();
  }

  rv1::RunRetentionResponse Retention(bool dry_run) {
    rv1::RunRetentionRequest request;
    request.set_dry_run(dry_run);
    rv1::RunRetentionResponse response;
    auto s = registry_stub_->RunRetention(Ctx().get(), request, &response);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return response;
  }

  int PersonItems(const rv1::RunRetentionResponse& r) {
    int n = 0;
    for (const auto& item : r.items()) n += item.kind() == "person" ? 1 : 0;
    return n;
  }

  // Every key and value in Redis, to look for the family's personal data.
  std::string EverythingInRedis() {
    std::string all;
    std::function<void(const RedisReply&)> collect = [&](const RedisReply& r) {
      all += r.str + "\n";
      for (const auto& e : r.elements) collect(e);
    };
    auto keys = redis_pool_->Command({"KEYS", "*"});
    for (const auto& key : keys->elements) {
      all += key.str + "\n";
      auto type = redis_pool_->Command({"TYPE", key.str});
      if (type->str == "hash") collect(*redis_pool_->Command({"HGETALL", key.str}));
      else if (type->str == "stream") collect(*redis_pool_->Command({"XRANGE", key.str, "-", "+"}));
      else if (type->str == "zset") collect(*redis_pool_->Command({"ZRANGE", key.str, "0", "-1"}));
      else if (type->str == "set") collect(*redis_pool_->Command({"SMEMBERS", key.str}));
      else if (type->str == "string") collect(*redis_pool_->Command({"GET", key.str}));
    }
    return all;
  }

  int EventsOn(const std::string& subject) {
    auto all = bus_->ReadStream("REGISTRY", 1, 10000);
    int n = 0;
    if (all.ok()) {
      for (const auto& e : *all) n += e.subject == subject ? 1 : 0;
    }
    return n;
  }

  const absl::Time start_ = absl::FromCivil(absl::CivilSecond(2027, 3, 1, 9, 0, 0), absl::UTCTimeZone());
  testing::NatsServer nats_;
  testing::RedisServer redis_;
  std::unique_ptr<RedisPool> redis_pool_;
  std::unique_ptr<testing::ServiceProcess> registry_, courses_, schools_;
  std::unique_ptr<rv1::RegistryService::Stub> registry_stub_;
  std::unique_ptr<cv1::CourseService::Stub> courses_stub_;
  std::unique_ptr<sv1::SchoolService::Stub> schools_stub_;
  std::unique_ptr<Bus> bus_;
};

TEST_F(RetentionE2ETest, AClosedCaseLetsGoOfItsPlacesAndIsErasedWhenItsRetentionEnds) {
  rv1::RegisterHouseholdResponse registered;
  ASSERT_TRUE(registry_stub_->RegisterHousehold(Ctx().get(), testing::SampleRegistration("family"), &registered).ok());
  const rv1::Household& h = registered.household();
  const std::string mother = h.members(0).person_id(), son = h.members(1).person_id();
  ASSERT_TRUE(testing::WaitUntil([&] { return CoursesKnow(mother) && ChildStatus(son) == sv1::CHILD_STATUS_WAITING; }));

  // Closing needs a reason; then the family leaves every service's lists.
  rv1::CloseCaseRequest close;
  close.set_idempotency_key("close-1");
  close.set_household_id(h.household_id());
  rv1::CloseCaseResponse closed;
  EXPECT_EQ(registry_stub_->CloseCase(Ctx().get(), close, &closed).error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  close.set_closure(rv1::CASE_CLOSURE_MOVED_AWAY);
  ASSERT_TRUE(registry_stub_->CloseCase(Ctx().get(), close, &closed).ok());
  EXPECT_EQ(closed.household().case_closure(), rv1::CASE_CLOSURE_MOVED_AWAY);
  EXPECT_EQ(closed.household().case_closed_at().seconds(), absl::ToUnixSeconds(start_));
  ASSERT_TRUE(testing::WaitUntil([&] { return !CoursesKnow(mother) && ChildStatus(son) == sv1::CHILD_STATUS_LEFT; }));

  // Kept unchanged for the record.
  rv1::ChangeResidenceStatusRequest change;
  change.set_idempotency_key("status-1");
  change.set_person_id(mother);
  change.set_residence_status(rv1::RESIDENCE_STATUS_PROTECTION_GRANTED);
  rv1::ChangeResidenceStatusResponse changed;
  EXPECT_EQ(registry_stub_->ChangeResidenceStatus(Ctx().get(), change, &changed).error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(PersonItems(Retention(/*dry_run=*/false)), 0) << "not yet past its time";

  // Two years and a day later: a dry run says what is due and erases nothing.
  ASSERT_TRUE(SimulatedClock::Set(*redis_pool_, start_ + absl::Hours(24 * 731)).ok());
  auto due = Retention(/*dry_run=*/true);
  ASSERT_EQ(PersonItems(due), 2);
  EXPECT_EQ(due.persons_erased(), 0);
  EXPECT_EQ(due.items(0).rule(), "case closed 2027-03-01, kept 730 days");
  rv1::GetPersonRequest get;
  get.set_person_id(mother);
  get.set_purpose("e2e");
  rv1::GetPersonResponse person;
  ASSERT_TRUE(registry_stub_->GetPerson(Ctx().get(), get, &person).ok());
  ASSERT_NE(EverythingInRedis().find("Amina"), std::string::npos) << "positive control";

  // The job erases both through the erasure path, once.
  auto report = Retention(/*dry_run=*/false);
  EXPECT_EQ(report.persons_erased(), 2);
  EXPECT_EQ(registry_stub_->GetPerson(Ctx().get(), get, &person).error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(Retention(/*dry_run=*/false).persons_erased(), 0);
  ASSERT_TRUE(testing::WaitUntil([&] { return EventsOn("ankommen.registry.person.erased") == 2; }));
  EXPECT_EQ(EventsOn("ankommen.registry.household.case_closed"), 1);

  // Nothing of the family is left in Redis: not its names, birth dates, address or contact data.
  const std::string everything = EverythingInRedis();
  for (const char* personal : {"Amina", "Yusuf", "Haddad", "1991-04-12", "2019-09-03", "Bahnhofstraße",
                               "+4915112345678", "amina.haddad@example.org"}) {
    EXPECT_EQ(everything.find(personal), std::string::npos) << personal;
  }
  // The erasures are in the audit log with the rule that made them.
  EXPECT_NE(everything.find("retention: case closed 2027-03-01, kept 730 days"), std::string::npos);

  ASSERT_TRUE(testing::WaitUntil([&] {
    return testing::HttpGet(registry_->metrics_port(), "/metrics")
               .find("ankommen_registry_retention_erased_total{kind=\"person\"} 2") != std::string::npos;
  }));
}

// The audit log's period is measured by when its entries were written (their
// stream ids, Redis's clock), not by the service's clock: a simulation two
// years ahead must not take this morning's entries for old ones.
TEST_F(RetentionE2ETest, TheAuditLogIsTrimmedByWhenItsEntriesWereWrittenNotByTheServicesClock) {
  registry_->Restart({{"ANKOMMEN_CLOCK", "simulated"}, {"ANKOMMEN_REGISTRY_KEEP_AUDIT_DAYS", "30"}});
  registry_stub_ = rv1::RegistryService::NewStub(
      grpc::CreateChannel(registry_->grpc_addr(), grpc::InsecureChannelCredentials()));
  // An entry written in September 2001, before anything else in its partition's log.
  const std::string log0 = AuditStreamKey(KeySpace("registry"), 0);
  ASSERT_TRUE(redis_pool_->Command({"XADD", log0, "1000000000000-0", "actor", "old", "action", "GetPerson"}).ok());
  rv1::RegisterHouseholdResponse registered;
  ASSERT_TRUE(registry_stub_->RegisterHousehold(Ctx().get(), testing::SampleRegistration("family"), &registered).ok());
  auto entries = [&] {
    int64_t n = 0;
    for (int p = 0; p < kPartitions; ++p) n += redis_pool_->Command({"XLEN", AuditStreamKey(KeySpace("registry"), p)})->integer;
    return n;
  };
  const int64_t before = entries();
  ASSERT_GT(before, 1) << "the registration is audited";

  ASSERT_TRUE(SimulatedClock::Set(*redis_pool_, start_ + absl::Hours(24 * 731)).ok());
  auto report = Retention(/*dry_run=*/false);
  EXPECT_EQ(report.audit_entries_removed(), 1) << "only the 2001 entry is older than 30 days";
  EXPECT_EQ(entries(), before - 1);
  EXPECT_EQ(redis_pool_->Command({"XRANGE", log0, "1000000000000-0", "1000000000000-0"})->elements.size(), 0u);
}

}  // namespace
}  // namespace ankommen
