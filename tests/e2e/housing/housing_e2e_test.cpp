// The housing service as it ships, beside the registry (and the school
// service), with real nats-server and redis-server: a household of five is
// placed whole in a flat that meets the standard by events alone; a status
// change yields a lease transfer; a reported vacancy is filled in the next
// run; the school service places the children again where the household moves
// in; concurrent runs never put more people in a place than beds; bad input
// changes nothing.
#include <csignal>
#include <thread>

#include <gmock/gmock.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include "ankommen/housing/v1/housing.grpc.pb.h"
#include "ankommen/registry/v1/events.pb.h"
#include "ankommen/registry/v1/registry.grpc.pb.h"
#include "ankommen/schools/v1/schools.grpc.pb.h"
#include "bus/bus.h"
#include "support/sample_households.h"
#include "support/servers.h"

namespace ankommen {
namespace {

namespace hv1 = ankommen::housing::v1;
namespace rv1 = ankommen::registry::v1;
namespace sv1 = ankommen::schools::v1;

constexpr double kRiesaLat = 51.3078, kRiesaLon = 13.2939;
constexpr double kMeissenLat = 51.1636, kMeissenLon = 13.4775;

class HousingE2ETest : public ::testing::Test {
 protected:
  void SetUp() override {
    registry_ = std::make_unique<testing::ServiceProcess>(ANKOMMEN_REGISTRY_BINARY,
                                                          "ankommen.registry.v1.RegistryService", nats_, redis_);
    housing_ = StartHousing();
    registry_stub_ = rv1::RegistryService::NewStub(
        grpc::CreateChannel(registry_->grpc_addr(), grpc::InsecureChannelCredentials()));
    stub_ = hv1::HousingService::NewStub(grpc::CreateChannel(housing_->grpc_addr(), grpc::InsecureChannelCredentials()));
  }

  // Every test ends with a clean shutdown: SIGTERM drains and exits 0 (a crash would not).
  // The test's channels close first: an idle client that polls nothing would
  // hold the server's graceful GOAWAY for seconds.
  void TearDown() override {
    stub_.reset();
    registry_stub_.reset();
    if (schools_) {
      EXPECT_EQ(schools_->process().Stop(SIGTERM), 0) << schools_->process().Log();
    }
    EXPECT_EQ(housing_->process().Stop(SIGTERM), 0) << housing_->process().Log();
    EXPECT_EQ(registry_->process().Stop(SIGTERM), 0) << registry_->process().Log();
  }

  std::unique_ptr<testing::ServiceProcess> StartHousing() {
    return std::make_unique<testing::ServiceProcess>(
        ANKOMMEN_HOUSING_BINARY, "ankommen.housing.v1.HousingService", nats_, redis_,
        std::map<std::string, std::string>{{"ANKOMMEN_HOUSING_ALLOCATION_PERIOD", "3600"},
                                           {"ANKOMMEN_HOUSING_SOCIAL_WORKERS", "Riesa=2"}});
  }

  static std::unique_ptr<grpc::ClientContext> Ctx() {
    auto ctx = std::make_unique<grpc::ClientContext>();
    ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(20));
    return ctx;
  }

  hv1::Accommodation Place(hv1::Kind kind, int beds, int m2, double lat, double lon, const std::string& area) {
    hv1::Accommodation a;
    a.set_kind(kind);
    a.set_name(kind == hv1::KIND_FLAT ? "Wohnung" : "Gemeinschaftsunterkunft");
    a.set_operator_("Landratsamt");
    a.set_municipality_ags("14627230");
    a.set_social_area(area);
    a.mutable_coordinates()->set_lat(lat);
    a.mutable_coordinates()->set_lon(lon);
    a.set_beds(beds);
    a.set_rooms(std::max(1, beds / 2));
    a.set_square_metres(m2);
    if (kind == hv1::KIND_FLAT) a.set_vacant_from("2026-01-01");
    return a;
  }

  grpc::Status Create(const hv1::Accommodation& a, hv1::Accommodation* out = nullptr) {
    hv1::CreateAccommodationRequest req;
    req.set_idempotency_key("acc-" + std::to_string(++keys_));
    *req.mutable_accommodation() = a;
    hv1::CreateAccommodationResponse resp;
    auto s = stub_->CreateAccommodation(Ctx().get(), req, &resp);
    if (out) *out = resp.accommodation();
    return s;
  }

