// The mediators service's use cases (mediators.h): construction, what they
// share — the domain's view of stored records, one request's change, the
// calendar the matching sees — and the events' metadata.
#include "mediators.h"

#include "absl/strings/str_cat.h"
#include "ankommen/mediators/v1/events.pb.h"
#include "bus/streams.h"
#include "convert.h"
#include "mediators_internal.h"
#include "store/command.h"
#include "store/ids.h"

namespace ankommen::mediators {

Mediators::Mediators(MediatorsStore& store, const Clock& clock, MediatorsSettings settings, Metrics& metrics)
    : store_(store),
      clock_(clock),
      settings_(std::move(settings)),
      instruments_(std::make_unique<MediatorsInstruments>(metrics.registry())) {
  instruments_->urgent_target.Add({}).Set(absl::ToDoubleSeconds(settings_.urgent_target));
}

Mediators::~Mediators() = default;

ankommen::common::v1::EventMeta Mediators::Meta(const std::string& correlation_id) const {
  ankommen::common::v1::EventMeta meta;
  meta.set_event_id(NewId("ev", 0));
  meta.mutable_occurred_at()->set_seconds(absl::ToUnixSeconds(clock_.Now()));
  meta.set_correlation_id(correlation_id);
  meta.set_producer("mediators");
  return meta;
}

void Mediators::Changed(bool match) {
  if (match && on_demand_) on_demand_();
  if (on_change_) on_change_();
}

void Mediators::CountUnfilled(const std::string& language, const std::string& area, v1::UnfilledReason reason) {
  instruments_->unfilled_vec.With({language, area.empty() ? "remote" : area, EnumLabel(v1::UnfilledReason_Name(reason), "UNFILLED_REASON_")})
      .Increment();
}

OutgoingEvent Mediators::BookingCancelled(const v1::MediationRequest& r, const std::string& mediator_id,
                                          v1::CancelledBy by, bool matched_again,
                                          const std::string& correlation_id) const {
  v1::BookingCancelled e;
  *e.mutable_meta() = Meta(correlation_id);
  e.set_request_id(r.request_id());
  e.set_mediator_id(mediator_id);
  e.set_by(by);
  e.set_matched_again(matched_again);
  *e.mutable_start() = r.start();
  e.set_language(r.language());
  e.set_remote(r.remote());
  e.set_place_name(r.place_name());
  e.set_social_area(r.social_area());
  return ToOutgoing(streams::kBookingCancelled, e);
}

absl::StatusOr<AppointmentRequest> AppointmentOf(const v1::RequestRecord& record) {
  // Stored requests were checked when they came; their start may have passed since.
  auto r = RequestFromProto(record.request(), record.household_id(), absl::InfinitePast());
  if (!r.ok()) return r.status();
  r->passed_mediator_ids.assign(record.passed_mediator_ids().begin(), record.passed_mediator_ids().end());
  return r;
}

absl::StatusOr<Mediator> MediatorOf(const v1::MediatorRecord& record) { return MediatorFromProto(record.mediator()); }

absl::StatusOr<v1::MediationRequest> Mediators::ChangeRequest(const char* scope, const google::protobuf::Message& request,
                                                              const std::string& idempotency_key,
                                                              const std::string& request_id, const RequestChange& change) {
  if (!IsValidId(request_id, kRequestIdPrefix)) {
    return absl::InvalidArgumentError(absl::StrCat("request_id: '", request_id, "' is no request id (mreq_…)"));
  }
  const int partition = PartitionOfId(request_id);
  auto decide = [&]() -> absl::StatusOr<Commit> {
    auto loaded = store_.LoadRequest(request_id);
    if (!loaded.ok()) return loaded.status();
    if (!loaded->has_value()) return absl::NotFoundError(absl::StrCat("request ", request_id, " not found"));
    v1::RequestRecord record = std::move((*loaded)->record);
    Commit c;
    if (auto s = change(record, c.events); !s.ok()) return s;
    record.mutable_request()->set_version((*loaded)->version + 1);
    c.aggregate_key = store_.RequestKey(request_id);
    c.expected_version = (*loaded)->version;
    c.state = record.SerializeAsString();
    c.index_ops = store_.RequestIndexes(record);
    return c;
  };
  absl::Status s;
  if (idempotency_key.empty()) {
    s = ApplyChange(store_.outbox(), partition, [&]() -> absl::StatusOr<std::optional<Commit>> {
      auto c = decide();
      if (!c.ok()) return c.status();
      return std::optional<Commit>(std::move(*c));
    });
  } else {
    s = RunCommand(store_.outbox(), partition, scope, request, idempotency_key, [&]() -> absl::StatusOr<Decision> {
          auto c = decide();
          if (!c.ok()) return c.status();
          Decision d;
          d.commit = std::move(*c);
          d.record = request_id;
          return d;
        }).status();
  }
  if (!s.ok()) return s;
  auto now = store_.LoadRequest(request_id);
  if (!now.ok()) return now.status();
  if (!now->has_value()) return absl::NotFoundError(absl::StrCat("request ", request_id, " not found"));
  return (*now)->record.request();
}

absl::StatusOr<std::vector<Booking>> Mediators::BookingsFrom(absl::Time from, const std::vector<LoadedRequest>& open) {
  auto calendar = store_.LoadCalendar(from, absl::InfiniteFuture());
  if (!calendar.ok()) return calendar.status();
  std::vector<Booking> out;
  auto add = [&](const v1::MediationRequest& r, const std::string& mediator_id) {
    out.push_back({mediator_id, absl::FromUnixSeconds(r.start().seconds()), absl::Minutes(r.duration_minutes()), r.remote()});
  };
  for (const auto& c : *calendar) {
    const auto& r = c.record.request();
    if (r.status() == v1::REQUEST_STATUS_BOOKED || r.status() == v1::REQUEST_STATUS_DELIVERED) add(r, r.booked_mediator_id());
  }
  for (const auto& o : open) {
    const auto& r = o.record.request();
    if (r.status() == v1::REQUEST_STATUS_PROPOSED && absl::FromUnixSeconds(r.start().seconds()) >= from) {
      add(r, r.proposed_mediator_id());
    }
  }
  return out;
}

}  // namespace ankommen::mediators
