// The registry and the notification service with ANKOMMEN_AUTH=jwt: a call
// without a token, or with a forged or expired one, is UNAUTHENTICATED; a
// role that may not call a method is PERMISSION_DENIED; the roles that may,
// can — a course provider only for its own courses — and the notification
// service reads contact data with its own token.
#include <csignal>
#include <future>
#include <fstream>

#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include "grpc/reflection/v1alpha/reflection.grpc.pb.h"

#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "absl/time/clock.h"
#include <grpcpp/generic/generic_stub.h>

#include "ankommen/courses/v1/courses.grpc.pb.h"
#include "ankommen/courses/v1/events.pb.h"
#include "ankommen/notifications/v1/notifications.grpc.pb.h"
#include "bus/bus.h"
#include "bus/streams.h"
#include "ankommen/registry/v1/registry.grpc.pb.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "support/sample_households.h"
#include "support/servers.h"
#include "support/tokens.h"

namespace ankommen {
namespace {

namespace rv1 = ankommen::registry::v1;

class AuthE2ETest : public ::testing::Test {
 protected:
  void SetUp() override {
    key_file_ = dir_.path() + "/jwt.key";
    std::ofstream(key_file_) << testing::kTestSecret << "\n";
    registry_ = std::make_unique<testing::ServiceProcess>(ANKOMMEN_REGISTRY_BINARY,
                                                          "ankommen.registry.v1.RegistryService", nats_, redis_, Auth());
    stub_ = rv1::RegistryService::NewStub(grpc::CreateChannel(registry_->grpc_addr(), grpc::InsecureChannelCredentials()));
  }
  void TearDown() override {
    if (registry_) EXPECT_EQ(registry_->process().Stop(SIGTERM), 0) << registry_->process().Log();
  }

  std::map<std::string, std::string> Auth() const {
    // As shipped: tokens, and no development conveniences.
    return {{"ANKOMMEN_AUTH", "jwt"},
            {"ANKOMMEN_JWT_ALGORITHM", "HS256"},
            {"ANKOMMEN_JWT_KEY_FILE", key_file_},
            {"ANKOMMEN_JWT_ISSUER", testing::kTestIssuer},
            {"ANKOMMEN_DEVELOPMENT", "off"},
            {"ANKOMMEN_SOCIAL_AREAS", "Riesa,Meißen,Großenhain,Radebeul"}};
  }

  static std::string Token(std::vector<std::string> roles, long expires_in = 600) {
    testing::TokenSpec spec;
    spec.subject = "abh-meissen-7";
    spec.roles = std::move(roles);
    spec.expires_in_seconds = expires_in;
    return testing::MintToken(spec);
  }

  // Registers the sample household with this token (empty: none); the status.
  grpc::Status Register(const std::string& token, rv1::RegisterHouseholdResponse* out = nullptr) {
    grpc::ClientContext ctx;
    if (!token.empty()) ctx.AddMetadata("authorization", "Bearer " + token);
    auto request = testing::SampleRegistration("auth-" + std::to_string(++calls_));
    rv1::RegisterHouseholdResponse response;
    return stub_->RegisterHousehold(&ctx, request, out ? out : &response);
  }

  grpc::Status GetContact(const std::string& token, const std::string& person_id) {
    grpc::ClientContext ctx;
    ctx.AddMetadata("authorization", "Bearer " + token);
    rv1::GetContactRequest request;
    request.set_person_id(person_id);
    request.set_purpose("test");
    rv1::GetContactResponse response;
    return stub_->GetContact(&ctx, request, &response);
  }