  std::string CreateOk(const hv1::Accommodation& a) {
    hv1::Accommodation created;
    auto s = Create(a, &created);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return created.accommodation_id();
  }

  // A household of the mother and children born on the given dates; the registry's answer.
  rv1::Household Register(const std::string& key, const std::vector<std::string>& births) {
    auto req = testing::SampleWithChildren(key, births);
    rv1::RegisterHouseholdResponse resp;
    auto s = registry_stub_->RegisterHousehold(Ctx().get(), req, &resp);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return resp.household();
  }

  std::optional<hv1::Household> GetHousehold(const std::string& id) {
    hv1::GetHouseholdRequest req;
    req.set_household_id(id);
    hv1::GetHouseholdResponse resp;
    if (!stub_->GetHousehold(Ctx().get(), req, &resp).ok()) return std::nullopt;
    return resp.household();
  }

  // The household as housing has it; a read that fails fails the test (and reads as empty).
  hv1::Household Known(const std::string& id) {
    auto h = GetHousehold(id);
    if (!h) ADD_FAILURE() << "household " << id << " could not be read";
    return h.value_or(hv1::Household());
  }

  std::optional<hv1::Household> WaitFor(const std::string& id, hv1::HouseholdStatus status) {
    std::optional<hv1::Household> h;
    testing::WaitUntil([&] {
      h = GetHousehold(id);
      return h && h->status() == status;
    });
    return h && h->status() == status ? h : std::nullopt;
  }

  hv1::Accommodation GetPlace(const std::string& id) {
    hv1::GetAccommodationRequest req;
    req.set_accommodation_id(id);
    hv1::GetAccommodationResponse resp;
    EXPECT_TRUE(stub_->GetAccommodation(Ctx().get(), req, &resp).ok());
    return resp.accommodation();
  }

  grpc::Status Confirm(const std::string& offer_id, hv1::Household* out = nullptr) {
    hv1::ConfirmPlacementRequest req;
    req.set_idempotency_key("confirm-" + offer_id);
    req.set_offer_id(offer_id);
    hv1::ConfirmPlacementResponse resp;
    auto s = stub_->ConfirmPlacement(Ctx().get(), req, &resp);
    if (out) *out = resp.household();
    return s;
  }

