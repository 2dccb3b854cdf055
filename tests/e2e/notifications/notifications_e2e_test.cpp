// The notification service as it ships, with the registry, the course
// service, real nats-server and redis-server, and loopback SMTP and HTTP
// servers: a seat offered to a person whose language is Arabic becomes one
// Arabic e-mail; a failing channel falls back, then the message is a dead
// letter until it is resent; a restart sends nothing twice; a person erased
// before sending gets nothing and no message of theirs is kept; a person who uses
// the district's app gets the offer there, by pseudonym only; an enrolment and
// a lease transfer reach the person, a capacity gap the area's social-work team.
#include <csignal>

#include <gmock/gmock.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/time/clock.h"
#include "ankommen/courses/v1/courses.grpc.pb.h"
#include "ankommen/courses/v1/events.pb.h"
#include "ankommen/housing/v1/events.pb.h"
#include "ankommen/schools/v1/events.pb.h"
#include "bus/bus.h"
#include "bus/streams.h"
#include "ankommen/notifications/v1/notifications.grpc.pb.h"
#include "ankommen/registry/v1/registry.grpc.pb.h"
#include "support/sample_courses.h"
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
                                           {"ANKOMMEN_NOTIFICATIONS_CLAIM_SECONDS", "1"},
                                           {"ANKOMMEN_NOTIFICATIONS_WEBHOOK_URL", app_.url("/app")},
                                           {"ANKOMMEN_NOTIFICATIONS_TEAMS", "Riesa=sozialarbeit.riesa@landkreis.example"}});
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
  std::string RegisterAmina(bool uses_app = false) {
    auto req = testing::SampleRegistration("amina");
    if (uses_app) {
      req.mutable_household()->mutable_members(0)->mutable_contact()->set_uses_app(true);
      req.mutable_household()->mutable_members(0)->mutable_contact()->set_preferred_channel(rv1::CHANNEL_APP);
    }
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
    cv1::CreateCourseResponse created;
    auto s = courses_stub_->CreateCourse(Ctx().get(), testing::SampleCourse("course", provider.provider().provider_id()),
                                         &created);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }

  std::vector<nv1::Message> Messages(const std::string& person_id) {
    nv1::GetMessagesRequest req;
    req.set_person_id(person_id);
    nv1::GetMessagesResponse resp;
    if (!notifications_stub_->GetMessages(Ctx().get(), req, &resp).ok()) return {};
    return {resp.messages().begin(), resp.messages().end()};
  }

  std::optional<nv1::Message> WaitFor(const std::string& person_id, nv1::MessageStatus status,
                                      const std::string& kind = "") {
    std::optional<nv1::Message> found;
    testing::WaitUntil([&] {
      for (const auto& m : Messages(person_id)) {
        if (m.status() == status && (kind.empty() || m.kind() == kind)) found = m;
      }
      return found.has_value();
    }, 30000);
    return found;
  }

  testing::NatsServer nats_;
  testing::RedisServer redis_;
  testing::SmtpSink smtp_;
  testing::HttpSink sms_;
  testing::HttpSink app_;
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
  // The German course title sits isolated (FSI … PDI) in the right-to-left text.
  EXPECT_THAT(body, ::testing::HasSubstr("يتوفر لك مقعد في دورة \u2068Integrationskurs Riesa-Mitte\u2069"));
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

