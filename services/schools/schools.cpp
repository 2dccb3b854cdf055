#include "schools.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "ankommen/housing/v1/events.pb.h"
#include "ankommen/registry/v1/events.pb.h"
#include "ankommen/schools/v1/events.pb.h"
#include "command.h"
#include "domain/school_table.h"
#include "domain/validation.h"
#include "field_checks.h"
#include "ids.h"
#include "log.h"
#include "metrics.h"
#include "streams.h"

namespace ankommen::schools {

namespace rv1 = ::ankommen::registry::v1;
namespace hv1 = ::ankommen::housing::v1;

std::string TypeLabel(v1::SchoolType type) {
  std::string name = v1::SchoolType_Name(type);
  return absl::AsciiStrToLower(name.substr(name.find("TYPE_") + 5));
}

std::string GroupLabel(v1::AgeGroup group) {
  std::string name = v1::AgeGroup_Name(group);
  return absl::AsciiStrToLower(name.substr(name.find("GROUP_") + 6));
}

struct SchoolInstruments {
  explicit SchoolInstruments(prometheus::Registry& r)
      : children_waiting(prometheus::BuildGauge()
                             .Name("ankommen_school_children_waiting")
                             .Help("School children with no DaZ seat in reach (should be zero)")
                             .Register(r)),
        wait_days(prometheus::BuildHistogram()
                      .Name("ankommen_school_wait_days")
                      .Help("Days from registration to a school (or Kita, school_type=\"kita\") place")
                      .Register(r)),
        daz_seats(prometheus::BuildGauge()
                      .Name("ankommen_school_daz_seats")
                      .Help("DaZ seats by state (free, used)")
                      .Register(r)),
        kita_waiting(prometheus::BuildGauge()
                         .Name("ankommen_kita_children_waiting")
                         .Help("Children waiting for a Kita place")
                         .Register(r)),
        kita_places(prometheus::BuildGauge()
                        .Name("ankommen_kita_places")
                        .Help("Kita places by state (free, used)")
                        .Register(r)),
        oldest_wait(prometheus::BuildGauge()
                        .Name("ankommen_school_oldest_wait_days")
                        .Help("Days the longest-waiting child without a school place has waited")
                        .Register(r)),
        proposals(prometheus::BuildGauge()
                      .Name("ankommen_school_proposals_waiting")
                      .Help("Placements proposed and waiting for the schools office, by kind (school, kita)")
                      .Register(r)),
        oldest_proposal(prometheus::BuildGauge()
                            .Name("ankommen_school_oldest_proposal_age_seconds")
                            .Help("How long the oldest proposal has waited for the schools office, by kind")
                            .Register(r)),
        left_waiting(prometheus::BuildGauge()
                         .Name("ankommen_school_children_left_waiting_with_seat_in_reach")
                         .Help("School children waiting over 14 days after the last placement run while a DaZ seat "
                               "of their school type was free within reach (should be zero)")
                         .Register(r)),
        decisions(prometheus::BuildCounter()
                      .Name("ankommen_school_placement_decisions_total")
                      .Help("The schools office's decisions: confirmed, rejected or manual, with the override reason")
                      .Register(r)),
        children_waiting_table(children_waiting, {"school_type", "social_area"}),
        wait_days_vec(wait_days, {"school_type"}),
        daz_seats_table(daz_seats, {"school_type", "social_area", "state"}),
        kita_waiting_table(kita_waiting, {"age_group", "social_area"}),
        kita_places_table(kita_places, {"age_group", "social_area", "state"}),
        oldest_wait_table(oldest_wait, {"school_type", "social_area"}),
        proposals_table(proposals, {"kind", "social_area"}),
        oldest_proposal_table(oldest_proposal, {"kind"}),
        left_waiting_vec(left_waiting, {"school_type"}),
        decisions_vec(decisions, {"decision", "reason"}) {}