  int keys_ = 0;
  testing::NatsServer nats_;
  testing::RedisServer redis_;
  std::unique_ptr<testing::ServiceProcess> registry_;
  std::unique_ptr<testing::ServiceProcess> housing_;
  std::unique_ptr<testing::ServiceProcess> schools_;
  std::unique_ptr<rv1::RegistryService::Stub> registry_stub_;
  std::unique_ptr<hv1::HousingService::Stub> stub_;
};

TEST_F(HousingE2ETest, AHouseholdOfFiveIsPlacedWholeInOneFlatThatMeetsTheStandard) {
  const std::string gu = CreateOk(Place(hv1::KIND_SHARED, 40, 400, kRiesaLat, kRiesaLon, "Riesa"));
  const std::string small = CreateOk(Place(hv1::KIND_FLAT, 4, 80, kRiesaLat + 0.01, kRiesaLon, "Riesa"));
  // Saxony's standard (ANKOMMEN_LAND=SN, the default): 6 m² a person, 30 m² for five.
  const std::string cramped = CreateOk(Place(hv1::KIND_FLAT, 6, 29, kRiesaLat + 0.01, kRiesaLon, "Riesa"));
  const std::string flat = CreateOk(Place(hv1::KIND_FLAT, 6, 75, kRiesaLat + 0.03, kRiesaLon, "Riesa"));
  auto household = Register("hh-five", {"2012-02-01", "2015-06-01", "2019-09-03", "2023-03-03"});
  ASSERT_EQ(household.members_size(), 5);

  auto offered = WaitFor(household.household_id(), hv1::HOUSEHOLD_STATUS_OFFERED);
  ASSERT_TRUE(offered.has_value());
  EXPECT_EQ(offered->persons(), 5);
  EXPECT_EQ(offered->accommodation_id(), flat) << "a flat before shared accommodation; 4 beds or 29 m² do not do";
  hv1::Household housed;
  auto s = Confirm(offered->offer_id(), &housed);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(housed.status(), hv1::HOUSEHOLD_STATUS_HOUSED);
  EXPECT_EQ(GetPlace(flat).persons(), 5);
  EXPECT_EQ(GetPlace(gu).persons(), 0);
  EXPECT_EQ(GetPlace(small).persons() + GetPlace(cramped).persons(), 0);
  EXPECT_EQ(Confirm(offered->offer_id()).error_code(), grpc::OK) << "the same confirmation again changes nothing";

  hv1::GetFiguresRequest riesa;
  riesa.set_social_area("Riesa");
  hv1::GetFiguresResponse figures;
  ASSERT_TRUE(stub_->GetFigures(Ctx().get(), riesa, &figures).ok());
  ASSERT_EQ(figures.areas_size(), 1);
  EXPECT_EQ(figures.areas(0).persons_housed(), 5);
  EXPECT_DOUBLE_EQ(figures.areas(0).share_in_flats(), 1.0);
  EXPECT_DOUBLE_EQ(figures.areas(0).square_metres_per_person(), 15.0);
  EXPECT_EQ(figures.areas(0).caseload_persons(), 0) << "a family in a flat is not refugee social work's caseload";
  EXPECT_DOUBLE_EQ(figures.areas(0).persons_per_social_worker(), 0);
}

TEST_F(HousingE2ETest, ProtectionGrantedYieldsALeaseTransferOffer) {
  auto flat = Place(hv1::KIND_FLAT, 4, 60, kRiesaLat, kRiesaLon, "Riesa");
  flat.set_lease_transferable(true);
  const std::string flat_id = CreateOk(flat);
  auto household = Register("hh-lease", {"2019-09-03"});
  auto offered = WaitFor(household.household_id(), hv1::HOUSEHOLD_STATUS_OFFERED);
  ASSERT_TRUE(offered.has_value());
  ASSERT_TRUE(Confirm(offered->offer_id()).ok());
  EXPECT_FALSE(Known(household.household_id()).lease_transfer_offered());

  rv1::ChangeResidenceStatusRequest change;
  change.set_idempotency_key("granted");
  change.set_person_id(household.members(0).person_id());
  change.set_residence_status(rv1::RESIDENCE_STATUS_PROTECTION_GRANTED);
  change.set_benefit_regime(rv1::BENEFIT_REGIME_SGB_II);
  rv1::ChangeResidenceStatusResponse changed;
  auto s = registry_stub_->ChangeResidenceStatus(Ctx().get(), change, &changed);
  ASSERT_TRUE(s.ok()) << s.error_message();
  ASSERT_TRUE(testing::WaitUntil([&] {
    const auto h = GetHousehold(household.household_id());
    return h && h->lease_transfer_offered();
  }));

  hv1::AcceptLeaseTransferRequest accept;
  accept.set_idempotency_key("take-over");
  accept.set_household_id(household.household_id());
  hv1::AcceptLeaseTransferResponse accepted;
  s = stub_->AcceptLeaseTransfer(Ctx().get(), accept, &accepted);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(accepted.household().status(), hv1::HOUSEHOLD_STATUS_TRANSFERRED);
  EXPECT_EQ(GetPlace(flat_id).status(), hv1::ACCOMMODATION_STATUS_TRANSFERRED);
}

TEST_F(HousingE2ETest, RefugeeSocialWorksCaseloadIsAsylbLGRecipientsInSharedAccommodation) {
  CreateOk(Place(hv1::KIND_SHARED, 10, 200, kRiesaLat, kRiesaLon, "Riesa"));
  auto req = testing::SampleWithChildren("hh-caseload", {"2019-09-03"});
  for (auto& m : *req.mutable_household()->mutable_members()) m.set_benefit_regime(rv1::BENEFIT_REGIME_ASYLBLG);
  rv1::RegisterHouseholdResponse registered;
  ASSERT_TRUE(registry_stub_->RegisterHousehold(Ctx().get(), req, &registered).ok());
  const auto& household = registered.household();
  auto offered = WaitFor(household.household_id(), hv1::HOUSEHOLD_STATUS_OFFERED);
  ASSERT_TRUE(offered.has_value());
  ASSERT_TRUE(Confirm(offered->offer_id()).ok());
  auto riesa = [&] {
    hv1::GetFiguresRequest r;
    r.set_social_area("Riesa");
    hv1::GetFiguresResponse figures;
    EXPECT_TRUE(stub_->GetFigures(Ctx().get(), r, &figures).ok());
    return figures.areas_size() == 1 ? figures.areas(0) : hv1::AreaFigures();
  };
  EXPECT_EQ(riesa().caseload_persons(), 2);
  EXPECT_DOUBLE_EQ(riesa().persons_per_social_worker(), 1.0) << "two persons, two workers";

  // Protection granted: the mother draws SGB II from the Jobcenter, and leaves the caseload.
  rv1::ChangeResidenceStatusRequest change;
  change.set_idempotency_key("granted-caseload");
  change.set_person_id(household.members(0).person_id());
  change.set_residence_status(rv1::RESIDENCE_STATUS_PROTECTION_GRANTED);
  change.set_benefit_regime(rv1::BENEFIT_REGIME_SGB_II);
  rv1::ChangeResidenceStatusResponse changed;
  ASSERT_TRUE(registry_stub_->ChangeResidenceStatus(Ctx().get(), change, &changed).ok());
  ASSERT_TRUE(testing::WaitUntil([&] { return riesa().caseload_persons() == 1; }));
  EXPECT_DOUBLE_EQ(riesa().persons_per_social_worker(), 0.5);
  EXPECT_EQ(riesa().persons_housed(), 2) << "still housed there, no longer on the caseload";
}

TEST_F(HousingE2ETest, AReportedVacancyIsFilledInTheNextRun) {
  auto flat = Place(hv1::KIND_FLAT, 4, 60, kRiesaLat, kRiesaLon, "Riesa");
  flat.clear_vacant_from();  // known, but not free
  const std::string flat_id = CreateOk(flat);
  auto household = Register("hh-vacancy", {"2019-09-03"});
  ASSERT_TRUE(WaitFor(household.household_id(), hv1::HOUSEHOLD_STATUS_WAITING));
  hv1::RunAllocationResponse run;
  ASSERT_TRUE(stub_->RunAllocation(Ctx().get(), {}, &run).ok());
  EXPECT_EQ(run.offers_made(), 0) << "nothing is free yet";

  hv1::ReportVacancyRequest report;
  report.set_idempotency_key("free");
  report.set_accommodation_id(flat_id);
  report.set_free_from("2026-01-15");
  hv1::ReportVacancyResponse reported;
  auto s = stub_->ReportVacancy(Ctx().get(), report, &reported);
  ASSERT_TRUE(s.ok()) << s.error_message();
  auto offered = WaitFor(household.household_id(), hv1::HOUSEHOLD_STATUS_OFFERED);
  ASSERT_TRUE(offered.has_value());
  EXPECT_EQ(offered->accommodation_id(), flat_id);
}

TEST_F(HousingE2ETest, TheSchoolServicePlacesTheChildrenAgainWhereTheHouseholdMovesIn) {
  schools_ = std::make_unique<testing::ServiceProcess>(
      ANKOMMEN_SCHOOLS_BINARY, "ankommen.schools.v1.SchoolService", nats_, redis_,
      std::map<std::string, std::string>{{"ANKOMMEN_SCHOOLS_PLACEMENT_PERIOD", "3600"}});
  auto schools = sv1::SchoolService::NewStub(grpc::CreateChannel(schools_->grpc_addr(), grpc::InsecureChannelCredentials()));
  auto school = [&](const std::string& key, double lat, double lon, const std::string& area) {
    sv1::CreateSchoolRequest req;
    req.set_idempotency_key(key);
    req.mutable_school()->set_name("Grundschule " + area);
    req.mutable_school()->set_school_type(sv1::SCHOOL_TYPE_GS);
    req.mutable_school()->mutable_location()->set_municipality_ags("14627230");
    req.mutable_school()->mutable_location()->set_social_area(area);
    req.mutable_school()->mutable_location()->mutable_coordinates()->set_lat(lat);
    req.mutable_school()->mutable_location()->mutable_coordinates()->set_lon(lon);
    req.mutable_school()->add_classes()->set_seats(15);
    sv1::CreateSchoolResponse resp;
    EXPECT_TRUE(schools->CreateSchool(Ctx().get(), req, &resp).ok());
    return resp.school().school_id();
  };
  const std::string riesa_gs = school("gs-riesa", kRiesaLat, kRiesaLon, "Riesa");
  const std::string meissen_gs = school("gs-meissen", kMeissenLat, kMeissenLon, "Meißen");
  auto child_at = [&](const std::string& person_id) {
    sv1::GetChildRequest req;
    req.set_person_id(person_id);
    sv1::GetChildResponse resp;
    return schools->GetChild(Ctx().get(), req, &resp).ok() ? resp.child().placement().place_id() : "";
  };
  auto household = Register("hh-move", {"2019-09-03"});
  const std::string child = household.members(1).person_id();
  ASSERT_TRUE(testing::WaitUntil([&] { return child_at(child) == riesa_gs; })) << "placed near the registration first";

  // The district has a flat for them in Meißen only.
  const std::string flat = CreateOk(Place(hv1::KIND_FLAT, 4, 60, kMeissenLat + 0.01, kMeissenLon, "Meißen"));
  auto offered = WaitFor(household.household_id(), hv1::HOUSEHOLD_STATUS_OFFERED);
  ASSERT_TRUE(offered.has_value());
  ASSERT_EQ(offered->accommodation_id(), flat);
  ASSERT_TRUE(Confirm(offered->offer_id()).ok());
  EXPECT_TRUE(testing::WaitUntil([&] { return child_at(child) == meissen_gs; }))
      << "the move-in event places the child near the new home";
}

TEST_F(HousingE2ETest, TwoReplicasAllocatingAtOnceNeverPutMorePeopleInAPlaceThanBeds) {
  auto second = StartHousing();
  auto second_stub = hv1::HousingService::NewStub(grpc::CreateChannel(second->grpc_addr(), grpc::InsecureChannelCredentials()));
  std::vector<std::string> households;
  for (int i = 0; i < 6; ++i) households.push_back(Register("hh-c" + std::to_string(i), {"2019-09-03", "2020-01-01"}).household_id());
  for (const auto& h : households) ASSERT_TRUE(WaitFor(h, hv1::HOUSEHOLD_STATUS_WAITING)) << h;
  const std::string gu = CreateOk(Place(hv1::KIND_SHARED, 10, 200, kRiesaLat, kRiesaLon, "Riesa"));
  std::vector<std::thread> threads;
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&, i] {
      hv1::RunAllocationResponse resp;
      (void)(i % 2 ? second_stub.get() : stub_.get())->RunAllocation(Ctx().get(), {}, &resp);
    });
  }
  for (auto& t : threads) t.join();
  ASSERT_TRUE(testing::WaitUntil([&] { return GetPlace(gu).households() == 3; })) << "three households of three";
  // Every run answered (joined); what they decided is published once the outbox is empty.
  ASSERT_TRUE(testing::WaitUntil([&] { return testing::OutboxLength(redis_, "housing") == 0; }));
  hv1::Accommodation place = GetPlace(gu);
  EXPECT_LE(place.persons(), place.beds());
  EXPECT_EQ(place.persons(), 9);
  int offered = 0;
  for (const auto& h : households) offered += Known(h).status() == hv1::HOUSEHOLD_STATUS_OFFERED;
  EXPECT_EQ(offered, 3);
  second_stub.reset();
  EXPECT_EQ(second->process().Stop(SIGTERM), 0) << second->process().Log();
}

