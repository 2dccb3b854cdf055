// The school service as it ships, beside the registry, with real nats-server
// and redis-server: children reach a Kita, a Grundschule and an Oberschule
// near home by the registry's events alone and are placed again after a
// move; the Meißen table imports with its totals; two replicas placing at
// once never put more pupils in a class than it has seats; bad input changes
// nothing.
#include <csignal>
#include <thread>

#include <gmock/gmock.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "ankommen/registry/v1/registry.grpc.pb.h"
#include "ankommen/schools/v1/events.pb.h"
#include "ankommen/schools/v1/schools.grpc.pb.h"
#include "absl/time/civil_time.h"
#include "bus/bus.h"
#include "store/redis.h"
#include "runtime/simulated_clock.h"
#include "support/sample_households.h"
#include "support/servers.h"

namespace ankommen {
namespace {

namespace sv1 = ankommen::schools::v1;
namespace rv1 = ankommen::registry::v1;

constexpr double kRiesaLat = 51.3078, kRiesaLon = 13.2939;
constexpr double kMeissenLat = 51.1636, kMeissenLon = 13.4775;
constexpr char kHealth[] = "ankommen.schools.v1.SchoolService";

// Waits as testing::WaitUntil does, with the timeout as a duration.
bool WaitUntil(const std::function<bool()>& done, absl::Duration timeout = absl::Seconds(15)) {
  return testing::WaitUntil(done, static_cast<int>(absl::ToInt64Milliseconds(timeout)));
}

class SchoolsE2ETest : public ::testing::Test {
 protected:
  void SetUp() override {
    registry_ = std::make_unique<testing::ServiceProcess>(ANKOMMEN_REGISTRY_BINARY,
                                                          "ankommen.registry.v1.RegistryService", nats_, redis_);
    schools_ = StartSchools();
    registry_stub_ = rv1::RegistryService::NewStub(
        grpc::CreateChannel(registry_->grpc_addr(), grpc::InsecureChannelCredentials()));
    stub_ = sv1::SchoolService::NewStub(grpc::CreateChannel(schools_->grpc_addr(), grpc::InsecureChannelCredentials()));
  }

  std::unique_ptr<testing::ServiceProcess> StartSchools() {
    return std::make_unique<testing::ServiceProcess>(
        ANKOMMEN_SCHOOLS_BINARY, kHealth, nats_, redis_,
        std::map<std::string, std::string>{{"ANKOMMEN_SCHOOLS_PLACEMENT_PERIOD", "3600"}});
  }

  // Every test ends with a clean shutdown: SIGTERM drains and exits 0 (a crash would not).
  // The test's channels close first: an idle client that polls nothing would
  // hold the server's graceful GOAWAY for seconds.
  void TearDown() override {
    stub_.reset();
    registry_stub_.reset();
    EXPECT_EQ(schools_->process().Stop(SIGTERM), 0) << schools_->process().Log();
    EXPECT_EQ(registry_->process().Stop(SIGTERM), 0) << registry_->process().Log();
  }

  static std::unique_ptr<grpc::ClientContext> Ctx() {
    auto ctx = std::make_unique<grpc::ClientContext>();
    ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(20));
    return ctx;
  }

  static sv1::Location At(double lat, double lon, const std::string& area) {
    sv1::Location l;
    l.set_municipality_ags("14627230");
    l.set_social_area(area);
    l.mutable_coordinates()->set_lat(lat);
    l.mutable_coordinates()->set_lon(lon);
    return l;
  }

  std::string CreateSchool(const std::string& name, sv1::SchoolType type, const sv1::Location& where,
                           std::vector<int> seats) {
    sv1::CreateSchoolRequest req;
    req.set_idempotency_key("school-" + std::to_string(++keys_));
    auto* s = req.mutable_school();
    s->set_name(name);
    s->set_school_type(type);
    *s->mutable_location() = where;
    for (int n : seats) s->add_classes()->set_seats(n);
    sv1::CreateSchoolResponse resp;
    auto st = stub_->CreateSchool(Ctx().get(), req, &resp);
    EXPECT_TRUE(st.ok()) << st.error_message();
    return resp.school().school_id();
  }

