#include "housing.h"

#include "absl/strings/str_cat.h"
#include "ankommen/housing/v1/events.pb.h"
#include "ankommen/registry/v1/events.pb.h"
#include "store/command.h"
#include "text/csv.h"
#include "domain/validation.h"
#include "text/field_checks.h"
#include "store/ids.h"
#include "observability/log.h"
#include "observability/metrics.h"
#include "bus/streams.h"

namespace ankommen::housing {

namespace rv1 = ::ankommen::registry::v1;

std::string KindLabel(v1::Kind kind) { return kind == v1::KIND_FLAT ? "flat" : "shared"; }

struct HousingInstruments {
  explicit HousingInstruments(prometheus::Registry& r)
      : waiting(prometheus::BuildGauge()
                    .Name("ankommen_housing_households_waiting")
                    .Help("Households waiting for a place")
                    .Register(r)),
        wait_days(prometheus::BuildHistogram()
                      .Name("ankommen_housing_wait_days")
                      .Help("Days from registration to moving in")
                      .Register(r)),
        beds(prometheus::BuildGauge()
                 .Name("ankommen_housing_beds")
                 .Help("Beds by kind (shared, flat) and state (free, used)")
                 .Register(r)),
        violations(prometheus::BuildGauge()
                       .Name("ankommen_housing_standard_violations")
                       .Help("Places holding more people than the m² standard allows")
                       .Register(r)),
        per_worker(prometheus::BuildGauge()
                       .Name("ankommen_housing_persons_per_social_worker")
                       .Help("Persons housed per social worker (target 80, today 150)")
                       .Register(r)),
        offers_waiting(prometheus::BuildGauge()
                           .Name("ankommen_housing_offers_waiting")
                           .Help("Offers waiting for the housing authority's confirmation")
                           .Register(r)),
        oldest_offer(prometheus::BuildGauge()
                         .Name("ankommen_housing_oldest_offer_age_seconds")
                         .Help("How long the oldest offer has waited for the housing authority")
                         .Register(r)),
        decisions(prometheus::BuildCounter()
                      .Name("ankommen_housing_placement_decisions_total")
                      .Help("The housing authority's decisions: confirmed, declined or manual, with the override reason")
                      .Register(r)),
        waiting_table(waiting, {"social_area"}),
        beds_table(beds, {"kind", "social_area", "state"}),
        violations_table(violations, {"social_area"}),
        per_worker_table(per_worker, {"social_area"}),
        offers_waiting_gauge(offers_waiting.Add({})),
        oldest_offer_gauge(oldest_offer.Add({})),
        decisions_vec(decisions, {"decision", "reason"}),
        wait_days_histogram(wait_days.Add({}, prometheus::Histogram::BucketBoundaries{1, 3, 7, 14, 30, 60, 90, 180, 365})) {}

