// Events to messages: what each event of courses, schools, housing and the
// mediators service tells whom, and the registry's erasures.
#include <cstring>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "ankommen/courses/v1/events.pb.h"
#include "ankommen/housing/v1/events.pb.h"
#include "ankommen/mediators/v1/events.pb.h"
#include "ankommen/registry/v1/events.pb.h"
#include "ankommen/schools/v1/events.pb.h"
#include "domain/recipients.h"
#include "notifications.h"
#include "observability/log.h"
#include "store/command.h"
#include "store/ids.h"
#include "text/field_checks.h"

namespace ankommen::notifications {

namespace cv1 = ::ankommen::courses::v1;
namespace sv1 = ::ankommen::schools::v1;
namespace hv1 = ::ankommen::housing::v1;
namespace mv1 = ::ankommen::mediators::v1;
namespace rv1 = ::ankommen::registry::v1;

namespace {

// A course's title as it goes into a letter: a plain name whatever the event
// carries (the course service checks it too; this holds for any producer).
std::string CourseName(const std::string& title) { return PlainName(title, 80); }

std::string GapPlace(const sv1::CapacityGapDetected& e) {
  if (e.school_type() != sv1::SCHOOL_TYPE_UNSPECIFIED) {
    return absl::StrCat("DaZ-Klasse ", sv1::SchoolType_Name(e.school_type()).substr(strlen("SCHOOL_TYPE_")));
  }
  return e.age_group() == sv1::AGE_GROUP_UNDER_3 ? "Kita unter 3 Jahren" : "Kita ab 3 Jahren";
}

int64_t DateAsUnix(const std::string& iso) {
  absl::CivilDay day;
  if (!ParseIsoDate(iso, day)) return 0;
  return absl::ToUnixSeconds(absl::FromCivil(absl::CivilSecond(day.year(), day.month(), day.day(), 12, 0, 0),
                                             absl::UTCTimeZone()));
}

// A language's name as the district's staff read it (German); the code where none is listed.
std::string LanguageName(const std::string& code) {
  static const std::map<std::string, std::string> kNames = {
      {"ar", "Arabisch"}, {"uk", "Ukrainisch"}, {"ru", "Russisch"}, {"fa", "Persisch (Farsi)"}, {"prs", "Dari"},
      {"ps", "Paschtu"}, {"tr", "Türkisch"}, {"kmr", "Kurmandschi"}, {"ckb", "Sorani"}, {"ti", "Tigrinya"},
      {"so", "Somali"}, {"fr", "Französisch"}, {"en", "Englisch"}, {"ka", "Georgisch"}, {"sq", "Albanisch"},
      {"ro", "Rumänisch"}, {"pl", "Polnisch"}, {"es", "Spanisch"}, {"am", "Amharisch"}, {"ur", "Urdu"}};
  auto it = kNames.find(code);
  return it == kNames.end() ? code : it->second;
}

std::string TopicName(mv1::Topic topic) {
  switch (topic) {
    case mv1::TOPIC_HEALTH: return "Gesundheit";
    case mv1::TOPIC_SCHOOL: return "Schule";
    case mv1::TOPIC_AUTHORITY: return "Behörde";
    case mv1::TOPIC_SOCIAL_WORK: return "Sozialarbeit";
    case mv1::TOPIC_HOUSING: return "Wohnen";
    default: return "–";
  }
}

}  // namespace

absl::Status Notifications::ApplyEvent(const IncomingEvent& event) {
  Draft d;
  int64_t event_time = absl::ToUnixSeconds(clock_.Now());
  if (event.event_type == cv1::SeatOffered::descriptor()->full_name()) {
    cv1::SeatOffered e;
    if (auto s = ParsePayload(event, e); !s.ok()) return s;
    // A further course beside those offered already: the message says they may take one.
    d = {e.person_id(), e.beside_other_offers() ? "seat_offered_choice" : "seat_offered",
         {{"course", CourseName(e.course_title())}},
         {{"start_date", DateAsUnix(e.start_date())}, {"deadline", e.deadline().seconds()}}};
    event_time = e.meta().occurred_at().seconds();
  } else if (event.event_type == cv1::OfferClosed::descriptor()->full_name()) {
    cv1::OfferClosed e;
    if (auto s = ParsePayload(event, e); !s.ok()) return s;
    if (e.outcome() == cv1::OFFER_OUTCOME_EXPIRED) {
      d = {e.person_id(), "offer_expired", {{"course", CourseName(e.course_title())}}, {}};
    } else if (e.outcome() == cv1::OFFER_OUTCOME_WITHDRAWN && e.withdrawal_reason() != cv1::WITHDRAWAL_REASON_UNSPECIFIED &&
               e.withdrawal_reason() != cv1::WITHDRAWAL_REASON_REQUEST_CLOSED &&
               e.withdrawal_reason() != cv1::WITHDRAWAL_REASON_ANOTHER_ACCEPTED) {
      // The district took back what it offered (the course filled, shrank,
      // was cancelled or ended): the person must not go on waiting for it.
      d = {e.person_id(), "offer_withdrawn", {{"course", CourseName(e.course_title())}}, {}};
    } else {
      return absl::OkStatus();  // the person answered (this offer or another), or closed the request: they know
    }
    event_time = e.meta().occurred_at().seconds();
  } else if (event.event_type == cv1::EnrolmentStarted::descriptor()->full_name()) {
    cv1::EnrolmentStarted e;
    if (auto s = ParsePayload(event, e); !s.ok()) return s;
    d = {e.person_id(), "enrolment_started", {{"course", CourseName(e.course_title())}}, {{"start_date", DateAsUnix(e.start_date())}}};
    event_time = e.meta().occurred_at().seconds();
  } else if (event.event_type == sv1::SchoolPlaced::descriptor()->full_name()) {
    sv1::SchoolPlaced e;
    if (auto s = ParsePayload(event, e); !s.ok()) return s;
    d = {e.guardian_person_id(), "school_placed", {{"school", e.school_name()}},
         {{"start_date", e.meta().occurred_at().seconds()}}};
    event_time = e.meta().occurred_at().seconds();
  } else if (event.event_type == sv1::KitaPlaced::descriptor()->full_name()) {
    sv1::KitaPlaced e;
    if (auto s = ParsePayload(event, e); !s.ok()) return s;
    d = {e.guardian_person_id(), "kita_placed", {{"kita", e.kita_name()}},
         {{"start_date", e.meta().occurred_at().seconds()}}};
    event_time = e.meta().occurred_at().seconds();
  } else if (event.event_type == hv1::HousingOffered::descriptor()->full_name()) {
    hv1::HousingOffered e;
    if (auto s = ParsePayload(event, e); !s.ok()) return s;
    d = {e.contact_person_id(), "housing_offered",
         {{"accommodation", e.accommodation_name()}, {"social_area", e.social_area()}}, {}};
    event_time = e.meta().occurred_at().seconds();
  } else if (event.event_type == hv1::LeaseTransfer::descriptor()->full_name()) {
    hv1::LeaseTransfer e;
    if (auto s = ParsePayload(event, e); !s.ok()) return s;
    if (e.accepted()) return absl::OkStatus();  // taken over: the household knows
    d = {e.contact_person_id(), "lease_offered", {{"accommodation", e.accommodation_name()}}, {}};
    event_time = e.meta().occurred_at().seconds();
  } else if (event.event_type == sv1::CapacityGapDetected::descriptor()->full_name()) {
    sv1::CapacityGapDetected e;
    if (auto s = ParsePayload(event, e); !s.ok()) return s;
    if (e.short_by() <= 0) return absl::OkStatus();  // the gap closed
    if (!settings_.team_emails.contains(e.social_area())) {
      log::Info("capacity_gap_without_team", {{"event_id", event.event_id}, {"social_area", e.social_area()}});
      return absl::OkStatus();
    }
    d = {absl::StrCat(kTeamPrefix, e.social_area()), "staff_capacity_gap",
         {{"social_area", e.social_area()}, {"place", GapPlace(e)}, {"waiting", absl::StrCat(e.waiting())},
          {"short_by", absl::StrCat(e.short_by())}},
         {}};
    event_time = e.meta().occurred_at().seconds();
  } else if (event.event_type == mv1::MediatorBooked::descriptor()->full_name()) {
    return MediatorBooked(event);
  } else if (event.event_type == mv1::BookingCancelled::descriptor()->full_name()) {
    return BookingCancelled(event);
  } else if (event.event_type == rv1::PersonErased::descriptor()->full_name() ||
             event.event_type == rv1::PersonMerged::descriptor()->full_name()) {
    // A record merged into another goes as an erased one does (PersonMerged
    // shares PersonErased's fields 1-3): its messages are the survivor's no more.
    rv1::PersonErased e;
    if (auto s = ParsePayload(event, e); !s.ok()) return s;
    if (!IsValidId(e.person_id(), "p")) return absl::InvalidArgumentError("bad person id");
    return ErasePerson(e.person_id());
  } else {
    return absl::OkStatus();  // not for a person
  }
  if (!IsValidId(d.person_id, "p") && !IsStaff(d.person_id)) {
    log::Warn("notification_without_recipient", {{"event_id", event.event_id}, {"kind", d.kind}});
    return absl::OkStatus();
  }
  return Create(event, event_time, d);
}

// An appointment's time of day and place as staff read them.
std::string Notifications::TimeOfDay(int64_t unix_seconds) const {
  absl::TimeZone zone;
  if (!absl::LoadTimeZone(settings_.time_zone, &zone)) zone = absl::UTCTimeZone();
  return absl::FormatTime("%H:%M", absl::FromUnixSeconds(unix_seconds), zone);
}

namespace {

std::string AppointmentPlace(bool remote, const std::string& place_name, const std::string& social_area) {
  if (remote) return "Telefon oder Video";
  return place_name.empty() ? absl::StrCat("Sozialraum ", social_area) : PlainName(place_name, 200);
}

}  // namespace

absl::Status Notifications::MediatorBooked(const IncomingEvent& event) {
  mv1::MediatorBooked e;
  if (auto s = ParsePayload(event, e); !s.ok()) return s;
  if (!IsValidId(e.mediator_id(), "med")) return absl::InvalidArgumentError("bad mediator id");
  const int64_t start = e.start().seconds();
  const std::string time = TimeOfDay(start);
  const std::string place = AppointmentPlace(e.remote(), e.place_name(), e.social_area());
  const int64_t event_time = e.meta().occurred_at().seconds();
  // The person, in their language: when, and where unless by phone or video.
  if (IsValidId(e.person_id(), "p")) {
    Draft person{e.person_id(), e.remote() ? "mediator_booked_remote" : "mediator_booked", {{"time", time}},
                 {{"start_date", start}}};
    if (!e.remote()) person.values["place"] = place;
    if (auto s = Create(event, event_time, person); !s.ok()) return s;
  }
  // The mediator and the office, in German: everything but the person's name.
  Draft staff{"", "staff_mediator_booked",
              {{"language", LanguageName(e.language())}, {"time", time}, {"duration", absl::StrCat(e.duration_minutes())},
               {"place", place}, {"topic", TopicName(e.topic())}, {"request_id", e.request_id()}},
              {{"start_date", start}}};
  staff.person_id = absl::StrCat(kMediatorPrefix, e.mediator_id());
  if (auto s = Create(event, event_time, staff); !s.ok()) return s;
  if (settings_.office_emails.contains(e.office())) {
    staff.person_id = absl::StrCat(kOfficePrefix, e.office());
    if (auto s = Create(event, event_time, staff); !s.ok()) return s;
  }
  return absl::OkStatus();
}

absl::Status Notifications::BookingCancelled(const IncomingEvent& event) {
  mv1::BookingCancelled e;
  if (auto s = ParsePayload(event, e); !s.ok()) return s;
  // A mediator who cancelled knows; one the office (or an erasure) cancelled is told.
  if (e.by() != mv1::CANCELLED_BY_OFFICE || e.mediator_id().empty()) return absl::OkStatus();
  if (!IsValidId(e.mediator_id(), "med")) return absl::InvalidArgumentError("bad mediator id");
  const int64_t start = e.start().seconds();
  Draft staff{absl::StrCat(kMediatorPrefix, e.mediator_id()), "staff_mediator_cancelled",
              {{"language", LanguageName(e.language())}, {"time", TimeOfDay(start)},
               {"place", AppointmentPlace(e.remote(), e.place_name(), e.social_area())}, {"request_id", e.request_id()}},
              {{"start_date", start}}};
  return Create(event, e.meta().occurred_at().seconds(), staff);
}

}  // namespace ankommen::notifications
