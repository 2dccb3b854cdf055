// The school service's use cases, free of transport. Seats are decided on the
// school or Kita (its pupils are the truth); the child's record follows in a
// second step that is idempotent by state and repaired by the placer's sweep.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "ankommen/common/v1/event.pb.h"
#include "ankommen/schools/v1/events.pb.h"
#include "ankommen/schools/v1/schools.pb.h"
#include "bus/bus.h"
#include "runtime/clock.h"
#include "store/command.h"
#include "domain/school_rules.h"
#include "grpc/request_context.h"
#include "storage/school_store.h"

namespace ankommen {
class Metrics;
}

namespace ankommen::registry::v1 {
class HouseholdAged;
}  // namespace ankommen::registry::v1

namespace ankommen::schools {

struct SchoolSettings {
  AgeRules ages;
  // The farthest a child travels, per school type (rural districts need more than towns).
  std::map<v1::SchoolType, double> max_km = {{v1::SCHOOL_TYPE_GS, 10},
                                             {v1::SCHOOL_TYPE_OS, 20},
                                             {v1::SCHOOL_TYPE_GYMNASIUM, 25},
                                             {v1::SCHOOL_TYPE_BSZ, 30}};
  double kita_max_km = 8;
  // A Kita place is sought from this many days before the family's wished start.
  int kita_ahead_days = 56;
  DazRules daz;  // where recorded German starts a pupil; how long imported pupils stay
  std::string policy = "optimal";  // "optimal" (the placement engine) or "fcfs"
  // Placement runs propose; the schools office confirms, rejects or places by
  // hand (Art. 22 GDPR). Off, a run's placements stand at once.
  bool confirm_placements = true;
};

struct SchoolInstruments;

class Schools {
 public:
  Schools(SchoolStore& store, const Clock& clock, absl::TimeZone zone, SchoolSettings settings, Metrics& metrics);
  ~Schools();

  absl::Status CreateSchool(const v1::CreateSchoolRequest& request, v1::CreateSchoolResponse& response,
                            const RequestContext& rc);
  absl::Status ImportSchools(const v1::ImportSchoolsRequest& request, v1::ImportSchoolsResponse& response,
                             const RequestContext& rc);
  absl::Status UpdateClass(const v1::UpdateClassRequest& request, v1::UpdateClassResponse& response,
                           const RequestContext& rc);
  absl::Status CreateKita(const v1::CreateKitaRequest& request, v1::CreateKitaResponse& response,
                          const RequestContext& rc);
  absl::Status GetSchool(const v1::GetSchoolRequest& request, v1::GetSchoolResponse& response,
                         const RequestContext& rc);
  absl::Status GetChild(const v1::GetChildRequest& request, v1::GetChildResponse& response,
                        const RequestContext& rc);
  absl::Status AdvancePhase(const v1::AdvancePhaseRequest& request, v1::AdvancePhaseResponse& response,
                            const RequestContext& rc);
  absl::Status DeclineKita(const v1::DeclineKitaRequest& request, v1::DeclineKitaResponse& response,
                           const RequestContext& rc);
  absl::Status RequestKita(const v1::RequestKitaRequest& request, v1::RequestKitaResponse& response,
                           const RequestContext& rc);
  absl::Status GetCapacity(const v1::GetCapacityRequest& request, v1::GetCapacityResponse& response,
                           const RequestContext& rc);

  // The schools office decides on the engine's proposals (decisions.cpp).
  absl::Status ListProposals(const v1::ListProposalsRequest& request, v1::ListProposalsResponse& response,
                             const RequestContext& rc);
  absl::Status ConfirmPlacement(const v1::ConfirmPlacementRequest& request, v1::ConfirmPlacementResponse& response,
                                const RequestContext& rc);
  absl::Status RejectPlacement(const v1::RejectPlacementRequest& request, v1::RejectPlacementResponse& response,
                               const RequestContext& rc);
  absl::Status PlaceManually(const v1::PlaceManuallyRequest& request, v1::PlaceManuallyResponse& response,
                             const RequestContext& rc);

  // The events that tell a family of its child's place (at placement, or at
  // the confirmation of a proposal).
  v1::SchoolPlaced SchoolPlacedEvent(const v1::SchoolRecord& school, const v1::Pupil& pupil,
                                     const v1::ChildRecord& child, const std::string& correlation_id) const;
  v1::KitaPlaced KitaPlacedEvent(const v1::KitaRecord& kita, const v1::ChildRecord& child,
                                 const std::string& correlation_id) const;

  // The registry's events: children are opened, re-opened after a move, erased.
  absl::Status ApplyRegistryEvent(const IncomingEvent& event);
  // The housing service's: a household moved in somewhere, its children are placed near the new home.
  absl::Status ApplyHousingEvent(const IncomingEvent& event);

