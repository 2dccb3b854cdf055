// The pool: mediators join, change, are imported from a spreadsheet, record
// absences and leave; their contact data is read only with a recorded purpose.
#include <algorithm>

#include "absl/strings/str_cat.h"
#include "ankommen/mediators/v1/events.pb.h"
#include "bus/streams.h"
#include "convert.h"
#include "grpc/status.h"
#include "mediators.h"
#include "mediators_internal.h"
#include "observability/log.h"
#include "pool_csv.h"
#include "store/command.h"
#include "store/ids.h"
#include "text/field_checks.h"

namespace ankommen::mediators {
namespace {

inline constexpr size_t kMaxTextChars = 500;

// The mediator as the API reads it, checked; a new one gets a placeholder id to pass the rules.
absl::Status CheckMediator(const v1::Mediator& m, const v1::MediatorContact* contact, bool is_new) {
  Violations v;
  v1::Mediator checked = m;
  if (is_new) checked.set_mediator_id("med_new");
  for (int i = 0; i < m.related_household_ids_size(); ++i) {
    if (!IsValidId(m.related_household_ids(i), kHouseholdIdPrefix)) {
      v.Add(absl::StrCat("mediator.related_household_ids[", i, "]"), "must be a registry household id (hh_…)");
    }
  }
  if (contact != nullptr) {
    for (auto& f : FieldViolationsOf(ValidateContact(*contact))) v.Add(std::move(f.field), std::move(f.description));
  } else if (is_new) {
    v.Add("contact", "is required for a new mediator");
  }
  auto read = MediatorFromProto(checked);
  if (v.empty()) return read.status();
  std::vector<FieldViolation> all = v.list();
  for (auto& f : FieldViolationsOf(read.status())) all.push_back(std::move(f));
  return InvalidFields(all);
}

}  // namespace

absl::StatusOr<LoadedMediator> Mediators::LoadExistingMediator(const std::string& id) {
  if (!IsValidId(id, kMediatorIdPrefix)) {
    return InvalidFields({{"mediator_id", absl::StrCat("'", id, "' is no mediator id (med_…)")}});
  }
  auto loaded = store_.LoadMediator(id);
  if (!loaded.ok()) return loaded.status();
  if (!loaded->has_value() || (*loaded)->record.removed()) {
    return absl::NotFoundError(absl::StrCat("mediator ", id, " not found"));
  }
  return std::move(**loaded);
}

absl::StatusOr<std::string> Mediators::SaveMediator(const google::protobuf::Message& request, const std::string& key,
                                                    const v1::Mediator& mediator, const v1::MediatorContact* contact,
                                                    const RequestContext&) {
  const bool is_new = mediator.mediator_id().empty();
  const int partition = is_new ? PartitionOfKey(key) : PartitionOfId(mediator.mediator_id());
  auto outcome = RunCommand(store_.outbox(), partition, "mediator", request, key, [&]() -> absl::StatusOr<Decision> {
    v1::MediatorRecord record;
    int64_t version = 0;
    if (is_new) {
      *record.mutable_contact() = *contact;
    } else {
      auto loaded = LoadExistingMediator(mediator.mediator_id());
      if (!loaded.ok()) return loaded.status();
      record = std::move(loaded->record);
      version = loaded->version;
      if (contact != nullptr) *record.mutable_contact() = *contact;
    }
    v1::Mediator& m = *record.mutable_mediator() = mediator;
    if (is_new) m.set_mediator_id(NewId(kMediatorIdPrefix, partition));
    m.set_version(version + 1);
    Decision d;
    d.commit.aggregate_key = store_.MediatorKey(m.mediator_id());
    d.commit.expected_version = version;
    d.commit.state = record.SerializeAsString();
    d.commit.index_ops = {store_.PoolIndex(record)};
    d.record = m.mediator_id();
    return d;
  });
  if (!outcome.ok()) return outcome.status();
  return outcome->record;
}

absl::Status Mediators::UpsertMediator(const v1::UpsertMediatorRequest& request, v1::UpsertMediatorResponse& response,
                                       const RequestContext& rc) {
  Violations v;
  CheckIdempotencyKey(v, request.idempotency_key());
  if (!v.empty()) return v.ToStatus();
  const bool is_new = request.mediator().mediator_id().empty();
  if (!is_new && !IsValidId(request.mediator().mediator_id(), kMediatorIdPrefix)) {
    return InvalidFields({{"mediator.mediator_id", "must be empty for a new mediator or an id (med_…)"}});
  }
  if (auto s = CheckMediator(request.mediator(), request.has_contact() ? &request.contact() : nullptr, is_new); !s.ok()) {
    return s;
  }
  auto id = SaveMediator(request, request.idempotency_key(), request.mediator(),
                         request.has_contact() ? &request.contact() : nullptr, rc);
  if (!id.ok()) return id.status();
  Changed(/*match=*/true);
  v1::GetMediatorRequest get;
  get.set_mediator_id(*id);
  v1::GetMediatorResponse got;
  if (auto s = GetMediator(get, got, rc); !s.ok()) return s;
  *response.mutable_mediator() = std::move(*got.mutable_mediator());
  return absl::OkStatus();
}

absl::Status Mediators::ImportMediators(const v1::ImportMediatorsRequest& request, v1::ImportMediatorsResponse& response,
                                        const RequestContext& rc) {
  Violations v;
  CheckIdempotencyKey(v, request.idempotency_key());
  if (request.csv().empty()) v.Add("csv", "is required");
  if (request.csv().size() > 4 * 1024 * 1024) v.Add("csv", "must be at most 4 MiB; split the pool");
  if (!v.empty()) return v.ToStatus();
  const CsvTable table = ParseCsv(request.csv());
  for (const auto& missing : table.Missing(kPoolColumns)) {
    auto* r = response.add_rejected();
    r->set_line(1);
    r->set_reason(absl::StrCat("the header has no column ", missing));
  }
  if (response.rejected_size() > 0) return absl::OkStatus();
  for (const CsvRow& row : table.rows) {
    auto parsed = PoolRowOf(table, row);
    absl::Status s = parsed.status();
    if (s.ok()) s = CheckMediator(parsed->mediator, &parsed->contact, /*is_new=*/true);
    if (s.ok()) {
      v1::UpsertMediatorRequest as_request;  // what the row asks for, for the key's fingerprint
      *as_request.mutable_mediator() = parsed->mediator;
      *as_request.mutable_contact() = parsed->contact;
        auto id = SaveMediator(as_request, absl::StrCat(request.idempotency_key(), "/", row.line), parsed->mediator,
                             &parsed->contact, rc);
      s = id.status();
      if (id.ok()) response.add_mediator_ids(*id);
    }
    if (!s.ok()) {
      auto* r = response.add_rejected();
      r->set_line(row.line);
      r->set_reason(std::string(s.message()));
      continue;
    }
    response.set_imported(response.imported() + 1);
  }
  log::Info("mediators_imported", {{"imported", response.imported()}, {"rejected", response.rejected_size()}});
  if (response.imported() > 0) Changed(/*match=*/true);
  return absl::OkStatus();
}

absl::Status Mediators::GetMediator(const v1::GetMediatorRequest& request, v1::GetMediatorResponse& response,
                                    const RequestContext&) {
  auto loaded = LoadExistingMediator(request.mediator_id());
  if (!loaded.ok()) return loaded.status();
  *response.mutable_mediator() = loaded->record.mediator();
  return absl::OkStatus();
}

absl::Status Mediators::GetMediatorContact(const v1::GetMediatorContactRequest& request,
                                           v1::GetMediatorContactResponse& response, const RequestContext& rc) {
  Violations v;
  CheckText(v, "purpose", request.purpose(), /*required=*/true, kMaxTextChars);
  if (!v.empty()) return v.ToStatus();
  auto loaded = LoadExistingMediator(request.mediator_id());
  if (!loaded.ok()) return loaded.status();
  // Fail closed: no contact data unless its read is recorded.
  if (auto s = store_.Audit({rc.actor, rc.method, request.mediator_id(), request.purpose(), rc.correlation_id}); !s.ok()) {
    return absl::UnavailableError(absl::StrCat("audit log unavailable: ", s.message()));
  }
  *response.mutable_contact() = loaded->record.contact();
  return absl::OkStatus();
}

absl::StatusOr<std::vector<std::string>> Mediators::ReleaseBookings(
    const std::string& mediator_id, const std::string& cause,
    const std::function<bool(const v1::MediationRequest&)>& affected) {
  const absl::Time now = clock_.Now();
  auto open = store_.LoadOpen();
  if (!open.ok()) return open.status();
  auto calendar = store_.LoadCalendar(now, absl::InfiniteFuture());
  if (!calendar.ok()) return calendar.status();
  std::vector<std::string> ids;
  for (const auto* list : {&*open, &*calendar}) {
    for (const auto& l : *list) {
      const auto& r = l.record.request();
      const bool holds = (r.status() == v1::REQUEST_STATUS_PROPOSED && r.proposed_mediator_id() == mediator_id) ||
                         (r.status() == v1::REQUEST_STATUS_BOOKED && r.booked_mediator_id() == mediator_id);
      if (holds && affected(r)) ids.push_back(r.request_id());
    }
  }
  for (const std::string& id : ids) {
    auto changed = ChangeRequest("release", v1::GetMediationRequestRequest(), "", id, [&](v1::RequestRecord& record, std::vector<OutgoingEvent>& events) {
      v1::MediationRequest& r = *record.mutable_request();
      const bool was_booked = r.status() == v1::REQUEST_STATUS_BOOKED && r.booked_mediator_id() == mediator_id;
      const bool was_proposed = r.status() == v1::REQUEST_STATUS_PROPOSED && r.proposed_mediator_id() == mediator_id;
      if (!was_booked && !was_proposed) return absl::OkStatus();  // changed meanwhile: nothing of theirs to release
      r.set_status(v1::REQUEST_STATUS_OPEN);
      r.clear_proposed_mediator_id();
      r.clear_booked_mediator_id();
      r.clear_booked_at();
      r.set_reason(cause);
      record.add_passed_mediator_ids(mediator_id);
      if (was_booked) {
        events.push_back(BookingCancelled(r, mediator_id, v1::CANCELLED_BY_MEDIATOR, /*matched_again=*/true, ""));
      }
      return absl::OkStatus();
    });
    if (!changed.ok()) return changed.status();
  }
  if (!ids.empty()) Changed(/*match=*/true);
  return ids;
}

absl::Status Mediators::RecordAbsence(const v1::RecordAbsenceRequest& request, v1::RecordAbsenceResponse& response,
                                      const RequestContext& rc) {
  Violations v;
  CheckIdempotencyKey(v, request.idempotency_key());
  absl::CivilDay from, to;
  if (!ParseIsoDate(request.absence().from(), from)) v.Add("absence.from", "must be a date YYYY-MM-DD");
  if (!ParseIsoDate(request.absence().to(), to)) v.Add("absence.to", "must be a date YYYY-MM-DD");
  if (v.empty() && to < from) v.Add("absence.to", "must not be before absence.from");
  if (!v.empty()) return v.ToStatus();
  auto loaded = LoadExistingMediator(request.mediator_id());
  if (!loaded.ok()) return loaded.status();
  v1::Mediator changed = loaded->record.mediator();
  *changed.add_absences() = request.absence();
  // The rules refuse an absence that overlaps one recorded (named as mediator.absences[i]).
  if (auto read = MediatorFromProto(changed); !read.ok()) return read.status();
  auto id = SaveMediator(request, request.idempotency_key(), changed, nullptr, rc);
  if (!id.ok()) return id.status();
  const absl::TimeZone zone = settings_.match.zone;
  auto released = ReleaseBookings(*id, "the mediator is absent", [&](const v1::MediationRequest& r) {
    const absl::CivilDay day = absl::ToCivilDay(absl::FromUnixSeconds(r.start().seconds()), zone);
    return from <= day && day <= to;
  });
  if (!released.ok()) return released.status();
  for (const auto& r : *released) response.add_requests_rematched(r);
  auto now = LoadExistingMediator(*id);
  if (!now.ok()) return now.status();
  *response.mutable_mediator() = now->record.mediator();
  Changed(/*match=*/true);
  return absl::OkStatus();
}

absl::Status Mediators::RemoveMediator(const v1::RemoveMediatorRequest& request, v1::RemoveMediatorResponse& response,
                                       const RequestContext& rc) {
  Violations v;
  CheckIdempotencyKey(v, request.idempotency_key());
  CheckText(v, "reason", request.reason(), /*required=*/true, kMaxTextChars);
  if (!v.empty()) return v.ToStatus();
  const std::string& id = request.mediator_id();
  if (!IsValidId(id, kMediatorIdPrefix)) return InvalidFields({{"mediator_id", "is no mediator id (med_…)"}});
  auto outcome = RunCommand(store_.outbox(), PartitionOfId(id), "remove-mediator", request, request.idempotency_key(),
                            [&]() -> absl::StatusOr<Decision> {
    auto loaded = LoadExistingMediator(id);
    if (!loaded.ok()) return loaded.status();
    // Nothing personal stays: the id only, for the bookings and hours it had.
    v1::MediatorRecord record;
    record.mutable_mediator()->set_mediator_id(id);
    record.mutable_mediator()->set_version(loaded->version + 1);
    record.set_removed(true);
    v1::MediatorRemoved e;
    *e.mutable_meta() = Meta(rc.correlation_id);
    e.set_mediator_id(id);
    Decision d;
    d.commit.aggregate_key = store_.MediatorKey(id);
    d.commit.expected_version = loaded->version;
    d.commit.state = record.SerializeAsString();
    d.commit.index_ops = {store_.PoolIndex(record),
                          store_.AuditOp({rc.actor, rc.method, id, request.reason(), rc.correlation_id})};
    d.commit.events = {ToOutgoing(streams::kMediatorRemoved, e)};
    d.record = id;
    return d;
  });
  if (!outcome.ok()) return outcome.status();
  auto released = ReleaseBookings(id, "the mediator left the pool", [](const v1::MediationRequest&) { return true; });
  if (!released.ok()) return released.status();
  for (const auto& r : *released) response.add_requests_rematched(r);
  Changed(/*match=*/true);
  return absl::OkStatus();
}

}  // namespace ankommen::mediators
