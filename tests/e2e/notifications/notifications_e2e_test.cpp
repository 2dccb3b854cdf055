// The notification service as it ships, with the registry, the course
// service, real nats-server and redis-server, and loopback SMTP and HTTP
// servers: a seat offered to a person whose language is Arabic becomes one
// Arabic e-mail; a failing channel falls back, then the message is a dead
// letter until it is resent; a restart sends nothing twice.
#include <csignal>

#include <gmock/gmock.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include "absl/strings/escaping.h"
#include "ankommen/courses/v1/courses.grpc.pb.h"
#include "ankommen/notifications/v1/notifications.grpc.pb.h"
#include "ankommen/registry/v1/registry.grpc.pb.h"
#include "support/sample_households.h"
#include "support/servers.h"
#include "support/sinks.h"

namespace ankommen {
namespace {

namespace cv1 = ankommen::courses::v1;
namespace nv1 = ankommen::notifications::v1;
namespace rv1 = ankommen::registry::v1;

class NotificationsE2ETest : public ::testing::Test {
 protected:
  void SetUp() override {
    registry_ = std::make_unique<testing::ServiceProcess>(ANKOMMEN_REGISTRY_BINARY,
                                                          "ankommen.registry.v1.RegistryService", nats_, redis_);
    courses_ = std::make_unique<testing::ServiceProcess>(
        ANKOMMEN_COURSES_BINARY, "ankommen.courses.v1.CourseService", nats_, redis_,
        std::map<std::string, std::string>{{"ANKOMMEN_COURSES_ALLOCATION_PERIOD", "3600"}});
    registry_stub_ = rv1::RegistryService::NewStub(
        grpc::CreateChannel(registry_->grpc_addr(), grpc::InsecureChannelCredentials()));
    courses_stub_ = cv1::CourseService::NewStub(grpc::CreateChannel(courses_->grpc_addr(), grpc::InsecureChannelCredentials()));
  }

  void StartNotifications() {
    notifications_stub_.reset();
    notifications_ = std::make_unique<testing::ServiceProcess>(
        ANKOMMEN_NOTIFICATIONS_BINARY, "ankommen.notifications.v1.NotificationService", nats_, redis_,
        std::map<std::string, std::string>{{"ANKOMMEN_REGISTRY_ADDR", registry_->grpc_addr()},
                                           {"ANKOMMEN_NOTIFICATIONS_SMTP_URL", smtp_.url()},
                                           {"ANKOMMEN_NOTIFICATIONS_SMS_URL", sms_.url("/sms")},
                                           {"ANKOMMEN_NOTIFICATIONS_RETRY_ATTEMPTS", "2"},
                                           {"ANKOMMEN_NOTIFICATIONS_RETRY_FIRST_MS", "500"},
                                           {"ANKOMMEN_NOTIFICATIONS_CLAIM_SECONDS", "1"}});
    notifications_stub_ = nv1::NotificationService::NewStub(
        grpc::CreateChannel(notifications_->grpc_addr(), grpc::InsecureChannelCredentials()));
  }

  void TearDown() override {
    notifications_stub_.reset();
    courses_stub_.reset();
    registry_stub_.reset();
    if (notifications_) {
      EXPECT_EQ(notifications_->process().Stop(SIGTERM), 0) << notifications_->process().Log();
    }
  }

  static std::unique_ptr<grpc::ClientContext> Ctx() {
    auto ctx = std::make_unique<grpc::ClientContext>();
    ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(20));
    return ctx;
  }

  // Amina (Arabic, e-mail and phone), entitled to an integration course; her person id.
  std::string RegisterAmina() {
    auto req = testing::SampleRegistration("amina");
    req.mutable_household()->mutable_members(0)->set_residence_status(rv1::RESIDENCE_STATUS_PROTECTION_GRANTED);
    req.mutable_household()->mutable_members(0)->mutable_needs()->set_childcare(false);
    rv1::RegisterHouseholdResponse resp;
    EXPECT_TRUE(registry_stub_->RegisterHousehold(Ctx().get(), req, &resp).ok());
    return resp.household().members(0).person_id();
  }

  // A course in Riesa: the allocator offers Amina a seat.
  void OpenCourse() {
    cv1::CreateProviderRequest p;
    p.set_idempotency_key("provider");
    p.mutable_provider()->set_name("VHS Riesa");
    cv1::CreateProviderResponse provider;
    ASSERT_TRUE(courses_stub_->CreateProvider(Ctx().get(), p, &provider).ok());
    cv1::CreateCourseRequest c;
    c.set_idempotency_key("course");
    auto* course = c.mutable_course();
    course->set_provider_id(provider.provider().provider_id());
    course->set_title("Integrationskurs Riesa-Mitte");
    course->set_course_type(cv1::COURSE_TYPE_INTEGRATION_GENERAL);
    course->mutable_location()->set_municipality_ags("14627230");
    course->mutable_location()->set_social_area("Riesa");
    course->mutable_location()->mutable_coordinates()->set_lat(51.31);
    course->mutable_location()->mutable_coordinates()->set_lon(13.29);
    course->set_start_date("2027-01-11");
    course->set_schedule(cv1::SCHEDULE_MORNING);
    cv1::CreateCourseResponse created;
    auto s = courses_stub_->CreateCourse(Ctx().get(), c, &created);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }

  std::vector<nv1::Message> Messages(const std::string& person_id) {
    nv1::GetMessagesRequest req;
    req.set_person_id(person_id);
    nv1::GetMessagesResponse resp;
    if (!notifications_stub_->GetMessages(Ctx().get(), req, &resp).ok()) return {};
    return {resp.messages().begin(), resp.messages().end()};
  }