  testing::NatsServer nats_;
  testing::RedisServer redis_;
  testing::TempDir dir_;
  std::string key_file_;
  int calls_ = 0;
  std::unique_ptr<testing::ServiceProcess> registry_;
  std::unique_ptr<rv1::RegistryService::Stub> stub_;
};

TEST_F(AuthE2ETest, NoTokenOrABadOneIsUnauthenticated) {
  EXPECT_EQ(Register("").error_code(), grpc::StatusCode::UNAUTHENTICATED);
  testing::TokenSpec forged;
  forged.roles = {"foreigners_office"};
  forged.secret = "guessed";
  EXPECT_EQ(Register(testing::MintToken(forged)).error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(Register(Token({"foreigners_office"}, -3600)).error_code(), grpc::StatusCode::UNAUTHENTICATED);
  testing::TokenSpec unsigned_token;
  unsigned_token.roles = {"district_admin"};
  unsigned_token.unsigned_none = true;
  EXPECT_EQ(Register(testing::MintToken(unsigned_token)).error_code(), grpc::StatusCode::UNAUTHENTICATED);
  // Probes need no token: the health service answers.
  auto health = grpc::health::v1::Health::NewStub(grpc::CreateChannel(registry_->grpc_addr(), grpc::InsecureChannelCredentials()));
  grpc::ClientContext ctx;
  grpc::health::v1::HealthCheckResponse serving;
  EXPECT_TRUE(health->Check(&ctx, grpc::health::v1::HealthCheckRequest(), &serving).ok());
}

TEST_F(AuthE2ETest, EachRoleMayDoItsPartAndNoMore) {
  auto denied = Register(Token({"planner", "caseworker"}));
  EXPECT_EQ(denied.error_code(), grpc::StatusCode::PERMISSION_DENIED) << denied.error_message();
  rv1::RegisterHouseholdResponse registered;
  auto ok = Register(Token({"foreigners_office"}), &registered);
  ASSERT_TRUE(ok.ok()) << ok.error_message();
  const std::string person = registered.household().members(0).person_id();

  // Contact data: for sending messages (and the registry's admins), not for the office that registered.
  EXPECT_EQ(GetContact(Token({"foreigners_office"}), person).error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_TRUE(GetContact(Token({"notifications"}), person).ok());
  EXPECT_TRUE(GetContact(Token({"district_admin"}), person).ok());
  EXPECT_NE(registry_->process().Log().find("\"event\":\"permission_denied\""), std::string::npos);
}

TEST_F(AuthE2ETest, TheNotificationServiceReadsContactsWithItsOwnToken) {
  rv1::RegisterHouseholdResponse registered;
  auto request = testing::SampleRegistration("auth-notify");
  request.mutable_household()->mutable_members(0)->set_residence_status(rv1::RESIDENCE_STATUS_PROTECTION_GRANTED);
  {
    grpc::ClientContext ctx;
    ctx.AddMetadata("authorization", "Bearer " + Token({"foreigners_office"}));
    ASSERT_TRUE(stub_->RegisterHousehold(&ctx, request, &registered).ok());
  }
  // Without its token, the notification service cannot read contacts; with it, it can.
  auto env = Auth();
  env["ANKOMMEN_REGISTRY_ADDR"] = registry_->grpc_addr();
  env["ANKOMMEN_NOTIFICATIONS_LETTERS"] = dir_.path() + "/letters";
  env["ANKOMMEN_TOKEN"] = [] {
    testing::TokenSpec spec;
    spec.subject = "ankommen-notifications";
    spec.roles = {"notifications"};
    return testing::MintToken(spec);
  }();
  testing::ServiceProcess notifications(ANKOMMEN_NOTIFICATIONS_BINARY, "ankommen.notifications.v1.NotificationService",
                                        nats_, redis_, env);
  auto stub = notifications::v1::NotificationService::NewStub(
      grpc::CreateChannel(notifications.grpc_addr(), grpc::InsecureChannelCredentials()));
  // Its own API wants a token as well.
  notifications::v1::GetMessagesRequest messages;
  messages.set_person_id(registered.household().members(0).person_id());
  notifications::v1::GetMessagesResponse out;
  {
    grpc::ClientContext ctx;
    EXPECT_EQ(stub->GetMessages(&ctx, messages, &out).error_code(), grpc::StatusCode::UNAUTHENTICATED);
  }
  // A seat offered to her: the letter can only be written once the
  // notification service has read her name from the registry with its token.
  courses::v1::SeatOffered offer;
  offer.mutable_meta()->set_event_id("ev_offer_auth");
  offer.mutable_meta()->mutable_occurred_at()->set_seconds(absl::ToUnixSeconds(absl::Now()));
  offer.set_person_id(messages.person_id());
  offer.set_offer_id("of_0123456789abcdef");
  offer.set_course_title("Integrationskurs Riesa");
  offer.set_start_date("2027-02-01");
  offer.mutable_deadline()->set_seconds(absl::ToUnixSeconds(absl::Now() + absl::Hours(24 * 7)));
  auto bus = Bus::Connect(nats_.url(), "test", nullptr);
  ASSERT_TRUE(bus.ok());
  ASSERT_TRUE((*bus)->Publish({streams::kSeatOffered, "ev_offer_auth", offer.GetDescriptor()->full_name(),
                               offer.SerializeAsString()}).ok());
  EXPECT_TRUE(testing::WaitUntil([&] {
    grpc::ClientContext ctx;
    ctx.AddMetadata("authorization", "Bearer " + Token({"caseworker"}));
    return stub->GetMessages(&ctx, messages, &out).ok() && out.messages_size() == 1 &&
           out.messages(0).status() == notifications::v1::MESSAGE_STATUS_DELIVERED;
  })) << out.DebugString() << notifications.process().Log();
  EXPECT_EQ(notifications.process().Stop(SIGTERM), 0);
}

TEST_F(AuthE2ETest, ACourseProviderManagesOnlyItsOwnCourses) {
  namespace cv1 = courses::v1;
  testing::ServiceProcess courses(ANKOMMEN_COURSES_BINARY, "ankommen.courses.v1.CourseService", nats_, redis_, Auth());
  auto stub = cv1::CourseService::NewStub(grpc::CreateChannel(courses.grpc_addr(), grpc::InsecureChannelCredentials()));
  auto provider = [&](const std::string& name) {
    grpc::ClientContext ctx;
    ctx.AddMetadata("authorization", "Bearer " + Token({"integration_office"}));
    cv1::CreateProviderRequest request;
    request.set_idempotency_key("provider-" + std::to_string(name.size()));
    request.mutable_provider()->set_name(name);
    cv1::CreateProviderResponse response;
    auto s = stub->CreateProvider(&ctx, request, &response);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return response.provider().provider_id();
  };
  const std::string vhs = provider("VHS Meißen"), other = provider("Sprachschule Elbland");
  auto create = [&](const std::string& provider_id) {
    testing::TokenSpec spec;
    spec.subject = "vhs-kursplanung";
    spec.roles = {"course_provider"};
    spec.provider_id = vhs;
    grpc::ClientContext ctx;
    ctx.AddMetadata("authorization", "Bearer " + testing::MintToken(spec));
    cv1::CreateCourseRequest request;
    request.set_idempotency_key("course-for-" + provider_id);
    auto* c = request.mutable_course();
    c->set_provider_id(provider_id);
    c->set_title("Integrationskurs Meißen");
    c->set_course_type(cv1::COURSE_TYPE_INTEGRATION_GENERAL);
    c->mutable_location()->set_municipality_ags("14627140");
    c->mutable_location()->set_social_area("Meißen");
    c->mutable_location()->mutable_coordinates()->set_lat(51.16);
    c->mutable_location()->mutable_coordinates()->set_lon(13.47);
    // Two months from now: a start date the validation accepts whenever the test runs.
    c->set_start_date(absl::FormatCivilTime(absl::ToCivilDay(absl::Now() + absl::Hours(24 * 60), absl::UTCTimeZone())));
    c->set_schedule(cv1::SCHEDULE_MORNING);
    cv1::CreateCourseResponse response;
    return stub->CreateCourse(&ctx, request, &response);
  };
  auto own = create(vhs);
  EXPECT_TRUE(own.ok()) << own.error_message();
  auto foreign = create(other);
  EXPECT_EQ(foreign.error_code(), grpc::StatusCode::PERMISSION_DENIED) << foreign.error_message();
  EXPECT_EQ(courses.process().Stop(SIGTERM), 0);
}

TEST_F(AuthE2ETest, EveryServiceRefusesACallWithoutAToken) {
  // The other four on their own ports, each with access control on; an empty
  // request to one method of each (the token is checked before the request is read).
  const std::vector<std::tuple<const char*, const char*, const char*>> services = {
      {ANKOMMEN_COURSES_BINARY, "ankommen.courses.v1.CourseService", "ListCourses"},
      {ANKOMMEN_SCHOOLS_BINARY, "ankommen.schools.v1.SchoolService", "GetCapacity"},
      {ANKOMMEN_HOUSING_BINARY, "ankommen.housing.v1.HousingService", "GetFigures"},
      {ANKOMMEN_NOTIFICATIONS_BINARY, "ankommen.notifications.v1.NotificationService", "GetMessages"}};
  for (const auto& [binary, name, method] : services) {
    auto env = Auth();
    env["ANKOMMEN_REGISTRY_ADDR"] = registry_->grpc_addr();
    testing::ServiceProcess service(binary, name, nats_, redis_, env);
    grpc::GenericStub stub(grpc::CreateChannel(service.grpc_addr(), grpc::InsecureChannelCredentials()));
    for (const std::string& token : {std::string(), Token({"planner"}, -3600)}) {
      grpc::ClientContext ctx;
      if (!token.empty()) ctx.AddMetadata("authorization", "Bearer " + token);
      grpc::Slice nothing("");  // an empty message: every request type's defaults
      grpc::ByteBuffer empty(&nothing, 1), out;
      std::promise<grpc::Status> done;
      stub.UnaryCall(&ctx, absl::StrCat("/", name, "/", method), grpc::StubOptions(), &empty, &out,
                     [&done](grpc::Status s) { done.set_value(std::move(s)); });
      EXPECT_EQ(done.get_future().get().error_code(), grpc::StatusCode::UNAUTHENTICATED) << name << " " << token;
    }
    EXPECT_EQ(service.process().Stop(SIGTERM), 0) << service.process().Log();
  }
}

// Outside development, nobody learns the API's methods by reflection: a
// caller without a token finds only the health service.
TEST_F(AuthE2ETest, NoServerReflectionOutsideDevelopment) {
  auto channel = grpc::CreateChannel(registry_->grpc_addr(), grpc::InsecureChannelCredentials());
  auto reflection = grpc::reflection::v1alpha::ServerReflection::NewStub(channel);
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  auto stream = reflection->ServerReflectionInfo(&ctx);
  grpc::reflection::v1alpha::ServerReflectionRequest list;
  list.set_list_services("");
  stream->Write(list);
  stream->WritesDone();
  grpc::reflection::v1alpha::ServerReflectionResponse listed;
  EXPECT_FALSE(stream->Read(&listed));
  EXPECT_EQ(stream->Finish().error_code(), grpc::StatusCode::UNIMPLEMENTED);
}

// Answers carry what the caller's role may read (issue 23, items 1 and 5):
// the integration office's level record answers with ids and the level, a
// caseworker's read has no contact data, and a retried command's answer is
// audited as the read it is.
TEST_F(AuthE2ETest, AnswersCarryOnlyWhatTheRoleMayRead) {
  rv1::RegisterHouseholdResponse registered;
  ASSERT_TRUE(Register(Token({"foreigners_office"}), &registered).ok());
  EXPECT_FALSE(registered.household().members(0).has_contact()) << "the office may not call GetContact";
  EXPECT_FALSE(registered.household().members(0).given_names().empty());
  const std::string person = registered.household().members(0).person_id();

  rv1::RecordLanguageLevelRequest level;
  level.set_idempotency_key("level-1");
  level.set_person_id(person);
  level.set_cefr_level("A2");
  rv1::RecordLanguageLevelResponse recorded;
  {
    grpc::ClientContext ctx;
    ctx.AddMetadata("authorization", "Bearer " + Token({"integration_office"}));
    ASSERT_TRUE(stub_->RecordLanguageLevel(&ctx, level, &recorded).ok());
  }
  EXPECT_EQ(recorded.person().person_id(), person);
  EXPECT_EQ(recorded.person().cefr_level(), "A2");
  EXPECT_TRUE(recorded.person().given_names().empty());
  EXPECT_TRUE(recorded.person().birth_date().empty());
  EXPECT_FALSE(recorded.person().has_contact());

  rv1::GetPersonRequest read;
  read.set_person_id(person);
  read.set_purpose("Beratung");
  rv1::GetPersonResponse got;
  {
    grpc::ClientContext ctx;
    ctx.AddMetadata("authorization", "Bearer " + Token({"caseworker"}));
    ASSERT_TRUE(stub_->GetPerson(&ctx, read, &got).ok());
  }
  EXPECT_FALSE(got.person().given_names().empty());
  EXPECT_FALSE(got.person().has_contact());

  // The office retries a status change: the second answer is a read, audited.
  rv1::ChangeResidenceStatusRequest status;
  status.set_idempotency_key("status-1");
  status.set_person_id(person);
  status.set_residence_status(rv1::RESIDENCE_STATUS_PROTECTION_GRANTED);
  auto audit_entries = [&] {
    grpc::ClientContext ctx;
    ctx.AddMetadata("authorization", "Bearer " + Token({"data_protection_officer"}));
    rv1::QueryAuditRequest q;
    q.set_subject_id(person);
    rv1::QueryAuditResponse r;
    EXPECT_TRUE(stub_->QueryAudit(&ctx, q, &r).ok());
    return r;
  };
  for (int attempt = 0; attempt < 2; ++attempt) {
    grpc::ClientContext ctx;
    ctx.AddMetadata("authorization", "Bearer " + Token({"foreigners_office"}));
    rv1::ChangeResidenceStatusResponse changed;
    auto s = stub_->ChangeResidenceStatus(&ctx, status, &changed);
    ASSERT_TRUE(s.ok()) << s.error_message();
    EXPECT_FALSE(changed.person().given_names().empty());
  }
  int retried = 0;
  const rv1::QueryAuditResponse audit = audit_entries();
  for (const auto& r : audit.records()) {
    if (r.action() == "ChangeResidenceStatus" && r.purpose() == "answer to a retried command") ++retried;
  }
  EXPECT_EQ(retried, 1);
}

}  // namespace
}  // namespace ankommen
