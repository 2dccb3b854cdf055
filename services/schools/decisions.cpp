// The schools office decides (Art. 22 GDPR: no placement with legal effect
// fully automated). A placement run proposes — the seat is held, nobody is
// told — and a person confirms it, rejects it (that place is not proposed to
// the child again) or places the child by hand. Each decision is kept with
// the child: who, when, what the engine had proposed and why, and the reason
// from the list for an override.
//
// As everywhere here, the school's or Kita's record is the truth about its
// seats: a decision changes it first (once per idempotency key), and the
// child's record follows with the decision.
#include <algorithm>

#include "absl/strings/str_cat.h"
#include "store/command.h"
#include "domain/validation.h"
#include "store/ids.h"
#include "observability/log.h"
#include "schools.h"
#include "bus/streams.h"

namespace ankommen::schools {
namespace {

bool IsSchool(const std::string& place_id) { return IsValidId(place_id, kSchoolIdPrefix); }

v1::PlacementDecision NewDecision(v1::DecisionKind kind, const v1::Placement& proposed, const RequestContext& rc,
                                  const std::string& decision_id, absl::Time now) {
  v1::PlacementDecision d;
  d.mutable_decided_at()->set_seconds(absl::ToUnixSeconds(now));
  d.set_actor(rc.actor);
  d.set_kind(kind);
  d.set_decision_id(decision_id);
  if (proposed.status() == v1::CHILD_STATUS_PROPOSED) {
    d.set_proposed_place_id(proposed.place_id());
    d.set_proposal_reason(proposed.reason());
  }
  return d;
}

}  // namespace

absl::StatusOr<v1::ChildRecord> Schools::LoadExistingChild(const std::string& person_id) {
  auto loaded = store_.LoadChild(person_id);
  if (!loaded.ok()) return loaded.status();
  if (!loaded->has_value() || (*loaded)->record.erased()) {
    return absl::NotFoundError(absl::StrCat("child ", person_id, " is not known to the school service"));
  }
  return std::move((*loaded)->record);
}

absl::Status Schools::RecordDecision(const std::string& person_id, const v1::Placement& placement,
                                     const v1::PlacementDecision& decision) {
  return ApplyChange(store_.outbox(), PartitionOfId(person_id), [&]() -> absl::StatusOr<std::optional<Commit>> {
    auto loaded = store_.LoadChild(person_id);
    if (!loaded.ok()) return loaded.status();
    if (!loaded->has_value()) return std::optional<Commit>();
    v1::ChildRecord record = std::move((*loaded)->record);
    for (const auto& d : record.child().decisions()) {
      if (d.decision_id() == decision.decision_id()) return std::optional<Commit>();  // a retry
    }
    *record.mutable_child()->mutable_placement() = placement;
    *record.mutable_child()->add_decisions() = decision;
    Commit c;
    c.aggregate_key = store_.ChildKey(person_id);
    c.expected_version = (*loaded)->version;
    c.state = record.SerializeAsString();
    c.index_ops = {store_.ActiveIndex(record)};
    return std::optional<Commit>(std::move(c));
  });
}

absl::Status Schools::ListProposals(const v1::ListProposalsRequest& request, v1::ListProposalsResponse& response,
                                    const RequestContext&) {
  auto children = store_.LoadActiveChildren();
  if (!children.ok()) return children.status();
  std::vector<const v1::Child*> proposed;
  for (const auto& c : *children) {
    const v1::Child& child = c.record.child();
    if (child.placement().status() != v1::CHILD_STATUS_PROPOSED) continue;
    if (!request.social_area().empty() && child.social_area() != request.social_area()) continue;
    proposed.push_back(&child);
  }
  std::sort(proposed.begin(), proposed.end(), [](const v1::Child* a, const v1::Child* b) {
    if (a->placement().placed_at().seconds() != b->placement().placed_at().seconds()) {
      return a->placement().placed_at().seconds() < b->placement().placed_at().seconds();
    }
    return a->person_id() < b->person_id();
  });
  for (const auto* c : proposed) *response.add_children() = *c;
  return absl::OkStatus();
}

absl::StatusOr<Schools::Proposal> Schools::ProposalFor(const v1::ChildRecord& child, const std::string& decision_id,
                                                      const char* verb) const {
  Proposal p;
  p.placement = child.child().placement();
  for (const auto& d : child.child().decisions()) {
    if (d.decision_id() != decision_id) continue;
    // A retry: the decision was about the place proposed then.
    p.decided_before = true;
    p.place_id = d.proposed_place_id();
    return p;
  }
  if (p.placement.status() != v1::CHILD_STATUS_PROPOSED) {
    return absl::FailedPreconditionError(
        absl::StrCat("child ", child.child().person_id(), " has no proposal to ", verb));
  }
  p.place_id = p.placement.place_id();
  return p;
}

absl::StatusOr<CommandOutcome> Schools::ChangeProposedPlace(const char* scope, const google::protobuf::Message& request,
                                                            const std::string& idempotency_key,
                                                            const std::string& place_id, const std::string& person_id,
                                                            const SchoolChange& school_change,
                                                            const KitaChange& kita_change) {
  return RunCommand(store_.outbox(), PartitionOfId(place_id), scope, request, idempotency_key,
                    [&]() -> absl::StatusOr<Decision> {
    Decision d;
    d.record = person_id;
    if (IsSchool(place_id)) {
      auto loaded = LoadExistingSchool(place_id);
      if (!loaded.ok()) return loaded.status();
      v1::SchoolRecord record = std::move(loaded->record);
      if (!IsProposed(record, person_id)) {
        return absl::FailedPreconditionError(absl::StrCat("the seat proposed to ", person_id, " is no longer held"));
      }
      if (auto s = school_change(record, d.commit); !s.ok()) return s;
      d.commit.aggregate_key = store_.SchoolKey(place_id);
      d.commit.expected_version = loaded->version;
      d.commit.state = record.SerializeAsString();
      return d;
    }
    auto loaded = store_.LoadKita(place_id);
    if (!loaded.ok()) return loaded.status();
    if (!loaded->has_value()) return absl::NotFoundError(absl::StrCat("Kita ", place_id, " not found"));
    v1::KitaRecord record = std::move((*loaded)->record);
    if (!IsProposed(record, person_id)) {
      return absl::FailedPreconditionError(absl::StrCat("the place proposed to ", person_id, " is no longer held"));
    }
    if (auto s = kita_change(record, d.commit); !s.ok()) return s;
    d.commit.aggregate_key = store_.KitaKey(place_id);
    d.commit.expected_version = (*loaded)->version;
    d.commit.state = record.SerializeAsString();
    return d;
  });
}

absl::Status Schools::ConfirmPlacement(const v1::ConfirmPlacementRequest& request,
                                       v1::ConfirmPlacementResponse& response, const RequestContext& rc) {
  if (auto s = ValidateConfirmPlacement(request); !s.ok()) return s;
  const std::string& person_id = request.person_id();
  auto child = LoadExistingChild(person_id);
  if (!child.ok()) return child.status();
  auto proposal = ProposalFor(*child, request.idempotency_key(), "confirm");
  if (!proposal.ok()) return proposal.status();
  const std::string place_id = proposal->place_id;
  // Now the family is told: the event the run held back.
  auto outcome = ChangeProposedPlace(
      "confirm", request, request.idempotency_key(), place_id, person_id,
      [&](v1::SchoolRecord& record, Commit& commit) -> absl::Status {
        ConfirmProposed(record, person_id);
        commit.events.push_back(ToOutgoing(
            streams::kSchoolPlaced, SchoolPlacedEvent(record, *FindPupil(record, person_id), *child, rc.correlation_id)));
        return absl::OkStatus();
      },
      [&](v1::KitaRecord& record, Commit& commit) -> absl::Status {
        ConfirmProposed(record, person_id);
        commit.events.push_back(ToOutgoing(streams::kKitaPlaced, KitaPlacedEvent(record, *child, rc.correlation_id)));
        return absl::OkStatus();
      });
  if (!outcome.ok()) return outcome.status();
  if (!proposal->decided_before) {
    v1::Placement placed = proposal->placement;
    placed.set_status(v1::CHILD_STATUS_PLACED);
    auto decision = NewDecision(v1::DECISION_KIND_CONFIRMED, proposal->placement, rc, request.idempotency_key(),
                                clock_.Now());
    decision.set_place_id(place_id);
    if (auto s = RecordDecision(person_id, placed, decision); !s.ok()) return s;
    if (!outcome->replayed) CountDecision(v1::DECISION_KIND_CONFIRMED, v1::OVERRIDE_REASON_UNSPECIFIED);
  }
  Changed(/*place=*/false);
  auto current = CurrentChild(person_id);
  if (!current.ok()) return current.status();
  *response.mutable_child() = std::move(*current);
  return absl::OkStatus();
}

absl::Status Schools::RejectPlacement(const v1::RejectPlacementRequest& request, v1::RejectPlacementResponse& response,
                                      const RequestContext& rc) {
  if (auto s = ValidateRejectPlacement(request); !s.ok()) return s;
  const std::string& person_id = request.person_id();
  auto child = LoadExistingChild(person_id);
  if (!child.ok()) return child.status();
  auto proposal = ProposalFor(*child, request.idempotency_key(), "reject");
  if (!proposal.ok()) return proposal.status();
  const std::string place_id = proposal->place_id;
  auto outcome = ChangeProposedPlace(
      "reject", request, request.idempotency_key(), place_id, person_id,
      [&](v1::SchoolRecord& record, Commit&) -> absl::Status {
        RemovePupil(record, person_id);
        return absl::OkStatus();
      },
      [&](v1::KitaRecord& record, Commit&) -> absl::Status {
        RemoveKitaChild(record, person_id);
        return absl::OkStatus();
      });
  if (!outcome.ok()) return outcome.status();
  if (!proposal->decided_before) {
    v1::Placement waiting;
    waiting.set_status(v1::CHILD_STATUS_WAITING);
    waiting.set_reason("the proposal was rejected by the schools office; another place is sought");
    auto decision = NewDecision(v1::DECISION_KIND_REJECTED, proposal->placement, rc, request.idempotency_key(),
                                clock_.Now());
    decision.set_reason(request.reason());
    decision.set_note(request.note());
    if (auto s = RecordDecision(person_id, waiting, decision); !s.ok()) return s;
    if (!outcome->replayed) CountDecision(v1::DECISION_KIND_REJECTED, request.reason());
    log::Info("placement_rejected", {{"person_id", person_id},
                                     {"place_id", place_id},
                                     {"reason", v1::OverrideReason_Name(request.reason())},
                                     {"correlation_id", rc.correlation_id}});
  }
  Changed(/*place=*/true);  // the seat is free, and the child waits for another
  auto current = CurrentChild(person_id);
  if (!current.ok()) return current.status();
  *response.mutable_child() = std::move(*current);
  return absl::OkStatus();
}

absl::Status Schools::PlaceManually(const v1::PlaceManuallyRequest& request, v1::PlaceManuallyResponse& response,
                                    const RequestContext& rc) {
  if (auto s = ValidatePlaceManually(request); !s.ok()) return s;
  const std::string& person_id = request.person_id();
  const std::string& place_id = request.place_id();
  auto child = LoadExistingChild(person_id);
  if (!child.ok()) return child.status();
  const v1::Placement before = child->child().placement();
  const bool decided_before = std::any_of(child->child().decisions().begin(), child->child().decisions().end(),
                                          [&](const v1::PlacementDecision& d) {
                                            return d.decision_id() == request.idempotency_key();
                                          });
  if (!decided_before) {
    if (before.status() != v1::CHILD_STATUS_WAITING && before.status() != v1::CHILD_STATUS_PROPOSED) {
      return absl::FailedPreconditionError(absl::StrCat("child ", person_id, " is not waiting for a place"));
    }
    if (before.status() == v1::CHILD_STATUS_PROPOSED && before.place_id() == place_id) {
      return absl::FailedPreconditionError("this is the place proposed: confirm the proposal instead");
    }
  }
  const bool school = IsSchool(place_id);
  if (school && child->child().school_type() == v1::SCHOOL_TYPE_UNSPECIFIED) {
    return absl::FailedPreconditionError(absl::StrCat("child ", person_id, " is not of school age"));
  }
  if (!school && child->child().age_group() == v1::AGE_GROUP_UNSPECIFIED) {
    return absl::FailedPreconditionError(absl::StrCat("child ", person_id, " does not go to a Kita"));
  }
  const int64_t now = absl::ToUnixSeconds(clock_.Now());
  v1::Placement placed;
  placed.set_status(v1::CHILD_STATUS_PLACED);
  placed.set_place_id(place_id);
  placed.mutable_placed_at()->set_seconds(now);
  placed.set_reason("placed by hand by the schools office");
  auto outcome = RunCommand(store_.outbox(), PartitionOfId(place_id), "place-manually", request,
                            request.idempotency_key(), [&]() -> absl::StatusOr<Decision> {
    Decision d;
    if (school) {
      auto loaded = LoadExistingSchool(place_id);
      if (!loaded.ok()) return loaded.status();
      v1::SchoolRecord record = std::move(loaded->record);
      if (record.school().school_type() != child->child().school_type()) {
        return absl::FailedPreconditionError(absl::StrCat("school ", place_id, " is not of the child's school type"));
      }
      if (auto s = SeatPupils(record, {person_id}, now); !s.ok()) return s;
      const v1::Pupil* pupil = FindPupil(record, person_id);
      placed.set_class_id(pupil->class_id());
      placed.set_phase(pupil->phase());
      d.commit.aggregate_key = store_.SchoolKey(place_id);
      d.commit.expected_version = loaded->version;
      d.commit.state = record.SerializeAsString();
      d.commit.events.push_back(
          ToOutgoing(streams::kSchoolPlaced, SchoolPlacedEvent(record, *pupil, *child, rc.correlation_id)));
    } else {
      auto loaded = store_.LoadKita(place_id);
      if (!loaded.ok()) return loaded.status();
      if (!loaded->has_value()) return absl::NotFoundError(absl::StrCat("Kita ", place_id, " not found"));
      v1::KitaRecord record = std::move((*loaded)->record);
      if (auto s = AddKitaChild(record, person_id, child->child().age_group(), now); !s.ok()) return s;
      d.commit.aggregate_key = store_.KitaKey(place_id);
      d.commit.expected_version = (*loaded)->version;
      d.commit.state = record.SerializeAsString();
      d.commit.events.push_back(ToOutgoing(streams::kKitaPlaced, KitaPlacedEvent(record, *child, rc.correlation_id)));
    }
    d.record = person_id;
    return d;
  });
  if (!outcome.ok()) return outcome.status();
  if (!decided_before) {
    // The engine's proposal elsewhere, if there was one, gives its seat back.
    if (before.status() == v1::CHILD_STATUS_PROPOSED) {
      if (auto s = ReleasePlace(*child); !s.ok()) return s;
    }
    auto decision = NewDecision(v1::DECISION_KIND_MANUAL, before, rc, request.idempotency_key(), clock_.Now());
    decision.set_place_id(place_id);
    decision.set_reason(request.reason());
    decision.set_note(request.note());
    if (auto s = RecordDecision(person_id, placed, decision); !s.ok()) return s;
    if (!outcome->replayed) CountDecision(v1::DECISION_KIND_MANUAL, request.reason());
  }
  Changed(/*place=*/true);
  auto current = CurrentChild(person_id);
  if (!current.ok()) return current.status();
  *response.mutable_child() = std::move(*current);
  return absl::OkStatus();
}

}  // namespace ankommen::schools