  std::string CreateKita(const std::string& name, const sv1::Location& where, int hours_per_day = 9) {
    sv1::CreateKitaRequest req;
    req.set_idempotency_key("kita-" + std::to_string(++keys_));
    auto* k = req.mutable_kita();
    k->set_name(name);
    *k->mutable_location() = where;
    k->set_places_under_3(4);
    k->set_places_3_to_school(10);
    k->set_hours_per_day(hours_per_day);
    sv1::CreateKitaResponse resp;
    auto st = stub_->CreateKita(Ctx().get(), req, &resp);
    EXPECT_TRUE(st.ok()) << st.error_message();
    return resp.kita().kita_id();
  }

  std::optional<sv1::Child> Child(const std::string& person_id) {
    sv1::GetChildRequest req;
    req.set_person_id(person_id);
    sv1::GetChildResponse resp;
    if (!stub_->GetChild(Ctx().get(), req, &resp).ok()) return std::nullopt;
    return resp.child();
  }

  // The place of a child once it is placed there (any place when place_id is empty).
  std::optional<sv1::Child> WaitPlaced(const std::string& person_id, const std::string& place_id = "") {
    std::optional<sv1::Child> found;
    WaitUntil([&] {
      found = Child(person_id);
      return found && found->placement().status() == sv1::CHILD_STATUS_PLACED &&
             (place_id.empty() || found->placement().place_id() == place_id);
    });
    return found && found->placement().status() == sv1::CHILD_STATUS_PLACED ? found : std::nullopt;
  }

  sv1::School GetSchool(const std::string& id) {
    sv1::GetSchoolRequest req;
    req.set_school_id(id);
    sv1::GetSchoolResponse resp;
    EXPECT_TRUE(stub_->GetSchool(Ctx().get(), req, &resp).ok());
    return resp.school();
  }

  // A household in Riesa with a mother and children of the given birth dates; their person ids.
  std::vector<std::string> Register(const std::string& key, const std::vector<std::string>& births) {
    auto req = testing::SampleWithChildren(key, births);
    rv1::RegisterHouseholdResponse resp;
    auto s = registry_stub_->RegisterHousehold(Ctx().get(), req, &resp);
    EXPECT_TRUE(s.ok()) << s.error_message();
    std::vector<std::string> ids;
    for (const auto& m : resp.household().members()) ids.push_back(m.person_id());
    household_id_ = resp.household().household_id();
    return ids;
  }

