// The mediators service as it ships, beside the registry, with real
// nats-server and redis-server, on a simulated clock: an office asks for a
// mediator for a registered person (the language comes from the registry),
// the matching proposes the trained mediator near the place, the
// coordinating office confirms; the mediator cancels and the request goes to
// the next one; the hours delivered reach the monthly export. A language no
// one speaks is a figure per language and area; a relative is never
// proposed; an absence releases a booking; an erasure ends the person's
// requests; bad input changes nothing; contact data is read only with a
// recorded purpose.
#include <csignal>

#include <gmock/gmock.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "ankommen/mediators/v1/mediators.grpc.pb.h"
#include "ankommen/registry/v1/registry.grpc.pb.h"
#include "support/sample_households.h"
#include "store/ids.h"
#include "support/servers.h"
#include "support/sinks.h"

namespace ankommen {
namespace {

namespace mv1 = ankommen::mediators::v1;
namespace rv1 = ankommen::registry::v1;
using ::testing::HasSubstr;

// Riesa's town hall, and two mediators' homes: one in town, one 20 km out.
constexpr double kRiesaLat = 51.3078, kRiesaLon = 13.2939;

// Monday 1 March 2027, 07:00 in Saxony: the simulated morning the offices start.
absl::Time Morning() {
  return absl::FromCivil(absl::CivilSecond(2027, 3, 1, 7, 0, 0), absl::FixedTimeZone(3600));
}

// given_names,…: the pool as the coordinating office keeps it. Line 4 names
// a language no code has, line 5 has no hours.
constexpr char kPool[] =
    "given_names,family_name,phone,email,languages,qualification,gender,social_areas,lat,lon,max_km,remote,windows,"
    "monthly_hours_cap\n"
    "Samira,Nasser,+4935251000001,,ar:apc;fr,trained,female,Riesa,51.31,13.29,30,no,mon 08:00-18:00;tue 08:00-18:00,40\n"
    "Karim,Aziz,,karim@example.org,ar,volunteer,male,Riesa,51.40,13.10,40,yes,mon 08:00-18:00,20\n"
    "Zoya,Rahimi,+4935251000003,,xx,certified,female,Riesa,51.31,13.29,30,no,mon 08:00-18:00,40\n"
    "Dawit,Tesfaye,+4935251000004,,ti,trained,male,Riesa,51.31,13.29,30,no,mon 08:00-18:00,\n";

class MediatorsE2ETest : public ::testing::Test {
 protected:
  void SetUp() override {
    SetClock(Morning());
    registry_ = std::make_unique<testing::ServiceProcess>(ANKOMMEN_REGISTRY_BINARY,
                                                          "ankommen.registry.v1.RegistryService", nats_, redis_);
    mediators_ = std::make_unique<testing::ServiceProcess>(
        ANKOMMEN_MEDIATORS_BINARY, "ankommen.mediators.v1.MediatorService", nats_, redis_,
        std::map<std::string, std::string>{{"ANKOMMEN_CLOCK", "simulated"}});
    registry_stub_ = rv1::RegistryService::NewStub(
        grpc::CreateChannel(registry_->grpc_addr(), grpc::InsecureChannelCredentials()));
    stub_ = mv1::MediatorService::NewStub(
        grpc::CreateChannel(mediators_->grpc_addr(), grpc::InsecureChannelCredentials()));
  }

  void TearDown() override {
    stub_.reset();
    registry_stub_.reset();
    EXPECT_EQ(mediators_->process().Stop(SIGTERM), 0) << mediators_->process().Log();
    EXPECT_EQ(registry_->process().Stop(SIGTERM), 0) << registry_->process().Log();
  }

  void SetClock(absl::Time t) { redis_.Command({"SET", "ankommen:clock", absl::StrCat(absl::ToUnixNanos(t))}); }

  static std::unique_ptr<grpc::ClientContext> Ctx(const std::string& actor = "amt-riesa") {
    auto ctx = std::make_unique<grpc::ClientContext>();
    ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(20));
    ctx->AddMetadata("x-ankommen-actor", actor);
    return ctx;
  }

