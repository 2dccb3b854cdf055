// Erasure across the system (GDPR Art. 17), with the services as they ship
// on real NATS and Redis (casework among them, which assigns her household): a mother with a seat offered, a son placed at a
// school and a household offered a place, each told by e-mail. After she is
// erased, nothing of her is left in Redis — not her data, and not her
// pseudonymous id — except where the law or the system's safety needs it for
// a while:
//   the registry's audit log, which records the erasure itself (Art. 5(2));
//   keys that expire: the markers erased records leave, which outlive every
//   event that could bring them back (runtime/retention.h), and the records
//   of events already handled.
// Her printed letters are gone from the print room's folder. No event the
// services publish after the erasure names her; the registry's PersonErased,
// which tells them, is the only one. And when the services replay the
// registry's whole stream later — consumers created anew, the records of
// handled events expired — she does not come back.
#include <gmock/gmock.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <csignal>
#include <filesystem>
#include <set>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "ankommen/courses/v1/courses.grpc.pb.h"
#include "ankommen/housing/v1/housing.grpc.pb.h"
#include "ankommen/notifications/v1/notifications.grpc.pb.h"
#include "ankommen/registry/v1/events.pb.h"
#include "ankommen/registry/v1/registry.grpc.pb.h"
#include "ankommen/schools/v1/schools.grpc.pb.h"
#include "bus/bus.h"
#include "store/redis.h"
#include "support/erasure_scan.h"
#include "support/sample_courses.h"
#include "support/sample_households.h"
#include "support/servers.h"
#include "support/sinks.h"