  prometheus::Family<prometheus::Gauge>& children_waiting;
  prometheus::Family<prometheus::Histogram>& wait_days;
  prometheus::Family<prometheus::Gauge>& daz_seats;
  prometheus::Family<prometheus::Gauge>& kita_waiting;
  prometheus::Family<prometheus::Gauge>& kita_places;
  prometheus::Family<prometheus::Gauge>& oldest_wait;
  prometheus::Family<prometheus::Gauge>& proposals;
  prometheus::Family<prometheus::Gauge>& oldest_proposal;
  prometheus::Family<prometheus::Gauge>& left_waiting;
  prometheus::Family<prometheus::Counter>& decisions;
  GaugeTable children_waiting_table;
  MetricVec<prometheus::Histogram> wait_days_vec;
  GaugeTable daz_seats_table;
  GaugeTable kita_waiting_table;
  GaugeTable kita_places_table;
  GaugeTable oldest_wait_table;
  GaugeTable proposals_table;
  GaugeTable oldest_proposal_table;
  MetricVec<prometheus::Gauge> left_waiting_vec;
  MetricVec<prometheus::Counter> decisions_vec;
};

Schools::Schools(SchoolStore& store, const Clock& clock, absl::TimeZone zone, SchoolSettings settings, Metrics& metrics)
    : store_(store),
      clock_(clock),
      zone_(zone),
      settings_(std::move(settings)),
      instruments_(std::make_unique<SchoolInstruments>(metrics.registry())) {}

Schools::~Schools() = default;

std::string Schools::NewEventId() const { return NewId("ev", 0); }

ankommen::common::v1::EventMeta Schools::Meta(const std::string& correlation_id) const {
  ankommen::common::v1::EventMeta meta;
  meta.set_event_id(NewEventId());
  meta.mutable_occurred_at()->set_seconds(absl::ToUnixSeconds(clock_.Now()));
  meta.set_correlation_id(correlation_id);
  meta.set_producer("schools");
  return meta;
}

void Schools::Changed(bool place) {
  if (place && on_demand_) on_demand_();
  if (on_change_) on_change_();
}

v1::SchoolPlaced Schools::SchoolPlacedEvent(const v1::SchoolRecord& school, const v1::Pupil& pupil,
                                           const v1::ChildRecord& child, const std::string& correlation_id) const {
  v1::SchoolPlaced e;
  *e.mutable_meta() = Meta(correlation_id);
  e.set_person_id(pupil.person_id());
  e.set_school_id(school.school().school_id());
  e.set_class_id(pupil.class_id());
  e.set_school_type(school.school().school_type());
  e.set_social_area(school.school().location().social_area());
  absl::CivilDay since;
  if (ParseIsoDate(child.child().waiting_since(), since)) e.set_wait_days(static_cast<int32_t>(std::max<absl::civil_diff_t>(0, Today() - since)));
  e.set_guardian_person_id(child.guardian_person_id());
  e.set_school_name(school.school().name());
  return e;
}

v1::KitaPlaced Schools::KitaPlacedEvent(const v1::KitaRecord& kita, const v1::ChildRecord& child,
                                        const std::string& correlation_id) const {
  v1::KitaPlaced e;
  *e.mutable_meta() = Meta(correlation_id);
  e.set_person_id(child.child().person_id());
  e.set_kita_id(kita.kita().kita_id());
  e.set_age_group(child.child().age_group());
  e.set_social_area(kita.kita().location().social_area());
  absl::CivilDay since;
  if (ParseIsoDate(child.child().waiting_since(), since)) e.set_wait_days(static_cast<int32_t>(std::max<absl::civil_diff_t>(0, Today() - since)));
  e.set_guardian_person_id(child.guardian_person_id());
  e.set_kita_name(kita.kita().name());
  return e;
}

void Schools::CountDecision(v1::DecisionKind kind, v1::OverrideReason reason) {
  instruments_->decisions_vec
      .With({EnumLabel(v1::DecisionKind_Name(kind), "DECISION_KIND_"),
             EnumLabel(v1::OverrideReason_Name(reason), "OVERRIDE_REASON_")})
      .Increment();
}

void Schools::SetLeftWaiting(const std::string& label, int children) {
  instruments_->left_waiting_vec.With({label}).Set(children);
}

void Schools::ObserveWait(const std::string& label, double days) {
  static const prometheus::Histogram::BucketBoundaries kBuckets = {1, 3, 7, 14, 30, 60, 90, 180, 365};
  instruments_->wait_days_vec.With({label}, kBuckets).Observe(days);
}

// ---------------------------------------------------------------- schools and Kitas

namespace {

// Gives the classes their ids.
void NameClasses(v1::School& school) {
  const int partition = PartitionOfId(school.school_id());
  for (auto& c : *school.mutable_classes()) {
    if (c.class_id().empty()) c.set_class_id(NewId(kClassIdPrefix, partition));
    c.clear_pupils();
  }
  school.clear_reserve();
  school.clear_version();
}

}  // namespace

absl::Status Schools::CreateSchool(const v1::CreateSchoolRequest& request, v1::CreateSchoolResponse& response,
                                   const RequestContext&) {
  if (auto s = ValidateCreateSchool(request); !s.ok()) return s;
  const int partition = PartitionOfKey(request.idempotency_key());
  auto outcome = RunCommand(store_.outbox(), partition, "school", request, request.idempotency_key(),
                            [&]() -> absl::StatusOr<Decision> {
    v1::SchoolRecord record;
    v1::School& school = *record.mutable_school() = request.school();
    school.set_school_id(NewId(kSchoolIdPrefix, partition));
    NameClasses(school);
    Decision d;
    d.commit.aggregate_key = store_.SchoolKey(school.school_id());
    d.commit.state = record.SerializeAsString();
    d.commit.index_ops = {IndexOp::SortedAdd(store_.SchoolIndexKey(partition), school.school_id())};
    d.record = school.school_id();
    return d;
  });
  if (!outcome.ok()) return outcome.status();
  if (!outcome->replayed) Changed(/*place=*/true);
  v1::GetSchoolRequest get;
  get.set_school_id(outcome->record);
  v1::GetSchoolResponse got;
  if (auto s = GetSchool(get, got, {}); !s.ok()) return s;
  *response.mutable_school() = std::move(*got.mutable_school());
  return absl::OkStatus();
}

absl::Status Schools::ImportSchools(const v1::ImportSchoolsRequest& request, v1::ImportSchoolsResponse& response,
                                    const RequestContext&) {
  if (auto s = ValidateImport(request); !s.ok()) return s;
  std::map<std::string, ankommen::common::v1::ApproxLocation> areas(request.area_locations().begin(),
                                                                    request.area_locations().end());
  ParsedTable table = ParseSchoolTable(request.csv(), areas, request.default_municipality_ags());
  // Each row is its own command under the import's key: a retried import
  // writes nothing twice, and a refused row writes nothing at all.
  for (const auto& row : table.rows) {
    const std::string key = absl::StrCat(request.idempotency_key(), "/", row.line);
    const int partition = PartitionOfKey(key);
    v1::CreateSchoolRequest as_request;  // what the row asks for, for the key's fingerprint
    *as_request.mutable_school() = row.school;
    auto outcome = RunCommand(store_.outbox(), partition, "import", as_request, key, [&]() -> absl::StatusOr<Decision> {
      v1::SchoolRecord record;
      v1::School& school = *record.mutable_school() = row.school;
      school.set_school_id(NewId(kSchoolIdPrefix, partition));
      NameClasses(school);
      Decision d;
      d.commit.aggregate_key = store_.SchoolKey(school.school_id());
      d.commit.state = record.SerializeAsString();
      d.commit.index_ops = {IndexOp::SortedAdd(store_.SchoolIndexKey(partition), school.school_id())};
      d.record = school.school_id();
      return d;
    });
    if (!outcome.ok()) {
      v1::RejectedRow* r = response.add_rejected();
      r->set_line(row.line);
      r->set_reason(std::string(outcome.status().message()));
      continue;
    }
    response.set_imported(response.imported() + 1);
  }
  for (auto& r : table.rejected) *response.add_rejected() = std::move(r);
  std::vector<TableRow> imported;
  for (const auto& row : table.rows) {
    bool refused = false;
    for (const auto& r : response.rejected()) refused |= r.line() == row.line;
    if (!refused) imported.push_back(row);
  }
  for (auto& t : Totals(imported)) *response.add_totals() = std::move(t);
  log::Info("schools_imported", {{"imported", response.imported()}, {"rejected", response.rejected_size()}});
  if (response.imported() > 0) Changed(/*place=*/true);
  return absl::OkStatus();
}

absl::Status Schools::UpdateClass(const v1::UpdateClassRequest& request, v1::UpdateClassResponse& response,
                                  const RequestContext&) {
  if (auto s = ValidateUpdateClass(request); !s.ok()) return s;
  const std::string& school_id = request.school_id();
  auto outcome = RunCommand(store_.outbox(), PartitionOfId(school_id), "class", request, request.idempotency_key(),
                            [&]() -> absl::StatusOr<Decision> {
    auto loaded = LoadExistingSchool(school_id);
    if (!loaded.ok()) return loaded.status();
    v1::SchoolRecord record = std::move(loaded->record);
    if (auto s = ChangeClassSeats(record, request.class_id(), request.seats()); !s.ok()) return s;
    Decision d;
    d.commit.aggregate_key = store_.SchoolKey(school_id);
    d.commit.expected_version = loaded->version;
    d.commit.state = record.SerializeAsString();
    d.record = school_id;
    return d;
  });
  if (!outcome.ok()) return outcome.status();
  if (!outcome->replayed) Changed(/*place=*/true);
  v1::GetSchoolRequest get;
  get.set_school_id(school_id);
  v1::GetSchoolResponse got;
  if (auto s = GetSchool(get, got, {}); !s.ok()) return s;
  *response.mutable_school() = std::move(*got.mutable_school());
  return absl::OkStatus();
}

absl::Status Schools::CreateKita(const v1::CreateKitaRequest& request, v1::CreateKitaResponse& response,
                                 const RequestContext&) {
  if (auto s = ValidateCreateKita(request); !s.ok()) return s;
  const int partition = PartitionOfKey(request.idempotency_key());
  auto outcome = RunCommand(store_.outbox(), partition, "kita", request, request.idempotency_key(),
                            [&]() -> absl::StatusOr<Decision> {
    v1::KitaRecord record;
    *record.mutable_kita() = request.kita();
    record.mutable_kita()->set_kita_id(NewId(kKitaIdPrefix, partition));
    Decision d;
    d.commit.aggregate_key = store_.KitaKey(record.kita().kita_id());
    d.commit.state = record.SerializeAsString();
    d.commit.index_ops = {IndexOp::SortedAdd(store_.KitaIndexKey(partition), record.kita().kita_id())};
    d.record = record.kita().kita_id();
    return d;
  });
  if (!outcome.ok()) return outcome.status();
  if (!outcome->replayed) Changed(/*place=*/true);
  auto loaded = store_.LoadKita(outcome->record);
  if (!loaded.ok()) return loaded.status();
  if (!loaded->has_value()) return absl::InternalError("the Kita just created is gone");
  *response.mutable_kita() = View((*loaded)->record);
  response.mutable_kita()->set_version((*loaded)->version);
  return absl::OkStatus();
}

absl::Status Schools::GetSchool(const v1::GetSchoolRequest& request, v1::GetSchoolResponse& response,
                                const RequestContext&) {
  if (auto s = ValidateId("school_id", request.school_id(), kSchoolIdPrefix); !s.ok()) return s;
  auto loaded = LoadExistingSchool(request.school_id());
  if (!loaded.ok()) return loaded.status();
  *response.mutable_school() = View(loaded->record);
  response.mutable_school()->set_version(loaded->version);
  return absl::OkStatus();
}

absl::StatusOr<LoadedSchool> Schools::LoadExistingSchool(const std::string& school_id) {
  auto loaded = store_.LoadSchool(school_id);
  if (!loaded.ok()) return loaded.status();
  if (!loaded->has_value()) return absl::NotFoundError(absl::StrCat("school ", school_id, " not found"));
  return std::move(**loaded);
}

// ---------------------------------------------------------------- children

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

// ---------------------------------------------------------------- the registry's events

absl::Status Schools::ApplyToChild(const IncomingEvent& event, const std::string& person_id,
                                   const std::function<absl::Status(v1::ChildRecord&, bool)>& change, HeldPlace held) {
  v1::ChildRecord before;
  auto outcome = RunInbox(store_.outbox(), PartitionOfId(person_id), absl::StrCat(event.event_id, "/", person_id),
                          [&]() -> absl::StatusOr<Decision> {
    auto loaded = store_.LoadChild(person_id);
    if (!loaded.ok()) return loaded.status();
    const bool is_new = !loaded->has_value();
    v1::ChildRecord record = is_new ? v1::ChildRecord() : std::move((*loaded)->record);
    if (record.erased()) return absl::NotFoundError("erased");
    before = record;
    record.mutable_child()->set_person_id(person_id);
    if (auto s = change(record, is_new); !s.ok()) return s;
    Decision d;
    d.commit.aggregate_key = store_.ChildKey(person_id);
    d.commit.expected_version = is_new ? 0 : (*loaded)->version;
    d.commit.state = record.SerializeAsString();
    // An erased child leaves only its marker, which expires, and its household's list.
    d.commit.erased_marker = record.erased();
    d.commit.index_ops = {store_.ActiveIndex(record),
                          record.erased() ? IndexOp::SortedRemove(store_.HouseholdKey(record.child().household_id()), person_id)
                                          : IndexOp::SortedAdd(store_.HouseholdKey(record.child().household_id()), person_id)};
    d.record = person_id;
    return d;
  });
  if (!outcome.ok()) return absl::IsNotFound(outcome.status()) ? absl::OkStatus() : outcome.status();
  // The place held before a move or an erasure is free again.
  if (held == HeldPlace::kFree && !outcome->replayed && HoldsPlace(before.child().placement().status())) {
    if (auto s = ReleasePlace(before); !s.ok()) return s;
  }
  Changed(/*place=*/true);
  return absl::OkStatus();
}

namespace {

// The child's need from its age: a school type or a Kita group, or neither.
bool SetNeed(v1::Child& child, int age, const AgeRules& rules) {
  child.set_age_years(age);
  child.clear_school_type();
  child.clear_age_group();
  if (auto type = SchoolTypeForAge(age, rules)) child.set_school_type(*type);
  else if (auto group = KitaGroupForAge(age, rules)) child.set_age_group(*group);
  else return false;
  return true;
}

void OpenWait(v1::Child& child, absl::CivilDay today, const std::string& why) {
  child.mutable_placement()->Clear();
  child.mutable_placement()->set_status(v1::CHILD_STATUS_WAITING);
  child.mutable_placement()->set_reason(why);
  child.set_waiting_since(FormatIsoDate(today));
}

}  // namespace

absl::Status Schools::ApplyRegistryEvent(const IncomingEvent& event) {
  auto parse = [&](google::protobuf::Message& m) { return ParsePayload(event, m); };
  if (event.event_type == rv1::HouseholdRegistered::descriptor()->full_name()) {
    rv1::HouseholdRegistered e;
    if (auto s = parse(e); !s.ok()) return s;
    // Messages about a child go to the head of the household (or the first adult).
    std::string guardian;
    for (const auto& m : e.members()) {
      if (m.relation() == rv1::RELATION_HEAD || (guardian.empty() && m.age_years() >= 18)) guardian = m.person_id();
    }
    for (const auto& m : e.members()) {
      if (!IsValidId(m.person_id(), kPersonIdPrefix)) continue;
      if (!SchoolTypeForAge(m.age_years(), settings_.ages) && !KitaGroupForAge(m.age_years(), settings_.ages)) continue;
      auto s = ApplyToChild(event, m.person_id(), [&](v1::ChildRecord& r, bool is_new) -> absl::Status {
        if (!is_new) return absl::NotFoundError("known already");
        v1::Child& c = *r.mutable_child();
        c.set_household_id(e.household_id());
        c.set_social_area(e.social_area());
        r.set_municipality_ags(e.municipality_ags());
        *r.mutable_location() = e.approx_location();
        SetNeed(c, m.age_years(), settings_.ages);
        r.set_guardian_person_id(guardian);
        OpenWait(c, Today(), "newly registered");
        return absl::OkStatus();
      });
      if (!s.ok()) return s;
    }
    return absl::OkStatus();
  }
  if (event.event_type == rv1::HouseholdRelocated::descriptor()->full_name()) {
    rv1::HouseholdRelocated e;
    if (auto s = parse(e); !s.ok()) return s;
    return MoveChildren(event, e.household_id(), e.municipality_ags(), e.social_area(), e.approx_location());
  }
  // The case closed: the children leave, and their places are free again.
  if (event.event_type == rv1::HouseholdCaseClosed::descriptor()->full_name()) {
    rv1::HouseholdCaseClosed e;
    if (auto s = parse(e); !s.ok()) return s;
    for (const auto& person_id : e.person_ids()) {
      if (!IsValidId(person_id, kPersonIdPrefix)) return absl::InvalidArgumentError("bad person id");
      auto s = ApplyToChild(event, person_id, [&](v1::ChildRecord& r, bool is_new) -> absl::Status {
        if (is_new) return absl::NotFoundError("not ours");  // an adult, or unknown here
        r.mutable_child()->mutable_placement()->Clear();
        r.mutable_child()->mutable_placement()->set_status(v1::CHILD_STATUS_LEFT);
        r.mutable_child()->mutable_placement()->set_reason("the district's case for the family closed");
        return absl::OkStatus();
      });
      if (!s.ok()) return s;
    }
    return absl::OkStatus();
  }
  // A record merged into another goes as an erased one does (PersonMerged
  // shares PersonErased's fields 1-3); the surviving record keeps its own.
  if (event.event_type == rv1::PersonErased::descriptor()->full_name() ||
      event.event_type == rv1::PersonMerged::descriptor()->full_name()) {
    rv1::PersonErased e;
    if (auto s = parse(e); !s.ok()) return s;
    if (!IsValidId(e.person_id(), kPersonIdPrefix)) return absl::InvalidArgumentError("bad person id");
    auto s = ApplyToChild(event, e.person_id(), [&](v1::ChildRecord& r, bool is_new) -> absl::Status {
      if (is_new) return absl::NotFoundError("not ours");
      const std::string household = r.child().household_id();
      r.Clear();
      r.mutable_child()->set_person_id(e.person_id());
      r.mutable_child()->set_household_id(household);
      r.set_erased(true);
      return absl::OkStatus();
    });
    if (!s.ok() || !IsValidId(e.household_id(), "hh")) return s;
    // The guardian erased or merged: the household's children name them no
    // more; messages about them go to the surviving record, or to nobody.
    std::string successor;
    if (event.event_type == rv1::PersonMerged::descriptor()->full_name()) {
      rv1::PersonMerged merged;
      if (auto parsed = parse(merged); !parsed.ok()) return parsed;
      successor = merged.surviving_person_id();
    }
    auto children = store_.HouseholdChildren(e.household_id());
    if (!children.ok()) return children.status();
    for (const auto& child : *children) {
      if (child == e.person_id()) continue;
      auto changed = ApplyToChild(event, child, [&](v1::ChildRecord& r, bool is_new) -> absl::Status {
        if (is_new || r.guardian_person_id() != e.person_id()) return absl::NotFoundError("not their guardian");
        r.set_guardian_person_id(successor);
        return absl::OkStatus();
      }, HeldPlace::kKeep);
      if (!changed.ok()) return changed;
    }
    return absl::OkStatus();
  }
  return absl::OkStatus();  // an event this service does not need
}

absl::Status Schools::MoveChildren(const IncomingEvent& event, const std::string& household_id,
                                   const std::string& municipality_ags, const std::string& social_area,
                                   const ankommen::common::v1::ApproxLocation& location) {
  if (!IsValidId(household_id, "hh")) return absl::InvalidArgumentError("bad household id");
  auto children = store_.HouseholdChildren(household_id);
  if (!children.ok()) return children.status();
  for (const auto& person_id : *children) {
    auto s = ApplyToChild(event, person_id, [&](v1::ChildRecord& r, bool is_new) -> absl::Status {
      if (is_new) return absl::NotFoundError("not ours");
      r.mutable_child()->set_social_area(social_area);
      r.set_municipality_ags(municipality_ags);
      *r.mutable_location() = location;
      const auto status = r.child().placement().status();
      // A move re-opens placement near the new home; a declined Kita stays declined.
      if (HoldsPlace(status) || status == v1::CHILD_STATUS_WAITING) {
        OpenWait(*r.mutable_child(), Today(), "moved: placed again near the new home");
      }
      return absl::OkStatus();
    });
    if (!s.ok()) return s;
  }
  return absl::OkStatus();
}

absl::Status Schools::ApplyHousingEvent(const IncomingEvent& event) {
  if (event.event_type != hv1::HouseholdMovedIn::descriptor()->full_name()) return absl::OkStatus();
  hv1::HouseholdMovedIn e;
  if (auto s = ParsePayload(event, e); !s.ok()) return s;
  return MoveChildren(event, e.household_id(), e.municipality_ags(), e.social_area(), e.approx_location());
}

// ---------------------------------------------------------------- gauges

absl::Status Schools::RefreshGauges() {
  // One read of the store for every gauge.
  auto inputs = LoadCapacityInputs();
  if (!inputs.ok()) return inputs.status();
  std::map<std::vector<std::string>, double> waiting, seats, kita_waiting, kita_places;
  for (const auto& row : CapacityReport(inputs->schools, inputs->kitas, inputs->children)) {
    const std::string& area = row.social_area();
    if (row.school_type() != v1::SCHOOL_TYPE_UNSPECIFIED) {
      const std::string type = TypeLabel(row.school_type());
      waiting[{type, area}] += row.waiting();
      seats[{type, area, "free"}] += row.free();
      seats[{type, area, "used"}] += row.used();
    } else {
      const std::string group = GroupLabel(row.age_group());
      kita_waiting[{group, area}] += row.waiting();
      kita_places[{group, area, "free"}] += row.free();
      kita_places[{group, area, "used"}] += row.used();
    }
  }
  // How long the longest-waiting school child has waited: the alert on 14 days watches this.
  std::map<std::vector<std::string>, double> oldest;
  for (const auto& record : inputs->children) {
    const v1::Child& child = record.child();
    absl::CivilDay since;
    if (child.placement().status() != v1::CHILD_STATUS_WAITING || child.school_type() == v1::SCHOOL_TYPE_UNSPECIFIED ||
        !ParseIsoDate(child.waiting_since(), since)) {
      continue;
    }
    double& days = oldest[{TypeLabel(child.school_type()), child.social_area()}];
    days = std::max(days, static_cast<double>(Today() - since));
  }
  instruments_->oldest_wait_table.Publish(oldest);
  // Proposals waiting for the schools office, and the oldest one's age.
  std::map<std::vector<std::string>, double> proposals, oldest_proposal;
  const int64_t now = absl::ToUnixSeconds(clock_.Now());
  for (const auto& record : inputs->children) {
    const v1::Child& child = record.child();
    if (child.placement().status() != v1::CHILD_STATUS_PROPOSED) continue;
    const std::string kind = child.school_type() == v1::SCHOOL_TYPE_UNSPECIFIED ? "kita" : "school";
    proposals[{kind, child.social_area()}] += 1;
    double& age = oldest_proposal[{kind}];
    age = std::max(age, static_cast<double>(std::max<int64_t>(0, now - child.placement().placed_at().seconds())));
  }
  instruments_->proposals_table.Publish(proposals);
  instruments_->oldest_proposal_table.Publish(oldest_proposal);
  instruments_->children_waiting_table.Publish(waiting);
  instruments_->daz_seats_table.Publish(seats);
  instruments_->kita_waiting_table.Publish(kita_waiting);
  instruments_->kita_places_table.Publish(kita_places);
  return absl::OkStatus();
}

}  // namespace ankommen::schools