TEST_F(NotificationsE2ETest, AKillAfterDeliveryAndARestartSendNothingAgain) {
  const std::string amina = RegisterAmina();
  OpenCourse();  // the offer waits in JetStream: nobody consumes it yet
  StartNotifications();
  ASSERT_TRUE(WaitFor(amina, nv1::MESSAGE_STATUS_DELIVERED).has_value());
  // Killed hard and started again: unacknowledged events come again, due messages are looked at again.
  notifications_stub_.reset();
  notifications_->process().Stop(SIGKILL);
  StartNotifications();
  // Done when its consumers have handled and acknowledged every event again.
  auto bus = Bus::Connect(nats_.url(), "test-reader", nullptr);
  ASSERT_TRUE(bus.ok()) << bus.status();
  ASSERT_TRUE(testing::WaitUntil([&] {
    for (const char* stream : {streams::kRegistry, streams::kCourses}) {
      auto unfinished = (*bus)->Unfinished(stream);
      if (!unfinished.ok() || *unfinished != 0) return false;
    }
    return testing::OutboxLength(redis_, "notifications") == 0;
  }, 15000));
  EXPECT_EQ(smtp_.Mails().size(), 1u);
  EXPECT_EQ(Messages(amina).size(), 1u);
}

// Killed in the middle of a send: the mail server has the mail and has not
// said so yet. The service cannot know whether it went, so it sends again —
// under the same Message-ID, by which the receiving side tells the second
// copy for the first (an SMS gateway by the Idempotency-Key, the same id).
TEST_F(NotificationsE2ETest, AKillInTheMiddleOfASendSendsAgainUnderTheSameMessageId) {
  smtp_.set_answer_delay_ms(5000);
  const std::string amina = RegisterAmina();
  OpenCourse();
  StartNotifications();
  ASSERT_TRUE(testing::WaitUntil([&] { return smtp_.Mails().size() == 1; }, 30000)) << "the mail was not sent";
  notifications_stub_.reset();
  notifications_->process().Stop(SIGKILL);
  smtp_.set_answer_delay_ms(0);
  StartNotifications();
  auto delivered = WaitFor(amina, nv1::MESSAGE_STATUS_DELIVERED);
  ASSERT_TRUE(delivered.has_value()) << notifications_->process().Log();
  ASSERT_TRUE(testing::WaitUntil([&] { return smtp_.Mails().size() == 2; }, 15000))
      << "after the kill the service should send again: it cannot know the first went";
  const auto ids = smtp_.MessageIds();
  ASSERT_EQ(ids.size(), 2u);
  EXPECT_EQ(ids[0], ids[1]) << "the second copy must carry the first's Message-ID";
  EXPECT_EQ(ids[0], "<" + delivered->message_id() + "@ankommen>");
  EXPECT_EQ(Messages(amina).size(), 1u) << "one message, sent twice: not two messages";
}

TEST_F(NotificationsE2ETest, APersonErasedBeforeSendingGetsNothingAndNothingOfThemIsKept) {
  const std::string amina = RegisterAmina();
  OpenCourse();
  // The offer is made (and waits in JetStream, nobody sends yet); then she is erased.
  ASSERT_TRUE(testing::WaitUntil([&] {
    cv1::GetLearnerRequest request;
    request.set_person_id(amina);
    cv1::GetLearnerResponse learner;
    return courses_stub_->GetLearner(Ctx().get(), request, &learner).ok() && learner.requests_size() == 1 &&
           learner.requests(0).status() == cv1::REQUEST_STATUS_OFFERED;
  }));
  rv1::ErasePersonRequest erase;
  erase.set_idempotency_key("erase");
  erase.set_person_id(amina);
  erase.set_reason("Art. 17 request");
  rv1::ErasePersonResponse erased;
  ASSERT_TRUE(registry_stub_->ErasePerson(Ctx().get(), erase, &erased).ok());
  StartNotifications();
  // The offer and the erasure arrive on two consumers in either order: the
  // message is not made, or it is deleted with her other messages.
  ASSERT_TRUE(testing::WaitUntil([&] {
    const std::string log = notifications_->process().Log();
    return absl::StrContains(log, "\"message_for_erased_person\"") ||
           absl::StrContains(log, "\"event\":\"person_messages_erased\",\"messages\":1");
  }, 30000)) << notifications_->process().Log();
  EXPECT_THAT(notifications_->process().Log(), ::testing::HasSubstr("person_messages_erased"));
  EXPECT_TRUE(Messages(amina).empty());
  EXPECT_TRUE(smtp_.Mails().empty());
  EXPECT_TRUE(sms_.Requests().empty());
  EXPECT_TRUE(app_.Requests().empty());
}

