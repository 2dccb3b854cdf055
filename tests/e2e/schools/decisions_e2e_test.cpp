// The schools office decides, with the binaries as they ship (registry and
// schools, real NATS and Redis): a placement run only proposes and tells
// nobody; a rejected proposal is not proposed again; a confirmation tells the
// family once; a child placed by hand stays where it was put through the next
// run; every decision is kept with who, what the engine proposed and why.
#include <gtest/gtest.h>
#include <grpcpp/grpcpp.h>

#include "ankommen/registry/v1/registry.grpc.pb.h"
#include "ankommen/schools/v1/events.pb.h"
#include "ankommen/schools/v1/schools.grpc.pb.h"
#include "bus/bus.h"
#include "support/sample_households.h"
#include "support/servers.h"

namespace ankommen {
namespace {

namespace rv1 = ankommen::registry::v1;
namespace sv1 = ankommen::schools::v1;

constexpr double kRiesaLat = 51.3078, kRiesaLon = 13.2939;

class SchoolDecisionsE2ETest : public ::testing::Test {
 protected:
  void SetUp() override {
    registry_ = std::make_unique<testing::ServiceProcess>(ANKOMMEN_REGISTRY_BINARY,
                                                          "ankommen.registry.v1.RegistryService", nats_, redis_);
    // The district default: runs propose, the schools office decides. No
    // scheduled run during the test: the test runs placement itself.
    schools_ = std::make_unique<testing::ServiceProcess>(
        ANKOMMEN_SCHOOLS_BINARY, "ankommen.schools.v1.SchoolService", nats_, redis_,
        std::map<std::string, std::string>{{"ANKOMMEN_SCHOOLS_CONFIRM", "on"},
                                           {"ANKOMMEN_SCHOOLS_PLACEMENT_PERIOD", "3600"}});
    registry_stub_ = rv1::RegistryService::NewStub(
        grpc::CreateChannel(registry_->grpc_addr(), grpc::InsecureChannelCredentials()));
    stub_ = sv1::SchoolService::NewStub(grpc::CreateChannel(schools_->grpc_addr(), grpc::InsecureChannelCredentials()));
    auto bus = Bus::Connect(nats_.url(), "e2e-reader", nullptr);
    ASSERT_TRUE(bus.ok());
    bus_ = std::move(*bus);
  }

  static std::unique_ptr<grpc::ClientContext> Ctx() {
    auto ctx = std::make_unique<grpc::ClientContext>();
    ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(20));
    ctx->AddMetadata("x-ankommen-actor", "schulamt-riesa");
    return ctx;
  }

  std::string CreateSchool(const std::string& name, double lat_offset, int seats) {
    sv1::CreateSchoolRequest req;
    req.set_idempotency_key("school-" + std::to_string(name.size()) + "-" + std::to_string(static_cast<int>(lat_offset * 1000)));
    auto* s = req.mutable_school();
    s->set_name(name);
    s->set_school_type(sv1::SCHOOL_TYPE_GS);
    s->mutable_location()->set_municipality_ags("14627230");
    s->mutable_location()->set_social_area("Riesa");
    s->mutable_location()->mutable_coordinates()->set_lat(kRiesaLat + lat_offset);
    s->mutable_location()->mutable_coordinates()->set_lon(kRiesaLon);
    s->add_classes()->set_seats(seats);
    sv1::CreateSchoolResponse resp;
    auto st = stub_->CreateSchool(Ctx().get(), req, &resp);
    EXPECT_TRUE(st.ok()) << st.error_message();
    return resp.school().school_id();
  }

  // A household in Riesa with one seven-year-old; the child's person id.
  std::string RegisterPupil(const std::string& key) {
    auto req = testing::SampleWithChildren(key, {"2019-09-03"});
    rv1::RegisterHouseholdResponse resp;
    auto s = registry_stub_->RegisterHousehold(Ctx().get(), req, &resp);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return resp.household().members(1).person_id();
  }

  std::optional<sv1::Child> Child(const std::string& person_id) {
    sv1::GetChildRequest req;
    req.set_person_id(person_id);
    sv1::GetChildResponse resp;
    if (!stub_->GetChild(Ctx().get(), req, &resp).ok()) return std::nullopt;
    return resp.child();
  }

  sv1::ChildStatus StatusOf(const std::string& person_id) {
    auto c = Child(person_id);
    return c ? c->placement().status() : sv1::CHILD_STATUS_UNSPECIFIED;
  }

  sv1::RunPlacementResponse Run() {
    sv1::RunPlacementResponse resp;
    auto s = stub_->RunPlacement(Ctx().get(), sv1::RunPlacementRequest(), &resp);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return resp;
  }

