// The housing service's use cases, free of transport. Beds are decided on the
// accommodation (its occupancies are the truth); the household's record
// follows in a second step that is idempotent by state and repaired by the
// allocator's sweep.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "ankommen/common/v1/event.pb.h"
#include "ankommen/housing/v1/housing.pb.h"
#include "bus/bus.h"
#include "runtime/clock.h"
#include "domain/housing_rules.h"
#include "grpc/request_context.h"
#include "storage/housing_store.h"

namespace ankommen {
class Metrics;
}

namespace ankommen::housing {

struct HousingSettings {
  Standards standards;
  double max_km = 60;                        // the district: a household may be placed anywhere in it
  std::map<std::string, int> social_workers;  // per social area
  // The district's target caseload of refugee social work, persons per
  // worker (Meißen 150 today; Görlitz and Meißen aim at 80).
  int caseload_target = 80;
  std::string policy = "optimal";             // "optimal" (the placement engine) or "fcfs"
};

struct HousingInstruments;

class Housing {
 public:
  Housing(HousingStore& store, const Clock& clock, absl::TimeZone zone, HousingSettings settings, Metrics& metrics);
  ~Housing();

  absl::Status CreateAccommodation(const v1::CreateAccommodationRequest& request,
                                   v1::CreateAccommodationResponse& response, const RequestContext& rc);
  absl::Status ImportAccommodations(const v1::ImportAccommodationsRequest& request,
                                    v1::ImportAccommodationsResponse& response, const RequestContext& rc);
  absl::Status ReportVacancy(const v1::ReportVacancyRequest& request, v1::ReportVacancyResponse& response,
                             const RequestContext& rc);
  absl::Status WithdrawVacancy(const v1::WithdrawVacancyRequest& request, v1::WithdrawVacancyResponse& response,
                               const RequestContext& rc);
  absl::Status GetAccommodation(const v1::GetAccommodationRequest& request, v1::GetAccommodationResponse& response,
                                const RequestContext& rc);
  absl::Status GetHousehold(const v1::GetHouseholdRequest& request, v1::GetHouseholdResponse& response,
                            const RequestContext& rc);
  absl::Status ConfirmPlacement(const v1::ConfirmPlacementRequest& request, v1::ConfirmPlacementResponse& response,
                                const RequestContext& rc);
  absl::Status PlaceManually(const v1::PlaceManuallyRequest& request, v1::PlaceManuallyResponse& response,
                             const RequestContext& rc);
  absl::Status DeclinePlacement(const v1::DeclinePlacementRequest& request, v1::DeclinePlacementResponse& response,
                                const RequestContext& rc);
  absl::Status MoveOut(const v1::MoveOutRequest& request, v1::MoveOutResponse& response, const RequestContext& rc);
  absl::Status AcceptLeaseTransfer(const v1::AcceptLeaseTransferRequest& request,
                                   v1::AcceptLeaseTransferResponse& response, const RequestContext& rc);
  absl::Status GetFigures(const v1::GetFiguresRequest& request, v1::GetFiguresResponse& response,
                          const RequestContext& rc);

  // The registry's events: households in need, status changes that let a lease pass, erasures.
  absl::Status ApplyRegistryEvent(const IncomingEvent& event);

  // The second step of every change of an occupancy: the household follows.
  // `change` edits the household and says whether it changed anything.
  using HouseholdChange = std::function<absl::StatusOr<bool>(v1::Household&)>;
  absl::Status FollowHousehold(const std::string& household_id, const HouseholdChange& change);
  // The same, for changes to the household's record beyond what the API shows.
  using HouseholdRecordChange = std::function<absl::StatusOr<bool>(v1::HouseholdRecord&)>;
  absl::Status FollowHouseholdRecord(const std::string& household_id, const HouseholdRecordChange& change);

  absl::Status RefreshGauges();

  void set_on_demand(std::function<void()> fn) { on_demand_ = std::move(fn); }
  void set_on_change(std::function<void()> fn) { on_change_ = std::move(fn); }

  HousingStore& store() { return store_; }
  const HousingSettings& settings() const { return settings_; }
  const Clock& clock() const { return clock_; }
  absl::CivilDay Today() const { return absl::ToCivilDay(clock_.Now(), zone_); }
  ankommen::common::v1::EventMeta Meta(const std::string& correlation_id) const;
  // A household moved into a place: where, and what the district's figures need of the place.
  OutgoingEvent MovedIn(const v1::Accommodation& a, const std::string& household_id, int persons,
                        const std::string& correlation_id) const;

 private:
  absl::StatusOr<LoadedAccommodation> LoadExisting(const std::string& accommodation_id);
  absl::StatusOr<v1::Household> CurrentHousehold(const std::string& household_id);
  absl::Status SaveNewAccommodation(const google::protobuf::Message& request, const std::string& key,
                                    v1::Accommodation accommodation, std::string& id);
  // A change of one accommodation under an idempotency key; `decide` edits the
  // record and adds events; the answer is the accommodation as it is then.
  using AccommodationChange = std::function<absl::Status(v1::AccommodationRecord&, std::vector<OutgoingEvent>&)>;
  absl::StatusOr<bool> ChangeAccommodation(const char* scope, const google::protobuf::Message& request,
                                           const std::string& idempotency_key, const std::string& accommodation_id,
                                           const AccommodationChange& decide);
  absl::Status ApplyToHousehold(const IncomingEvent& event, const std::string& household_id,
                                const std::function<absl::Status(v1::HouseholdRecord&, bool is_new)>& change);
  void Changed(bool allocate);
  // A decision on the household as it was (offered or waiting): who, when, what the engine offered.
  v1::PlacementDecision NewDecision(v1::DecisionKind kind, const v1::Household& before, const RequestContext& rc,
                                    const std::string& decision_id) const;
  void CountDecision(v1::DecisionKind kind, v1::OverrideReason reason);

  HousingStore& store_;
  const Clock& clock_;
  absl::TimeZone zone_;
  HousingSettings settings_;
  std::unique_ptr<HousingInstruments> instruments_;
  std::function<void()> on_demand_;
  std::function<void()> on_change_;
};

std::string KindLabel(v1::Kind kind);

}  // namespace ankommen::housing