TEST_F(NotificationsE2ETest, AnAppUserGetsTheOfferInTheAppByPseudonymOnly) {
  StartNotifications();
  const std::string amina = RegisterAmina(/*uses_app=*/true);
  OpenCourse();
  auto delivered = WaitFor(amina, nv1::MESSAGE_STATUS_DELIVERED);
  ASSERT_TRUE(delivered.has_value()) << notifications_->process().Log();
  EXPECT_EQ(delivered->channel(), "webhook");
  auto requests = app_.Requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].path, "/app");
  EXPECT_THAT(requests[0].body, ::testing::HasSubstr("\"to\":\"" + amina + "\""));
  // The app knows her by her pseudonymous id: no name, address or number leaves for it.
  for (const char* personal : {"Haddad", "Amina", "amina.haddad", "+49151"}) {
    EXPECT_THAT(requests[0].body, ::testing::Not(::testing::HasSubstr(personal)));
  }
  EXPECT_TRUE(smtp_.Mails().empty());
}

TEST_F(NotificationsE2ETest, EnrolmentLeaseAndCapacityGapReachTheirRecipients) {
  StartNotifications();
  const std::string amina = RegisterAmina();
  OpenCourse();
  ASSERT_TRUE(WaitFor(amina, nv1::MESSAGE_STATUS_DELIVERED, "seat_offered").has_value());

  // She accepts: the enrolment is confirmed to her, with the course's start.
  cv1::GetLearnerRequest learner_request;
  learner_request.set_person_id(amina);
  cv1::GetLearnerResponse learner;
  ASSERT_TRUE(courses_stub_->GetLearner(Ctx().get(), learner_request, &learner).ok());
  ASSERT_EQ(learner.requests_size(), 1);
  cv1::AcceptOfferRequest accept;
  accept.set_idempotency_key("accept");
  accept.set_offer_id(learner.requests(0).offer().offer_id());
  cv1::AcceptOfferResponse accepted;
  ASSERT_TRUE(courses_stub_->AcceptOffer(Ctx().get(), accept, &accepted).ok());
  auto enrolment = WaitFor(amina, nv1::MESSAGE_STATUS_DELIVERED, "enrolment_started");
  ASSERT_TRUE(enrolment.has_value()) << notifications_->process().Log();
  EXPECT_EQ(enrolment->language(), "ar");

  // The housing service's events, as it publishes them: a lease she may take
  // over, a gap in Riesa (which has a team) and one in Meißen (which has none).
  auto bus = Bus::Connect(nats_.url(), "test", nullptr);
  ASSERT_TRUE(bus.ok()) << bus.status();
  auto publish = [&](const char* subject, const std::string& id, google::protobuf::Message& event) {
    auto* meta = static_cast<common::v1::EventMeta*>(
        event.GetReflection()->MutableMessage(&event, event.GetDescriptor()->FindFieldByName("meta")));
    meta->set_event_id(id);
    meta->mutable_occurred_at()->set_seconds(absl::ToUnixSeconds(absl::Now()));
    ASSERT_TRUE((*bus)->Publish({subject, id, event.GetDescriptor()->full_name(), event.SerializeAsString()}).ok());
  };
  housing::v1::LeaseTransfer lease;
  lease.set_household_id("hh_0123456789abcdef");
  lease.set_accommodation_id("acc_0123456789abcdef");
  lease.set_contact_person_id(amina);
  lease.set_accommodation_name("Wohnung Riesa Merzdorf");
  publish(streams::kLeaseOffered, "ev_lease1", lease);
  schools::v1::CapacityGapDetected gap;
  gap.set_social_area("Riesa");
  gap.set_school_type(schools::v1::SCHOOL_TYPE_GS);
  gap.set_waiting(7);
  gap.set_short_by(3);
  publish(streams::kCapacityGapDetected, "ev_gap_riesa", gap);
  gap.set_social_area("Meißen");
  publish(streams::kCapacityGapDetected, "ev_gap_meissen", gap);

  auto lease_message = WaitFor(amina, nv1::MESSAGE_STATUS_DELIVERED, "lease_offered");
  ASSERT_TRUE(lease_message.has_value()) << notifications_->process().Log();
  auto team = WaitFor("team:Riesa", nv1::MESSAGE_STATUS_DELIVERED, "staff_capacity_gap");
  ASSERT_TRUE(team.has_value()) << notifications_->process().Log();
  EXPECT_EQ(team->language(), "de");
  EXPECT_EQ(team->channel(), "email");
  bool team_mail = false;
  for (const auto& mail : smtp_.Mails()) team_mail = team_mail || mail.find("To: sozialarbeit.riesa@landkreis.example") != std::string::npos;
  EXPECT_TRUE(team_mail);
  EXPECT_TRUE(Messages("team:Meißen").empty()) << "no team address for Meißen: nobody to tell";
  EXPECT_EQ(Messages(amina).size(), 3u) << "offer, enrolment, lease: one message each";
}