  int keys_ = 0;
  std::string household_id_;
  testing::NatsServer nats_;
  testing::RedisServer redis_;
  std::unique_ptr<testing::ServiceProcess> registry_;
  std::unique_ptr<testing::ServiceProcess> schools_;
  std::unique_ptr<rv1::RegistryService::Stub> registry_stub_;
  std::unique_ptr<sv1::SchoolService::Stub> stub_;
};

// On the simulator's clock, so that children can wait for weeks.
class SchoolWaitsTest : public SchoolsE2ETest {
 protected:
  void SetUp() override {
    SetClock(absl::CivilSecond(2027, 1, 4, 8, 0, 0));
    const std::map<std::string, std::string> env = {{"ANKOMMEN_CLOCK", "simulated"}};
    registry_ = std::make_unique<testing::ServiceProcess>(ANKOMMEN_REGISTRY_BINARY,
                                                          "ankommen.registry.v1.RegistryService", nats_, redis_, env);
    schools_ = std::make_unique<testing::ServiceProcess>(ANKOMMEN_SCHOOLS_BINARY, kHealth, nats_, redis_, env);
    registry_stub_ = rv1::RegistryService::NewStub(
        grpc::CreateChannel(registry_->grpc_addr(), grpc::InsecureChannelCredentials()));
    stub_ = sv1::SchoolService::NewStub(grpc::CreateChannel(schools_->grpc_addr(), grpc::InsecureChannelCredentials()));
  }
  void SetClock(absl::CivilSecond at) {
    absl::TimeZone zone;
    absl::LoadTimeZone("Europe/Berlin", &zone);
    auto redis = RedisPool::Connect(redis_.url(), 1);
    ASSERT_TRUE(redis.ok()) << redis.status();
    ASSERT_TRUE(SimulatedClock::Set(**redis, absl::FromCivil(at, zone)).ok());
  }
  sv1::RunPlacementResponse Place() {
    sv1::RunPlacementResponse ran;
    auto s = stub_->RunPlacement(Ctx().get(), {}, &ran);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return ran;
  }
};

// Two siblings, one free seat near home: they wait together. Past 14 days of
// it, the run says so — children waiting long while a seat of their type is
// free in reach, what a district must not see; a free seat out of reach does
// not count.
TEST_F(SchoolWaitsTest, ChildrenWaitingPast14DaysWithASeatInReachAreCounted) {
  CreateSchool("GS Riesa", sv1::SCHOOL_TYPE_GS, At(kRiesaLat, kRiesaLon + 0.01, "Riesa"), {1});
  CreateSchool("GS weit weg", sv1::SCHOOL_TYPE_GS, At(kRiesaLat + 0.5, kRiesaLon, "Riesa"), {10});  // ~55 km
  const auto ids = Register("hh-siblings", {"2019-09-03", "2018-10-01"});  // 7 and 8 years old
  ASSERT_EQ(ids.size(), 3u);
  ASSERT_TRUE(WaitUntil([&] { return Child(ids[1]).has_value() && Child(ids[2]).has_value(); }));

  sv1::RunPlacementResponse ran = Place();
  EXPECT_EQ(ran.placed(), 0) << "one seat near home for two siblings";
  EXPECT_EQ(ran.left_waiting_with_seat_in_reach(), 0) << "not yet 14 days";

  SetClock(absl::CivilSecond(2027, 1, 19, 8, 0, 0));  // 15 days later
  ran = Place();
  EXPECT_EQ(ran.placed(), 0);
  EXPECT_EQ(ran.still_waiting(), 2);
  EXPECT_EQ(ran.left_waiting_with_seat_in_reach(), 2);
  const auto child = Child(ids[1]);
  ASSERT_TRUE(child.has_value());
  EXPECT_EQ(child->placement().status(), sv1::CHILD_STATUS_WAITING);
}

// Twins and their older sibling go to one Kita, one whose day covers the
// hours the family needs, though a nearer one has places; a place wished for
// June is sought from April, and waited for from June.
TEST_F(SchoolWaitsTest, SiblingsShareAKitaWithTheHoursTheFamilyNeedsFromTheDayItWishes) {
  const std::string short_day = CreateKita("Kita Kurztag", At(kRiesaLat + 0.005, kRiesaLon, "Riesa"), 6);
  const std::string long_day = CreateKita("Kita Ganztag", At(kRiesaLat + 0.03, kRiesaLon, "Riesa"), 9);
  auto req = testing::SampleWithChildren("hh-twins", {"2025-06-01", "2025-06-01", "2022-10-01"});
  for (int m = 1; m <= 2; ++m) req.mutable_household()->mutable_members(m)->mutable_needs()->set_kita_hours(9);
  rv1::RegisterHouseholdResponse twins;
  ASSERT_TRUE(registry_stub_->RegisterHousehold(Ctx().get(), req, &twins).ok());
  auto later = testing::SampleWithChildren("hh-later", {"2023-02-01"});
  later.mutable_household()->mutable_members(1)->mutable_needs()->set_kita_from("2027-06-01");
  rv1::RegisterHouseholdResponse wished;
  ASSERT_TRUE(registry_stub_->RegisterHousehold(Ctx().get(), later, &wished).ok());
  const std::string waits_for_june = wished.household().members(1).person_id();
  std::vector<std::string> kids;
  for (int m = 1; m <= 3; ++m) kids.push_back(twins.household().members(m).person_id());
  ASSERT_TRUE(WaitUntil([&] {
    for (const auto& id : kids) if (!Child(id)) return false;
    return Child(waits_for_june).has_value();
  }));
  EXPECT_EQ(Child(waits_for_june)->waiting_since(), "2027-06-01");

  Place();
  for (const auto& id : kids) {
    auto c = Child(id);
    ASSERT_TRUE(c.has_value());
    EXPECT_TRUE(c->placement().status() == sv1::CHILD_STATUS_PLACED ||
                c->placement().status() == sv1::CHILD_STATUS_PROPOSED) << id;
    EXPECT_EQ(c->placement().place_id(), long_day) << "the nine hours the twins need; the sibling with them";
  }
  EXPECT_EQ(Child(waits_for_june)->placement().status(), sv1::CHILD_STATUS_WAITING) << "not sought in January";
  SetClock(absl::CivilSecond(2027, 4, 12, 8, 0, 0));
  Place();
  auto june = Child(waits_for_june);
  ASSERT_TRUE(june.has_value());
  EXPECT_NE(june->placement().status(), sv1::CHILD_STATUS_WAITING) << "sought eight weeks ahead";
  EXPECT_EQ(june->placement().place_id(), short_day) << "no hours said: the nearest Kita";
}

// German recorded at registration: A2 starts in phase 2, B1 in a regular
// class (no DaZ seat). Pupils imported with a school leave their seats over
// the DaZ time (24 weeks): after twelve, half the seats are free again.
TEST_F(SchoolWaitsTest, RecordedGermanStartsInPhaseTwoAndImportedPupilsMoveOn) {
  sv1::CreateSchoolRequest create;
  create.set_idempotency_key("school-imported");
  auto* school = create.mutable_school();
  school->set_name("GS Riesa");
  school->set_school_type(sv1::SCHOOL_TYPE_GS);
  *school->mutable_location() = At(kRiesaLat, kRiesaLon + 0.01, "Riesa");
  auto* full = school->add_classes();
  full->set_seats(10);
  full->set_imported_pupils(10);
  sv1::CreateSchoolResponse created;
  auto st = stub_->CreateSchool(Ctx().get(), create, &created);
  ASSERT_TRUE(st.ok()) << st.error_message();
  const std::string gs = created.school().school_id();

  auto req = testing::SampleWithChildren("hh-german", {"2018-10-01", "2019-03-01"});  // 8 and 7
  req.mutable_household()->mutable_members(1)->set_cefr_level("A2");
  req.mutable_household()->mutable_members(2)->set_cefr_level("B1");
  rv1::RegisterHouseholdResponse resp;
  ASSERT_TRUE(registry_stub_->RegisterHousehold(Ctx().get(), req, &resp).ok());
  const std::string a2 = resp.household().members(1).person_id();
  const std::string b1 = resp.household().members(2).person_id();
  ASSERT_TRUE(WaitUntil([&] { return Child(a2).has_value() && Child(b1).has_value(); }));
  auto regular = Child(b1);
  EXPECT_EQ(regular->placement().status(), sv1::CHILD_STATUS_LEFT);
  EXPECT_NE(regular->placement().reason().find("regular class"), std::string::npos) << regular->placement().reason();

  EXPECT_EQ(Place().placed(), 0) << "the imported pupils hold every seat";
  SetClock(absl::CivilSecond(2027, 3, 29, 8, 0, 0));  // twelve weeks on
  EXPECT_EQ(Place().placed(), 1);
  EXPECT_EQ(GetSchool(gs).classes(0).imported_pupils(), 5);
  auto pupil = Child(a2);
  ASSERT_TRUE(pupil.has_value());
  EXPECT_EQ(pupil->placement().place_id(), gs);
  EXPECT_EQ(pupil->placement().phase(), 2) << "A2 recorded: phase 2 from the start";
}

TEST_F(SchoolsE2ETest, ThreeChildrenGetAKitaAGrundschuleAndAnOberschuleNearHomeAndAgainAfterAMove) {
  const std::string kita = CreateKita("Kita Sonnenschein", At(kRiesaLat + 0.01, kRiesaLon, "Riesa"));
  const std::string gs = CreateSchool("4. Grundschule Riesa", sv1::SCHOOL_TYPE_GS, At(kRiesaLat, kRiesaLon + 0.01, "Riesa"), {20});
  const std::string far_gs = CreateSchool("GS weit weg", sv1::SCHOOL_TYPE_GS, At(kRiesaLat + 0.06, kRiesaLon, "Riesa"), {20});
  const std::string os = CreateSchool("Oberschule Riesa", sv1::SCHOOL_TYPE_OS, At(kRiesaLat - 0.01, kRiesaLon, "Riesa"), {20});
  const std::string meissen_gs = CreateSchool("Johannes-Grundschule Meißen", sv1::SCHOOL_TYPE_GS,
                                              At(kMeissenLat, kMeissenLon, "Meißen"), {20});
  const std::string meissen_os = CreateSchool("Pestalozzi-Oberschule Meißen", sv1::SCHOOL_TYPE_OS,
                                              At(kMeissenLat + 0.01, kMeissenLon, "Meißen"), {20});
  const std::string meissen_kita = CreateKita("Kita Meißen", At(kMeissenLat, kMeissenLon + 0.01, "Meißen"));

  auto ids = Register("hh-three", {"2024-05-01", "2019-09-03", "2014-03-01"});  // 2, 7 and 12 years old
  ASSERT_EQ(ids.size(), 4u);
  EXPECT_FALSE(Child(ids[0]).has_value()) << "the mother is no child";
  auto toddler = WaitPlaced(ids[1]);
  auto pupil = WaitPlaced(ids[2]);
  auto older = WaitPlaced(ids[3]);
  ASSERT_TRUE(toddler && pupil && older);
  EXPECT_EQ(toddler->age_group(), sv1::AGE_GROUP_UNDER_3);
  EXPECT_EQ(toddler->placement().place_id(), kita);
  EXPECT_EQ(pupil->school_type(), sv1::SCHOOL_TYPE_GS);
  EXPECT_EQ(pupil->placement().place_id(), gs) << "the near school, not the far one";
  EXPECT_EQ(pupil->placement().phase(), 1);
  EXPECT_LT(pupil->placement().km(), 2.0);
  EXPECT_EQ(older->school_type(), sv1::SCHOOL_TYPE_OS);
  EXPECT_EQ(older->placement().place_id(), os);
  EXPECT_EQ(GetSchool(gs).classes(0).pupils(), 1);
  EXPECT_EQ(GetSchool(far_gs).classes(0).pupils(), 0);

  // The phase model: at phase 3 the DaZ seat is free again.
  for (int phase : {2, 3}) {
    sv1::AdvancePhaseRequest advance;
    advance.set_idempotency_key("phase-" + std::to_string(phase));
    advance.set_person_id(ids[2]);
    advance.set_phase(phase);
    sv1::AdvancePhaseResponse advanced;
    auto s = stub_->AdvancePhase(Ctx().get(), advance, &advanced);
    ASSERT_TRUE(s.ok()) << s.error_message();
    EXPECT_EQ(advanced.child().placement().phase(), phase);
  }
  EXPECT_EQ(GetSchool(gs).classes(0).pupils(), 0);

  // The family moves to Meißen: everyone is placed again near the new home.
  rv1::RelocateHouseholdRequest move;
  move.set_idempotency_key("move-1");
  move.set_household_id(household_id_);
  move.set_municipality_ags("14627170");
  move.set_social_area("Meißen");
  move.mutable_location()->set_lat(kMeissenLat);
  move.mutable_location()->set_lon(kMeissenLon);
  rv1::RelocateHouseholdResponse moved;
  auto s = registry_stub_->RelocateHousehold(Ctx().get(), move, &moved);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_TRUE(WaitPlaced(ids[1], meissen_kita));
  EXPECT_TRUE(WaitPlaced(ids[2], meissen_gs));
  EXPECT_TRUE(WaitPlaced(ids[3], meissen_os));
  EXPECT_EQ(GetSchool(os).classes(0).pupils(), 0) << "the seat in Riesa is free again";
}

TEST_F(SchoolsE2ETest, TheMeissenTableImportsWithItsTotalsAndARetryWritesNothingTwice) {
  std::ifstream in(ANKOMMEN_MEISSEN_CSV);
  std::stringstream csv;
  csv << in.rdbuf();
  sv1::ImportSchoolsRequest req;
  req.set_idempotency_key("meissen-2017");
  req.set_csv(csv.str() + "Kaputte Schule,XS,Riesa,1,1,1\n");
  req.set_default_municipality_ags("14627000");
  for (auto [area, lat, lon] : std::vector<std::tuple<std::string, double, double>>{
           {"Großenhain", 51.289, 13.524}, {"Radebeul", 51.106, 13.660}, {"Riesa", 51.308, 13.294},
           {"Meißen", 51.164, 13.477}}) {
    (*req.mutable_area_locations())[area].set_lat(lat);
    (*req.mutable_area_locations())[area].set_lon(lon);
  }
  sv1::ImportSchoolsResponse resp;
  auto s = stub_->ImportSchools(Ctx().get(), req, &resp);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(resp.imported(), 19);
  ASSERT_EQ(resp.rejected_size(), 1);
  EXPECT_EQ(resp.rejected(0).line(), 21);
  std::map<int, sv1::TypeTotals> totals;
  for (const auto& t : resp.totals()) totals[t.school_type()] = t;
  EXPECT_EQ(totals[sv1::SCHOOL_TYPE_GS].pupils(), 199);
  EXPECT_EQ(totals[sv1::SCHOOL_TYPE_GS].classes(), 12);
  EXPECT_EQ(totals[sv1::SCHOOL_TYPE_GS].reserve(), 77);
  EXPECT_EQ(totals[sv1::SCHOOL_TYPE_OS].pupils(), 182);
  EXPECT_EQ(totals[sv1::SCHOOL_TYPE_OS].reserve(), 50);
  EXPECT_EQ(totals[sv1::SCHOOL_TYPE_BSZ].pupils(), 136);
  EXPECT_EQ(totals[sv1::SCHOOL_TYPE_BSZ].classes(), 9);
  EXPECT_EQ(totals[sv1::SCHOOL_TYPE_BSZ].reserve(), 71);

  // The stored schools add up to the same reserve.
  auto reserve_by_type = [&] {
    sv1::GetCapacityResponse capacity;
    EXPECT_TRUE(stub_->GetCapacity(Ctx().get(), {}, &capacity).ok());
    std::map<int, std::pair<int, int>> out;  // type -> used, free
    for (const auto& row : capacity.areas()) {
      out[row.school_type()].first += row.used();
      out[row.school_type()].second += row.free();
    }
    return out;
  };
  auto stored = reserve_by_type();
  EXPECT_EQ(stored[sv1::SCHOOL_TYPE_GS], std::make_pair(199, 77));
  EXPECT_EQ(stored[sv1::SCHOOL_TYPE_OS], std::make_pair(182, 50));
  EXPECT_EQ(stored[sv1::SCHOOL_TYPE_BSZ], std::make_pair(136, 71));

  sv1::ImportSchoolsResponse again;
  ASSERT_TRUE(stub_->ImportSchools(Ctx().get(), req, &again).ok());
  EXPECT_EQ(reserve_by_type(), stored) << "the retry wrote nothing twice";
}

TEST_F(SchoolsE2ETest, TwoReplicasPlacingAtOnceNeverOverfillAClassAndTheGapIsReported) {
  auto second = StartSchools();  // a second replica on the same NATS and Redis
  auto second_stub =
      sv1::SchoolService::NewStub(grpc::CreateChannel(second->grpc_addr(), grpc::InsecureChannelCredentials()));
  const std::string gs = CreateSchool("Kleine GS", sv1::SCHOOL_TYPE_GS, At(kRiesaLat, kRiesaLon, "Riesa"), {2, 1});
  std::vector<std::string> children;
  for (int i = 0; i < 6; ++i) children.push_back(Register("hh-" + std::to_string(i), {"2019-09-03"})[1]);
  ASSERT_TRUE(WaitUntil([&] {
    for (const auto& c : children) {
      if (!Child(c)) return false;
    }
    return true;
  }));
  std::vector<std::thread> threads;
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&, i] {
      sv1::RunPlacementResponse resp;
      auto* stub = i % 2 ? second_stub.get() : stub_.get();
      (void)stub->RunPlacement(Ctx().get(), {}, &resp);  // OK or ABORTED (the other replica runs)
    });
  }
  for (auto& t : threads) t.join();
  ASSERT_TRUE(WaitUntil([&] {
    int placed = 0;
    for (const auto& c : children) {
      const auto child = Child(c);
      placed += child && child->placement().status() == sv1::CHILD_STATUS_PLACED;
    }
    return placed == 3;
  })) << "three seats, three placed";
  sv1::School school = GetSchool(gs);
  for (const auto& c : school.classes()) EXPECT_LE(c.pupils(), c.seats());
  EXPECT_EQ(school.reserve(), 0);

  sv1::GetCapacityRequest riesa;
  riesa.set_social_area("Riesa");
  sv1::GetCapacityResponse capacity;
  ASSERT_TRUE(stub_->GetCapacity(Ctx().get(), riesa, &capacity).ok());
  ASSERT_EQ(capacity.areas_size(), 1);
  EXPECT_EQ(capacity.areas(0).waiting(), 3) << "not dropped: still waiting and counted";
  EXPECT_EQ(capacity.areas(0).short_by(), 3);
  // The gap went out as an event (counts only).
  auto bus = Bus::Connect(nats_.url(), "e2e-reader", nullptr);
  ASSERT_TRUE(bus.ok());
  ASSERT_TRUE(WaitUntil([&] {
    auto events = (*bus)->ReadStream("SCHOOLS", 1, 100);
    if (!events.ok()) return false;
    for (const auto& e : *events) {
      sv1::CapacityGapDetected gap;
      if (e.subject == "ankommen.schools.gap.detected" && gap.ParseFromString(e.payload) && gap.short_by() == 3) {
        return true;
      }
    }
    return false;
  }));
  std::string metrics = testing::HttpGet(schools_->metrics_port(), "/metrics");
  EXPECT_TRUE(WaitUntil([&] {
    metrics = testing::HttpGet(schools_->metrics_port(), "/metrics");
    return metrics.find("ankommen_school_children_waiting{school_type=\"gs\",social_area=\"Riesa\"} 3") !=
           std::string::npos;
  }, absl::Seconds(20))) << metrics;
}