  // The pool's two good rows (Samira and Karim); ids by family name.
  std::map<std::string, std::string> ImportPool() {
    mv1::ImportMediatorsRequest req;
    req.set_idempotency_key("pool-2027");
    req.set_csv(kPool);
    mv1::ImportMediatorsResponse resp;
    auto s = stub_->ImportMediators(Ctx().get(), req, &resp);
    EXPECT_TRUE(s.ok()) << s.error_message();
    EXPECT_EQ(resp.imported(), 2);
    std::map<std::string, std::string> ids;
    // The pool lists no names: contact data is read with a purpose, one mediator at a time.
    for (const auto& key : redis_.Keys("ankommen:mediators:*}:mediator:med_*")) {
      const std::string id = key.substr(key.rfind(':') + 1);
      mv1::GetMediatorContactRequest get;
      get.set_mediator_id(id);
      get.set_purpose("test: who is who");
      mv1::GetMediatorContactResponse contact;
      EXPECT_TRUE(stub_->GetMediatorContact(Ctx().get(), get, &contact).ok());
      ids[contact.contact().family_name()] = id;
    }
    return ids;
  }

  rv1::Household Register(const std::string& key) {
    auto req = testing::SampleRegistration(key);
    rv1::RegisterHouseholdResponse resp;
    auto s = registry_stub_->RegisterHousehold(Ctx().get(), req, &resp);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return resp.household();
  }

  // A request for an appointment in person at Riesa's town hall, at `hour` on Monday 1 March.
  mv1::RequestMediatorRequest Appointment(const std::string& key, int hour, mv1::Topic topic = mv1::TOPIC_HEALTH) {
    mv1::RequestMediatorRequest req;
    req.set_idempotency_key(key);
    auto* r = req.mutable_request();
    r->mutable_location()->set_lat(kRiesaLat);
    r->mutable_location()->set_lon(kRiesaLon);
    r->set_social_area("Riesa");
    r->mutable_start()->set_seconds(absl::ToUnixSeconds(Morning() + absl::Hours(hour - 7)));
    r->set_duration_minutes(60);
    r->set_topic(topic);
    return req;
  }

  // The request for a person, once the mediators service has heard of them from the registry.
  mv1::MediationRequest RequestFor(const std::string& person_id, mv1::RequestMediatorRequest req) {
    req.mutable_request()->set_person_id(person_id);
    mv1::RequestMediatorResponse resp;
    grpc::Status s;
    testing::WaitUntil([&] {
      s = stub_->RequestMediator(Ctx().get(), req, &resp);
      return s.error_code() != grpc::NOT_FOUND;
    });
    EXPECT_TRUE(s.ok()) << s.error_message();
    return resp.request();
  }

  mv1::RunMatchingResponse Match() {
    mv1::RunMatchingResponse resp;
    auto s = stub_->RunMatching(Ctx("servicestelle").get(), mv1::RunMatchingRequest(), &resp);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return resp;
  }

  mv1::MediationRequest Get(const std::string& id) {
    mv1::GetMediationRequestRequest req;
    req.set_request_id(id);
    mv1::GetMediationRequestResponse resp;
    EXPECT_TRUE(stub_->GetMediationRequest(Ctx().get(), req, &resp).ok());
    return resp.request();
  }

  grpc::Status Confirm(const std::string& id, mv1::MediationRequest* out = nullptr) {
    mv1::ConfirmProposalRequest req;
    req.set_idempotency_key("confirm-" + id + "-" + std::to_string(++keys_));
    req.set_request_id(id);
    mv1::ConfirmProposalResponse resp;
    auto s = stub_->ConfirmProposal(Ctx("servicestelle").get(), req, &resp);
    if (out) *out = resp.request();
    return s;
  }