TEST_F(NotificationsE2ETest, AnOfferTheDistrictWithdrawsIsToldUnlessTheRequestItselfClosed) {
  StartNotifications();
  const std::string amina = RegisterAmina();
  auto bus = Bus::Connect(nats_.url(), "test", nullptr);
  ASSERT_TRUE(bus.ok()) << bus.status();
  auto publish = [&](const char* subject, const std::string& id, cv1::OfferOutcome outcome,
                     cv1::WithdrawalReason reason) {
    cv1::OfferClosed e;
    e.mutable_meta()->set_event_id(id);
    e.mutable_meta()->mutable_occurred_at()->set_seconds(absl::ToUnixSeconds(absl::Now()));
    e.set_offer_id("of_" + id);
    e.set_person_id(amina);
    e.set_course_title("Integrationskurs Riesa-Mitte");
    e.set_outcome(outcome);
    e.set_withdrawal_reason(reason);
    ASSERT_TRUE((*bus)->Publish({subject, id, e.GetDescriptor()->full_name(), e.SerializeAsString()}).ok());
  };
  // In the order the courses service would: her request closed (nothing to
  // tell), then an offer withdrawn because the course filled, then a lapse.
  publish(streams::kOfferWithdrawn, "ev_closed", cv1::OFFER_OUTCOME_WITHDRAWN, cv1::WITHDRAWAL_REASON_REQUEST_CLOSED);
  publish(streams::kOfferWithdrawn, "ev_full", cv1::OFFER_OUTCOME_WITHDRAWN, cv1::WITHDRAWAL_REASON_COURSE_FULL);
  publish(streams::kOfferExpired, "ev_lapsed", cv1::OFFER_OUTCOME_EXPIRED, cv1::WITHDRAWAL_REASON_UNSPECIFIED);
  auto withdrawn = WaitFor(amina, nv1::MESSAGE_STATUS_DELIVERED, "offer_withdrawn");
  ASSERT_TRUE(withdrawn.has_value()) << notifications_->process().Log();
  EXPECT_EQ(withdrawn->language(), "ar");
  EXPECT_EQ(withdrawn->event_id(), "ev_full");
  ASSERT_TRUE(WaitFor(amina, nv1::MESSAGE_STATUS_DELIVERED, "offer_expired").has_value());
  EXPECT_EQ(Messages(amina).size(), 2u) << "nothing for the request she closed herself";
  bool arabic = false;
  for (const auto& mail : smtp_.Mails()) arabic = arabic || mail.find("Content-Language: ar") != std::string::npos;
  EXPECT_TRUE(arabic);
}

}  // namespace
}  // namespace ankommen
