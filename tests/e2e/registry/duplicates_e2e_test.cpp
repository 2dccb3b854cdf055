// The duplicate review across services, with the binaries as they ship: a
// family registered twice is held (courses and schools never hear of it), a
// person merges the records and the family keeps one set of places; a
// namesake decided to be someone else is released and placed.
#include <algorithm>

#include <gtest/gtest.h>
#include <grpcpp/grpcpp.h>

#include "absl/strings/str_cat.h"
#include "ankommen/courses/v1/courses.grpc.pb.h"
#include "ankommen/registry/v1/events.pb.h"
#include "ankommen/registry/v1/registry.grpc.pb.h"
#include "ankommen/schools/v1/schools.grpc.pb.h"
#include "bus/bus.h"
#include "support/sample_households.h"
#include "support/servers.h"

namespace ankommen {
namespace {

namespace rv1 = ankommen::registry::v1;
namespace cv1 = ankommen::courses::v1;
namespace sv1 = ankommen::schools::v1;

class DuplicatesE2ETest : public ::testing::Test {
 protected:
  void SetUp() override {
    registry_env_["ANKOMMEN_REGISTRY_DUPLICATES"] = "hold";
    registry_ = std::make_unique<testing::ServiceProcess>(
        ANKOMMEN_REGISTRY_BINARY, "ankommen.registry.v1.RegistryService", nats_, redis_, registry_env_);
    courses_ = std::make_unique<testing::ServiceProcess>(ANKOMMEN_COURSES_BINARY, "ankommen.courses.v1.CourseService",
                                                         nats_, redis_);
    schools_ = std::make_unique<testing::ServiceProcess>(ANKOMMEN_SCHOOLS_BINARY, "ankommen.schools.v1.SchoolService",
                                                         nats_, redis_);
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

  std::map<std::string, std::string> registry_env_;  // a test's own settings, before SetUp

  static std::unique_ptr<grpc::ClientContext> Ctx() {
    auto ctx = std::make_unique<grpc::ClientContext>();
    ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    ctx->AddMetadata("x-ankommen-actor", "office-riesa");
    return ctx;
  }

  rv1::Household Register(const rv1::RegisterHouseholdRequest& request) {
    rv1::RegisterHouseholdResponse response;
    auto s = registry_stub_->RegisterHousehold(Ctx().get(), request, &response);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return response.household();
  }

  // The same family as another office writes it: other spellings, another address.
  static rv1::RegisterHouseholdRequest SameFamilyAgain(const std::string& key) {
    auto request = testing::SampleRegistration(key, "Hadad");
    auto* h = request.mutable_household();
    h->mutable_members(0)->set_given_names("Ameena");
    h->mutable_members(1)->set_given_names("Jusuf");
    h->mutable_address()->set_street("Hauptstraße 7");
    return request;
  }

  grpc::Status Resolve(const std::string& key, const std::string& person, const std::string& other,
                       rv1::Resolution resolution, rv1::ResolveDuplicateResponse& response,
                       const std::string& reason = "checked the papers") {
    rv1::ResolveDuplicateRequest request;
    request.set_idempotency_key(key);
    request.set_person_id(person);
    request.set_other_person_id(other);
    request.set_resolution(resolution);
    request.set_reason(reason);
    return registry_stub_->ResolveDuplicate(Ctx().get(), request, &response);
  }

  bool CoursesKnow(const std::string& person_id) {
    cv1::GetLearnerRequest request;
    request.set_person_id(person_id);
    cv1::GetLearnerResponse response;
    return courses_stub_->GetLearner(Ctx().get(), request, &response).ok();
  }

  bool SchoolsKnow(const std::string& person_id) {
    sv1::GetChildRequest request;
    request.set_person_id(person_id);
    sv1::GetChildResponse response;
    return schools_stub_->GetChild(Ctx().get(), request, &response).ok();
  }

  // The registry's events of one type, in order.
  std::vector<IncomingEvent> Events(const std::string& subject) {
    std::vector<IncomingEvent> out;
    auto all = bus_->ReadStream("REGISTRY", 1, 1000);
    if (!all.ok()) return out;
    for (auto& e : *all) {
      if (e.subject == subject) out.push_back(std::move(e));
    }
    return out;
  }

  // Settled: every event published and handled by courses and schools.
  // The registry's outbox relayed, and its consumers done with all of it: a
  // consumer that has finished may still have events to come from the outbox.
  void Settle() {
    ASSERT_TRUE(testing::WaitUntil([&] {
      if (testing::OutboxLength(redis_, "registry") != 0) return false;
      auto unfinished = bus_->Unfinished("REGISTRY");
      return unfinished.ok() && *unfinished == 0;
    }));
  }

  std::vector<rv1::SuspectedDuplicate> Listed() {
    rv1::ListSuspectedDuplicatesRequest request;
    rv1::ListSuspectedDuplicatesResponse response;
    auto s = registry_stub_->ListSuspectedDuplicates(Ctx().get(), request, &response);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return {response.duplicates().begin(), response.duplicates().end()};
  }

  testing::NatsServer nats_;
  testing::RedisServer redis_;
  std::unique_ptr<testing::ServiceProcess> registry_, courses_, schools_;
  std::unique_ptr<rv1::RegistryService::Stub> registry_stub_;
  std::unique_ptr<cv1::CourseService::Stub> courses_stub_;
  std::unique_ptr<sv1::SchoolService::Stub> schools_stub_;
  std::unique_ptr<Bus> bus_;
};

TEST_F(DuplicatesE2ETest, AFamilyRegisteredTwiceIsHeldThenMergedAndKeepsOneSetOfPlaces) {
  rv1::Household first = Register(testing::SampleRegistration("office-riesa-1"));
  const std::string mother = first.members(0).person_id(), son = first.members(1).person_id();
  ASSERT_FALSE(first.held_for_review());
  ASSERT_TRUE(testing::WaitUntil([&] { return CoursesKnow(mother) && SchoolsKnow(son); }));

  rv1::Household second = Register(SameFamilyAgain("office-meissen-7"));
  ASSERT_TRUE(second.held_for_review());
  const std::string mother2 = second.members(0).person_id(), son2 = second.members(1).person_id();
  ASSERT_EQ(second.members(0).suspected_duplicates_size(), 1);
  const auto& suspicion = second.members(0).suspected_duplicates(0);
  EXPECT_EQ(suspicion.other_person_id(), mother);
  EXPECT_EQ(suspicion.other_household_id(), first.household_id());
  EXPECT_GE(suspicion.score(), 0.8);
  ASSERT_FALSE(suspicion.reasons().empty());
  for (const auto& r : suspicion.reasons()) {
    EXPECT_EQ(r.find("Amina"), std::string::npos) << r;
    EXPECT_EQ(r.find("Haddad"), std::string::npos) << r;
  }
  ASSERT_EQ(second.members(1).suspected_duplicates_size(), 1);
  EXPECT_EQ(second.members(1).suspected_duplicates(0).other_person_id(), son);

  // Held: no other service heard of the second registration.
  Settle();
  EXPECT_EQ(Events("ankommen.registry.household.registered").size(), 1u);
  EXPECT_FALSE(CoursesKnow(mother2));
  EXPECT_FALSE(SchoolsKnow(son2));

  // The review list, oldest first, ids and reasons only.
  auto listed = Listed();
  ASSERT_EQ(listed.size(), 2u);
  for (const auto& l : listed) EXPECT_EQ(l.household_id(), second.household_id());

  // On demand, from the first record's side: it finds the second.
  rv1::FindDuplicatesRequest find;
  find.set_person_id(mother);
  rv1::FindDuplicatesResponse found;
  ASSERT_TRUE(registry_stub_->FindDuplicates(Ctx().get(), find, &found).ok());
  ASSERT_EQ(found.candidates_size(), 1);
  EXPECT_EQ(found.candidates(0).other_person_id(), mother2);

  // Bad decisions change nothing.
  rv1::ResolveDuplicateResponse resolved;
  EXPECT_EQ(Resolve("r0", mother2, mother, rv1::RESOLUTION_SAME_PERSON, resolved, "").error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(Resolve("r1", mother2, son, rv1::RESOLUTION_SAME_PERSON, resolved).error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(Listed().size(), 2u);

  // A person decides: the same family. The first records survive.
  ASSERT_TRUE(Resolve("r2", mother2, mother, rv1::RESOLUTION_SAME_PERSON, resolved).ok());
  EXPECT_EQ(resolved.person_id(), mother);
  EXPECT_FALSE(resolved.released());  // the son is still held
  ASSERT_TRUE(Resolve("r3", son2, son, rv1::RESOLUTION_SAME_PERSON, resolved).ok());
  EXPECT_FALSE(resolved.released());  // nobody left to release
  // A retry answers the same and decides nothing twice.
  ASSERT_TRUE(Resolve("r3", son2, son, rv1::RESOLUTION_SAME_PERSON, resolved).ok());
  EXPECT_EQ(resolved.person_id(), son);

  // The merged ids map to the survivors; the second household is empty.
  rv1::GetPersonRequest get;
  get.set_person_id(mother2);
  get.set_purpose("e2e");
  rv1::GetPersonResponse person;
  ASSERT_TRUE(registry_stub_->GetPerson(Ctx().get(), get, &person).ok());
  EXPECT_EQ(person.person().person_id(), mother);
  EXPECT_EQ(person.person().given_names(), "Amina");
  rv1::GetHouseholdRequest get_household;
  get_household.set_household_id(second.household_id());
  get_household.set_purpose("e2e");
  rv1::GetHouseholdResponse household;
  EXPECT_EQ(registry_stub_->GetHousehold(Ctx().get(), get_household, &household).error_code(),
            grpc::StatusCode::NOT_FOUND);
  EXPECT_TRUE(Listed().empty());

  Settle();
  auto merged = Events("ankommen.registry.person.merged");
  ASSERT_EQ(merged.size(), 2u);
  rv1::PersonMerged event;
  ASSERT_TRUE(event.ParseFromString(merged[0].payload));
  EXPECT_EQ(event.person_id(), mother2);
  EXPECT_EQ(event.surviving_person_id(), mother);
  EXPECT_EQ(event.surviving_household_id(), first.household_id());
  // One set of places: the first family's, and nothing for the merged ids.
  EXPECT_EQ(Events("ankommen.registry.household.registered").size(), 1u);
  EXPECT_TRUE(CoursesKnow(mother));
  EXPECT_TRUE(SchoolsKnow(son));
  EXPECT_FALSE(CoursesKnow(mother2));
  EXPECT_FALSE(SchoolsKnow(son2));

  // Planners see the review empty and the decisions counted.
  ASSERT_TRUE(testing::WaitUntil([&] {
    std::string m = testing::HttpGet(registry_->metrics_port(), "/metrics");
    return m.find("ankommen_registry_suspected_duplicates 0") != std::string::npos &&
           m.find("ankommen_registry_duplicate_decisions_total{resolution=\"same_person\"} 2") != std::string::npos &&
           m.find("ankommen_registry_households_held_total 1") != std::string::npos;
  }));
}

TEST_F(DuplicatesE2ETest, ANamesakeDecidedDifferentIsReleasedAndNotSuspectedAgain) {
  rv1::Household first = Register(testing::SampleRegistration("office-riesa-1"));
  const std::string mother = first.members(0).person_id();
  // Another woman of the same name and birth date, alone.
  auto request = testing::SampleRegistration("office-riesa-2");
  request.mutable_household()->mutable_members()->RemoveLast();
  rv1::Household namesake = Register(request);
  ASSERT_TRUE(namesake.held_for_review());
  const std::string other = namesake.members(0).person_id();
  ASSERT_TRUE(testing::WaitUntil([&] {
    return testing::HttpGet(registry_->metrics_port(), "/metrics").find("ankommen_registry_suspected_duplicates 1") !=
           std::string::npos;
  }));

  rv1::ResolveDuplicateResponse resolved;
  ASSERT_TRUE(Resolve("d1", other, mother, rv1::RESOLUTION_DIFFERENT_PERSONS, resolved).ok());
  EXPECT_EQ(resolved.person_id(), other);
  EXPECT_TRUE(resolved.released());
  // Released: courses hear of her now, with the registration's event.
  ASSERT_TRUE(testing::WaitUntil([&] { return CoursesKnow(other); }));
  EXPECT_EQ(Events("ankommen.registry.household.registered").size(), 2u);

  // The pair is not suspected again, on demand or in the list.
  rv1::FindDuplicatesRequest find;
  find.set_person_id(other);
  rv1::FindDuplicatesResponse found;
  ASSERT_TRUE(registry_stub_->FindDuplicates(Ctx().get(), find, &found).ok());
  EXPECT_EQ(found.candidates_size(), 0);
  EXPECT_TRUE(Listed().empty());
  // Deciding it again is refused: the suspicion is closed.
  EXPECT_EQ(Resolve("d2", other, mother, rv1::RESOLUTION_SAME_PERSON, resolved).error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);
}

// A common name with the stand-in birth date, registered again and again, as a
// Land's registry holds thousands of them: each check compares only the
// latest filed under a crowded key (here 5), and a family registered twice is
// still found through its rarer names, its father among the namesakes too.
class CrowdedBlockE2ETest : public DuplicatesE2ETest {
 protected:
  void SetUp() override {
    registry_env_["ANKOMMEN_REGISTRY_DUPLICATE_CANDIDATES_PER_KEY"] = "5";
    DuplicatesE2ETest::SetUp();
  }

  static rv1::RegisterHouseholdRequest Family(const std::string& key) {
    auto request = testing::SampleRegistration(key, "Rahimi");
    auto* h = request.mutable_household();
    auto* father = h->mutable_members(0);
    father->set_given_names("Mohammad");
    father->set_family_name("Ahmadi");
    father->set_birth_date("1995-01-01");
    father->set_nationality("AF");
    father->mutable_needs()->set_childcare(false);
    auto* son = h->mutable_members(1);
    son->set_family_name("Ahmadi");
    auto* mother = h->add_members();
    *mother = h->members(0);
    mother->set_given_names("Soraya");
    mother->set_family_name("Rahimi");
    mother->set_birth_date("1997-05-02");
    mother->set_relation(rv1::RELATION_PARTNER);
    return request;
  }

  static rv1::RegisterHouseholdRequest Namesake(const std::string& key) {
    auto request = Family(key);
    request.mutable_household()->mutable_members()->DeleteSubrange(1, 2);
    return request;
  }
};

TEST_F(CrowdedBlockE2ETest, OnlyTheLatestOfACrowdedBlockAreComparedAndAFamilyIsStillFound) {
  const rv1::Household first = Register(Family("family-1"));
  ASSERT_EQ(first.members_size(), 3);
  ASSERT_FALSE(first.held_for_review());
  const std::string father = first.members(0).person_id();
  // Twelve namesakes after him: more than a check compares under one key.
  std::vector<std::string> namesakes;
  for (int i = 0; i < 12; ++i) {
    rv1::Household h = Register(Namesake(absl::StrCat("namesake-", i)));
    ASSERT_EQ(h.members_size(), 1);
    namesakes.push_back(h.members(0).person_id());
  }
  const std::string metrics = testing::HttpGet(registry_->metrics_port(), "/metrics");
  const std::string crowded = "\nankommen_registry_duplicate_keys_crowded_total ";
  const auto at = metrics.find(crowded);
  ASSERT_NE(at, std::string::npos);
  EXPECT_GT(std::stod(metrics.substr(at + crowded.size())), 0) << "the namesakes' keys never counted crowded";

  // The family again: the father is found too, and above every namesake (two
  // more members of the two households alike), though five are filed later.
  const rv1::Household again = Register(Family("family-2"));
  ASSERT_TRUE(again.held_for_review());
  const auto& suspicions = again.members(0).suspected_duplicates();
  ASSERT_FALSE(suspicions.empty());
  EXPECT_EQ(suspicions.Get(0).other_person_id(), father);
  EXPECT_EQ(suspicions.Get(0).other_household_id(), first.household_id());
  // And the namesakes the father was compared with are the latest filed.
  for (const auto& s : suspicions) {
    if (s.other_person_id() == father) continue;
    const auto pos = std::find(namesakes.begin(), namesakes.end(), s.other_person_id());
    ASSERT_NE(pos, namesakes.end());
    EXPECT_GE(pos - namesakes.begin(), 12 - 5) << "an early namesake was compared: the cap did not hold";
  }
  EXPECT_EQ(again.members(1).suspected_duplicates_size(), 1);  // the son
  EXPECT_EQ(again.members(1).suspected_duplicates(0).other_person_id(), first.members(1).person_id());
}

}  // namespace
}  // namespace ankommen
