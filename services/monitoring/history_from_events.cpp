#include "history_from_events.h"

#include <functional>

#include "ankommen/casework/v1/events.pb.h"
#include "ankommen/courses/v1/events.pb.h"
#include "ankommen/housing/v1/events.pb.h"
#include "ankommen/mediators/v1/events.pb.h"
#include "ankommen/notifications/v1/events.pb.h"
#include "ankommen/registry/v1/events.pb.h"
#include "ankommen/schools/v1/events.pb.h"
#include "absl/strings/str_cat.h"
#include "bus/streams.h"
#include "records.h"
#include "text/field_checks.h"
#include "google/protobuf/timestamp.pb.h"

namespace ankommen::monitoring {
namespace {

namespace reg = ankommen::registry::v1;
namespace crs = ankommen::courses::v1;
namespace sch = ankommen::schools::v1;
namespace hou = ankommen::housing::v1;
namespace med = ankommen::mediators::v1;
namespace ntf = ankommen::notifications::v1;
namespace cwk = ankommen::casework::v1;

Day DayOf(const google::protobuf::Timestamp& t, absl::TimeZone zone) {
  return absl::ToCivilDay(absl::FromUnixSeconds(t.seconds()), zone);
}

// A household's members as the registry announces them (registered, or aged:
// the same fields).
template <typename Event>
void ApplyMembers(History& h, const Event& e, Day day, bool registered) {
  HouseholdHistory& hh = h.households[e.household_id()];
  if (registered) hh.registered = day;
  hh.social_area.Set(day, e.social_area());
  hh.persons.Set(day, e.members_size());
  for (const reg::PersonFacts& m : e.members()) {
    PersonHistory& p = h.persons[m.person_id()];
    if (registered || p.household_id.empty()) {
      p.household_id = e.household_id();
      p.registered = day;
    }
    p.age_years.Set(day, m.age_years());
    if (m.has_school_year_age()) p.school_year_age.Set(day, m.school_year_age());
    if (registered) p.level.Set(day, LevelRank(m.cefr_level()));
    p.asylblg.Set(day, m.benefit_regime() == reg::BENEFIT_REGIME_ASYLBLG);
  }
}

// A person leaves the district's count: their household has one member fewer.
void Leave(History& h, const std::string& person_id, Day day) {
  const auto p = h.persons.find(person_id);
  if (p == h.persons.end() || p->second.left) return;
  p->second.left = day;
  const auto hh = h.households.find(p->second.household_id);
  if (hh == h.households.end()) return;
  const int members = hh->second.persons.At(day).value_or(1);
  hh->second.persons.Set(day, std::max(0, members - 1));
}

// Parses the subject's event and hands it with its day (in the district's
// time zone) to `apply`; `seen` learns the day.
template <typename Event, typename Apply>
absl::Status On(const std::string& subject, const std::string& payload, absl::TimeZone zone,
                const std::function<void(Day)>& seen, Apply apply) {
  Event e;
  if (!e.ParseFromString(payload)) {
    return absl::InvalidArgumentError(absl::StrCat("an event on ", subject, " is not a ", Event::descriptor()->name()));
  }
  const Day day = DayOf(e.meta().occurred_at(), zone);
  seen(day);
  apply(e, day);
  return absl::OkStatus();
}

}  // namespace

absl::Status HistoryBuilder::Apply(const std::string& subject, const std::string& payload) {
  History& h = history_;
  const std::function<void(Day)> seen = [&](Day day) {
    if (day > h.last_event) h.last_event = day;
    if (day < first_day_) first_day_ = day;
    ++applied_;
  };
  auto is = [&](const char* s) { return subject == s; };
  using namespace streams;

  // The registry: arrivals, ages, status, levels, moves, departures.
  if (is(kHouseholdRegistered)) {
    return On<reg::HouseholdRegistered>(subject, payload, zone_, seen,
                                        [&](const auto& e, Day day) { ApplyMembers(h, e, day, true); });
  }
  if (is(kHouseholdAged)) {
    return On<reg::HouseholdAged>(subject, payload, zone_, seen,
                                  [&](const auto& e, Day day) { ApplyMembers(h, e, day, false); });
  }
  if (is(kPersonStatusChanged)) {
    return On<reg::PersonStatusChanged>(subject, payload, zone_, seen, [&](const auto& e, Day day) {
      h.persons[e.person_id()].asylblg.Set(day, e.benefit_regime() == reg::BENEFIT_REGIME_ASYLBLG);
    });
  }
  if (is(kPersonLevelRecorded)) {
    return On<reg::PersonLevelRecorded>(subject, payload, zone_, seen, [&](const auto& e, Day day) {
      h.persons[e.person_id()].level.Set(day, LevelRank(e.cefr_level()));
    });
  }
  if (is(kHouseholdRelocated)) {
    return On<reg::HouseholdRelocated>(subject, payload, zone_, seen, [&](const auto& e, Day day) {
      h.households[e.household_id()].social_area.Set(day, e.social_area());
    });
  }
  if (is(kPersonErased) || is(kPersonMerged)) {
    // A merged record leaves as an erased one does (PersonMerged shares PersonErased's fields 1-3).
    return On<reg::PersonErased>(subject, payload, zone_, seen,
                                 [&](const auto& e, Day day) { Leave(h, e.person_id(), day); });
  }
  if (is(kHouseholdCaseClosed)) {
    return On<reg::HouseholdCaseClosed>(subject, payload, zone_, seen, [&](const auto& e, Day day) {
      for (const std::string& person_id : e.person_ids()) Leave(h, person_id, day);
      h.households[e.household_id()].left = day;
    });
  }

  // Courses, schools and Kitas.
  if (is(kEnrolmentStarted)) {
    return On<crs::EnrolmentStarted>(subject, payload, zone_, seen, [&](const auto& e, Day day) {
      // The enrolment begins with the course, or on the day of a late entry into a running one.
      Day start = day;
      if (Day course_start; ParseIsoDate(e.start_date(), course_start) && course_start > day) start = course_start;
      h.enrolments.push_back({e.person_id(), start, e.waiting_time_days(), e.access_time_days()});
    });
  }
  if (is(kSchoolPlaced)) {
    return On<sch::SchoolPlaced>(subject, payload, zone_, seen, [&](const auto& e, Day day) {
      auto& placed = h.persons[e.person_id()].school_placed;
      if (!placed) placed = day;
    });
  }
  if (is(kKitaPlaced)) {
    return On<sch::KitaPlaced>(subject, payload, zone_, seen, [&](const auto& e, Day day) {
      auto& placed = h.persons[e.person_id()].kita_placed;
      if (!placed) placed = day;
    });
  }

  // Housing.
  if (is(kHouseholdMovedIn)) {
    return On<hou::HouseholdMovedIn>(subject, payload, zone_, seen, [&](const auto& e, Day day) {
      AccommodationFacts& a = h.accommodations[e.accommodation_id()];
      a.shared = e.kind() == hou::KIND_SHARED;
      a.square_metres = e.square_metres();
      a.standard_square_metres_per_person = e.standard_square_metres_per_person();
      a.social_area = e.social_area();
      HouseholdHistory& hh = h.households[e.household_id()];
      hh.accommodation.Set(day, e.accommodation_id());
      hh.social_area.Set(day, e.social_area());
      if (e.persons() > 0) hh.persons.Set(day, e.persons());
    });
  }
  if (is(kHouseholdMovedOut)) {
    return On<hou::HouseholdMovedOut>(subject, payload, zone_, seen, [&](const auto& e, Day day) {
      HouseholdHistory& hh = h.households[e.household_id()];
      if (hh.accommodation.At(day).value_or("") == e.accommodation_id()) hh.accommodation.Set(day, "");
    });
  }

  // Mediators: asked for, booked, cancelled (by the office, or the mediator: then matched again).
  if (is(kMediationRequested)) {
    return On<med::MediationRequested>(subject, payload, zone_, seen, [&](const auto& e, Day) {
      MediationFact& m = h.mediations[e.request_id()];
      m.social_area = e.social_area();
      m.appointment = DayOf(e.start(), zone_);
    });
  }
  if (is(kMediatorBooked)) {
    return On<med::MediatorBooked>(subject, payload, zone_, seen,
                                   [&](const auto& e, Day) { h.mediations[e.request_id()].booked_at_start = true; });
  }
  if (is(kBookingCancelled)) {
    return On<med::BookingCancelled>(subject, payload, zone_, seen, [&](const auto& e, Day) {
      MediationFact& m = h.mediations[e.request_id()];
      m.booked_at_start = false;
      if (e.by() != med::CANCELLED_BY_MEDIATOR) m.ended_by_office = true;
    });
  }

  // Notifications: the last settlement of each message counts.
  if (is(kMessageSettled)) {
    return On<ntf::MessageSettled>(subject, payload, zone_, seen, [&](const auto& e, Day) {
      h.messages[e.message_id()] = {e.recipient(), DayOf(e.created_at(), zone_), !e.delivered()};
    });
  }
  // Casework: who looks after each household, and the staff list.
  if (is(kCaseAssigned)) {
    return On<cwk::CaseAssigned>(subject, payload, zone_, seen, [&](const auto& e, Day day) {
      CaseworkFacts facts;
      facts.program = casework::ProgramLabel(e.program());
      if (!e.ended()) facts.worker_id = e.worker_id();
      facts.persons = e.persons();
      h.households[e.household_id()].casework.Set(day, std::move(facts));
    });
  }
  if (is(kWorkerChanged)) {
    return On<cwk::WorkerChanged>(subject, payload, zone_, seen, [&](const auto& e, Day day) {
      h.workers[e.worker_id()].Set(day, WorkerFacts{casework::ProgramLabel(e.program()), e.social_area(), !e.removed()});
    });
  }
  return absl::OkStatus();  // not an event the indicators need
}

}  // namespace ankommen::monitoring