TEST_F(HousingE2ETest, BadInputGetsAClearStatusAndChangesNothing) {
  auto no_beds = Place(hv1::KIND_FLAT, 0, 40, kRiesaLat, kRiesaLon, "Riesa");
  auto s = Create(no_beds);
  EXPECT_EQ(s.error_code(), grpc::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), ::testing::HasSubstr("accommodation.beds"));
  auto negative = Place(hv1::KIND_FLAT, 3, -3, kRiesaLat, kRiesaLon, "Riesa");
  s = Create(negative);
  EXPECT_EQ(s.error_code(), grpc::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), ::testing::HasSubstr("accommodation.square_metres"));
  hv1::ReportVacancyRequest unknown;
  unknown.set_idempotency_key("v");
  unknown.set_accommodation_id("acc_0000000000000000");
  unknown.set_free_from("2026-12-01");
  hv1::ReportVacancyResponse reported;
  EXPECT_EQ(stub_->ReportVacancy(Ctx().get(), unknown, &reported).error_code(), grpc::NOT_FOUND);
  hv1::GetFiguresResponse figures;
  ASSERT_TRUE(stub_->GetFigures(Ctx().get(), {}, &figures).ok());
  for (const auto& area : figures.areas()) EXPECT_EQ(area.beds(), 0) << "nothing was created";

  // A household of nobody (an event no registry would send) is dead-lettered, not stored.
  auto bus = Bus::Connect(nats_.url(), "e2e-writer", nullptr);
  ASSERT_TRUE(bus.ok());
  rv1::HouseholdRegistered empty;
  empty.mutable_meta()->set_event_id("ev_empty");
  empty.set_household_id("hh_1000000000000000");
  empty.set_social_area("Riesa");
  ASSERT_TRUE((*bus)->Publish({"ankommen.registry.household.registered", "ev_empty",
                               rv1::HouseholdRegistered::descriptor()->full_name(), empty.SerializeAsString()})
                  .ok());
  ASSERT_TRUE(testing::WaitUntil([&] {
    auto dead = (*bus)->ReadStream("DEAD_LETTERS", 1, 100);
    if (!dead.ok()) return false;
    for (const auto& e : *dead) {
      if (e.subject == "ankommen.dlq.housing-registry" && e.event_id == "housing-registry:ev_empty") return true;
    }
    return false;
  }));
  EXPECT_FALSE(GetHousehold("hh_1000000000000000").has_value());
}