TEST_F(SchoolsE2ETest, BadInputGetsAClearStatusAndChangesNothing) {
  sv1::CreateSchoolRequest negative;
  negative.set_idempotency_key("neg");
  negative.mutable_school()->set_name("GS");
  negative.mutable_school()->set_school_type(sv1::SCHOOL_TYPE_GS);
  *negative.mutable_school()->mutable_location() = At(kRiesaLat, kRiesaLon, "Riesa");
  negative.mutable_school()->add_classes()->set_seats(-3);
  sv1::CreateSchoolResponse created;
  auto s = stub_->CreateSchool(Ctx().get(), negative, &created);
  EXPECT_EQ(s.error_code(), grpc::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), ::testing::HasSubstr("school.classes[0].seats"));
  auto unknown = negative;
  unknown.set_idempotency_key("unknown");
  unknown.mutable_school()->mutable_classes(0)->set_seats(10);
  unknown.mutable_school()->set_school_type(static_cast<sv1::SchoolType>(9));
  EXPECT_EQ(stub_->CreateSchool(Ctx().get(), unknown, &created).error_code(), grpc::INVALID_ARGUMENT);
  sv1::RequestKitaRequest kita;
  kita.set_idempotency_key("k");
  kita.set_person_id("p_0000000000000000");
  kita.set_age_years(45);
  sv1::RequestKitaResponse kita_resp;
  EXPECT_EQ(stub_->RequestKita(Ctx().get(), kita, &kita_resp).error_code(), grpc::INVALID_ARGUMENT);
  sv1::AdvancePhaseRequest phase;
  phase.set_idempotency_key("p");
  phase.set_person_id("p_0000000000000000");
  phase.set_phase(4);
  sv1::AdvancePhaseResponse phase_resp;
  EXPECT_EQ(stub_->AdvancePhase(Ctx().get(), phase, &phase_resp).error_code(), grpc::INVALID_ARGUMENT);
  sv1::GetCapacityResponse capacity;
  ASSERT_TRUE(stub_->GetCapacity(Ctx().get(), {}, &capacity).ok());
  EXPECT_EQ(capacity.areas_size(), 0) << "nothing was created";

  // A class cannot go below its pupils.
  const std::string gs = CreateSchool("GS", sv1::SCHOOL_TYPE_GS, At(kRiesaLat, kRiesaLon, "Riesa"), {2});
  const std::string child = Register("hh-bad", {"2019-09-03"})[1];
  ASSERT_TRUE(WaitPlaced(child, gs));
  sv1::UpdateClassRequest cut;
  cut.set_idempotency_key("cut");
  cut.set_school_id(gs);
  cut.set_class_id(GetSchool(gs).classes(0).class_id());
  cut.set_seats(0);
  sv1::UpdateClassResponse cut_resp;
  EXPECT_EQ(stub_->UpdateClass(Ctx().get(), cut, &cut_resp).error_code(), grpc::FAILED_PRECONDITION);
  EXPECT_EQ(GetSchool(gs).classes(0).seats(), 2);
}

}  // namespace
}  // namespace ankommen