  // SchoolPlaced events so far (what the family is told of).
  std::vector<sv1::SchoolPlaced> Placed() {
    std::vector<sv1::SchoolPlaced> out;
    // Published through the outbox: all of it, once the outbox is empty.
    EXPECT_TRUE(testing::WaitUntil([&] { return testing::OutboxLength(redis_, "schools") == 0; }));
    auto events = bus_->ReadStream("SCHOOLS", 1, 10000);
    if (!events.ok()) return out;
    for (const auto& e : *events) {
      if (e.subject != "ankommen.schools.school.placed") continue;
      sv1::SchoolPlaced p;
      if (p.ParseFromString(e.payload)) out.push_back(p);
    }
    return out;
  }

  testing::NatsServer nats_;
  testing::RedisServer redis_;
  std::unique_ptr<testing::ServiceProcess> registry_, schools_;
  std::unique_ptr<rv1::RegistryService::Stub> registry_stub_;
  std::unique_ptr<sv1::SchoolService::Stub> stub_;
  std::unique_ptr<Bus> bus_;
};

TEST_F(SchoolDecisionsE2ETest, ARejectedProposalIsNotProposedAgainAndAConfirmationTellsTheFamilyOnce) {
  const std::string near = CreateSchool("Grundschule am Markt", 0.005, 10);
  const std::string far = CreateSchool("Grundschule Weida", 0.04, 10);
  const std::string child = RegisterPupil("family-1");
  ASSERT_TRUE(testing::WaitUntil([&] { return StatusOf(child) == sv1::CHILD_STATUS_WAITING ||
                                              StatusOf(child) == sv1::CHILD_STATUS_PROPOSED; }));

  // A run proposes the near school, holds the seat and tells nobody.
  Run();
  auto proposed = Child(child);
  ASSERT_TRUE(proposed);
  ASSERT_EQ(proposed->placement().status(), sv1::CHILD_STATUS_PROPOSED);
  EXPECT_EQ(proposed->placement().place_id(), near);
  EXPECT_TRUE(Placed().empty());
  sv1::ListProposalsResponse list;
  ASSERT_TRUE(stub_->ListProposals(Ctx().get(), sv1::ListProposalsRequest(), &list).ok());
  ASSERT_EQ(list.children_size(), 1);
  EXPECT_EQ(list.children(0).person_id(), child);
  ASSERT_TRUE(testing::WaitUntil([&] {
    return testing::HttpGet(schools_->metrics_port(), "/metrics")
               .find("ankommen_school_proposals_waiting{kind=\"school\",social_area=\"Riesa\"} 1") != std::string::npos;
  }));

  // Overrides need a reason from the list, and "other" a note; bad ones change nothing.
  sv1::RejectPlacementRequest reject;
  reject.set_idempotency_key("reject-1");
  reject.set_person_id(child);
  sv1::RejectPlacementResponse rejected;
  EXPECT_EQ(stub_->RejectPlacement(Ctx().get(), reject, &rejected).error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  reject.set_reason(sv1::OVERRIDE_REASON_OTHER);
  EXPECT_EQ(stub_->RejectPlacement(Ctx().get(), reject, &rejected).error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(StatusOf(child), sv1::CHILD_STATUS_PROPOSED);

  // The office rejects it: the way to that school does not work for the family.
  reject.set_reason(sv1::OVERRIDE_REASON_TRANSPORT);
  reject.set_note("no bus before 8:00 from the shelter");
  ASSERT_TRUE(stub_->RejectPlacement(Ctx().get(), reject, &rejected).ok());
  // A retry of the same decision answers the same and records nothing twice.
  ASSERT_TRUE(stub_->RejectPlacement(Ctx().get(), reject, &rejected).ok());
  EXPECT_EQ(rejected.child().placement().status(), sv1::CHILD_STATUS_WAITING);
  ASSERT_EQ(rejected.child().decisions_size(), 1);
  const auto& decision = rejected.child().decisions(0);
  EXPECT_EQ(decision.kind(), sv1::DECISION_KIND_REJECTED);
  EXPECT_EQ(decision.actor(), "unauthenticated:schulamt-riesa");
  EXPECT_EQ(decision.proposed_place_id(), near);
  EXPECT_FALSE(decision.proposal_reason().empty());
  EXPECT_EQ(decision.reason(), sv1::OVERRIDE_REASON_TRANSPORT);
  EXPECT_EQ(decision.note(), "no bus before 8:00 from the shelter");
  EXPECT_GT(decision.decided_at().seconds(), 0);

  // The next run does not propose the rejected school again, though it is nearer.
  Run();
  ASSERT_EQ(StatusOf(child), sv1::CHILD_STATUS_PROPOSED);
  EXPECT_EQ(Child(child)->placement().place_id(), far);

  // Confirmed: now the family is told, once, even when the office retries.
  sv1::ConfirmPlacementRequest confirm;
  confirm.set_idempotency_key("confirm-1");
  confirm.set_person_id(child);
  sv1::ConfirmPlacementResponse confirmed;
  ASSERT_TRUE(stub_->ConfirmPlacement(Ctx().get(), confirm, &confirmed).ok());
  ASSERT_TRUE(stub_->ConfirmPlacement(Ctx().get(), confirm, &confirmed).ok());
  EXPECT_EQ(confirmed.child().placement().status(), sv1::CHILD_STATUS_PLACED);
  EXPECT_EQ(confirmed.child().placement().place_id(), far);
  ASSERT_EQ(confirmed.child().decisions_size(), 2);
  EXPECT_EQ(confirmed.child().decisions(1).kind(), sv1::DECISION_KIND_CONFIRMED);
  auto placed = Placed();
  ASSERT_EQ(placed.size(), 1u);
  EXPECT_EQ(placed[0].person_id(), child);
  EXPECT_EQ(placed[0].school_id(), far);
  // Nothing left to confirm.
  confirm.set_idempotency_key("confirm-2");
  EXPECT_EQ(stub_->ConfirmPlacement(Ctx().get(), confirm, &confirmed).error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);

  ASSERT_TRUE(testing::WaitUntil([&] {
    std::string m = testing::HttpGet(schools_->metrics_port(), "/metrics");
    return m.find("ankommen_school_placement_decisions_total{decision=\"rejected\",reason=\"transport\"} 1") !=
               std::string::npos &&
           m.find("ankommen_school_placement_decisions_total{decision=\"confirmed\",reason=\"none\"} 1") !=
               std::string::npos &&
           m.find("ankommen_school_proposals_waiting{kind=\"school\",social_area=\"Riesa\"} 0") != std::string::npos;
  }));
}

TEST_F(SchoolDecisionsE2ETest, AChildPlacedByHandStaysThroughTheNextRun) {
  const std::string near = CreateSchool("Grundschule am Markt", 0.005, 10);
  const std::string far = CreateSchool("Grundschule Weida", 0.04, 1);
  const std::string child = RegisterPupil("family-1");
  ASSERT_TRUE(testing::WaitUntil([&] { return StatusOf(child) != sv1::CHILD_STATUS_UNSPECIFIED; }));
  Run();
  ASSERT_EQ(StatusOf(child), sv1::CHILD_STATUS_PROPOSED);
  ASSERT_EQ(Child(child)->placement().place_id(), near);

  // The office places the child by hand at the far school: the sibling goes there.
  sv1::PlaceManuallyRequest manual;
  manual.set_idempotency_key("manual-1");
  manual.set_person_id(child);
  manual.set_place_id(far);
  manual.set_reason(sv1::OVERRIDE_REASON_SIBLINGS);
  sv1::PlaceManuallyResponse placed;
  ASSERT_TRUE(stub_->PlaceManually(Ctx().get(), manual, &placed).ok());
  EXPECT_EQ(placed.child().placement().status(), sv1::CHILD_STATUS_PLACED);
  EXPECT_EQ(placed.child().placement().place_id(), far);
  ASSERT_EQ(placed.child().decisions_size(), 1);
  EXPECT_EQ(placed.child().decisions(0).kind(), sv1::DECISION_KIND_MANUAL);
  EXPECT_EQ(placed.child().decisions(0).proposed_place_id(), near) << "what the engine had proposed is kept";
  EXPECT_EQ(placed.child().decisions(0).place_id(), far);

  // The proposal's seat is free again; the family is told of the school placed by hand.
  sv1::GetSchoolRequest get;
  get.set_school_id(near);
  sv1::GetSchoolResponse school;
  ASSERT_TRUE(stub_->GetSchool(Ctx().get(), get, &school).ok());
  EXPECT_EQ(school.school().classes(0).pupils(), 0);
  auto told = Placed();
  ASSERT_EQ(told.size(), 1u);
  EXPECT_EQ(told[0].school_id(), far);

  // The next run leaves the child where the office put it.
  Run();
  EXPECT_EQ(StatusOf(child), sv1::CHILD_STATUS_PLACED);
  EXPECT_EQ(Child(child)->placement().place_id(), far);

  // The far school is now full: another child cannot be placed there by hand.
  const std::string other = RegisterPupil("family-2");
  ASSERT_TRUE(testing::WaitUntil([&] { return StatusOf(other) != sv1::CHILD_STATUS_UNSPECIFIED; }));
  Run();
  const auto before = Child(other);
  manual.set_idempotency_key("manual-2");
  manual.set_person_id(other);
  EXPECT_EQ(stub_->PlaceManually(Ctx().get(), manual, &placed).error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(Child(other)->placement().SerializeAsString(), before->placement().SerializeAsString());
  EXPECT_EQ(Child(other)->decisions_size(), 0);
}

}  // namespace
}  // namespace ankommen
