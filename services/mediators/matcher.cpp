#include "matcher.h"

#include "absl/strings/str_cat.h"
#include "ankommen/mediators/v1/events.pb.h"
#include "bus/streams.h"
#include "observability/log.h"
#include "store/command.h"

namespace ankommen::mediators {
namespace {

v1::UnfilledReason ReasonOf(Unfilled u) {
  switch (u) {
    case Unfilled::kNoOneSpeaksIt: return v1::UNFILLED_REASON_NO_ONE_SPEAKS_IT;
    case Unfilled::kNoOneFree: return v1::UNFILLED_REASON_NO_ONE_FREE;
    case Unfilled::kOthersFirst: return v1::UNFILLED_REASON_OTHERS_FIRST;
  }
  return v1::UNFILLED_REASON_UNSPECIFIED;
}

}  // namespace

Matcher::Matcher(Mediators& mediators, std::string holder, MatcherOptions options)
    : LeasedRunner(mediators.store().redis(), mediators.store().keys(), "matching", std::move(holder), options,
                   [&mediators] { return mediators.RefreshGauges(); }),
      mediators_(mediators) {}

absl::StatusOr<v1::RunMatchingResponse> Matcher::RunOnce(const std::string& policy) {
  return WithLease<v1::RunMatchingResponse>([&](int64_t) -> absl::StatusOr<v1::RunMatchingResponse> {
    MediatorsStore& store = mediators_.store();
    MatchSettings settings = mediators_.settings().match;
    if (!policy.empty()) settings.policy = policy;
    const absl::Time now = mediators_.clock().Now();
    auto pool_records = store.LoadPool();
    if (!pool_records.ok()) return pool_records.status();
    auto open = store.LoadOpen();
    if (!open.ok()) return open.status();
    v1::RunMatchingResponse report;
    report.set_solver(settings.policy);

    std::vector<Mediator> pool;
    for (const auto& m : *pool_records) {
      auto read = MediatorOf(m.record);
      if (!read.ok()) {
        log::Warn("mediator_unreadable", {{"mediator_id", m.record.mediator().mediator_id()}, {"error", read.status().message()}});
        continue;
      }
      pool.push_back(std::move(*read));
    }
    // An appointment that began without a booking leaves the open list (so
    // that the list and this run do not grow with the past).
    for (const auto& l : *open) {
      if (absl::FromUnixSeconds(l.record.request().start().seconds()) > now) continue;
      auto closed = mediators_.ChangeRequest("past", v1::GetMediationRequestRequest(), "", l.record.request().request_id(),
                                             [](v1::RequestRecord& record, std::vector<OutgoingEvent>&) {
                                               record.set_past(true);
                                               return absl::OkStatus();
                                             });
      if (!closed.ok() && !absl::IsNotFound(closed.status())) return closed.status();
      report.set_past(report.past() + 1);
    }
    // Proposals stand until the office decides; the rest is matched: open and
    // unfilled requests whose appointment is still ahead.
    std::vector<AppointmentRequest> requests;
    std::vector<const LoadedRequest*> of;
    for (const auto& l : *open) {
      const auto& r = l.record.request();
      if (r.status() == v1::REQUEST_STATUS_PROPOSED || absl::FromUnixSeconds(r.start().seconds()) <= now) continue;
      auto read = AppointmentOf(l.record);
      if (!read.ok()) {
        log::Warn("request_unreadable", {{"request_id", r.request_id()}, {"error", read.status().message()}});
        continue;
      }
      requests.push_back(std::move(*read));
      of.push_back(&l);
    }
    if (requests.empty()) return report;
    // Bookings from the month's start: the hours cap counts them.
    const absl::CivilMonth month(absl::ToCivilSecond(now, settings.zone));
    auto booked = mediators_.BookingsFrom(absl::FromCivil(month, settings.zone), *open);
    if (!booked.ok()) return booked.status();
    auto result = Match(pool, *booked, requests, now, settings);
    if (!result.ok()) return result.status();

    // Each decision on the request as it is now: one the office changed meanwhile stays as it is.
    const auto matched_status = [](const v1::RequestRecord& record) {
      const auto s = record.request().status();
      return s == v1::REQUEST_STATUS_OPEN || s == v1::REQUEST_STATUS_UNFILLED;
    };
    for (const Proposal& p : result->proposals) {
      const std::string& id = requests[p.request].id;
      auto changed = mediators_.ChangeRequest(
          "propose", v1::GetMediationRequestRequest(), "", id,
          [&](v1::RequestRecord& record, std::vector<OutgoingEvent>& events) -> absl::Status {
            if (!matched_status(record)) return absl::FailedPreconditionError("changed meanwhile");
            v1::MediationRequest& r = *record.mutable_request();
            r.set_status(v1::REQUEST_STATUS_PROPOSED);
            r.set_proposed_mediator_id(p.mediator_id);
            r.clear_unfilled_reason();
            v1::MediatorProposed e;
            *e.mutable_meta() = mediators_.Meta("");
            e.set_request_id(id);
            e.set_mediator_id(p.mediator_id);
            events.push_back(ToOutgoing(streams::kMediatorProposed, e));
            return absl::OkStatus();
          });
      if (!changed.ok() && !absl::IsFailedPrecondition(changed.status()) && !absl::IsNotFound(changed.status())) {
        return changed.status();
      }
      if (changed.ok()) report.set_proposed(report.proposed() + 1);
    }
    for (const auto& [index, why] : result->unfilled) {
      const v1::RequestRecord& before = of[index]->record;
      const v1::UnfilledReason reason = ReasonOf(why);
      report.set_unfilled(report.unfilled() + 1);
      mediators_.CountUnfilled(before.request().language(), before.request().social_area(), reason);
      // Told once per reason: a request that stays unfilled for the same reason changes nothing.
      if (before.request().status() == v1::REQUEST_STATUS_UNFILLED && before.request().unfilled_reason() == reason) continue;
      const std::string& id = requests[index].id;
      auto changed = mediators_.ChangeRequest(
          "unfilled", v1::GetMediationRequestRequest(), "", id,
          [&](v1::RequestRecord& record, std::vector<OutgoingEvent>& events) -> absl::Status {
            if (!matched_status(record)) return absl::FailedPreconditionError("changed meanwhile");
            v1::MediationRequest& r = *record.mutable_request();
            r.set_status(v1::REQUEST_STATUS_UNFILLED);
            r.set_unfilled_reason(reason);
            v1::MediationUnfilled e;
            *e.mutable_meta() = mediators_.Meta("");
            e.set_request_id(id);
            e.set_language(r.language());
            e.set_social_area(r.social_area());
            e.set_reason(reason);
            events.push_back(ToOutgoing(streams::kMediationUnfilled, e));
            return absl::OkStatus();
          });
      if (!changed.ok() && !absl::IsFailedPrecondition(changed.status()) && !absl::IsNotFound(changed.status())) {
        return changed.status();
      }
    }
    if (report.proposed() > 0 || report.unfilled() > 0) {
      log::Info("mediators_matched", {{"requests", static_cast<int64_t>(requests.size())},
                                      {"proposed", report.proposed()},
                                      {"unfilled", report.unfilled()},
                                      {"policy", settings.policy}});
    }
    return report;
  });
}

}  // namespace ankommen::mediators