TEST_F(HousingE2ETest, AHouseholdHousedByHandStaysThroughTheNextAllocationRunAndADeclinedPlaceIsNotOfferedAgain) {
  const std::string flat = CreateOk(Place(hv1::KIND_FLAT, 3, 60, kRiesaLat + 0.01, kRiesaLon, "Riesa"));
  const std::string gu = CreateOk(Place(hv1::KIND_SHARED, 20, 300, kMeissenLat, kMeissenLon, "Meißen"));
  const std::string tiny = CreateOk(Place(hv1::KIND_FLAT, 1, 12, kRiesaLat, kRiesaLon + 0.01, "Riesa"));
  auto first = Register("hh-first", {"2019-09-03"});
  auto offered = WaitFor(first.household_id(), hv1::HOUSEHOLD_STATUS_OFFERED);
  ASSERT_TRUE(offered.has_value());
  ASSERT_EQ(offered->accommodation_id(), flat);

  // Overrides need a reason from the list; a place below the standard is refused even by hand.
  hv1::PlaceManuallyRequest manual;
  manual.set_idempotency_key("manual-1");
  manual.set_household_id(first.household_id());
  manual.set_accommodation_id(gu);
  hv1::PlaceManuallyResponse placed;
  EXPECT_EQ(stub_->PlaceManually(Ctx().get(), manual, &placed).error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  manual.set_reason(hv1::OVERRIDE_REASON_FAMILY_TIES);
  manual.set_accommodation_id(tiny);
  EXPECT_EQ(stub_->PlaceManually(Ctx().get(), manual, &placed).error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(Known(first.household_id()).status(), hv1::HOUSEHOLD_STATUS_OFFERED);

  // The authority houses the family by hand near relatives in Meißen instead of the flat offered.
  manual.set_idempotency_key("manual-2");
  manual.set_accommodation_id(gu);
  manual.set_note("the grandparents live in Meißen");
  ASSERT_TRUE(stub_->PlaceManually(Ctx().get(), manual, &placed).ok());
  EXPECT_EQ(placed.household().status(), hv1::HOUSEHOLD_STATUS_HOUSED);
  EXPECT_EQ(placed.household().accommodation_id(), gu);
  ASSERT_EQ(placed.household().decisions_size(), 1);
  const auto& decision = placed.household().decisions(0);
  EXPECT_EQ(decision.kind(), hv1::DECISION_KIND_MANUAL);
  EXPECT_EQ(decision.proposed_accommodation_id(), flat) << "what the engine had offered is kept";
  EXPECT_EQ(decision.accommodation_id(), gu);
  EXPECT_EQ(decision.reason(), hv1::OVERRIDE_REASON_FAMILY_TIES);
  EXPECT_EQ(GetPlace(gu).persons(), 2);
  EXPECT_EQ(GetPlace(flat).persons(), 0) << "the offer's place is free again";

  // The next run leaves the family where the authority put it.
  hv1::RunAllocationResponse run;
  ASSERT_TRUE(stub_->RunAllocation(Ctx().get(), {}, &run).ok());
  auto after = GetHousehold(first.household_id());
  EXPECT_EQ(after->status(), hv1::HOUSEHOLD_STATUS_HOUSED);
  EXPECT_EQ(after->accommodation_id(), gu);

  // Another family is offered the flat and declines it for a reason: it is not offered again.
  auto second = Register("hh-second", {"2021-01-05"});
  auto second_offer = WaitFor(second.household_id(), hv1::HOUSEHOLD_STATUS_OFFERED);
  ASSERT_TRUE(second_offer.has_value());
  ASSERT_EQ(second_offer->accommodation_id(), flat);
  hv1::DeclinePlacementRequest decline;
  decline.set_idempotency_key("decline-1");
  decline.set_offer_id(second_offer->offer_id());
  hv1::DeclinePlacementResponse declined;
  EXPECT_EQ(stub_->DeclinePlacement(Ctx().get(), decline, &declined).error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  decline.set_reason(hv1::OVERRIDE_REASON_HEALTH);
  decline.set_note("third floor, no lift; the child uses a wheelchair");
  ASSERT_TRUE(stub_->DeclinePlacement(Ctx().get(), decline, &declined).ok());
  ASSERT_EQ(declined.household().decisions_size(), 1);
  EXPECT_EQ(declined.household().decisions(0).kind(), hv1::DECISION_KIND_DECLINED);
  EXPECT_EQ(declined.household().decisions(0).proposed_accommodation_id(), flat);
  EXPECT_EQ(declined.household().decisions(0).reason(), hv1::OVERRIDE_REASON_HEALTH);
  ASSERT_TRUE(stub_->RunAllocation(Ctx().get(), {}, &run).ok());
  auto again = WaitFor(second.household_id(), hv1::HOUSEHOLD_STATUS_OFFERED);
  ASSERT_TRUE(again.has_value());
  EXPECT_EQ(again->accommodation_id(), gu) << "not the declined flat";

  ASSERT_TRUE(testing::WaitUntil([&] {
    std::string m = testing::HttpGet(housing_->metrics_port(), "/metrics");
    return m.find("ankommen_housing_placement_decisions_total{decision=\"manual\",reason=\"family_ties\"} 1") !=
               std::string::npos &&
           m.find("ankommen_housing_placement_decisions_total{decision=\"declined\",reason=\"health\"} 1") !=
               std::string::npos &&
           m.find("ankommen_housing_offers_waiting 1") != std::string::npos;
  }));

  // The first family is erased, every member (GDPR Art. 17): what the office wrote of it — the
  // decision and its note — goes; only the place it still holds stays, until it moves out.
  for (const auto& member : first.members()) {
    rv1::ErasePersonRequest erase;
    erase.set_idempotency_key("erase-" + member.person_id());
    erase.set_person_id(member.person_id());
    erase.set_reason("Art. 17 request");
    rv1::ErasePersonResponse erased;
    ASSERT_TRUE(registry_stub_->ErasePerson(Ctx().get(), erase, &erased).ok());
  }
  std::optional<hv1::Household> left;
  ASSERT_TRUE(testing::WaitUntil([&] {
    left = GetHousehold(first.household_id());
    return left.has_value() && left->persons() == 0;
  })) << "both members erased";
  EXPECT_EQ(left->decisions_size(), 0) << "the note was: the grandparents live in Meißen";
  EXPECT_TRUE(left->reason().empty());
  EXPECT_TRUE(left->children_ages().empty());
  EXPECT_EQ(left->status(), hv1::HOUSEHOLD_STATUS_HOUSED);
  EXPECT_EQ(left->accommodation_id(), gu);
}

}  // namespace
}  // namespace ankommen
