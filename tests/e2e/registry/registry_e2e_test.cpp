// The registry binary as it ships, with real nats-server and redis-server:
// registration, reads, idempotency, events without personal data, the outbox
// across a crash, bad input, health, reflection and metrics.
#include <atomic>
#include <thread>

#include <gmock/gmock.h>
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include "ankommen/registry/v1/events.pb.h"
#include "ankommen/registry/v1/registry.grpc.pb.h"
#include "bus/bus.h"
#include "store/redis.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "grpc/reflection/v1alpha/reflection.grpc.pb.h"
#include "support/sample_households.h"
#include "grpc/grpc_edge.h"
#include "observability/build_info.h"
#include "support/servers.h"

namespace ankommen {
namespace {

namespace v1 = ankommen::registry::v1;
constexpr char kHealthName[] = "ankommen.registry.v1.RegistryService";

using testing::SampleRegistration;

std::vector<std::string> BadFields(const grpc::Status& s) {
  std::vector<std::string> fields;
  google::rpc::Status details;
  if (!details.ParseFromString(s.error_details())) return fields;
  for (const auto& any : details.details()) {
    google::rpc::BadRequest bad;
    if (any.UnpackTo(&bad)) {
      for (const auto& v : bad.field_violations()) fields.push_back(v.field());
    }
  }
  return fields;
}

class RegistryE2ETest : public ::testing::Test {
 protected:
  void SetUp() override {
    registry_ = std::make_unique<testing::ServiceProcess>(ANKOMMEN_REGISTRY_BINARY, kHealthName, nats_, redis_);
    channel_ = grpc::CreateChannel(registry_->grpc_addr(), grpc::InsecureChannelCredentials());
    stub_ = v1::RegistryService::NewStub(channel_);
    auto bus = Bus::Connect(nats_.url(), "e2e-reader", nullptr);
    ASSERT_TRUE(bus.ok());
    bus_ = std::move(*bus);
  }

  std::unique_ptr<grpc::ClientContext> Ctx() {
    auto ctx = std::make_unique<grpc::ClientContext>();
    ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    ctx->AddMetadata("x-ankommen-actor", "e2e-test");
    return ctx;
  }

  grpc::Status Register(const v1::RegisterHouseholdRequest& req, v1::RegisterHouseholdResponse& resp) {
    return stub_->RegisterHousehold(Ctx().get(), req, &resp);
  }

  uint64_t StreamMessages(const std::string& stream = "REGISTRY") {
    auto state = bus_->GetStreamState(stream);
    return state.ok() ? state->messages : 0;
  }

  bool WaitForMessages(uint64_t n, absl::Duration timeout = absl::Seconds(10)) {
    absl::Time deadline = absl::Now() + timeout;
    while (StreamMessages() < n && absl::Now() < deadline) absl::SleepFor(absl::Milliseconds(20));
    return StreamMessages() == n;
  }

  // Every value of every key, concatenated: to search for personal data.
  std::string AllRedisValues() {
    auto pool = RedisPool::Connect(redis_.url(), 1);
    EXPECT_TRUE(pool.ok());
    std::string all;
    std::function<void(const RedisReply&)> collect = [&](const RedisReply& r) {
      all += r.str;
      all += '\n';
      for (const auto& e : r.elements) collect(e);
    };
    auto keys = (*pool)->Command({"KEYS", "*"});
    for (const auto& key : keys->elements) {
      auto type = (*pool)->Command({"TYPE", key.str});
      if (type->str == "hash") collect(*(*pool)->Command({"HGETALL", key.str}));
      else if (type->str == "stream") collect(*(*pool)->Command({"XRANGE", key.str, "-", "+"}));
      else if (type->str == "zset") collect(*(*pool)->Command({"ZRANGE", key.str, "0", "-1"}));
      else if (type->str == "string") collect(*(*pool)->Command({"GET", key.str}));
      all += key.str + "\n";
    }
    return all;
  }

  int ListCount(const std::string& area) {
    int count = 0;
    std::string token;
    do {
      v1::ListHouseholdsRequest req;
      req.set_social_area(area);
      req.set_page_size(7);
      req.set_page_token(token);
      req.set_purpose("test");
      v1::ListHouseholdsResponse resp;
      auto s = stub_->ListHouseholds(Ctx().get(), req, &resp);
      EXPECT_TRUE(s.ok()) << s.error_message();
      if (!s.ok()) return -1;
      count += resp.households_size();
      token = resp.next_page_token();
    } while (!token.empty());
    return count;
  }