  std::optional<nv1::Message> WaitFor(const std::string& person_id, nv1::MessageStatus status) {
    std::optional<nv1::Message> found;
    testing::WaitUntil([&] {
      for (const auto& m : Messages(person_id)) {
        if (m.status() == status) found = m;
      }
      return found.has_value();
    }, 30000);
    return found;
  }

  testing::NatsServer nats_;
  testing::RedisServer redis_;
  testing::SmtpSink smtp_;
  testing::HttpSink sms_;
  std::unique_ptr<testing::ServiceProcess> registry_, courses_, notifications_;
  std::unique_ptr<rv1::RegistryService::Stub> registry_stub_;
  std::unique_ptr<cv1::CourseService::Stub> courses_stub_;
  std::unique_ptr<nv1::NotificationService::Stub> notifications_stub_;
};

TEST_F(NotificationsE2ETest, ASeatOfferReachesAnArabicSpeakerAsOneArabicEmail) {
  StartNotifications();
  const std::string amina = RegisterAmina();
  OpenCourse();
  auto delivered = WaitFor(amina, nv1::MESSAGE_STATUS_DELIVERED);
  ASSERT_TRUE(delivered.has_value()) << [&] {
    std::string all;
    for (const auto& m : Messages(amina)) all += m.DebugString();
    return all + notifications_->process().Log();
  }();
  EXPECT_EQ(delivered->kind(), "seat_offered");
  EXPECT_EQ(delivered->language(), "ar");
  EXPECT_EQ(delivered->channel(), "email");
  auto mails = smtp_.Mails();
  ASSERT_EQ(mails.size(), 1u);
  EXPECT_THAT(mails[0], ::testing::HasSubstr("To: amina.haddad@example.org"));
  EXPECT_THAT(mails[0], ::testing::HasSubstr("Content-Language: ar"));
  EXPECT_THAT(mails[0], ::testing::HasSubstr("Message-ID: <" + delivered->message_id() + "@ankommen>"));
  std::string encoded = mails[0].substr(mails[0].find("\r\n\r\n") + 4);
  encoded.erase(std::remove_if(encoded.begin(), encoded.end(), [](char c) { return c == '\r' || c == '\n'; }),
                encoded.end());
  std::string body;
  ASSERT_TRUE(absl::Base64Unescape(encoded, &body));
  EXPECT_THAT(body, ::testing::HasSubstr("يتوفر لك مقعد في دورة Integrationskurs Riesa-Mitte"));
  EXPECT_THAT(body, ::testing::HasSubstr("٢٠٢٧")) << "the start date in Arabic: " << body;
  EXPECT_EQ(Messages(amina).size(), 1u) << "one message for one offer";
  EXPECT_TRUE(sms_.Requests().empty());
}

TEST_F(NotificationsE2ETest, AFailingChannelFallsBackThenDeadLettersUntilResent) {
  smtp_.set_reject_recipients(true);  // the mailbox refuses: e-mail will never work
  sms_.set_status(503);               // the SMS gateway is down
  StartNotifications();
  const std::string amina = RegisterAmina();
  OpenCourse();
  auto dead = WaitFor(amina, nv1::MESSAGE_STATUS_DEAD);
  ASSERT_TRUE(dead.has_value());
  ASSERT_EQ(dead->attempts_size(), 3);
  EXPECT_EQ(dead->attempts(0).channel(), "email");
  EXPECT_EQ(dead->attempts(0).outcome(), "rejected");
  EXPECT_EQ(dead->attempts(1).channel(), "sms");
  EXPECT_EQ(dead->attempts(1).outcome(), "retry");
  EXPECT_EQ(dead->attempts(2).outcome(), "retry");
  EXPECT_EQ(sms_.Requests().size(), 2u) << "two attempts on the SMS channel";
  std::string metrics = testing::HttpGet(notifications_->metrics_port(), "/metrics");
  EXPECT_THAT(metrics, ::testing::HasSubstr("ankommen_notifications_dead_letters{channel=\"sms\"} 1"));
  EXPECT_THAT(metrics, ::testing::HasSubstr("ankommen_notifications_total{channel=\"email\",language=\"ar\",outcome=\"rejected\"} 1"));

  sms_.set_status(200);  // the gateway is back
  nv1::ResendRequest resend;
  resend.set_idempotency_key("resend-1");
  resend.set_message_id(dead->message_id());
  nv1::ResendResponse resent;
  auto s = notifications_stub_->Resend(Ctx().get(), resend, &resent);
  ASSERT_TRUE(s.ok()) << s.error_message();
  auto delivered = WaitFor(amina, nv1::MESSAGE_STATUS_DELIVERED);
  ASSERT_TRUE(delivered.has_value());
  EXPECT_EQ(delivered->channel(), "sms");
  auto requests = sms_.Requests();
  EXPECT_EQ(requests.back().headers["idempotency-key"], dead->message_id());
  EXPECT_THAT(requests.back().body, ::testing::HasSubstr("+4915112345678"));
}

TEST_F(NotificationsE2ETest, ARestartSendsNothingTwice) {
  const std::string amina = RegisterAmina();
  OpenCourse();  // the offer waits in JetStream: nobody consumes it yet
  StartNotifications();
  ASSERT_TRUE(WaitFor(amina, nv1::MESSAGE_STATUS_DELIVERED).has_value());
  // Killed hard and started again: unacknowledged events come again, due messages are looked at again.
  notifications_stub_.reset();
  notifications_->process().Stop(SIGKILL);
  StartNotifications();
  absl::SleepFor(absl::Seconds(3));
  EXPECT_EQ(smtp_.Mails().size(), 1u);
  EXPECT_EQ(Messages(amina).size(), 1u);
}

}  // namespace
}  // namespace ankommen
