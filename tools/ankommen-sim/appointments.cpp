// Language mediators in the simulated district: the offices ask for one for
// each household's first appointments, the mediators service matches, the
// coordinating office confirms, some mediators cancel, appointments take
// place. What the report shows: per language, how many were booked in time,
// how long that took, and — checked here, apart from the service — whether
// any appointment went without a mediator while one could have come.
#include "simulation_internal.h"

#include "convert.h"
#include "matching.h"

namespace ankommen::sim {
namespace {

// The next working day at or after `date`: offices and mediators keep office hours.
absl::CivilDay Weekday(absl::CivilDay date) {
  while (absl::GetWeekday(date) == absl::Weekday::saturday || absl::GetWeekday(date) == absl::Weekday::sunday) ++date;
  return date;
}

std::string StatusName(mv1::RequestStatus s) { return EnumLabel(mv1::RequestStatus_Name(s), "REQUEST_STATUS_"); }

}  // namespace

absl::Status Simulation::ImportMediators() {
  if (district_.mediators_csv.empty()) return absl::OkStatus();
  // At state scale the pool grows with the arrivals: the district's pool, scale times.
  for (int copy = 0; copy < scale_; ++copy) {
    mv1::ImportMediatorsRequest request;
    request.set_idempotency_key(Key("mediators", absl::StrCat(copy)));
    request.set_csv(district_.mediators_csv);
    mv1::ImportMediatorsResponse response;
    if (auto s = Call(*mediators_, &mv1::MediatorService::Stub::ImportMediators, request, &response); !s.ok()) return s;
    if (response.rejected_size() > 0) {
      return absl::FailedPreconditionError(absl::StrCat("mediators.csv line ", response.rejected(0).line(), ": ",
                                                        response.rejected(0).reason()));
    }
    mediator_ids_.insert(mediator_ids_.end(), response.mediator_ids().begin(), response.mediator_ids().end());
  }
  report_.mediation.mediators = static_cast<int>(mediator_ids_.size());
  return absl::OkStatus();
}

absl::Status Simulation::AskForMediators(int day, const Arrival& arrival, const rv1::Household& household,
                                         size_t index) {
  if (mediator_ids_.empty() || household.members_size() == 0) return absl::OkStatus();
  const rv1::Person& head = household.members(0);
  if (head.preferred_language().empty() || head.preferred_language() == "de") return absl::OkStatus();
  const Town* town = nullptr;
  for (const auto& t : district_.towns) {
    if (t.ags == arrival.household.municipality_ags()) town = &t;
  }
  if (town == nullptr) return absl::OkStatus();
  int adults = 0, pupils = 0;
  for (const auto& m : household.members()) {
    absl::CivilDay born;
    if (!ParseIsoDate(m.birth_date(), born)) continue;
    const int64_t age = (Date(day) - born) / 365;
    if (m.relation() != rv1::RELATION_CHILD && age >= 18) ++adults;
    if (m.relation() == rv1::RELATION_CHILD && age >= 6 && age < 18) ++pupils;
  }
  struct Appointment {
    std::string kind;
    mv1::Topic topic;
    int after_days;
    int minutes;
    bool urgent = false;
    bool remote = false;
  };
  Random r = Draw({41, index});
  std::vector<Appointment> appointments;
  // The foreigners' office sees the family within two weeks of its registration.
  appointments.push_back({"authority", mv1::TOPIC_AUTHORITY, r.Int(3, 12), adults > 1 ? 90 : 60});
  // The school's first talk with the parents.
  if (pupils > 0) appointments.push_back({"school", mv1::TOPIC_SCHOOL, r.Int(7, 20), 45});
  // A doctor: a quarter of the families in their first weeks; some urgently, some by phone.
  if (r.Chance(0.25)) {
    const bool urgent = r.Chance(0.3);
    appointments.push_back({"health", mv1::TOPIC_HEALTH, urgent ? 1 : r.Int(2, 14), 30, urgent, r.Chance(0.2)});
  }
  for (size_t k = 0; k < appointments.size(); ++k) {
    const Appointment& a = appointments[k];
    const absl::CivilDay date = Weekday(Date(day) + a.after_days);
    const int hour = r.Int(9, 14);
    mv1::RequestMediatorRequest request;
    request.set_idempotency_key(Key("mediation", absl::StrCat(index, "-", k)));
    mv1::MediationRequest& m = *request.mutable_request();
    m.set_person_id(head.person_id());
    m.set_remote(a.remote);
    if (!a.remote) {
      m.mutable_location()->set_lat(town->lat);
      m.mutable_location()->set_lon(town->lon);
      m.set_social_area(town->social_area);
    }
    m.mutable_start()->set_seconds(
        absl::ToUnixSeconds(absl::FromCivil(absl::CivilSecond(date.year(), date.month(), date.day(), hour, 0, 0), zone_)));
    m.set_duration_minutes(a.minutes);
    m.set_topic(a.topic);
    m.set_urgent(a.urgent);
    MediationState state;
    state.kind = a.kind;
    state.requested_day = day;
    state.start_day = DayOf(date);
    state.urgent = a.urgent;
    asks_.push_back({std::move(request), state});
  }
  return absl::OkStatus();
}

absl::Status Simulation::Mediate(int day) {
  if (mediator_ids_.empty()) return absl::OkStatus();
  // The offices ask for the households registered today, now that the mediators service knows them.
  for (auto& [request, state] : asks_) {
    mv1::RequestMediatorResponse response;
    auto s = Call(*mediators_, &mv1::MediatorService::Stub::RequestMediator, request, &response);
    if (absl::IsNotFound(s)) continue;  // merged into a family registered before, the same day
    if (!s.ok()) return s;
    state.request_id = response.request().request_id();
    state.language = response.request().language();
    mediations_[state.request_id] = state;
  }
  asks_.clear();
  // Yesterday's appointments took place: each with the mediator booked, or without one.
  for (auto& [id, m] : mediations_) {
    if (m.closed || m.start_day >= day) continue;
    mv1::GetMediationRequestRequest get;
    get.set_request_id(id);
    mv1::GetMediationRequestResponse got;
    if (auto s = Call(*mediators_, &mv1::MediatorService::Stub::GetMediationRequest, get, &got); !s.ok()) return s;
    m.closed = true;
    if (got.request().status() != mv1::REQUEST_STATUS_BOOKED) continue;
    mv1::RecordOutcomeRequest outcome;
    outcome.set_idempotency_key(Key("outcome", id));
    outcome.set_request_id(id);
    Random r = Draw({43, Fnv1a64(id)});
    if (r.Chance(0.06)) {
      outcome.set_outcome(mv1::OUTCOME_NO_SHOW_PERSON);
    } else {
      outcome.set_outcome(mv1::OUTCOME_DELIVERED);
      outcome.set_minutes_delivered(got.request().duration_minutes() + 15 * r.Int(0, 2));
    }
    mv1::RecordOutcomeResponse recorded;
    if (auto s = Call(*mediators_, &mv1::MediatorService::Stub::RecordOutcome, outcome, &recorded); !s.ok()) return s;
  }
  // Mediators who fall ill or are needed elsewhere: the request is matched again.
  for (auto [at, end] = mediator_cancels_.equal_range(day); at != end; ++at) {
    mv1::GetMediationRequestRequest get;
    get.set_request_id(at->second);
    mv1::GetMediationRequestResponse got;
    if (auto s = Call(*mediators_, &mv1::MediatorService::Stub::GetMediationRequest, get, &got); !s.ok()) return s;
    const std::string mediator = got.request().booked_mediator_id();
    mv1::CancelBookingRequest cancel;
    cancel.set_idempotency_key(Key("mediator-cancels", at->second));
    cancel.set_request_id(at->second);
    cancel.set_by(mv1::CANCELLED_BY_MEDIATOR);
    cancel.set_reason("simulated: the mediator is ill");
    mv1::CancelBookingResponse cancelled;
    auto s = Call(*mediators_, &mv1::MediatorService::Stub::CancelBooking, cancel, &cancelled);
    if (s.ok()) {
      ++report_.mediation.cancelled_by_mediator;
      mediations_[at->second].cancelled_by.push_back(mediator);
    } else if (s.code() != absl::StatusCode::kFailedPrecondition) return s;  // no longer booked: nothing to cancel
  }
  if (auto s = Settle(); !s.ok()) return s;
  mv1::RunMatchingRequest run;
  run.set_policy(options_.policy);
  mv1::RunMatchingResponse matched;
  if (auto s = Call(*mediators_, &mv1::MediatorService::Stub::RunMatching, run, &matched); !s.ok()) return s;
  // The coordinating office confirms every proposal, oldest request first.
  mv1::ListOpenRequestsRequest list;
  list.set_page_size(500);
  std::vector<std::string> proposed;
  do {
    mv1::ListOpenRequestsResponse page;
    if (auto s = Call(*mediators_, &mv1::MediatorService::Stub::ListOpenRequests, list, &page); !s.ok()) return s;
    for (const auto& r : page.requests()) {
      if (r.status() == mv1::REQUEST_STATUS_PROPOSED) proposed.push_back(r.request_id());
    }
    list.set_page_token(page.next_page_token());
  } while (!list.page_token().empty());
  for (const std::string& id : proposed) {
    mv1::ConfirmProposalRequest confirm;
    confirm.set_idempotency_key(Key("confirm-mediator", absl::StrCat(id, "-", day)));
    confirm.set_request_id(id);
    mv1::ConfirmProposalResponse confirmed;
    if (auto s = Call(*mediators_, &mv1::MediatorService::Stub::ConfirmProposal, confirm, &confirmed); !s.ok()) return s;
    // One booking in thirty is cancelled by its mediator the day before, once.
    auto it = mediations_.find(id);
    if (it != mediations_.end() && it->second.start_day - 1 > day &&
        Draw({47, Fnv1a64(id), static_cast<uint64_t>(day)}).Chance(1.0 / 30)) {
      mediator_cancels_.insert({it->second.start_day - 1, id});
    }
  }
  return Settle();
}

absl::Status Simulation::FinishMediation(Report& report) {
  if (mediator_ids_.empty()) return absl::OkStatus();
  MediationFigures& f = report.mediation;
  // The pool as the service holds it, for the check below.
  std::vector<mediators::Mediator> pool;
  for (const std::string& id : mediator_ids_) {
    mv1::GetMediatorRequest get;
    get.set_mediator_id(id);
    mv1::GetMediatorResponse got;
    if (auto s = Call(*mediators_, &mv1::MediatorService::Stub::GetMediator, get, &got); !s.ok()) return s;
    auto m = mediators::MediatorFromProto(got.mediator());
    if (!m.ok()) return m.status();
    pool.push_back(std::move(*m));
  }
  // Every appointment past, as it ended.
  std::vector<mv1::MediationRequest> past;
  for (const auto& [id, m] : mediations_) {
    if (m.start_day >= options_.weeks * 7) continue;  // still ahead when the period ends
    mv1::GetMediationRequestRequest get;
    get.set_request_id(id);
    mv1::GetMediationRequestResponse got;
    if (auto s = Call(*mediators_, &mv1::MediatorService::Stub::GetMediationRequest, get, &got); !s.ok()) return s;
    past.push_back(got.request());
  }
  std::map<std::string, MediationRow> rows;
  std::map<std::string, std::vector<int>> hours;
  std::vector<mediators::Booking> bookings;
  for (const auto& r : past) {
    const auto status = r.status();
    if (status == mv1::REQUEST_STATUS_DELIVERED || status == mv1::REQUEST_STATUS_NO_SHOW ||
        status == mv1::REQUEST_STATUS_BOOKED) {
      bookings.push_back({r.booked_mediator_id(), absl::FromUnixSeconds(r.start().seconds()),
                          absl::Minutes(r.duration_minutes()), r.remote()});
    }
  }
  for (const auto& r : past) {
    const MediationState* state = &mediations_.at(r.request_id());
    MediationRow& row = rows[state->language];
    row.language = state->language;
    ++row.requested;
    ++f.requested;
    f.urgent += state->urgent ? 1 : 0;
    switch (r.status()) {
      case mv1::REQUEST_STATUS_DELIVERED:
      case mv1::REQUEST_STATUS_NO_SHOW:
      case mv1::REQUEST_STATUS_BOOKED: {
        ++row.booked;
        ++f.booked;
        f.urgent_booked += state->urgent ? 1 : 0;
        f.delivered += r.status() == mv1::REQUEST_STATUS_DELIVERED ? 1 : 0;
        f.no_shows += r.status() == mv1::REQUEST_STATUS_NO_SHOW ? 1 : 0;
        break;
      }
      case mv1::REQUEST_STATUS_CANCELLED:
        ++row.cancelled;
        ++f.cancelled;
        break;
      default: {
        ++row.unfilled;
        ++f.unfilled;
        ++row.unfilled_reasons[r.status() == mv1::REQUEST_STATUS_UNFILLED
                                   ? EnumLabel(mv1::UnfilledReason_Name(r.unfilled_reason()), "UNFILLED_REASON_")
                                   : StatusName(r.status())];
        // Could anyone have come? Every rule the matching keeps, checked here on its own.
        auto wanted = mediators::RequestFromProto(r, "", absl::InfinitePast());
        if (!wanted.ok()) return wanted.status();
        for (const auto& m : pool) {
          // One who cancelled it could not come (ill).
          if (std::find(state->cancelled_by.begin(), state->cancelled_by.end(), m.id) != state->cancelled_by.end()) continue;
          const bool speaks = m.direction == mediators::Direction::kBoth &&
                              std::any_of(m.skills.begin(), m.skills.end(),
                                          [&](const auto& s) { return s.language == wanted->language; });
          if (!speaks) continue;
          if (wanted->remote ? !m.remote
                             : std::find(m.areas.begin(), m.areas.end(), wanted->area) == m.areas.end() ||
                                   placement::HaversineKm(m.home, wanted->place) > m.max_km) {
            continue;
          }
          if (!mediators::Available(m, wanted->start, wanted->duration, zone_)) continue;
          absl::Duration month;
          bool clash = false;
          const absl::CivilMonth at(absl::ToCivilSecond(wanted->start, zone_));
          for (const auto& b : bookings) {
            if (b.mediator_id != m.id) continue;
            if (absl::CivilMonth(absl::ToCivilSecond(b.start, zone_)) == at) month += b.duration;
            const absl::Duration travel = (wanted->remote && b.remote) ? absl::ZeroDuration() : absl::Minutes(30);
            clash = clash || (wanted->start < b.start + b.duration + travel && b.start < wanted->start + wanted->duration + travel);
          }
          if (clash || month + wanted->duration > absl::Hours(m.monthly_hours_cap)) continue;
          ++f.unfilled_while_one_could_take_it;
          break;
        }
      }
    }
    if (r.has_booked_at()) {
      hours[state->language].push_back(
          static_cast<int>((r.booked_at().seconds() - r.requested_at().seconds() + 1800) / 3600));
    }
  }
  for (auto& [language, row] : rows) {
    row.hours_to_fill = Summarize(hours[language]);
    f.by_language.push_back(row);
  }
  report.checks.push_back({"mediation: every appointment past was booked, went without, or ended first",
                           f.requested, static_cast<long long>(f.booked) + f.unfilled + f.cancelled, ""});
  return absl::OkStatus();
}

}  // namespace ankommen::sim