  testing::NatsServer nats_;
  testing::RedisServer redis_;
  std::unique_ptr<testing::ServiceProcess> registry_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::RegistryService::Stub> stub_;
  std::unique_ptr<Bus> bus_;
};

TEST_F(RegistryE2ETest, ARegisteredHouseholdReadsBack) {
  v1::RegisterHouseholdResponse registered;
  ASSERT_TRUE(Register(SampleRegistration("k1"), registered).ok());
  const auto& h = registered.household();
  EXPECT_THAT(h.household_id(), ::testing::StartsWith("hh_"));
  ASSERT_EQ(h.members_size(), 2);
  EXPECT_EQ(h.members(0).household_id(), h.household_id());
  EXPECT_EQ(h.version(), 1);

  v1::GetHouseholdRequest get;
  get.set_household_id(h.household_id());
  get.set_purpose("case review");
  v1::GetHouseholdResponse got;
  ASSERT_TRUE(stub_->GetHousehold(Ctx().get(), get, &got).ok());
  EXPECT_EQ(got.household().SerializeAsString(), h.SerializeAsString());

  v1::GetPersonRequest person;
  person.set_person_id(h.members(1).person_id());
  person.set_purpose("case review");
  v1::GetPersonResponse p;
  ASSERT_TRUE(stub_->GetPerson(Ctx().get(), person, &p).ok());
  EXPECT_EQ(p.person().given_names(), "Yusuf");
  EXPECT_EQ(ListCount("Riesa"), 1);
}

TEST_F(RegistryE2ETest, EventsOnTheStreamCarryNoPersonalData) {
  v1::RegisterHouseholdResponse registered;
  auto ctx = Ctx();
  ctx->AddMetadata("x-correlation-id", "case-4711");
  ASSERT_TRUE(stub_->RegisterHousehold(ctx.get(), SampleRegistration("k1"), &registered).ok());
  ASSERT_TRUE(WaitForMessages(1));
  auto events = bus_->ReadStream("REGISTRY", 1, 10);
  ASSERT_TRUE(events.ok());
  ASSERT_EQ(events->size(), 1u);
  const auto& e = (*events)[0];
  EXPECT_EQ(e.subject, "ankommen.registry.household.registered");
  EXPECT_EQ(e.event_type, "ankommen.registry.v1.HouseholdRegistered");
  for (const char* personal : {"Amina", "Yusuf", "Haddad", "1991-04-12", "2019-09-03", "Bahnhofstraße", "01587",
                               "+4915112345678", "amina.haddad@example.org", "51.30781", "13.29394"}) {
    EXPECT_EQ(e.payload.find(personal), std::string::npos) << personal;
    EXPECT_EQ(e.subject.find(personal), std::string::npos) << personal;
  }
  v1::HouseholdRegistered event;
  ASSERT_TRUE(event.ParseFromString(e.payload));
  EXPECT_EQ(event.household_id(), registered.household().household_id());
  EXPECT_EQ(event.meta().event_id(), e.event_id);
  EXPECT_EQ(event.meta().correlation_id(), "case-4711");
  EXPECT_EQ(event.meta().producer(), "registry");
  EXPECT_EQ(event.members_size(), 2);
  EXPECT_EQ(event.members(1).person_id(), registered.household().members(1).person_id());
  EXPECT_GT(event.members(0).age_years(), 30);
  EXPECT_DOUBLE_EQ(event.approx_location().lat(), 51.31);
}

TEST_F(RegistryE2ETest, RetryingWithTheSameKeyCreatesNothingNew) {
  v1::RegisterHouseholdResponse first, second;
  ASSERT_TRUE(Register(SampleRegistration("same-key"), first).ok());
  ASSERT_TRUE(Register(SampleRegistration("same-key"), second).ok());
  EXPECT_EQ(first.SerializeAsString(), second.SerializeAsString());
  ASSERT_TRUE(WaitForMessages(1));
  // Everything committed is published once the outbox is empty: then the count is final.
  ASSERT_TRUE(testing::WaitUntil([&] { return testing::OutboxLength(redis_, "registry") == 0; }));
  EXPECT_EQ(StreamMessages(), 1u);
  EXPECT_EQ(ListCount("Riesa"), 1);

  v1::RegisterHouseholdResponse other;
  auto reused = Register(SampleRegistration("same-key", "Different"), other);
  EXPECT_EQ(reused.error_code(), grpc::FAILED_PRECONDITION);
  EXPECT_EQ(ListCount("Riesa"), 1);
}

TEST_F(RegistryE2ETest, FiftyConcurrentRegistrationsCreateFiftyHouseholds) {
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int i = 0; i < 50; ++i) {
    threads.emplace_back([&, i] {
      v1::RegisterHouseholdResponse resp;
      if (!Register(SampleRegistration("concurrent-" + std::to_string(i)), resp).ok()) ++failures;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(ListCount("Riesa"), 50);
  EXPECT_TRUE(WaitForMessages(50));
}

TEST_F(RegistryE2ETest, ConcurrentRetriesOfOneKeyCreateOneHousehold) {
  std::vector<std::thread> threads;
  std::vector<std::string> ids(10);
  for (int i = 0; i < 10; ++i) {
    threads.emplace_back([&, i] {
      v1::RegisterHouseholdResponse resp;
      if (Register(SampleRegistration("one-key"), resp).ok()) ids[i] = resp.household().household_id();
    });
  }
  for (auto& t : threads) t.join();
  for (const auto& id : ids) EXPECT_EQ(id, ids[0]);
  EXPECT_EQ(ListCount("Riesa"), 1);
}

TEST_F(RegistryE2ETest, BadInputIsRefusedNamingTheFieldAndStoresNothing) {
  struct Case {
    std::function<void(v1::RegisterHouseholdRequest&)> spoil;
    std::string field;
  };
  std::vector<Case> cases = {
      {[](auto& r) { r.mutable_household()->mutable_members(0)->set_given_names(""); },
       "household.members[0].given_names"},
      {[](auto& r) { r.mutable_household()->mutable_members(0)->set_birth_date("2999-01-01"); },
       "household.members[0].birth_date"},
      {[](auto& r) {
         r.mutable_household()->mutable_members(1)->set_residence_status(static_cast<v1::ResidenceStatus>(42));
       },
       "household.members[1].residence_status"},
      {[](auto& r) { r.mutable_household()->mutable_members(0)->set_cefr_level("Z9"); },
       "household.members[0].cefr_level"},
      {[](auto& r) { r.mutable_household()->mutable_members(0)->set_family_name(std::string(200 << 10, 'x')); },
       "household.members[0].family_name"},
  };
  for (const auto& c : cases) {
    auto req = SampleRegistration("bad-" + c.field);
    c.spoil(req);
    v1::RegisterHouseholdResponse resp;
    auto s = Register(req, resp);
    EXPECT_EQ(s.error_code(), grpc::INVALID_ARGUMENT) << c.field;
    EXPECT_THAT(BadFields(s), ::testing::Contains(c.field));
  }
  EXPECT_EQ(ListCount("Riesa"), 0);
  // Nothing stored, the outbox included: no event can follow.
  EXPECT_EQ(redis_.Command({"DBSIZE"}), "0");
  EXPECT_EQ(StreamMessages(), 0u);
}

TEST_F(RegistryE2ETest, InvalidUtf8IsRefusedNamingTheField) {
  auto req = SampleRegistration("utf8");
  req.mutable_household()->mutable_members(1)->set_given_names("QQQQ");
  std::string bytes = req.SerializeAsString();
  bytes.replace(bytes.find("QQQQ"), 4, "\xc3\x28\xff\xfe");
  grpc::GenericStub generic(channel_);
  grpc::Slice slice(bytes);
  grpc::ByteBuffer request(&slice, 1), response;
  std::mutex mu;
  std::condition_variable cv;
  bool done = false;
  grpc::Status status;
  auto ctx = Ctx();
  generic.UnaryCall(ctx.get(), "/ankommen.registry.v1.RegistryService/RegisterHousehold", {}, &request, &response,
                    [&](grpc::Status s) {
                      std::lock_guard lock(mu);
                      status = s;
                      done = true;
                      cv.notify_one();
                    });
  std::unique_lock lock(mu);
  cv.wait(lock, [&] { return done; });
  EXPECT_EQ(status.error_code(), grpc::INVALID_ARGUMENT);
  EXPECT_THAT(BadFields(status), ::testing::ElementsAre("household.members[1].given_names"));
  EXPECT_EQ(redis_.Command({"DBSIZE"}), "0");
}

TEST_F(RegistryE2ETest, StatusChangesFollowTheLawAndPublishEvents) {
  v1::RegisterHouseholdResponse registered;
  ASSERT_TRUE(Register(SampleRegistration("k1"), registered).ok());
  const std::string person_id = registered.household().members(0).person_id();

  v1::ChangeResidenceStatusRequest grant;
  grant.set_idempotency_key("grant-1");
  grant.set_person_id(person_id);
  grant.set_residence_status(v1::RESIDENCE_STATUS_PROTECTION_GRANTED);
  v1::ChangeResidenceStatusResponse granted;
  ASSERT_TRUE(stub_->ChangeResidenceStatus(Ctx().get(), grant, &granted).ok());
  EXPECT_EQ(granted.person().benefit_regime(), v1::BENEFIT_REGIME_SGB_II);

  v1::ChangeResidenceStatusRequest back = grant;
  back.set_idempotency_key("back-1");
  back.set_residence_status(v1::RESIDENCE_STATUS_ASYLUM_SEEKER);
  v1::ChangeResidenceStatusResponse refused;
  EXPECT_EQ(stub_->ChangeResidenceStatus(Ctx().get(), back, &refused).error_code(), grpc::FAILED_PRECONDITION);

  v1::RecordLanguageLevelRequest level;
  level.set_idempotency_key("level-1");
  level.set_person_id(person_id);
  level.set_cefr_level("B1");
  level.set_literate_latin(true);
  v1::RecordLanguageLevelResponse leveled;
  ASSERT_TRUE(stub_->RecordLanguageLevel(Ctx().get(), level, &leveled).ok());
  EXPECT_EQ(leveled.person().cefr_level(), "B1");
  EXPECT_EQ(leveled.person().residence_status(), v1::RESIDENCE_STATUS_PROTECTION_GRANTED);

  ASSERT_TRUE(WaitForMessages(3));
  auto events = bus_->ReadStream("REGISTRY", 1, 10);
  ASSERT_TRUE(events.ok());
  EXPECT_EQ((*events)[1].subject, "ankommen.registry.person.status_changed");
  v1::PersonStatusChanged changed;
  ASSERT_TRUE(changed.ParseFromString((*events)[1].payload));
  EXPECT_EQ(changed.previous_status(), v1::RESIDENCE_STATUS_ASYLUM_SEEKER);
  EXPECT_EQ(changed.residence_status(), v1::RESIDENCE_STATUS_PROTECTION_GRANTED);
  EXPECT_EQ((*events)[2].subject, "ankommen.registry.person.level_recorded");

  v1::ChangeResidenceStatusRequest unknown = grant;
  unknown.set_idempotency_key("unknown-1");
  unknown.set_person_id("p_0000000000000000");
  EXPECT_EQ(stub_->ChangeResidenceStatus(Ctx().get(), unknown, &refused).error_code(), grpc::NOT_FOUND);
}

TEST_F(RegistryE2ETest, RelocationMovesTheHouseholdBetweenAreas) {
  v1::RegisterHouseholdResponse registered;
  ASSERT_TRUE(Register(SampleRegistration("k1"), registered).ok());
  v1::RelocateHouseholdRequest move;
  move.set_idempotency_key("move-1");
  move.set_household_id(registered.household().household_id());
  move.set_municipality_ags("14627140");
  move.set_social_area("Großenhain");
  move.mutable_location()->set_lat(51.2893);
  move.mutable_location()->set_lon(13.5333);
  v1::RelocateHouseholdResponse moved;
  ASSERT_TRUE(stub_->RelocateHousehold(Ctx().get(), move, &moved).ok());
  EXPECT_EQ(moved.household().social_area(), "Großenhain");
  EXPECT_FALSE(moved.household().has_address());
  EXPECT_EQ(moved.household().version(), 2);
  EXPECT_EQ(ListCount("Riesa"), 0);
  EXPECT_EQ(ListCount("Großenhain"), 1);
  ASSERT_TRUE(WaitForMessages(2));
  auto events = bus_->ReadStream("REGISTRY", 2, 1);
  v1::HouseholdRelocated relocated;
  ASSERT_TRUE(relocated.ParseFromString((*events)[0].payload));
  EXPECT_EQ(relocated.social_area(), "Großenhain");
}

TEST_F(RegistryE2ETest, ErasureRemovesThePersonAndTellsEveryone) {
  v1::RegisterHouseholdResponse registered;
  ASSERT_TRUE(Register(SampleRegistration("k1"), registered).ok());
  const std::string person_id = registered.household().members(0).person_id();
  v1::ErasePersonRequest erase;
  erase.set_idempotency_key("erase-1");
  erase.set_person_id(person_id);
  erase.set_reason("Art. 17 request of 2026-11-20");
  v1::ErasePersonResponse erased;
  ASSERT_TRUE(stub_->ErasePerson(Ctx().get(), erase, &erased).ok());
  ASSERT_TRUE(stub_->ErasePerson(Ctx().get(), erase, &erased).ok());  // a retry answers the same

  v1::GetPersonRequest get;
  get.set_person_id(person_id);
  get.set_purpose("check the erasure");
  v1::GetPersonResponse p;
  EXPECT_EQ(stub_->GetPerson(Ctx().get(), get, &p).error_code(), grpc::NOT_FOUND);
  v1::GetHouseholdRequest gh;
  gh.set_household_id(registered.household().household_id());
  gh.set_purpose("check the erasure");
  v1::GetHouseholdResponse h;
  ASSERT_TRUE(stub_->GetHousehold(Ctx().get(), gh, &h).ok());
  ASSERT_EQ(h.household().members_size(), 1);
  // Nothing of the erased person is left in Redis: not in state, not in an
  // idempotency record, not in the audit log or the outbox.
  std::string everything = AllRedisValues();
  ASSERT_THAT(everything, ::testing::HasSubstr("Yusuf"));  // the scan sees stored data
  for (const char* personal : {"Amina", "1991-04-12", "+4915112345678", "amina.haddad@example.org"}) {
    EXPECT_EQ(everything.find(personal), std::string::npos) << personal;
  }
  ASSERT_TRUE(WaitForMessages(2));
  auto events = bus_->ReadStream("REGISTRY", 2, 1);
  EXPECT_EQ((*events)[0].subject, "ankommen.registry.person.erased");
}

TEST_F(RegistryE2ETest, ContactReadsAreAudited) {
  v1::RegisterHouseholdResponse registered;
  ASSERT_TRUE(Register(SampleRegistration("k1"), registered).ok());
  const std::string person_id = registered.household().members(0).person_id();
  v1::GetContactRequest req;
  req.set_person_id(person_id);
  v1::GetContactResponse contact;
  auto no_purpose = stub_->GetContact(Ctx().get(), req, &contact);
  EXPECT_EQ(no_purpose.error_code(), grpc::INVALID_ARGUMENT);
  req.set_purpose("notification seat_offered");
  ASSERT_TRUE(stub_->GetContact(Ctx().get(), req, &contact).ok());
  EXPECT_EQ(contact.contact().email(), "amina.haddad@example.org");
  EXPECT_EQ(contact.preferred_language(), "ar");
  // The audit stream of the person's partition names who read, what, and
  // why: the registration, then this read.
  std::string partition(1, person_id[2]);
  std::string stream = "ankommen:registry:{registry:p" + std::to_string(std::stoi(partition, nullptr, 16)) + "}:audit";
  EXPECT_EQ(redis_.Command({"XLEN", stream}), "2");
}

TEST_F(RegistryE2ETest, TheDataProtectionOfficerQueriesWhoReadAndChangedWhat) {
  v1::RegisterHouseholdResponse registered;
  ASSERT_TRUE(Register(SampleRegistration("k1"), registered).ok());
  const std::string household_id = registered.household().household_id();
  const std::string person_id = registered.household().members(0).person_id();
  v1::GetPersonRequest get;
  get.set_person_id(person_id);
  get.set_purpose("Beratungsgespräch 2026-11-23");
  v1::GetPersonResponse person;
  ASSERT_TRUE(stub_->GetPerson(Ctx().get(), get, &person).ok());
  v1::ChangeResidenceStatusRequest change;
  change.set_idempotency_key("status-1");
  change.set_person_id(person_id);
  change.set_residence_status(v1::RESIDENCE_STATUS_PROTECTION_GRANTED);
  v1::ChangeResidenceStatusResponse changed;
  ASSERT_TRUE(stub_->ChangeResidenceStatus(Ctx().get(), change, &changed).ok());
  // A retry is the same change, made once; its answer reads the person as they
  // stand, and is audited as a read.
  ASSERT_TRUE(stub_->ChangeResidenceStatus(Ctx().get(), change, &changed).ok());

  // Everything about the person, oldest first: the read, the change, the retry's answer.
  v1::QueryAuditRequest query;
  query.set_subject_id(person_id);
  v1::QueryAuditResponse records;
  ASSERT_TRUE(stub_->QueryAudit(Ctx().get(), query, &records).ok());
  ASSERT_EQ(records.records_size(), 3);
  EXPECT_EQ(records.records(0).action(), "GetPerson");
  EXPECT_EQ(records.records(0).purpose(), "Beratungsgespräch 2026-11-23");
  EXPECT_EQ(records.records(0).actor(), "unauthenticated:e2e-test") << "auth off: a claimed name, marked so";
  EXPECT_EQ(records.records(1).action(), "ChangeResidenceStatus");
  EXPECT_EQ(records.records(1).purpose(), "");
  EXPECT_EQ(records.records(2).action(), "ChangeResidenceStatus");
  EXPECT_EQ(records.records(2).purpose(), "answer to a retried command");
  EXPECT_LE(records.records(0).at().seconds(), records.records(1).at().seconds());
  EXPECT_GT(records.records(0).at().seconds(), 0);
  query.set_subject_id(household_id);
  ASSERT_TRUE(stub_->QueryAudit(Ctx().get(), query, &records).ok());
  ASSERT_EQ(records.records_size(), 1);
  EXPECT_EQ(records.records(0).action(), "RegisterHousehold");

  // By actor across all partitions, a page at a time: each entry once, in order.
  std::vector<std::string> actions;
  std::string token;
  do {
    v1::QueryAuditRequest page;
    page.set_actor("unauthenticated:e2e-test");
    page.set_page_size(1);
    page.set_page_token(token);
    v1::QueryAuditResponse got;
    ASSERT_TRUE(stub_->QueryAudit(Ctx().get(), page, &got).ok());
    for (const auto& r : got.records()) actions.push_back(r.action());
    token = got.next_page_token();
  } while (!token.empty() && actions.size() < 10);
  EXPECT_EQ(actions, (std::vector<std::string>{"RegisterHousehold", "GetPerson", "ChangeResidenceStatus",
                                                "ChangeResidenceStatus"}));
  // Nobody else did anything; a bad subject is refused.
  query.Clear();
  query.set_actor("someone-else");
  ASSERT_TRUE(stub_->QueryAudit(Ctx().get(), query, &records).ok());
  EXPECT_EQ(records.records_size(), 0);
  query.set_subject_id("Amina");
  EXPECT_EQ(stub_->QueryAudit(Ctx().get(), query, &records).error_code(), grpc::INVALID_ARGUMENT);
}

TEST_F(RegistryE2ETest, AnEventWrittenBeforeACrashIsPublishedAfterRestart) {
  // The relay is off: the registry writes state and event and "dies" before publishing.
  registry_->Restart({{"ANKOMMEN_OUTBOX_RELAY", "off"}});
  v1::RegisterHouseholdResponse registered;
  ASSERT_TRUE(Register(SampleRegistration("k1"), registered).ok());
  // Written with the household, and waiting in the outbox: not on JetStream.
  EXPECT_EQ(testing::OutboxLength(redis_, "registry"), 1);
  EXPECT_EQ(StreamMessages(), 0u);
  registry_->process().Stop(SIGKILL);
  registry_->Restart();
  EXPECT_TRUE(WaitForMessages(1));
  auto events = bus_->ReadStream("REGISTRY", 1, 1);
  v1::HouseholdRegistered event;
  ASSERT_TRUE(event.ParseFromString((*events)[0].payload));
  EXPECT_EQ(event.household_id(), registered.household().household_id());
  int outbox_entries = 0;
  for (int p = 0; p < 16; ++p) {
    outbox_entries += std::stoi(redis_.Command({"XLEN", "ankommen:registry:{registry:p" + std::to_string(p) + "}:outbox"}));
  }
  EXPECT_EQ(outbox_entries, 0);
}

TEST_F(RegistryE2ETest, HealthReflectionAndMetricsAnswer) {
  auto health = grpc::health::v1::Health::NewStub(channel_);
  grpc::health::v1::HealthCheckRequest hreq;
  hreq.set_service(kHealthName);
  grpc::health::v1::HealthCheckResponse hresp;
  ASSERT_TRUE(health->Check(Ctx().get(), hreq, &hresp).ok());
  EXPECT_EQ(hresp.status(), grpc::health::v1::HealthCheckResponse::SERVING);

  // A generic client that knows only reflection finds the methods.
  auto reflection = grpc::reflection::v1alpha::ServerReflection::NewStub(channel_);
  auto ctx = Ctx();
  auto stream = reflection->ServerReflectionInfo(ctx.get());
  grpc::reflection::v1alpha::ServerReflectionRequest list;
  list.set_list_services("");
  ASSERT_TRUE(stream->Write(list));
  grpc::reflection::v1alpha::ServerReflectionResponse listed;
  ASSERT_TRUE(stream->Read(&listed));
  std::vector<std::string> services;
  for (const auto& s : listed.list_services_response().service()) services.push_back(s.name());
  EXPECT_THAT(services, ::testing::Contains(kHealthName));
  grpc::reflection::v1alpha::ServerReflectionRequest file;
  file.set_file_containing_symbol(kHealthName);
  ASSERT_TRUE(stream->Write(file));
  grpc::reflection::v1alpha::ServerReflectionResponse described;
  ASSERT_TRUE(stream->Read(&described));
  ASSERT_GT(described.file_descriptor_response().file_descriptor_proto_size(), 0);
  google::protobuf::FileDescriptorProto fdp;
  ASSERT_TRUE(fdp.ParseFromString(described.file_descriptor_response().file_descriptor_proto(0)));
  std::vector<std::string> methods;
  for (const auto& svc : fdp.service()) {
    for (const auto& m : svc.method()) methods.push_back(m.name());
  }
  EXPECT_THAT(methods, ::testing::IsSupersetOf({"RegisterHousehold", "GetContact", "ErasePerson", "ListHouseholds"}));
  stream->WritesDone();

  v1::RegisterHouseholdResponse registered;
  ASSERT_TRUE(Register(SampleRegistration("k1"), registered).ok());
  std::string metrics = testing::HttpGet(registry_->metrics_port(), "/metrics");
  EXPECT_THAT(metrics, ::testing::HasSubstr(
      "ankommen_grpc_requests_total{code=\"OK\",method=\"/ankommen.registry.v1.RegistryService/RegisterHousehold\"} 1"));
  EXPECT_THAT(metrics, ::testing::HasSubstr("ankommen_grpc_request_duration_seconds_bucket"));
  EXPECT_THAT(metrics, ::testing::HasSubstr("ankommen_outbox_pending_events"));
  EXPECT_THAT(metrics, ::testing::HasSubstr(absl::StrCat("ankommen_build_info{version=\"", Version(), "\"} 1")));
  EXPECT_EQ(metrics.find("Amina"), std::string::npos);
  EXPECT_EQ(metrics.find(registered.household().household_id()), std::string::npos);
}

// A second registry started on the address of a running one (a run started
// twice, a port picked free by two at once) stops with a clear error: it does
// not share the port and take half of the calls (gRPC's SO_REUSEPORT).
TEST_F(RegistryE2ETest, ASecondServiceOnTheSamePortStopsInsteadOfSharingIt) {
  testing::TempDir dir;
  testing::Process second(ANKOMMEN_REGISTRY_BINARY, {},
                          {{"ANKOMMEN_GRPC_ADDR", registry_->grpc_addr()},
                           {"ANKOMMEN_METRICS_ADDR", absl::StrCat("127.0.0.1:", testing::FreePort())},
                           {"ANKOMMEN_NATS_URL", nats_.url()},
                           {"ANKOMMEN_REDIS_URL", redis_.url()},
                           {"ANKOMMEN_AUTH", "off"},
                           {"ANKOMMEN_DEVELOPMENT", "on"}},
                          dir.path() + "/second.log");
  EXPECT_GT(second.Wait(20000), 0) << "still running, or killed: " << second.Log();
  EXPECT_THAT(second.Log(), ::testing::HasSubstr("cannot listen on " + registry_->grpc_addr()));
  // The first goes on answering.
  v1::RegisterHouseholdResponse registered;
  EXPECT_TRUE(Register(SampleRegistration("after-second"), registered).ok());
}

TEST_F(RegistryE2ETest, SigtermDrainsAndExitsCleanly) {
  // Four clients register without pause; SIGTERM comes while their calls are in flight.
  std::atomic<int> answered{0};
  std::atomic<bool> stop{false};
  std::vector<std::thread> clients;
  for (int c = 0; c < 4; ++c) {
    clients.emplace_back([&, c] {
      for (int i = 0; !stop; ++i) {
        v1::RegisterHouseholdResponse r;
        auto s = Register(SampleRegistration(absl::StrCat("drain-", c, "-", i)), r);
        if (s.ok()) ++answered;
        else if (s.error_code() == grpc::UNAVAILABLE || s.error_code() == grpc::CANCELLED) break;  // it is gone
      }
    });
  }
  ASSERT_TRUE(testing::WaitUntil([&] { return answered >= 20; }, 20000));
  EXPECT_EQ(registry_->process().Stop(SIGTERM, 15000), 0);
  stop = true;
  for (auto& t : clients) t.join();
  EXPECT_THAT(registry_->process().Log(), ::testing::HasSubstr("\"event\":\"stopped\""));
  // Every registration answered OK is stored and its event published: the
  // calls in flight finished, the outbox was flushed before the exit. (At most
  // the four calls cut off at the very end may have been stored unanswered.)
  std::printf("drain: %d registrations answered before and during SIGTERM, %llu events published\n", answered.load(),
              static_cast<unsigned long long>(StreamMessages()));
  EXPECT_GE(StreamMessages(), static_cast<uint64_t>(answered.load()));
  EXPECT_LE(StreamMessages(), static_cast<uint64_t>(answered.load()) + 4);
}

// Reads of personal data say why (audited), and listing an area page after page
// is slowed per caller (issue 23, item 6).
TEST_F(RegistryE2ETest, ReadsNameTheirPurposeAndListingIsLimitedPerCaller) {
  registry_->Restart({{"ANKOMMEN_REGISTRY_LIST_PAGES_PER_MINUTE", "3"}});
  v1::RegisterHouseholdResponse registered;
  ASSERT_TRUE(Register(SampleRegistration("k1"), registered).ok());
  v1::GetPersonRequest get;
  get.set_person_id(registered.household().members(0).person_id());
  v1::GetPersonResponse person;
  auto none = stub_->GetPerson(Ctx().get(), get, &person);
  EXPECT_EQ(none.error_code(), grpc::INVALID_ARGUMENT);
  EXPECT_THAT(none.error_message(), ::testing::HasSubstr("purpose"));
  get.set_purpose(std::string(201, 'x'));
  EXPECT_EQ(stub_->GetPerson(Ctx().get(), get, &person).error_code(), grpc::INVALID_ARGUMENT);
  v1::GetHouseholdRequest household;
  household.set_household_id(registered.household().household_id());
  v1::GetHouseholdResponse got;
  EXPECT_EQ(stub_->GetHousehold(Ctx().get(), household, &got).error_code(), grpc::INVALID_ARGUMENT);

  v1::ListHouseholdsRequest list;
  list.set_social_area(registered.household().social_area());
  v1::ListHouseholdsResponse page;
  EXPECT_EQ(stub_->ListHouseholds(Ctx().get(), list, &page).error_code(), grpc::INVALID_ARGUMENT);
  list.set_purpose("Fallübersicht");
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(stub_->ListHouseholds(Ctx().get(), list, &page).ok()) << i;
  auto fourth = stub_->ListHouseholds(Ctx().get(), list, &page);
  EXPECT_EQ(fourth.error_code(), grpc::RESOURCE_EXHAUSTED) << fourth.error_message();
  // Another caller has a quota of its own.
  auto other = std::make_unique<grpc::ClientContext>();
  other->AddMetadata("x-ankommen-actor", "office-meissen");
  EXPECT_TRUE(stub_->ListHouseholds(other.get(), list, &page).ok());
}

// An idempotency key is its caller's (issue 23, item 15): another caller who
// sends the same request under the same key is refused, and never gets the
// first caller's answer (the household and its people).
TEST_F(RegistryE2ETest, AnIdempotencyKeyIsBoundToItsCaller) {
  const auto request = SampleRegistration("shared-key");
  v1::RegisterHouseholdResponse first;
  ASSERT_TRUE(Register(request, first).ok());
  auto other = std::make_unique<grpc::ClientContext>();
  other->AddMetadata("x-ankommen-actor", "office-meissen");
  v1::RegisterHouseholdResponse stolen;
  auto refused = stub_->RegisterHousehold(other.get(), request, &stolen);
  EXPECT_EQ(refused.error_code(), grpc::FAILED_PRECONDITION) << refused.error_message();
  EXPECT_FALSE(stolen.has_household());
  v1::RegisterHouseholdResponse again;
  ASSERT_TRUE(Register(request, again).ok()) << "the caller's own retry is answered as before";
  EXPECT_EQ(again.household().household_id(), first.household().household_id());
}

// Each call has its bound, checked before the token and the body are looked at
// (issue 23, item 9): a registration is small; only the imports take megabytes.
TEST_F(RegistryE2ETest, ARequestOverItsMethodsBoundIsRefusedBeforeItIsRead) {
  auto request = SampleRegistration("too-big");
  request.mutable_household()->mutable_members(0)->set_given_names(std::string(300 * 1024, 'a'));
  v1::RegisterHouseholdResponse response;
  auto refused = Register(request, response);
  EXPECT_EQ(refused.error_code(), grpc::INVALID_ARGUMENT);
  EXPECT_THAT(refused.error_message(), ::testing::HasSubstr("RegisterHousehold takes 262144 at most"));
  EXPECT_EQ(StreamMessages(), 0u) << "nothing registered";
  EXPECT_EQ(MaxRequestBytes("ImportSchools"), kMaxImportBytes);
}

// Which release a binary is: --version says it, and exits.
TEST(VersionTest, EveryServiceSaysItsVersion) {
  testing::TempDir dir;
  for (const char* binary : {ANKOMMEN_REGISTRY_BINARY}) {
    testing::Process process(binary, {"--version"}, {}, dir.path() + "/version.log");
    EXPECT_EQ(process.Wait(10000), 0) << process.Log();
    EXPECT_THAT(process.Log(), ::testing::HasSubstr(absl::StrCat("ankommen-registry ", Version())));
  }
}

}  // namespace
}  // namespace ankommen