namespace ankommen {
namespace {

namespace rv1 = ankommen::registry::v1;
namespace cv1 = ankommen::courses::v1;
namespace sv1 = ankommen::schools::v1;
namespace hv1 = ankommen::housing::v1;
namespace nv1 = ankommen::notifications::v1;

std::unique_ptr<grpc::ClientContext> Ctx() {
  auto ctx = std::make_unique<grpc::ClientContext>();
  ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(20));
  ctx->AddMetadata("x-ankommen-actor", "erasure-e2e");
  return ctx;
}

template <typename Service>
std::unique_ptr<typename Service::Stub> Connect(testing::ServiceProcess& service) {
  return Service::NewStub(grpc::CreateChannel(service.grpc_addr(), grpc::InsecureChannelCredentials()));
}

class ErasureE2ETest : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::map<std::string, std::string> fast = {{"ANKOMMEN_COURSES_ALLOCATION_PERIOD", "2"},
                                                     {"ANKOMMEN_SCHOOLS_PLACEMENT_PERIOD", "2"},
                                                     {"ANKOMMEN_HOUSING_ALLOCATION_PERIOD", "2"}};
    registry_ = std::make_unique<testing::ServiceProcess>(ANKOMMEN_REGISTRY_BINARY,
                                                          "ankommen.registry.v1.RegistryService", nats_, redis_);
    courses_ = std::make_unique<testing::ServiceProcess>(ANKOMMEN_COURSES_BINARY, "ankommen.courses.v1.CourseService",
                                                         nats_, redis_, fast);
    schools_ = std::make_unique<testing::ServiceProcess>(ANKOMMEN_SCHOOLS_BINARY, "ankommen.schools.v1.SchoolService",
                                                         nats_, redis_, fast);
    housing_ = std::make_unique<testing::ServiceProcess>(ANKOMMEN_HOUSING_BINARY,
                                                         "ankommen.housing.v1.HousingService", nats_, redis_, fast);
    notifications_ = std::make_unique<testing::ServiceProcess>(
        ANKOMMEN_NOTIFICATIONS_BINARY, "ankommen.notifications.v1.NotificationService", nats_, redis_,
        std::map<std::string, std::string>{{"ANKOMMEN_REGISTRY_ADDR", registry_->grpc_addr()},
                                           {"ANKOMMEN_NOTIFICATIONS_SMTP_URL", smtp_.url()},
                                           {"ANKOMMEN_NOTIFICATIONS_LETTERS", letters_dir()}});
    casework_ = std::make_unique<testing::ServiceProcess>(ANKOMMEN_CASEWORK_BINARY,
                                                          "ankommen.casework.v1.CaseworkService", nats_, redis_);
    registry_stub_ = Connect<rv1::RegistryService>(*registry_);
    courses_stub_ = Connect<cv1::CourseService>(*courses_);
    schools_stub_ = Connect<sv1::SchoolService>(*schools_);
    housing_stub_ = Connect<hv1::HousingService>(*housing_);
    notifications_stub_ = Connect<nv1::NotificationService>(*notifications_);
    auto pool = RedisPool::Connect(redis_.url(), 1);
    ASSERT_TRUE(pool.ok());
    redis_pool_ = std::move(*pool);
    auto bus = Bus::Connect(nats_.url(), "erasure-e2e", nullptr);
    ASSERT_TRUE(bus.ok());
    bus_ = std::move(*bus);
  }

  // A course, a primary school and shared accommodation in Riesa.
  void OpenPlaces() {
    cv1::CreateProviderRequest p;
    p.set_idempotency_key("provider");
    p.mutable_provider()->set_name("VHS Riesa");
    cv1::CreateProviderResponse provider;
    ASSERT_TRUE(courses_stub_->CreateProvider(Ctx().get(), p, &provider).ok());
    cv1::CreateCourseResponse created_course;
    ASSERT_TRUE(courses_stub_
                    ->CreateCourse(Ctx().get(), testing::SampleCourse("course", provider.provider().provider_id()),
                                   &created_course)
                    .ok());

    sv1::CreateSchoolRequest s;
    s.set_idempotency_key("school");
    auto* school = s.mutable_school();
    school->set_name("Grundschule Riesa");
    school->set_school_type(sv1::SCHOOL_TYPE_GS);
    school->mutable_location()->set_municipality_ags("14627230");
    school->mutable_location()->set_social_area("Riesa");
    school->mutable_location()->mutable_coordinates()->set_lat(51.3078);
    school->mutable_location()->mutable_coordinates()->set_lon(13.2939);
    school->add_classes()->set_seats(10);
    sv1::CreateSchoolResponse created_school;
    ASSERT_TRUE(schools_stub_->CreateSchool(Ctx().get(), s, &created_school).ok());

    hv1::CreateAccommodationRequest a;
    a.set_idempotency_key("accommodation");
    auto* acc = a.mutable_accommodation();
    acc->set_kind(hv1::KIND_SHARED);
    acc->set_name("Gemeinschaftsunterkunft Riesa");
    acc->set_operator_("Landratsamt");
    acc->set_municipality_ags("14627230");
    acc->set_social_area("Riesa");
    acc->mutable_coordinates()->set_lat(51.3078);
    acc->mutable_coordinates()->set_lon(13.2939);
    acc->set_beds(20);
    acc->set_rooms(10);
    acc->set_square_metres(200);
    hv1::CreateAccommodationResponse created_acc;
    ASSERT_TRUE(housing_stub_->CreateAccommodation(Ctx().get(), a, &created_acc).ok());
  }

  std::vector<nv1::Message> Delivered(const std::string& person_id) {
    nv1::GetMessagesRequest req;
    req.set_person_id(person_id);
    nv1::GetMessagesResponse resp;
    std::vector<nv1::Message> out;
    if (!notifications_stub_->GetMessages(Ctx().get(), req, &resp).ok()) return out;
    for (const auto& m : resp.messages()) {
      if (m.status() == nv1::MESSAGE_STATUS_DELIVERED) out.push_back(m);
    }
    return out;
  }

  bool Settled() {
    for (const char* stream : {"REGISTRY", "COURSES", "SCHOOLS", "HOUSING"}) {
      auto u = bus_->Unfinished(stream);
      if (!u.ok() || *u != 0) return false;
    }
    return testing::OutboxLength(redis_, "*") == 0;  // every service's
  }

  // The service's scheduled allocation runs that finished since it started.
  static int RunsDone(const testing::ServiceProcess& service) {
    for (absl::string_view line : absl::StrSplit(testing::HttpGet(service.metrics_port(), "/metrics"), '\n')) {
      if (!absl::StartsWith(line, "ankommen_scheduled_runs_total{") || !absl::StrContains(line, "outcome=\"done\"")) {
        continue;
      }
      double value = 0;
      if (absl::SimpleAtod(line.substr(line.rfind(' ') + 1), &value)) return static_cast<int>(value);
    }
    return 0;
  }

  // Events the service's consumer handled since the service started (its
  // metrics: deliveries acknowledged or dead-lettered).
  static size_t Handled(const testing::ServiceProcess& service, const std::string& consumer) {
    size_t handled = 0;
    const std::string label = "consumer=\"" + consumer + "\"";
    for (absl::string_view line : absl::StrSplit(testing::HttpGet(service.metrics_port(), "/metrics"), '\n')) {
      if (!absl::StartsWith(line, "ankommen_events_consumed_total{") || !absl::StrContains(line, label) ||
          !(absl::StrContains(line, "result=\"ack\"") || absl::StrContains(line, "result=\"dead_letter\""))) {
        continue;
      }
      double value = 0;
      if (absl::SimpleAtod(line.substr(line.rfind(' ') + 1), &value)) handled += static_cast<size_t>(value);
    }
    return handled;
  }

  std::string letters_dir() const { return letters_.path() + "/letters"; }

  // The printed letters waiting in the print room's folder.
  std::set<std::string> Letters() const {
    std::set<std::string> names;
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator(letters_dir(), ec)) {
      names.insert(entry.path().filename().string());
    }
    return names;
  }

  size_t StreamLength(const char* stream) {
    auto all = bus_->ReadStream(stream, 1, 100000);
    return all.ok() ? all->size() : 0;
  }

  testing::TempDir letters_;
  testing::NatsServer nats_;
  testing::RedisServer redis_;
  testing::SmtpSink smtp_;
  std::unique_ptr<testing::ServiceProcess> registry_, courses_, schools_, housing_, notifications_, casework_;
  std::unique_ptr<rv1::RegistryService::Stub> registry_stub_;
  std::unique_ptr<cv1::CourseService::Stub> courses_stub_;
  std::unique_ptr<sv1::SchoolService::Stub> schools_stub_;
  std::unique_ptr<hv1::HousingService::Stub> housing_stub_;
  std::unique_ptr<nv1::NotificationService::Stub> notifications_stub_;
  std::unique_ptr<RedisPool> redis_pool_;
  std::unique_ptr<Bus> bus_;
};