  prometheus::Family<prometheus::Gauge>& waiting;
  prometheus::Family<prometheus::Histogram>& wait_days;
  prometheus::Family<prometheus::Gauge>& beds;
  prometheus::Family<prometheus::Gauge>& violations;
  prometheus::Family<prometheus::Gauge>& per_worker;
  prometheus::Family<prometheus::Gauge>& offers_waiting;
  prometheus::Family<prometheus::Gauge>& oldest_offer;
  prometheus::Family<prometheus::Counter>& decisions;
  GaugeTable waiting_table;
  GaugeTable beds_table;
  GaugeTable violations_table;
  GaugeTable per_worker_table;
  prometheus::Gauge& offers_waiting_gauge;
  prometheus::Gauge& oldest_offer_gauge;
  MetricVec<prometheus::Counter> decisions_vec;
  prometheus::Histogram& wait_days_histogram;
};

Housing::Housing(HousingStore& store, const Clock& clock, absl::TimeZone zone, HousingSettings settings,
                 Metrics& metrics)
    : store_(store),
      clock_(clock),
      zone_(zone),
      settings_(std::move(settings)),
      instruments_(std::make_unique<HousingInstruments>(metrics.registry())) {}

Housing::~Housing() = default;

ankommen::common::v1::EventMeta Housing::Meta(const std::string& correlation_id) const {
  ankommen::common::v1::EventMeta meta;
  meta.set_event_id(NewId("ev", 0));
  meta.mutable_occurred_at()->set_seconds(absl::ToUnixSeconds(clock_.Now()));
  meta.set_correlation_id(correlation_id);
  meta.set_producer("housing");
  return meta;
}

void Housing::Changed(bool allocate) {
  if (allocate && on_demand_) on_demand_();
  if (on_change_) on_change_();
}

// ---------------------------------------------------------------- accommodations

absl::StatusOr<LoadedAccommodation> Housing::LoadExisting(const std::string& id) {
  auto loaded = store_.LoadAccommodation(id);
  if (!loaded.ok()) return loaded.status();
  if (!loaded->has_value()) return absl::NotFoundError(absl::StrCat("accommodation ", id, " not found"));
  return std::move(**loaded);
}

absl::Status Housing::SaveNewAccommodation(const google::protobuf::Message& request, const std::string& key,
                                           v1::Accommodation accommodation, std::string& id) {
  const int partition = PartitionOfKey(key);
  auto outcome = RunCommand(store_.outbox(), partition, "accommodation", request, key, [&]() -> absl::StatusOr<Decision> {
    v1::AccommodationRecord record;
    v1::Accommodation& a = *record.mutable_accommodation() = accommodation;
    a.set_accommodation_id(NewId(kAccommodationIdPrefix, partition));
    a.set_status(v1::ACCOMMODATION_STATUS_ACTIVE);
    if (a.kind() == v1::KIND_FLAT) a.set_vacant(!a.vacant_from().empty());  // in the register once a date is known
    Decision d;
    d.commit.aggregate_key = store_.AccommodationKey(a.accommodation_id());
    d.commit.state = record.SerializeAsString();
    d.commit.index_ops = {IndexOp::SortedAdd(store_.AccommodationIndexKey(partition), a.accommodation_id())};
    d.record = a.accommodation_id();
    return d;
  });
  if (!outcome.ok()) return outcome.status();
  id = outcome->record;
  return absl::OkStatus();
}

absl::Status Housing::CreateAccommodation(const v1::CreateAccommodationRequest& request,
                                          v1::CreateAccommodationResponse& response, const RequestContext& rc) {
  if (auto s = ValidateCreateAccommodation(request); !s.ok()) return s;
  std::string id;
  if (auto s = SaveNewAccommodation(request, request.idempotency_key(), request.accommodation(), id); !s.ok()) return s;
  Changed(/*allocate=*/true);
  v1::GetAccommodationRequest get;
  get.set_accommodation_id(id);
  v1::GetAccommodationResponse got;
  if (auto s = GetAccommodation(get, got, rc); !s.ok()) return s;
  *response.mutable_accommodation() = std::move(*got.mutable_accommodation());
  return absl::OkStatus();
}

absl::Status Housing::ImportAccommodations(const v1::ImportAccommodationsRequest& request,
                                           v1::ImportAccommodationsResponse& response, const RequestContext&) {
  if (auto s = ValidateImport(request); !s.ok()) return s;
  const CsvTable table = ParseCsv(request.csv());
  for (const auto& missing : table.Missing(kTableColumns)) {
    auto* r = response.add_rejected();
    r->set_line(1);
    r->set_reason(absl::StrCat("the header has no column ", missing));
  }
  if (response.rejected_size() > 0) return absl::OkStatus();
  for (const CsvRow& row : table.rows) {
    auto accommodation = AccommodationFromRow(table, row);
    std::string id;
    absl::Status s = accommodation.status();
    if (s.ok()) {
      v1::CreateAccommodationRequest as_request;  // what the row asks for, for the key's fingerprint
      *as_request.mutable_accommodation() = *accommodation;
      s = SaveNewAccommodation(as_request, absl::StrCat(request.idempotency_key(), "/", row.line), *accommodation, id);
    }
    if (!s.ok()) {
      auto* r = response.add_rejected();
      r->set_line(row.line);
      r->set_reason(std::string(s.message()));
      continue;
    }
    response.set_imported(response.imported() + 1);
  }
  log::Info("accommodations_imported", {{"imported", response.imported()}, {"rejected", response.rejected_size()}});
  if (response.imported() > 0) Changed(/*allocate=*/true);
  return absl::OkStatus();
}

absl::StatusOr<bool> Housing::ChangeAccommodation(const char* scope, const google::protobuf::Message& request,
                                                  const std::string& idempotency_key, const std::string& id,
                                                  const AccommodationChange& decide) {
  auto outcome = RunCommand(store_.outbox(), PartitionOfId(id), scope, request, idempotency_key,
                            [&]() -> absl::StatusOr<Decision> {
    auto loaded = LoadExisting(id);
    if (!loaded.ok()) return loaded.status();
    v1::AccommodationRecord record = std::move(loaded->record);
    Decision d;
    if (auto s = decide(record, d.commit.events); !s.ok()) return s;
    d.commit.aggregate_key = store_.AccommodationKey(id);
    d.commit.expected_version = loaded->version;
    d.commit.state = record.SerializeAsString();
    d.record = id;
    return d;
  });
  if (!outcome.ok()) return outcome.status();
  return !outcome->replayed;
}

absl::Status Housing::ReportVacancy(const v1::ReportVacancyRequest& request, v1::ReportVacancyResponse& response,
                                    const RequestContext& rc) {
  if (auto s = ValidateReportVacancy(request); !s.ok()) return s;
  auto changed = ChangeAccommodation("vacancy", request, request.idempotency_key(), request.accommodation_id(),
                                     [&](v1::AccommodationRecord& r, std::vector<OutgoingEvent>& events) -> absl::Status {
    v1::Accommodation& a = *r.mutable_accommodation();
    if (a.kind() != v1::KIND_FLAT) return absl::FailedPreconditionError("the vacancy register is for flats");
    if (a.status() != v1::ACCOMMODATION_STATUS_ACTIVE) {
      return absl::FailedPreconditionError("this flat's lease passed to its tenants; it is not the district's");
    }
    if (r.occupancies_size() > 0) return absl::FailedPreconditionError("this flat is occupied or offered");
    a.set_vacant(true);
    a.set_vacant_from(request.free_from());
    v1::VacancyReported e;
    *e.mutable_meta() = Meta(rc.correlation_id);
    e.set_accommodation_id(a.accommodation_id());
    e.set_free_from(request.free_from());
    events.push_back(ToOutgoing(streams::kVacancyReported, e));
    return absl::OkStatus();
  });
  if (!changed.ok()) return changed.status();
  if (*changed) Changed(/*allocate=*/true);
  auto loaded = LoadExisting(request.accommodation_id());
  if (!loaded.ok()) return loaded.status();
  *response.mutable_accommodation() = View(loaded->record);
  return absl::OkStatus();
}

absl::Status Housing::WithdrawVacancy(const v1::WithdrawVacancyRequest& request,
                                      v1::WithdrawVacancyResponse& response, const RequestContext&) {
  if (auto s = ValidateKeyAndId(request.idempotency_key(), "accommodation_id", request.accommodation_id(),
                                kAccommodationIdPrefix);
      !s.ok()) {
    return s;
  }
  auto changed = ChangeAccommodation("withdraw", request, request.idempotency_key(), request.accommodation_id(),
                                     [&](v1::AccommodationRecord& r, std::vector<OutgoingEvent>&) -> absl::Status {
    if (r.accommodation().kind() != v1::KIND_FLAT) return absl::FailedPreconditionError("the vacancy register is for flats");
    r.mutable_accommodation()->set_vacant(false);
    return absl::OkStatus();
  });
  if (!changed.ok()) return changed.status();
  if (*changed) Changed(/*allocate=*/false);
  auto loaded = LoadExisting(request.accommodation_id());
  if (!loaded.ok()) return loaded.status();
  *response.mutable_accommodation() = View(loaded->record);
  return absl::OkStatus();
}

absl::Status Housing::GetAccommodation(const v1::GetAccommodationRequest& request,
                                       v1::GetAccommodationResponse& response, const RequestContext&) {
  if (auto s = ValidateId("accommodation_id", request.accommodation_id(), kAccommodationIdPrefix); !s.ok()) return s;
  auto loaded = LoadExisting(request.accommodation_id());
  if (!loaded.ok()) return loaded.status();
  *response.mutable_accommodation() = View(loaded->record);
  response.mutable_accommodation()->set_version(loaded->version);
  return absl::OkStatus();
}

// ---------------------------------------------------------------- households

absl::StatusOr<v1::Household> Housing::CurrentHousehold(const std::string& household_id) {
  auto loaded = store_.LoadHousehold(household_id);
  if (!loaded.ok()) return loaded.status();
  if (!loaded->has_value() || (*loaded)->record.erased()) {
    return absl::NotFoundError(absl::StrCat("household ", household_id, " is not known to the housing service"));
  }
  return (*loaded)->record.household();
}

absl::Status Housing::GetHousehold(const v1::GetHouseholdRequest& request, v1::GetHouseholdResponse& response,
                                   const RequestContext&) {
  if (auto s = ValidateId("household_id", request.household_id(), kHouseholdIdPrefix); !s.ok()) return s;
  auto h = CurrentHousehold(request.household_id());
  if (!h.ok()) return h.status();
  *response.mutable_household() = std::move(*h);
  return absl::OkStatus();
}

absl::Status Housing::FollowHousehold(const std::string& household_id, const HouseholdChange& change) {
  return FollowHouseholdRecord(household_id,
                               [&](v1::HouseholdRecord& record) { return change(*record.mutable_household()); });
}

absl::Status Housing::FollowHouseholdRecord(const std::string& household_id, const HouseholdRecordChange& change) {
  return ApplyChange(store_.outbox(), PartitionOfId(household_id), [&]() -> absl::StatusOr<std::optional<Commit>> {
    auto loaded = store_.LoadHousehold(household_id);
    if (!loaded.ok()) return loaded.status();
    if (!loaded->has_value() || (*loaded)->record.erased()) {
      return absl::FailedPreconditionError(absl::StrCat("household ", household_id, " is gone"));
    }
    v1::HouseholdRecord record = std::move((*loaded)->record);
    auto changed = change(record);
    if (!changed.ok()) return changed.status();
    if (!*changed) return std::optional<Commit>();
    Commit c;
    c.aggregate_key = store_.HouseholdKey(household_id);
    c.expected_version = (*loaded)->version;
    c.state = record.SerializeAsString();
    c.index_ops = {store_.CareIndex(record)};
    return std::optional<Commit>(std::move(c));
  });
}

absl::Status Housing::ConfirmPlacement(const v1::ConfirmPlacementRequest& request,
                                       v1::ConfirmPlacementResponse& response, const RequestContext& rc) {
  if (auto s = ValidateKeyAndId(request.idempotency_key(), "offer_id", request.offer_id(), kOfferIdPrefix); !s.ok()) {
    return s;
  }
  auto acc_id = store_.FindOfferAccommodation(request.offer_id());
  if (!acc_id.ok()) return acc_id.status();
  if (!acc_id->has_value()) return absl::NotFoundError(absl::StrCat("offer ", request.offer_id(), " not found"));
  std::string household_id;
  auto changed = ChangeAccommodation("confirm", request, request.idempotency_key(), **acc_id,
                                     [&](v1::AccommodationRecord& r, std::vector<OutgoingEvent>& events) -> absl::Status {
    auto occupancy = Confirm(r, request.offer_id(), absl::ToUnixSeconds(clock_.Now()));
    if (!occupancy.ok()) return occupancy.status();
    household_id = occupancy->household_id();
    const v1::Accommodation& a = r.accommodation();
    v1::HouseholdMovedIn e;
    *e.mutable_meta() = Meta(rc.correlation_id);
    e.set_household_id(household_id);
    e.set_accommodation_id(a.accommodation_id());
    e.set_municipality_ags(a.municipality_ags());
    e.set_social_area(a.social_area());
    *e.mutable_approx_location() = a.coordinates();
    events.push_back(ToOutgoing(streams::kHouseholdMovedIn, e));
    return absl::OkStatus();
  });
  if (!changed.ok()) return changed.status();
  if (household_id.empty()) {  // a retry: the household is the one of the offer
    auto loaded = LoadExisting(**acc_id);
    if (!loaded.ok()) return loaded.status();
    for (const auto& o : loaded->record.occupancies()) {
      if (o.offer_id() == request.offer_id()) household_id = o.household_id();
    }
  }
  auto s = FollowHousehold(household_id, [&](v1::Household& h) -> absl::StatusOr<bool> {
    if (h.status() == v1::HOUSEHOLD_STATUS_HOUSED && h.accommodation_id() == **acc_id) return false;
    absl::CivilDay since;
    if (*changed && ParseIsoDate(h.waiting_since(), since)) {
      instruments_->wait_days_histogram.Observe(static_cast<double>(Today() - since));
    }
    auto* d = h.add_decisions();
    *d = NewDecision(v1::DECISION_KIND_CONFIRMED, h, rc, request.idempotency_key());
    d->set_accommodation_id(**acc_id);
    h.set_status(v1::HOUSEHOLD_STATUS_HOUSED);
    h.set_accommodation_id(**acc_id);
    h.set_reason("moved in");
    return true;
  });
  if (!s.ok()) return s;
  if (*changed) {
    CountDecision(v1::DECISION_KIND_CONFIRMED, v1::OVERRIDE_REASON_UNSPECIFIED);
    Changed(/*allocate=*/false);
  }
  auto h = CurrentHousehold(household_id);
  if (!h.ok()) return h.status();
  *response.mutable_household() = std::move(*h);
  return absl::OkStatus();
}

absl::Status Housing::DeclinePlacement(const v1::DeclinePlacementRequest& request,
                                       v1::DeclinePlacementResponse& response, const RequestContext& rc) {
  if (auto s = ValidateDecline(request); !s.ok()) return s;
  auto acc_id = store_.FindOfferAccommodation(request.offer_id());
  if (!acc_id.ok()) return acc_id.status();
  if (!acc_id->has_value()) return absl::NotFoundError(absl::StrCat("offer ", request.offer_id(), " not found"));
  std::string household_id;
  auto changed = ChangeAccommodation("decline", request, request.idempotency_key(), **acc_id,
                                     [&](v1::AccommodationRecord& r, std::vector<OutgoingEvent>&) -> absl::Status {
    for (const auto& o : r.occupancies()) {
      if (o.offer_id() != request.offer_id()) continue;
      if (o.state() != v1::Occupancy::STATE_OFFERED) {
        return absl::FailedPreconditionError("the household has moved in; use MoveOut");
      }
      household_id = o.household_id();
    }
    if (household_id.empty()) return absl::FailedPreconditionError(absl::StrCat("offer ", request.offer_id(), " is no longer open"));
    return Release(r, household_id).status();
  });
  if (!changed.ok()) return changed.status();
  if (!household_id.empty()) {
    // Back in line, and this place is not offered to them again: one commit.
    auto s = FollowHouseholdRecord(household_id, [&](v1::HouseholdRecord& record) -> absl::StatusOr<bool> {
      v1::Household& h = *record.mutable_household();
      if (h.offer_id() != request.offer_id() || h.status() != v1::HOUSEHOLD_STATUS_OFFERED) return false;
      auto* d = h.add_decisions();
      *d = NewDecision(v1::DECISION_KIND_DECLINED, h, rc, request.idempotency_key());
      d->set_reason(request.reason());
      d->set_note(request.note());
      h.set_status(v1::HOUSEHOLD_STATUS_WAITING);
      h.clear_offer_id();
      h.clear_accommodation_id();
      h.set_reason("declined an offer; waiting for another place");
      if (std::find(record.declined_ids().begin(), record.declined_ids().end(), **acc_id) == record.declined_ids().end()) {
        record.add_declined_ids(**acc_id);
      }
      return true;
    });
    if (!s.ok()) return s;
    auto h = CurrentHousehold(household_id);
    if (!h.ok()) return h.status();
    *response.mutable_household() = std::move(*h);
  }
  if (*changed) {
    CountDecision(v1::DECISION_KIND_DECLINED, request.reason());
    Changed(/*allocate=*/true);
  }
  return absl::OkStatus();
}

absl::Status Housing::PlaceManually(const v1::PlaceManuallyRequest& request, v1::PlaceManuallyResponse& response,
                                    const RequestContext& rc) {
  if (auto s = ValidatePlaceManually(request); !s.ok()) return s;
  const std::string& household_id = request.household_id();
  const std::string& acc_id = request.accommodation_id();
  auto before = CurrentHousehold(household_id);
  if (!before.ok()) return before.status();
  const bool decided_before = std::any_of(before->decisions().begin(), before->decisions().end(),
                                          [&](const v1::PlacementDecision& d) {
                                            return d.decision_id() == request.idempotency_key();
                                          });
  if (!decided_before) {
    if (before->status() != v1::HOUSEHOLD_STATUS_WAITING && before->status() != v1::HOUSEHOLD_STATUS_OFFERED) {
      return absl::FailedPreconditionError(absl::StrCat("household ", household_id, " is not waiting for a place"));
    }
    if (before->status() == v1::HOUSEHOLD_STATUS_OFFERED && before->accommodation_id() == acc_id) {
      return absl::FailedPreconditionError("this is the place offered: confirm the offer instead");
    }
  }
  const int64_t now = absl::ToUnixSeconds(clock_.Now());
  auto changed = ChangeAccommodation("place-manually", request, request.idempotency_key(), acc_id,
                                     [&](v1::AccommodationRecord& r, std::vector<OutgoingEvent>& events) -> absl::Status {
    // By hand, but never below the standard: beds, m² per person, step-free access.
    v1::Occupancy occupancy;
    occupancy.set_household_id(household_id);
    occupancy.set_offer_id(NewId(kOfferIdPrefix, PartitionOfId(acc_id)));
    occupancy.set_persons(before->persons());
    occupancy.set_state(v1::Occupancy::STATE_OFFERED);
    occupancy.set_since(now);
    if (auto s = AddOffer(r, occupancy, settings_.standards, *before); !s.ok()) return s;
    if (auto s = Confirm(r, occupancy.offer_id(), now); !s.ok()) return s.status();
    const v1::Accommodation& a = r.accommodation();
    v1::HouseholdMovedIn e;
    *e.mutable_meta() = Meta(rc.correlation_id);
    e.set_household_id(household_id);
    e.set_accommodation_id(acc_id);
    e.set_municipality_ags(a.municipality_ags());
    e.set_social_area(a.social_area());
    *e.mutable_approx_location() = a.coordinates();
    events.push_back(ToOutgoing(streams::kHouseholdMovedIn, e));
    return absl::OkStatus();
  });
  if (!changed.ok()) return changed.status();
  if (!decided_before) {
    // The engine's offer elsewhere, if there was one, gives its place back.
    if (before->status() == v1::HOUSEHOLD_STATUS_OFFERED && !before->accommodation_id().empty()) {
      auto released = ChangeAccommodation("release-offer", request, request.idempotency_key() + "/release",
                                          before->accommodation_id(),
                                          [&](v1::AccommodationRecord& r, std::vector<OutgoingEvent>&) -> absl::Status {
        auto gone = Release(r, household_id);
        return gone.ok() || absl::IsNotFound(gone.status()) ? absl::OkStatus() : gone.status();
      });
      if (!released.ok()) return released.status();
    }
    auto s = FollowHousehold(household_id, [&](v1::Household& h) -> absl::StatusOr<bool> {
      for (const auto& d : h.decisions()) {
        if (d.decision_id() == request.idempotency_key()) return false;  // a retry
      }
      auto* d = h.add_decisions();
      *d = NewDecision(v1::DECISION_KIND_MANUAL, h, rc, request.idempotency_key());
      d->set_accommodation_id(acc_id);
      d->set_reason(request.reason());
      d->set_note(request.note());
      h.set_status(v1::HOUSEHOLD_STATUS_HOUSED);
      h.set_accommodation_id(acc_id);
      h.clear_offer_id();
      h.set_reason("housed by hand by the housing authority");
      return true;
    });
    if (!s.ok()) return s;
    CountDecision(v1::DECISION_KIND_MANUAL, request.reason());
    Changed(/*allocate=*/true);
  }
  auto h = CurrentHousehold(household_id);
  if (!h.ok()) return h.status();
  *response.mutable_household() = std::move(*h);
  return absl::OkStatus();
}

v1::PlacementDecision Housing::NewDecision(v1::DecisionKind kind, const v1::Household& before, const RequestContext& rc,
                                           const std::string& decision_id) const {
  v1::PlacementDecision d;
  d.mutable_decided_at()->set_seconds(absl::ToUnixSeconds(clock_.Now()));
  d.set_actor(rc.actor);
  d.set_kind(kind);
  d.set_decision_id(decision_id);
  if (before.status() == v1::HOUSEHOLD_STATUS_OFFERED) {
    d.set_proposed_accommodation_id(before.accommodation_id());
    d.set_proposal_reason(before.reason());
  }
  return d;
}

void Housing::CountDecision(v1::DecisionKind kind, v1::OverrideReason reason) {
  instruments_->decisions_vec
      .With({EnumLabel(v1::DecisionKind_Name(kind), "DECISION_KIND_"),
             EnumLabel(v1::OverrideReason_Name(reason), "OVERRIDE_REASON_")})
      .Increment();
}

absl::Status Housing::MoveOut(const v1::MoveOutRequest& request, v1::MoveOutResponse& response,
                              const RequestContext& rc) {
  if (auto s = ValidateKeyAndId(request.idempotency_key(), "household_id", request.household_id(), kHouseholdIdPrefix);
      !s.ok()) {
    return s;
  }
  auto h = CurrentHousehold(request.household_id());
  if (!h.ok()) return h.status();
  if (h->accommodation_id().empty()) {
    return absl::FailedPreconditionError(absl::StrCat("household ", request.household_id(), " lives in no place of the district"));
  }
  const std::string acc_id = h->accommodation_id();
  auto changed = ChangeAccommodation("move-out", request, request.idempotency_key(), acc_id,
                                     [&](v1::AccommodationRecord& r, std::vector<OutgoingEvent>& events) -> absl::Status {
    if (auto released = Release(r, request.household_id()); !released.ok()) return released.status();
    v1::HouseholdMovedOut e;
    *e.mutable_meta() = Meta(rc.correlation_id);
    e.set_household_id(request.household_id());
    e.set_accommodation_id(acc_id);
    events.push_back(ToOutgoing(streams::kHouseholdMovedOut, e));
    return absl::OkStatus();
  });
  if (!changed.ok()) return changed.status();
  auto s = FollowHousehold(request.household_id(), [&](v1::Household& x) -> absl::StatusOr<bool> {
    if (x.status() == v1::HOUSEHOLD_STATUS_LEFT) return false;
    x.set_status(v1::HOUSEHOLD_STATUS_LEFT);
    x.clear_offer_id();
    x.set_reason("moved out");
    return true;
  });
  if (!s.ok()) return s;
  if (*changed) Changed(/*allocate=*/true);
  auto now = CurrentHousehold(request.household_id());
  if (!now.ok()) return now.status();
  *response.mutable_household() = std::move(*now);
  return absl::OkStatus();
}

absl::Status Housing::AcceptLeaseTransfer(const v1::AcceptLeaseTransferRequest& request,
                                          v1::AcceptLeaseTransferResponse& response, const RequestContext& rc) {
  if (auto s = ValidateKeyAndId(request.idempotency_key(), "household_id", request.household_id(), kHouseholdIdPrefix);
      !s.ok()) {
    return s;
  }
  auto h = CurrentHousehold(request.household_id());
  if (!h.ok()) return h.status();
  if (!h->lease_transfer_offered() && h->status() != v1::HOUSEHOLD_STATUS_TRANSFERRED) {
    return absl::FailedPreconditionError("no lease transfer was offered to this household");
  }
  const std::string acc_id = h->accommodation_id();
  auto changed = ChangeAccommodation("lease", request, request.idempotency_key(), acc_id,
                                     [&](v1::AccommodationRecord& r, std::vector<OutgoingEvent>& events) -> absl::Status {
    if (auto s = TransferLease(r, request.household_id()); !s.ok()) return s;
    v1::LeaseTransfer e;
    *e.mutable_meta() = Meta(rc.correlation_id);
    e.set_household_id(request.household_id());
    e.set_accommodation_id(acc_id);
    e.set_accepted(true);
    events.push_back(ToOutgoing(streams::kLeaseAccepted, e));
    return absl::OkStatus();
  });
  if (!changed.ok()) return changed.status();
  auto s = FollowHousehold(request.household_id(), [&](v1::Household& x) -> absl::StatusOr<bool> {
    if (x.status() == v1::HOUSEHOLD_STATUS_TRANSFERRED) return false;
    x.set_status(v1::HOUSEHOLD_STATUS_TRANSFERRED);
    x.set_reason("took over the lease: no longer in the district's care");
    return true;
  });
  if (!s.ok()) return s;
  if (*changed) Changed(/*allocate=*/false);
  auto now = CurrentHousehold(request.household_id());
  if (!now.ok()) return now.status();
  *response.mutable_household() = std::move(*now);
  return absl::OkStatus();
}

absl::Status Housing::GetFigures(const v1::GetFiguresRequest& request, v1::GetFiguresResponse& response,
                                 const RequestContext&) {
  if (!request.social_area().empty()) {
    Violations v;
    CheckSocialArea(v, "social_area", request.social_area());
    if (!v.empty()) return v.ToStatus();
  }
  auto accommodations = store_.LoadAllAccommodations();
  if (!accommodations.ok()) return accommodations.status();
  auto households = store_.LoadHouseholdsInCare();
  if (!households.ok()) return households.status();
  std::vector<v1::AccommodationRecord> a;
  std::vector<v1::HouseholdRecord> h;
  for (auto& x : *accommodations) a.push_back(std::move(x.record));
  for (auto& x : *households) h.push_back(std::move(x.record));
  for (auto& f : Figures(a, h, settings_.social_workers, settings_.standards)) {
    if (!request.social_area().empty() && f.social_area() != request.social_area()) continue;
    *response.add_areas() = std::move(f);
  }
  return absl::OkStatus();
}

// ---------------------------------------------------------------- the registry's events

absl::Status Housing::ApplyToHousehold(const IncomingEvent& event, const std::string& household_id,
                                       const std::function<absl::Status(v1::HouseholdRecord&, bool)>& change) {
  auto outcome = RunInbox(store_.outbox(), PartitionOfId(household_id), event.event_id,
                          [&]() -> absl::StatusOr<Decision> {
    auto loaded = store_.LoadHousehold(household_id);
    if (!loaded.ok()) return loaded.status();
    const bool is_new = !loaded->has_value();
    v1::HouseholdRecord record = is_new ? v1::HouseholdRecord() : std::move((*loaded)->record);
    if (record.erased()) return absl::NotFoundError("erased");
    record.mutable_household()->set_household_id(household_id);
    if (auto s = change(record, is_new); !s.ok()) return s;
    Decision d;
    d.commit.aggregate_key = store_.HouseholdKey(household_id);
    d.commit.expected_version = is_new ? 0 : (*loaded)->version;
    d.commit.state = record.SerializeAsString();
    d.commit.erased_marker = record.erased();
    d.commit.index_ops = {store_.CareIndex(record)};
    d.record = household_id;
    return d;
  });
  if (!outcome.ok()) return absl::IsNotFound(outcome.status()) ? absl::OkStatus() : outcome.status();
  Changed(/*allocate=*/true);
  return absl::OkStatus();
}

absl::Status Housing::ApplyRegistryEvent(const IncomingEvent& event) {
  auto parse = [&](google::protobuf::Message& m) { return ParsePayload(event, m); };
  if (event.event_type == rv1::HouseholdRegistered::descriptor()->full_name()) {
    rv1::HouseholdRegistered e;
    if (auto s = parse(e); !s.ok()) return s;
    // Never retried: an event that can never be right goes to the dead letters for people to see.
    if (!IsValidId(e.household_id(), kHouseholdIdPrefix)) return absl::InvalidArgumentError("bad household id");
    if (e.members_size() == 0) return absl::InvalidArgumentError("a household of nobody needs no housing");
    return ApplyToHousehold(event, e.household_id(), [&](v1::HouseholdRecord& r, bool is_new) -> absl::Status {
      if (!is_new) return absl::NotFoundError("known already");
      v1::Household& h = *r.mutable_household();
      h.set_persons(e.members_size());
      for (const auto& m : e.members()) {
        if (m.relation() == rv1::RELATION_HEAD || r.contact_person_id().empty()) r.set_contact_person_id(m.person_id());
        if (m.needs().step_free_access()) h.set_step_free(true);
        if (m.relation() == rv1::RELATION_CHILD) h.add_children_ages(m.age_years());
      }
      h.set_social_area(e.social_area());
      h.set_status(v1::HOUSEHOLD_STATUS_WAITING);
      h.set_waiting_since(FormatIsoDate(Today()));
      h.set_reason("newly registered");
      r.set_municipality_ags(e.municipality_ags());
      *r.mutable_location() = e.approx_location();
      return absl::OkStatus();
    });
  }
  if (event.event_type == rv1::PersonStatusChanged::descriptor()->full_name()) {
    rv1::PersonStatusChanged e;
    if (auto s = parse(e); !s.ok()) return s;
    if (!LeaseCanPassWith(e.residence_status()) || !IsValidId(e.household_id(), kHouseholdIdPrefix)) {
      return absl::OkStatus();
    }
    auto household = store_.LoadHousehold(e.household_id());
    if (!household.ok()) return household.status();
    if (!household->has_value()) return absl::OkStatus();
    const v1::Household& h = (*household)->record.household();
    if (h.status() != v1::HOUSEHOLD_STATUS_HOUSED || h.lease_transfer_offered()) return absl::OkStatus();
    auto acc = store_.LoadAccommodation(h.accommodation_id());
    if (!acc.ok()) return acc.status();
    if (!acc->has_value() || (*acc)->record.accommodation().kind() != v1::KIND_FLAT ||
        !(*acc)->record.accommodation().lease_transferable()) {
      return absl::OkStatus();
    }
    // The offer goes out with the household's change, as one commit.
    auto outcome = RunInbox(store_.outbox(), PartitionOfId(e.household_id()), event.event_id,
                            [&]() -> absl::StatusOr<Decision> {
      auto loaded = store_.LoadHousehold(e.household_id());
      if (!loaded.ok()) return loaded.status();
      if (!loaded->has_value()) return absl::NotFoundError("gone");
      v1::HouseholdRecord record = std::move((*loaded)->record);
      if (record.household().lease_transfer_offered()) return absl::NotFoundError("offered already");
      record.mutable_household()->set_lease_transfer_offered(true);
      v1::LeaseTransfer offer;
      *offer.mutable_meta() = Meta(e.meta().correlation_id());
      offer.set_household_id(e.household_id());
      offer.set_accommodation_id(record.household().accommodation_id());
      offer.set_contact_person_id(record.contact_person_id());
      offer.set_accommodation_name((*acc)->record.accommodation().name());
      Decision d;
      d.commit.aggregate_key = store_.HouseholdKey(e.household_id());
      d.commit.expected_version = (*loaded)->version;
      d.commit.state = record.SerializeAsString();
      d.commit.events.push_back(ToOutgoing(streams::kLeaseOffered, offer));
      d.record = e.household_id();
      return d;
    });
    if (!outcome.ok() && !absl::IsNotFound(outcome.status())) return outcome.status();
    return absl::OkStatus();
  }
  // The case closed: the household leaves the district's care, and the place
  // it lived in or was offered is free again.
  if (event.event_type == rv1::HouseholdCaseClosed::descriptor()->full_name()) {
    rv1::HouseholdCaseClosed e;
    if (auto s = parse(e); !s.ok()) return s;
    if (!IsValidId(e.household_id(), kHouseholdIdPrefix)) return absl::InvalidArgumentError("bad household id");
    auto before = CurrentHousehold(e.household_id());
    if (absl::IsNotFound(before.status())) return absl::OkStatus();
    if (!before.ok()) return before.status();
    auto s = ApplyToHousehold(event, e.household_id(), [&](v1::HouseholdRecord& r, bool is_new) -> absl::Status {
      if (is_new) return absl::NotFoundError("not ours");
      v1::Household& h = *r.mutable_household();
      h.set_status(v1::HOUSEHOLD_STATUS_LEFT);
      h.clear_offer_id();
      h.set_reason("the district's case for the household closed");
      return absl::OkStatus();
    });
    if (!s.ok()) return s;
    if (before->accommodation_id().empty()) return absl::OkStatus();
    // Idempotent by state: a redelivery finds nothing left to release.
    return ApplyChange(store_.outbox(), PartitionOfId(before->accommodation_id()),
                       [&]() -> absl::StatusOr<std::optional<Commit>> {
      auto loaded = store_.LoadAccommodation(before->accommodation_id());
      if (!loaded.ok()) return loaded.status();
      if (!loaded->has_value()) return std::optional<Commit>();
      v1::AccommodationRecord record = std::move((*loaded)->record);
      if (!Release(record, e.household_id()).ok()) return std::optional<Commit>();
      Commit c;
      c.aggregate_key = store_.AccommodationKey(before->accommodation_id());
      c.expected_version = (*loaded)->version;
      c.state = record.SerializeAsString();
      return std::optional<Commit>(std::move(c));
    });
  }
  // A record merged into another goes as an erased one does (PersonMerged
  // shares PersonErased's fields 1-3); the surviving record keeps its own.
  if (event.event_type == rv1::PersonErased::descriptor()->full_name() ||
      event.event_type == rv1::PersonMerged::descriptor()->full_name()) {
    rv1::PersonErased e;
    if (auto s = parse(e); !s.ok()) return s;
    if (!IsValidId(e.household_id(), kHouseholdIdPrefix)) return absl::OkStatus();
    // One fewer person; the last one takes the household's record with them.
    return ApplyToHousehold(event, e.household_id(), [&](v1::HouseholdRecord& r, bool is_new) -> absl::Status {
      if (is_new) return absl::NotFoundError("not ours");
      r.mutable_household()->set_persons(std::max(0, r.household().persons() - 1));
      // The household's messages no longer go to the erased person (nor to
      // anyone: this service knows no other member's id).
      if (r.contact_person_id() == e.person_id()) r.clear_contact_person_id();
      if (r.household().persons() == 0 && r.household().accommodation_id().empty()) {
        const std::string id = r.household().household_id();
        r.Clear();
        r.mutable_household()->set_household_id(id);
        r.set_erased(true);
      }
      return absl::OkStatus();
    });
  }
  return absl::OkStatus();
}

// ---------------------------------------------------------------- gauges

absl::Status Housing::RefreshGauges() {
  v1::GetFiguresResponse figures;
  if (auto s = GetFigures({}, figures, {}); !s.ok()) return s;
  auto accommodations = store_.LoadAllAccommodations();
  if (!accommodations.ok()) return accommodations.status();
  std::map<std::vector<std::string>, double> waiting, beds, violations, per_worker;
  for (const auto& f : figures.areas()) {
    waiting[{f.social_area()}] = f.households_waiting();
    violations[{f.social_area()}] = f.standard_violations();
    if (f.social_workers() > 0) per_worker[{f.social_area()}] = f.persons_per_social_worker();
  }
  // Offers waiting for the housing authority, and the oldest one's age.
  const int64_t now = absl::ToUnixSeconds(clock_.Now());
  double offers = 0, oldest_offer = 0;
  for (const auto& a : *accommodations) {
    const v1::Accommodation& acc = a.record.accommodation();
    for (const auto& o : a.record.occupancies()) {
      if (o.state() != v1::Occupancy::STATE_OFFERED) continue;
      offers += 1;
      oldest_offer = std::max(oldest_offer, static_cast<double>(std::max<int64_t>(0, now - o.since())));
    }
    if (acc.status() != v1::ACCOMMODATION_STATUS_ACTIVE) continue;
    beds[{KindLabel(acc.kind()), acc.social_area(), "free"}] += FreeBeds(a.record);
    beds[{KindLabel(acc.kind()), acc.social_area(), "used"}] += Persons(a.record);
  }
  instruments_->offers_waiting_gauge.Set(offers);
  instruments_->oldest_offer_gauge.Set(oldest_offer);
  instruments_->waiting_table.Publish(waiting);
  instruments_->beds_table.Publish(beds);
  instruments_->violations_table.Publish(violations);
  instruments_->per_worker_table.Publish(per_worker);
  return absl::OkStatus();
}

}  // namespace ankommen::housing