  // The second step of every seat change: the child's record follows the
  // school or Kita. Idempotent by state.
  absl::Status FollowPlacement(const std::string& person_id, const v1::Placement& placement);

  // Frees whatever place the child holds (moved away, erased, declined).
  absl::Status ReleasePlace(const v1::ChildRecord& child);

  absl::Status RefreshGauges();
  void ObserveWait(const std::string& label, double days);
  // Children a placement run left waiting long while a seat was free in reach.
  void SetLeftWaiting(const std::string& label, int children);

  void set_on_demand(std::function<void()> fn) { on_demand_ = std::move(fn); }
  void set_on_change(std::function<void()> fn) { on_change_ = std::move(fn); }

  SchoolStore& store() { return store_; }
  const SchoolSettings& settings() const { return settings_; }
  const Clock& clock() const { return clock_; }
  absl::CivilDay Today() const { return absl::ToCivilDay(clock_.Now(), zone_); }
  std::string NewEventId() const;
  ankommen::common::v1::EventMeta Meta(const std::string& correlation_id) const;

 private:
  // Schools, Kitas and the children still open: what the capacity figures are made of.
  struct CapacityInputs {
    std::vector<v1::SchoolRecord> schools;
    std::vector<v1::KitaRecord> kitas;
    std::vector<v1::ChildRecord> children;
  };
  absl::StatusOr<CapacityInputs> LoadCapacityInputs();
  absl::StatusOr<v1::Child> CurrentChild(const std::string& person_id);
  absl::StatusOr<LoadedSchool> LoadExistingSchool(const std::string& school_id);  // NOT_FOUND if absent
  // Runs `change` on the child's record once per event (the inbox); NOT_FOUND
  // from it means "not ours". The place the child held before is freed when
  // the change leaves the child without it (a move, a case closed, an
  // erasure, school instead of Kita), unless the change says to keep it.
  enum class HeldPlace { kFree, kKeep };
  // A birthday or a school year: a Kita claim opens, school replaces Kita,
  // compulsory schooling ends.
  absl::Status ApplyAged(const IncomingEvent& event, const ankommen::registry::v1::HouseholdAged& e);
  absl::Status ApplyToChild(const IncomingEvent& event, const std::string& person_id,
                            const std::function<absl::Status(v1::ChildRecord&, bool is_new)>& change,
                            HeldPlace held = HeldPlace::kFree);
  // DeclineKita and RequestKita: a change of the child's Kita wish.
  absl::Status ChangeKitaWish(const google::protobuf::Message& request, const std::string& idempotency_key,
                              const std::string& person_id, const char* scope,
                              const std::function<absl::Status(v1::ChildRecord&)>& change, v1::Child& answer);
  void Changed(bool place);
  void CountDecision(v1::DecisionKind kind, v1::OverrideReason reason);
  // The child's record after a decision: its placement and the decision kept
  // (once: a retry with the same decision id changes nothing).
  absl::Status RecordDecision(const std::string& person_id, const v1::Placement& placement,
                              const v1::PlacementDecision& decision);
  absl::StatusOr<v1::ChildRecord> LoadExistingChild(const std::string& person_id);
  // The proposal a decision is about: the child's current one, or for a retry
  // (a decision with this id is recorded) the place it was about.
  struct Proposal {
    v1::Placement placement;
    std::string place_id;
    bool decided_before = false;
  };
  absl::StatusOr<Proposal> ProposalFor(const v1::ChildRecord& child, const std::string& decision_id,
                                       const char* verb) const;
  // A decision's change to the proposed seat's school or Kita, once per key
  // (FAILED_PRECONDITION when the proposal is no longer held there).
  using SchoolChange = std::function<absl::Status(v1::SchoolRecord&, Commit&)>;
  using KitaChange = std::function<absl::Status(v1::KitaRecord&, Commit&)>;
  absl::StatusOr<CommandOutcome> ChangeProposedPlace(const char* scope, const google::protobuf::Message& request,
                                                     const std::string& idempotency_key, const std::string& place_id,
                                                     const std::string& person_id, const SchoolChange& school_change,
                                                     const KitaChange& kita_change);
  absl::Status MoveChildren(const IncomingEvent& event, const std::string& household_id,
                            const std::string& municipality_ags, const std::string& social_area,
                            const ankommen::common::v1::ApproxLocation& location);

  SchoolStore& store_;
  const Clock& clock_;
  absl::TimeZone zone_;
  SchoolSettings settings_;
  std::unique_ptr<SchoolInstruments> instruments_;
  std::function<void()> on_demand_;
  std::function<void()> on_change_;
};

// Metric label values.
std::string TypeLabel(v1::SchoolType type);
std::string GroupLabel(v1::AgeGroup group);

}  // namespace ankommen::schools