  int keys_ = 0;
  testing::NatsServer nats_;
  testing::RedisServer redis_;
  std::unique_ptr<testing::ServiceProcess> registry_;
  std::unique_ptr<testing::ServiceProcess> mediators_;
  std::unique_ptr<rv1::RegistryService::Stub> registry_stub_;
  std::unique_ptr<mv1::MediatorService::Stub> stub_;
};

TEST_F(MediatorsE2ETest, APersonGetsAMediatorInTheirLanguageFromProposalToTheHoursBilled) {
  mv1::ImportMediatorsRequest import;
  import.set_idempotency_key("pool-2027");
  import.set_csv(kPool);
  mv1::ImportMediatorsResponse imported;
  ASSERT_TRUE(stub_->ImportMediators(Ctx().get(), import, &imported).ok());
  EXPECT_EQ(imported.imported(), 2);
  ASSERT_EQ(imported.rejected_size(), 2);
  EXPECT_EQ(imported.rejected(0).line(), 4);
  EXPECT_THAT(imported.rejected(0).reason(), HasSubstr("skills[0].language"));
  EXPECT_EQ(imported.rejected(1).line(), 5);
  EXPECT_THAT(imported.rejected(1).reason(), HasSubstr("monthly_hours_cap"));
  const auto ids = ImportPool();  // the same import again: nothing twice
  ASSERT_EQ(ids.size(), 2u);
  const std::string samira = ids.at("Nasser"), karim = ids.at("Aziz");

  const auto household = Register("hh-haddad");
  const std::string amina = household.members(0).person_id();
  auto request = RequestFor(amina, Appointment("arzt-1", 10));
  EXPECT_EQ(request.language(), "ar") << "the registry's preferred language";
  EXPECT_EQ(request.status(), mv1::REQUEST_STATUS_OPEN);
  EXPECT_EQ(request.office(), "unauthenticated:amt-riesa");
  EXPECT_EQ(RequestFor(amina, Appointment("arzt-1", 10)).request_id(), request.request_id())
      << "a retry with its key asks once";

  auto run = Match();
  EXPECT_EQ(run.proposed(), 1);
  auto proposed = Get(request.request_id());
  ASSERT_EQ(proposed.status(), mv1::REQUEST_STATUS_PROPOSED);
  EXPECT_EQ(proposed.proposed_mediator_id(), samira) << "trained and in town, for a doctor's appointment";

  mv1::MediationRequest booked;
  ASSERT_TRUE(Confirm(request.request_id(), &booked).ok());
  EXPECT_EQ(booked.status(), mv1::REQUEST_STATUS_BOOKED);
  EXPECT_EQ(booked.booked_mediator_id(), samira);

  // Samira falls ill: the request goes to the next one who speaks Arabic, not back to her.
  mv1::CancelBookingRequest cancel;
  cancel.set_idempotency_key("cancel-samira");
  cancel.set_request_id(request.request_id());
  cancel.set_by(mv1::CANCELLED_BY_MEDIATOR);
  cancel.set_reason("krank");
  mv1::CancelBookingResponse cancelled;
  ASSERT_TRUE(stub_->CancelBooking(Ctx("servicestelle").get(), cancel, &cancelled).ok());
  EXPECT_EQ(cancelled.request().status(), mv1::REQUEST_STATUS_OPEN);
  EXPECT_EQ(Match().proposed(), 1);
  EXPECT_EQ(Get(request.request_id()).proposed_mediator_id(), karim);
  ASSERT_TRUE(Confirm(request.request_id()).ok());

  // The appointment took place; its 75 minutes reach March's export.
  mv1::RecordOutcomeRequest outcome;
  outcome.set_idempotency_key("done-1");
  outcome.set_request_id(request.request_id());
  outcome.set_outcome(mv1::OUTCOME_DELIVERED);
  outcome.set_minutes_delivered(75);
  mv1::RecordOutcomeResponse recorded;
  EXPECT_EQ(stub_->RecordOutcome(Ctx().get(), outcome, &recorded).error_code(), grpc::FAILED_PRECONDITION)
      << "not before the appointment";
  SetClock(Morning() + absl::Hours(5));
  ASSERT_TRUE(stub_->RecordOutcome(Ctx().get(), outcome, &recorded).ok());
  EXPECT_EQ(recorded.request().status(), mv1::REQUEST_STATUS_DELIVERED);

  mv1::ExportHoursRequest month;
  month.set_month("2027-03");
  mv1::ExportHoursResponse hours;
  ASSERT_TRUE(stub_->ExportHours(Ctx("servicestelle").get(), month, &hours).ok());
  EXPECT_EQ(hours.csv(), absl::StrCat("office,mediator_id,appointments,minutes_delivered,no_shows_person,no_shows_mediator\n",
                                      "unauthenticated:amt-riesa,", karim, ",1,75,0,0\n"));

  mv1::GetFiguresResponse figures;
  ASSERT_TRUE(stub_->GetFigures(Ctx().get(), mv1::GetFiguresRequest(), &figures).ok());
  EXPECT_DOUBLE_EQ(figures.share_filled_by_trained(), 0.0) << "the booking that stood was the volunteer's";

  // Every read of contact data was recorded with its purpose; the metrics count bookings by qualification.
  EXPECT_EQ(redis_.Command({"XLEN", KeySpace("mediators").Key(PartitionOfId(samira), "audit")}), "1")
      << "ImportPool read Samira's contact once, with its purpose";
  std::string metrics;
  EXPECT_TRUE(testing::WaitUntil([&] {
    metrics = testing::HttpGet(mediators_->metrics_port(), "/metrics");
    return metrics.find("ankommen_mediators_booked_total{qualification=\"trained\"} 1") != std::string::npos &&
           metrics.find("ankommen_mediators_booked_total{qualification=\"volunteer\"} 1") != std::string::npos;
  })) << metrics;
  EXPECT_EQ(metrics.find("Nasser"), std::string::npos);
  EXPECT_EQ(metrics.find(amina), std::string::npos);
}

TEST_F(MediatorsE2ETest, ALanguageNoOneSpeaksIsAFigureARelativeIsNeverProposedAndAnAbsenceReleasesTheBooking) {
  const auto ids = ImportPool();
  const std::string samira = ids.at("Nasser"), karim = ids.at("Aziz");
  const auto household = Register("hh-haddad");
  const std::string amina = household.members(0).person_id();

  // Karim is the family's cousin: the office records it, and he is never proposed to them.
  mv1::GetMediatorRequest get;
  get.set_mediator_id(karim);
  mv1::GetMediatorResponse karim_now;
  ASSERT_TRUE(stub_->GetMediator(Ctx().get(), get, &karim_now).ok());
  mv1::UpsertMediatorRequest upsert;
  upsert.set_idempotency_key("karim-cousin");
  *upsert.mutable_mediator() = karim_now.mediator();
  upsert.mutable_mediator()->add_related_household_ids(household.household_id());
  mv1::UpsertMediatorResponse upserted;
  ASSERT_TRUE(stub_->UpsertMediator(Ctx().get(), upsert, &upserted).ok());
  EXPECT_EQ(upserted.mediator().version(), 2);

  auto ten = RequestFor(amina, Appointment("ten", 10));
  auto tigrinya = Appointment("tigrinya", 11, mv1::TOPIC_AUTHORITY);
  tigrinya.mutable_request()->set_language("ti");
  mv1::RequestMediatorResponse ti;
  ASSERT_TRUE(stub_->RequestMediator(Ctx().get(), tigrinya, &ti).ok());

  auto run = Match();
  EXPECT_EQ(run.proposed(), 1);
  EXPECT_EQ(run.unfilled(), 1);
  EXPECT_EQ(Get(ten.request_id()).proposed_mediator_id(), samira);
  auto unfilled = Get(ti.request().request_id());
  EXPECT_EQ(unfilled.status(), mv1::REQUEST_STATUS_UNFILLED);
  EXPECT_EQ(unfilled.unfilled_reason(), mv1::UNFILLED_REASON_NO_ONE_SPEAKS_IT);
  ASSERT_TRUE(Confirm(ten.request_id()).ok());

  // Samira is away on Monday: her booking is released, and the only other
  // Arabic speaker is the family's cousin, so no one may take it.
  mv1::RecordAbsenceRequest absence;
  absence.set_idempotency_key("samira-away");
  absence.set_mediator_id(samira);
  absence.mutable_absence()->set_from("2027-03-01");
  absence.mutable_absence()->set_to("2027-03-02");
  mv1::RecordAbsenceResponse away;
  ASSERT_TRUE(stub_->RecordAbsence(Ctx("servicestelle").get(), absence, &away).ok());
  ASSERT_EQ(away.requests_rematched_size(), 1);
  EXPECT_EQ(away.requests_rematched(0), ten.request_id());
  absence.set_idempotency_key("samira-away-again");
  absence.mutable_absence()->set_from("2027-03-02");
  absence.mutable_absence()->set_to("2027-03-05");
  grpc::Status overlapping = stub_->RecordAbsence(Ctx("servicestelle").get(), absence, &away);
  EXPECT_EQ(overlapping.error_code(), grpc::INVALID_ARGUMENT);
  EXPECT_THAT(overlapping.error_message(), HasSubstr("absences"));

  run = Match();
  EXPECT_EQ(run.proposed(), 0);
  auto released = Get(ten.request_id());
  EXPECT_EQ(released.status(), mv1::REQUEST_STATUS_UNFILLED);
  EXPECT_EQ(released.unfilled_reason(), mv1::UNFILLED_REASON_NO_ONE_FREE) << "Karim speaks it, but is family";

  // The office may not book him by hand either.
  mv1::ChooseMediatorRequest choose;
  choose.set_idempotency_key("choose-karim");
  choose.set_request_id(ten.request_id());
  choose.set_mediator_id(karim);
  choose.set_reason("no one else");
  mv1::ChooseMediatorResponse chosen;
  EXPECT_EQ(stub_->ChooseMediator(Ctx("servicestelle").get(), choose, &chosen).error_code(), grpc::FAILED_PRECONDITION);

  // The gap, per language and area, as the district recruits by it.
  mv1::GetFiguresResponse figures;
  ASSERT_TRUE(stub_->GetFigures(Ctx().get(), mv1::GetFiguresRequest(), &figures).ok());
  std::map<std::string, int> unfilled_by_language;
  for (const auto& f : figures.by_language()) unfilled_by_language[f.language() + "/" + f.social_area()] = f.unfilled();
  EXPECT_EQ(unfilled_by_language["ti/Riesa"], 1);
  EXPECT_EQ(unfilled_by_language["ar/Riesa"], 1);
  std::string metrics;
  EXPECT_TRUE(testing::WaitUntil([&] {
    metrics = testing::HttpGet(mediators_->metrics_port(), "/metrics");
    return metrics.find("ankommen_mediators_requests_unfilled{language=\"ti\",social_area=\"Riesa\"} 1") !=
           std::string::npos;
  })) << metrics;

  // Erased in the registry: the request ends and keeps no trace of her.
  rv1::ErasePersonRequest erase;
  erase.set_idempotency_key("erase-amina");
  erase.set_person_id(amina);
  erase.set_reason("Art. 17");
  rv1::ErasePersonResponse erased;
  ASSERT_TRUE(registry_stub_->ErasePerson(Ctx().get(), erase, &erased).ok());
  EXPECT_TRUE(testing::WaitUntil([&] { return Get(ten.request_id()).status() == mv1::REQUEST_STATUS_CANCELLED; }));
  EXPECT_EQ(Get(ten.request_id()).person_id(), "");
  mv1::RequestMediatorResponse after;
  auto again = Appointment("after-erasure", 12);
  again.mutable_request()->set_person_id(amina);
  EXPECT_EQ(stub_->RequestMediator(Ctx().get(), again, &after).error_code(), grpc::NOT_FOUND);

  // The Tigrinya appointment began without anyone: it leaves the open list
  // (which would otherwise grow with the past) and keeps how it stood.
  SetClock(Morning() + absl::Hours(5));
  EXPECT_EQ(Match().past(), 1);
  EXPECT_EQ(Match().past(), 0) << "taken off once";
  mv1::ListOpenRequestsResponse open;
  ASSERT_TRUE(stub_->ListOpenRequests(Ctx().get(), mv1::ListOpenRequestsRequest(), &open).ok());
  EXPECT_EQ(open.requests_size(), 0);
  EXPECT_EQ(Get(ti.request().request_id()).status(), mv1::REQUEST_STATUS_UNFILLED);
}

TEST_F(MediatorsE2ETest, BadInputIsNamedAndChangesNothing) {
  ImportPool();
  const auto before = redis_.Keys("ankommen:mediators:*}:request:*").size();
  auto expect_invalid = [&](mv1::RequestMediatorRequest req, const std::string& field) {
    mv1::RequestMediatorResponse resp;
    auto s = stub_->RequestMediator(Ctx().get(), req, &resp);
    EXPECT_EQ(s.error_code(), grpc::INVALID_ARGUMENT) << field;
    EXPECT_THAT(s.error_message(), HasSubstr(field));
  };
  auto unknown = Appointment("bad-1", 10);
  unknown.mutable_request()->set_language("zz");
  expect_invalid(unknown, "request.language");
  auto past = Appointment("bad-2", 6);
  past.mutable_request()->set_language("ar");
  expect_invalid(past, "request.start");
  auto none = Appointment("bad-3", 10);
  none.mutable_request()->set_language("ar");
  none.mutable_request()->set_duration_minutes(0);
  expect_invalid(none, "request.duration_minutes");
  auto long_one = Appointment("bad-4", 10);
  long_one.mutable_request()->set_language("ar");
  long_one.mutable_request()->set_duration_minutes(25 * 60);
  expect_invalid(long_one, "request.duration_minutes");
  auto no_key = Appointment("", 10);
  no_key.mutable_request()->set_language("ar");
  expect_invalid(no_key, "idempotency_key");

  auto stranger = Appointment("bad-5", 10);
  stranger.mutable_request()->set_person_id("p_0123456789abcdef");
  mv1::RequestMediatorResponse resp;
  auto s = stub_->RequestMediator(Ctx().get(), stranger, &resp);
  EXPECT_EQ(s.error_code(), grpc::NOT_FOUND);
  EXPECT_THAT(s.error_message(), HasSubstr("request.person_id"));

  mv1::UpsertMediatorRequest nameless;
  nameless.set_idempotency_key("nameless");
  nameless.mutable_mediator()->add_skills()->set_language("ar");
  mv1::UpsertMediatorResponse upserted;
  s = stub_->UpsertMediator(Ctx().get(), nameless, &upserted);
  EXPECT_EQ(s.error_code(), grpc::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("contact"));

  mv1::GetMediatorContactRequest no_purpose;
  no_purpose.set_mediator_id(ImportPool().at("Nasser"));
  mv1::GetMediatorContactResponse contact;
  s = stub_->GetMediatorContact(Ctx().get(), no_purpose, &contact);
  EXPECT_EQ(s.error_code(), grpc::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("purpose"));

  EXPECT_EQ(redis_.Keys("ankommen:mediators:*}:request:*").size(), before);
  EXPECT_EQ(redis_.Keys("ankommen:mediators:*}:mediator:med_*").size(), 2u);
}

// The booking's confirmation through the notification service: the person in
// their language, the mediator and the office that asked in German, each by
// e-mail — the mediator's address read from this service at sending; and the
// office's cancellation, to the mediator.
TEST_F(MediatorsE2ETest, ABookingTellsThePersonTheMediatorAndTheOffice) {
  testing::SmtpSink smtp;
  testing::ServiceProcess notifications(
      ANKOMMEN_NOTIFICATIONS_BINARY, "ankommen.notifications.v1.NotificationService", nats_, redis_,
      {{"ANKOMMEN_REGISTRY_ADDR", registry_->grpc_addr()},
       {"ANKOMMEN_MEDIATORS_ADDR", mediators_->grpc_addr()},
       {"ANKOMMEN_NOTIFICATIONS_SMTP_URL", smtp.url()},
       {"ANKOMMEN_NOTIFICATIONS_OFFICES", "unauthenticated:amt-riesa=abh.riesa@landkreis.example"}});
  const auto ids = ImportPool();
  const std::string karim = ids.at("Aziz");
  const auto household = Register("hh-haddad");
  const std::string amina = household.members(0).person_id();
  auto remote = Appointment("phone-1", 10, mv1::TOPIC_AUTHORITY);
  remote.mutable_request()->set_remote(true);
  remote.mutable_request()->clear_location();
  remote.mutable_request()->clear_social_area();
  auto request = RequestFor(amina, remote);
  ASSERT_EQ(Match().proposed(), 1);
  ASSERT_EQ(Get(request.request_id()).proposed_mediator_id(), karim) << "only Karim works remotely";
  ASSERT_TRUE(Confirm(request.request_id()).ok());

  std::vector<std::string> mails;
  EXPECT_TRUE(testing::WaitUntil([&] {
    mails = smtp.Mails();
    return mails.size() >= 3;
  }, 30000)) << notifications.process().Log();
  ASSERT_EQ(mails.size(), 3u);
  std::map<std::string, std::string> by_recipient;
  for (const auto& mail : mails) {
    for (const char* to : {"amina.haddad@example.org", "karim@example.org", "abh.riesa@landkreis.example"}) {
      if (mail.find(std::string("To: ") + to) != std::string::npos) by_recipient[to] = mail;
    }
  }
  ASSERT_EQ(by_recipient.size(), 3u);
  EXPECT_THAT(by_recipient["amina.haddad@example.org"], HasSubstr("Content-Language: ar"));
  EXPECT_THAT(by_recipient["karim@example.org"], HasSubstr("Content-Language: de"));
  auto body = [](const std::string& mail) {
    std::string encoded = mail.substr(mail.find("\r\n\r\n") + 4), decoded;
    encoded.erase(std::remove_if(encoded.begin(), encoded.end(), [](char c) { return c == '\r' || c == '\n'; }),
                  encoded.end());
    return absl::Base64Unescape(encoded, &decoded) ? decoded : mail;
  };
  const std::string to_karim = body(by_recipient["karim@example.org"]);
  EXPECT_THAT(to_karim, HasSubstr("Sprache: Arabisch"));
  EXPECT_THAT(to_karim, HasSubstr("Termin: 1. März 2027, 10:00 Uhr, 60 Minuten"));
  EXPECT_THAT(to_karim, HasSubstr("Ort: Telefon oder Video"));
  EXPECT_THAT(to_karim, HasSubstr(request.request_id()));
  EXPECT_EQ(to_karim.find("Haddad"), std::string::npos) << "the mediator is not told the person's name";
  EXPECT_THAT(body(by_recipient["amina.haddad@example.org"]), HasSubstr("10:00"));
  // The mediator's contact was read for the message, with its purpose, and recorded.
  EXPECT_EQ(redis_.Command({"XLEN", KeySpace("mediators").Key(PartitionOfId(karim), "audit")}), "2")
      << "ImportPool's read and the notification service's";

  // The office no longer needs him: Karim is told, in German, which appointment went.
  mv1::CancelBookingRequest cancel;
  cancel.set_idempotency_key("office-cancels");
  cancel.set_request_id(request.request_id());
  cancel.set_by(mv1::CANCELLED_BY_OFFICE);
  cancel.set_reason("Termin verschoben");
  mv1::CancelBookingResponse cancelled;
  ASSERT_TRUE(stub_->CancelBooking(Ctx().get(), cancel, &cancelled).ok());
  EXPECT_EQ(cancelled.request().status(), mv1::REQUEST_STATUS_CANCELLED);
  EXPECT_TRUE(testing::WaitUntil([&] {
    mails = smtp.Mails();
    return mails.size() >= 4;
  }, 30000)) << notifications.process().Log();
  ASSERT_EQ(mails.size(), 4u) << "the cancellation goes to the mediator only";
  EXPECT_THAT(mails[3], HasSubstr("To: karim@example.org"));
  const std::string cancelled_text = body(mails[3]);
  EXPECT_THAT(cancelled_text, HasSubstr("abgesagt"));
  EXPECT_THAT(cancelled_text, HasSubstr(request.request_id()));
  EXPECT_EQ(cancelled_text.find("verschoben"), std::string::npos) << "the office's reason stays in the service";
  EXPECT_EQ(notifications.process().Stop(SIGTERM), 0) << notifications.process().Log();
}

}  // namespace
}  // namespace ankommen
