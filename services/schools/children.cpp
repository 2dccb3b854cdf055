// Children: read, moved through the DaZ phases, their Kita wish; the capacity
// report; and the seats that follow where a child is placed or released.
#include "schools.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "ankommen/schools/v1/events.pb.h"
#include "store/command.h"
#include "domain/school_table.h"
#include "domain/validation.h"
#include "text/field_checks.h"
#include "store/ids.h"
#include "observability/log.h"
#include "observability/metrics.h"
#include "bus/streams.h"

namespace ankommen::schools {

absl::StatusOr<v1::Child> Schools::CurrentChild(const std::string& person_id) {
  auto loaded = store_.LoadChild(person_id);
  if (!loaded.ok()) return loaded.status();
  if (!loaded->has_value() || (*loaded)->record.erased()) {
    return absl::NotFoundError(absl::StrCat("child ", person_id, " is not known to the school service"));
  }
  return (*loaded)->record.child();
}

absl::Status Schools::GetChild(const v1::GetChildRequest& request, v1::GetChildResponse& response,
                               const RequestContext&) {
  if (auto s = ValidateId("person_id", request.person_id(), kPersonIdPrefix); !s.ok()) return s;
  auto child = CurrentChild(request.person_id());
  if (!child.ok()) return child.status();
  *response.mutable_child() = std::move(*child);
  return absl::OkStatus();
}

absl::Status Schools::AdvancePhase(const v1::AdvancePhaseRequest& request, v1::AdvancePhaseResponse& response,
                                   const RequestContext& rc) {
  if (auto s = ValidateAdvancePhase(request); !s.ok()) return s;
  auto child = CurrentChild(request.person_id());
  if (!child.ok()) return child.status();
  const v1::Placement& at = child->placement();
  if (at.status() != v1::CHILD_STATUS_PLACED || child->school_type() == v1::SCHOOL_TYPE_UNSPECIFIED) {
    return absl::FailedPreconditionError(absl::StrCat("child ", request.person_id(), " has no school place"));
  }
  const std::string school_id = at.place_id();
  auto outcome = RunCommand(store_.outbox(), PartitionOfId(school_id), "phase", request, request.idempotency_key(),
                            [&]() -> absl::StatusOr<Decision> {
    auto loaded = LoadExistingSchool(school_id);
    if (!loaded.ok()) return loaded.status();
    v1::SchoolRecord record = std::move(loaded->record);
    if (auto s = schools::AdvancePhase(record, request.person_id(), request.phase()); !s.ok()) return s;
    Decision d;
    d.commit.aggregate_key = store_.SchoolKey(school_id);
    d.commit.expected_version = loaded->version;
    d.commit.state = record.SerializeAsString();
    v1::PhaseAdvanced e;
    *e.mutable_meta() = Meta(rc.correlation_id);
    e.set_person_id(request.person_id());
    e.set_school_id(school_id);
    e.set_phase(request.phase());
    d.commit.events.push_back(ToOutgoing(streams::kPhaseAdvanced, e));
    d.record = school_id;
    return d;
  });
  if (!outcome.ok()) return outcome.status();
  v1::Placement followed = at;
  followed.set_phase(request.phase());
  if (auto s = FollowPlacement(request.person_id(), followed); !s.ok()) return s;
  if (!outcome->replayed) Changed(/*place=*/request.phase() == 3);  // a DaZ seat is free at phase 3
  auto current = CurrentChild(request.person_id());
  if (!current.ok()) return current.status();
  *response.mutable_child() = std::move(*current);
  return absl::OkStatus();
}

absl::Status Schools::ChangeKitaWish(const google::protobuf::Message& request, const std::string& idempotency_key,
                                     const std::string& person_id, const char* scope,
                                     const std::function<absl::Status(v1::ChildRecord&)>& change, v1::Child& answer) {
  v1::ChildRecord before;
  auto outcome = RunCommand(store_.outbox(), PartitionOfId(person_id), scope, request, idempotency_key,
                            [&]() -> absl::StatusOr<Decision> {
    auto loaded = store_.LoadChild(person_id);
    if (!loaded.ok()) return loaded.status();
    if (!loaded->has_value() || (*loaded)->record.erased()) {
      return absl::NotFoundError(absl::StrCat("child ", person_id, " is not known to the school service"));
    }
    before = (*loaded)->record;
    v1::ChildRecord record = (*loaded)->record;
    if (auto s = change(record); !s.ok()) return s;
    Decision d;
    d.commit.aggregate_key = store_.ChildKey(person_id);
    d.commit.expected_version = (*loaded)->version;
    d.commit.state = record.SerializeAsString();
    d.commit.index_ops = {store_.ActiveIndex(record)};
    d.record = person_id;
    return d;
  });
  if (!outcome.ok()) return outcome.status();
  // A place held before the change goes back (the child record no longer claims it).
  if (!outcome->replayed && HoldsPlace(before.child().placement().status())) {
    if (auto s = ReleasePlace(before); !s.ok()) log::Warn("release_failed", {{"error", s.message()}});
  }
  if (!outcome->replayed) Changed(/*place=*/true);
  auto child = CurrentChild(person_id);
  if (!child.ok()) return child.status();
  answer = std::move(*child);
  return absl::OkStatus();
}

absl::Status Schools::DeclineKita(const v1::DeclineKitaRequest& request, v1::DeclineKitaResponse& response,
                                  const RequestContext&) {
  if (auto s = ValidateDeclineKita(request); !s.ok()) return s;
  return ChangeKitaWish(request, request.idempotency_key(), request.person_id(), "decline-kita",
                        [&](v1::ChildRecord& r) -> absl::Status {
    if (r.child().age_group() == v1::AGE_GROUP_UNSPECIFIED) {
      return absl::FailedPreconditionError("this child goes to school, not to a Kita");
    }
    v1::Placement* p = r.mutable_child()->mutable_placement();
    p->Clear();
    p->set_status(v1::CHILD_STATUS_DECLINED);
    p->set_reason("the family declined a Kita place");
    return absl::OkStatus();
  }, *response.mutable_child());
}

absl::Status Schools::RequestKita(const v1::RequestKitaRequest& request, v1::RequestKitaResponse& response,
                                  const RequestContext&) {
  if (auto s = ValidateRequestKita(request, settings_.ages); !s.ok()) return s;
  return ChangeKitaWish(request, request.idempotency_key(), request.person_id(), "request-kita",
                        [&](v1::ChildRecord& r) -> absl::Status {
    if (r.child().school_type() != v1::SCHOOL_TYPE_UNSPECIFIED) {
      return absl::FailedPreconditionError("this child is of school age");
    }
    if (r.child().placement().status() == v1::CHILD_STATUS_WAITING ||
        HoldsPlace(r.child().placement().status())) {
      return absl::AlreadyExistsError("this child already waits for or has a Kita place");
    }
    r.mutable_child()->set_age_group(*KitaGroupForAge(request.age_years(), settings_.ages));
    r.mutable_child()->set_waiting_since(FormatIsoDate(Today()));
    v1::Placement* p = r.mutable_child()->mutable_placement();
    p->Clear();
    p->set_status(v1::CHILD_STATUS_WAITING);
    return absl::OkStatus();
  }, *response.mutable_child());
}

absl::Status Schools::GetCapacity(const v1::GetCapacityRequest& request, v1::GetCapacityResponse& response,
                                  const RequestContext&) {
  if (auto s = ValidateGetCapacity(request); !s.ok()) return s;
  auto inputs = LoadCapacityInputs();
  if (!inputs.ok()) return inputs.status();
  for (auto& row : CapacityReport(inputs->schools, inputs->kitas, inputs->children)) {
    if (!request.social_area().empty() && row.social_area() != request.social_area()) continue;
    *response.add_areas() = std::move(row);
  }
  return absl::OkStatus();
}

absl::StatusOr<Schools::CapacityInputs> Schools::LoadCapacityInputs() {
  auto schools = store_.LoadAllSchools();
  if (!schools.ok()) return schools.status();
  auto kitas = store_.LoadAllKitas();
  if (!kitas.ok()) return kitas.status();
  auto children = store_.LoadActiveChildren();
  if (!children.ok()) return children.status();
  CapacityInputs in;
  for (auto& x : *schools) in.schools.push_back(std::move(x.record));
  for (auto& x : *kitas) in.kitas.push_back(std::move(x.record));
  for (auto& x : *children) in.children.push_back(std::move(x.record));
  return in;
}

// ---------------------------------------------------------------- seats followed by children

absl::Status Schools::FollowPlacement(const std::string& person_id, const v1::Placement& placement) {
  return ApplyChange(store_.outbox(), PartitionOfId(person_id), [&]() -> absl::StatusOr<std::optional<Commit>> {
    auto loaded = store_.LoadChild(person_id);
    if (!loaded.ok()) return loaded.status();
    if (!loaded->has_value() || (*loaded)->record.erased()) {
      return absl::FailedPreconditionError(absl::StrCat("child ", person_id, " is gone"));
    }
    v1::ChildRecord record = std::move((*loaded)->record);
    v1::Placement* now = record.mutable_child()->mutable_placement();
    if (now->status() == placement.status() && now->place_id() == placement.place_id() &&
        now->class_id() == placement.class_id() && now->phase() == placement.phase()) {
      return std::optional<Commit>();
    }
    // A child placed elsewhere meanwhile (a newer run, or a move) keeps that.
    if (HoldsPlace(placement.status()) && now->status() != v1::CHILD_STATUS_WAITING &&
        now->place_id() != placement.place_id()) {
      return absl::FailedPreconditionError(absl::StrCat("child ", person_id, " is no longer waiting"));
    }
    *now = placement;
    Commit c;
    c.aggregate_key = store_.ChildKey(person_id);
    c.expected_version = (*loaded)->version;
    c.state = record.SerializeAsString();
    c.index_ops = {store_.ActiveIndex(record)};
    return std::optional<Commit>(std::move(c));
  });
}

absl::Status Schools::ReleasePlace(const v1::ChildRecord& child) {
  const v1::Placement& p = child.child().placement();
  if (p.place_id().empty()) return absl::OkStatus();
  const std::string& id = p.place_id();
  const std::string& person_id = child.child().person_id();
  const bool school = IsValidId(id, kSchoolIdPrefix);
  return ApplyChange(store_.outbox(), PartitionOfId(id), [&]() -> absl::StatusOr<std::optional<Commit>> {
    Commit c;
    if (school) {
      auto loaded = store_.LoadSchool(id);
      if (!loaded.ok()) return loaded.status();
      if (!loaded->has_value()) return std::optional<Commit>();
      v1::SchoolRecord record = std::move((*loaded)->record);
      if (!RemovePupil(record, person_id)) return std::optional<Commit>();
      c.aggregate_key = store_.SchoolKey(id);
      c.expected_version = (*loaded)->version;
      c.state = record.SerializeAsString();
    } else {
      auto loaded = store_.LoadKita(id);
      if (!loaded.ok()) return loaded.status();
      if (!loaded->has_value()) return std::optional<Commit>();
      v1::KitaRecord record = std::move((*loaded)->record);
      if (!RemoveKitaChild(record, person_id)) return std::optional<Commit>();
      c.aggregate_key = store_.KitaKey(id);
      c.expected_version = (*loaded)->version;
      c.state = record.SerializeAsString();
    }
    return std::optional<Commit>(std::move(c));
  });
}

}  // namespace ankommen::schools