TEST_F(ErasureE2ETest, NothingOfAnErasedPersonIsLeftButWhatTheLawAndLateEventsNeedForAWhile) {
  OpenPlaces();
  auto registration = testing::SampleRegistration("family");
  auto* mother = registration.mutable_household()->mutable_members(0);
  mother->set_residence_status(rv1::RESIDENCE_STATUS_PROTECTION_GRANTED);
  mother->mutable_needs()->set_childcare(false);
  // One of her messages goes by post: she asked for letters.
  mother->mutable_contact()->set_preferred_channel(rv1::CHANNEL_LETTER);
  rv1::RegisterHouseholdResponse registered;
  ASSERT_TRUE(registry_stub_->RegisterHousehold(Ctx().get(), registration, &registered).ok());
  const std::string amina = registered.household().members(0).person_id();
  const std::string yusuf = registered.household().members(1).person_id();

  // She is told of her seat, her son's school and the family's place.
  std::set<std::string> kinds;
  ASSERT_TRUE(testing::WaitUntil([&] {
    kinds.clear();
    for (const auto& m : Delivered(amina)) kinds.insert(m.kind());
    return kinds.size() == 3;
  }, 60000)) << "delivered so far: " << absl::StrJoin(kinds, ", ");
  EXPECT_THAT(kinds, ::testing::ElementsAre("housing_offered", "school_placed", "seat_offered"));
  ASSERT_TRUE(testing::WaitUntil([&] { return Settled(); }, 30000));
  const auto letters_before = Letters();
  ASSERT_EQ(letters_before.size(), 3u) << "her three messages, printed";
  // Positive control: the scan finds her id in every service that served her.
  const auto before = testing::TracesOf(redis_.port(), amina);
  for (const char* service : {"ankommen:registry:", "ankommen:courses:", "ankommen:schools:", "ankommen:housing:",
                              "ankommen:notifications:", "ankommen:casework:"}) {
    EXPECT_TRUE(std::any_of(before.begin(), before.end(), [&](const auto& t) { return absl::StartsWith(t.key, service); }))
        << service << " should know her before the erasure";
  }
  // An event about her that no service can read goes to the dead letters.
  ASSERT_TRUE(bus_->Publish({"ankommen.registry.household.registered", "ev_unreadable",
                             rv1::HouseholdRegistered::descriptor()->full_name(), "\xff\xff not an event about " + amina})
                  .ok());
  ASSERT_TRUE(testing::WaitUntil([&] { return Settled() && StreamLength("DEAD_LETTERS") >= 3; }, 30000))
      << "the course, school and housing services dead-letter it";
  std::map<std::string, size_t> published_before;
  for (const char* stream : {"REGISTRY", "COURSES", "SCHOOLS", "HOUSING"}) published_before[stream] = StreamLength(stream);

  rv1::ErasePersonRequest erase;
  erase.set_idempotency_key("erase-amina");
  erase.set_person_id(amina);
  erase.set_reason("Art. 17 request of 2026-11-23");
  rv1::ErasePersonResponse erased;
  ASSERT_TRUE(registry_stub_->ErasePerson(Ctx().get(), erase, &erased).ok());
  ASSERT_TRUE(testing::WaitUntil([&] { return Settled() && Delivered(amina).empty(); }, 30000));
  // Two scheduled runs of the course and the housing allocation after it, to
  // see that none brings her back.
  const int courses_runs = RunsDone(*courses_), housing_runs = RunsDone(*housing_);
  ASSERT_TRUE(testing::WaitUntil([&] {
    return RunsDone(*courses_) >= courses_runs + 2 && RunsDone(*housing_) >= housing_runs + 2;
  }, 30000)) << "allocation runs: courses " << RunsDone(*courses_) << ", housing " << RunsDone(*housing_);
  ASSERT_TRUE(testing::WaitUntil([&] { return Settled(); }, 30000));

  // What is left names her only where the law or late events need it, and expires.
  const long long marker_ttl = absl::ToInt64Seconds(ErasureMarkerTtl());
  const auto after = testing::TracesOf(redis_.port(), amina);
  const auto kept_for_good = testing::KeptForGood(after, marker_ttl);
  const auto kept_by_law = std::count_if(after.begin(), after.end(), [](const auto& t) { return absl::EndsWith(t.key, ":audit"); });
  // The markers outlive the streams: no event still kept can bring her back.
  const long long event_retention = absl::ToInt64Seconds(EventRetention());
  const auto markers = std::count_if(after.begin(), after.end(), [&](const auto& t) { return t.ttl_seconds > event_retention; });
  std::printf("erasure: %zu keys named her before; after: %zu (%ld audit streams, kept by law; %ld markers outliving "
              "the streams; the rest expiring), %zu kept for good\n",
              before.size(), after.size(), static_cast<long>(kept_by_law), static_cast<long>(markers),
              kept_for_good.size());
  EXPECT_THAT(kept_for_good, ::testing::IsEmpty());
  EXPECT_GE(kept_by_law, 1) << "the erasure itself is recorded";
  EXPECT_GE(markers, 3) << "the registry's, the course service's and the notification service's markers";
  EXPECT_THAT(Letters(), ::testing::IsEmpty()) << "her letters were: " << absl::StrJoin(letters_before, ", ");
  // The dead letters hold no copy of the event, only where it is.
  auto dead = bus_->ReadStream("DEAD_LETTERS", 1, 1000);
  ASSERT_TRUE(dead.ok());
  ASSERT_GE(dead->size(), 3u);
  for (const auto& letter : *dead) {
    EXPECT_EQ(letter.payload.find(amina), std::string::npos) << letter.subject;
    EXPECT_EQ(letter.original_stream, "REGISTRY") << letter.subject;
    EXPECT_GT(letter.original_sequence, 0u) << letter.subject;
  }

  // Her son stays, known to his school.
  sv1::GetChildRequest child;
  child.set_person_id(yusuf);
  sv1::GetChildResponse got;
  EXPECT_TRUE(schools_stub_->GetChild(Ctx().get(), child, &got).ok());

  // No event since names her, but the registry's one that told the services.
  int naming_her = 0, erasure_notices = 0;
  for (const auto& [stream, count] : published_before) {
    auto events = bus_->ReadStream(stream, count + 1, 100000);
    ASSERT_TRUE(events.ok());
    for (const auto& e : *events) {
      if (e.payload.find(amina) == std::string::npos) continue;
      if (e.subject == "ankommen.registry.person.erased") ++erasure_notices;
      else ++naming_her;
    }
  }
  EXPECT_EQ(erasure_notices, 1);
  EXPECT_EQ(naming_her, 0);

  // Later, the records of handled events have expired (deleted here) and the
  // consumers of the registry's stream are created anew: the services replay
  // it from its first event, her registration among them.
  for (auto* service : {courses_.get(), schools_.get(), housing_.get(), notifications_.get(), casework_.get()}) {
    service->process().Stop(SIGTERM);
  }
  for (const auto& key : redis_.Keys("ankommen:*:inbox:*")) redis_.Command({"DEL", key});
  auto deleted = bus_->DeleteConsumers("REGISTRY");
  ASSERT_TRUE(deleted.ok());
  ASSERT_GE(*deleted, 5);
  for (auto* service : {courses_.get(), schools_.get(), housing_.get(), notifications_.get(), casework_.get()}) {
    service->Restart();
  }
  // Positive control: the services handled the whole stream again (the
  // notification service its persons' events, her erasure among them).
  const size_t registry_events = StreamLength("REGISTRY");
  ASSERT_TRUE(testing::WaitUntil([&] {
    return Settled() && Handled(*courses_, "courses-registry") >= registry_events &&
           Handled(*schools_, "schools-registry") >= registry_events &&
           Handled(*housing_, "housing-registry") >= registry_events &&
           Handled(*casework_, "casework-registry") >= registry_events &&
           Handled(*notifications_, "notifications-erasures") >= 1;
  }, 60000)) << "every service replays the registry's " << registry_events << " events";
  const auto after_replay = testing::TracesOf(redis_.port(), amina);
  EXPECT_THAT(testing::KeptForGood(after_replay, marker_ttl), ::testing::IsEmpty());
  EXPECT_LE(after_replay.size(), after.size()) << "the replay brought nothing of her back";
  EXPECT_THAT(Letters(), ::testing::IsEmpty());
}

}  // namespace
}  // namespace ankommen
