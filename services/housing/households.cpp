// Households: read, placements confirmed, declined or made by hand, moving out, lease transfers, figures.
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
#include "housing_internal.h"

namespace ankommen::housing {

namespace rv1 = ::ankommen::registry::v1;

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
    events.push_back(MovedIn(r.accommodation(), household_id, occupancy->persons(), rc.correlation_id));
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
    events.push_back(MovedIn(r.accommodation(), household_id, occupancy.persons(), rc.correlation_id));
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

}  // namespace ankommen::housing
