// The mediators service's use cases, free of transport: the pool (pool.cpp),
// the offices' requests and the booking's life (appointments.cpp), the
// registry's events (registry_events.cpp), the hours and figures
// (figures.cpp). Matching runs are the Matcher's (matcher.h).
#pragma once

#include <functional>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "ankommen/common/v1/event.pb.h"
#include "ankommen/mediators/v1/mediators.pb.h"
#include "bus/bus.h"
#include "grpc/request_context.h"
#include "matching.h"
#include "runtime/clock.h"
#include "storage/mediators_store.h"

namespace ankommen {
class Metrics;
}

namespace ankommen::mediators {

struct MediatorsSettings {
  MatchSettings match;  // the policy, the district's time zone, the surcharges
  // Urgent requests waiting longer than this unfilled are an alert (the dashboard's threshold too).
  absl::Duration urgent_target = absl::Hours(24);
};

struct MediatorsInstruments;

class Mediators {
 public:
  Mediators(MediatorsStore& store, const Clock& clock, MediatorsSettings settings, Metrics& metrics);
  ~Mediators();

  // The pool.
  absl::Status UpsertMediator(const v1::UpsertMediatorRequest& request, v1::UpsertMediatorResponse& response,
                              const RequestContext& rc);
  absl::Status ImportMediators(const v1::ImportMediatorsRequest& request, v1::ImportMediatorsResponse& response,
                               const RequestContext& rc);
  absl::Status GetMediator(const v1::GetMediatorRequest& request, v1::GetMediatorResponse& response,
                           const RequestContext& rc);
  absl::Status GetMediatorContact(const v1::GetMediatorContactRequest& request,
                                  v1::GetMediatorContactResponse& response, const RequestContext& rc);
  absl::Status RecordAbsence(const v1::RecordAbsenceRequest& request, v1::RecordAbsenceResponse& response,
                             const RequestContext& rc);
  absl::Status RemoveMediator(const v1::RemoveMediatorRequest& request, v1::RemoveMediatorResponse& response,
                              const RequestContext& rc);

  // Requests and the booking's life.
  absl::Status RequestMediator(const v1::RequestMediatorRequest& request, v1::RequestMediatorResponse& response,
                               const RequestContext& rc);
  absl::Status GetMediationRequest(const v1::GetMediationRequestRequest& request,
                                   v1::GetMediationRequestResponse& response, const RequestContext& rc);
  absl::Status ListOpenRequests(const v1::ListOpenRequestsRequest& request, v1::ListOpenRequestsResponse& response,
                                const RequestContext& rc);
  absl::Status ConfirmProposal(const v1::ConfirmProposalRequest& request, v1::ConfirmProposalResponse& response,
                               const RequestContext& rc);
  absl::Status ChooseMediator(const v1::ChooseMediatorRequest& request, v1::ChooseMediatorResponse& response,
                              const RequestContext& rc);
  absl::Status CancelBooking(const v1::CancelBookingRequest& request, v1::CancelBookingResponse& response,
                             const RequestContext& rc);
  absl::Status RecordOutcome(const v1::RecordOutcomeRequest& request, v1::RecordOutcomeResponse& response,
                             const RequestContext& rc);

  // Hours and figures.
  absl::Status ExportHours(const v1::ExportHoursRequest& request, v1::ExportHoursResponse& response,
                           const RequestContext& rc);
  absl::Status GetFigures(const v1::GetFiguresRequest& request, v1::GetFiguresResponse& response,
                          const RequestContext& rc);
  absl::Status RefreshGauges();

  // The registry's events: persons' languages and households, erasures.
  absl::Status ApplyRegistryEvent(const IncomingEvent& event);

  // A change of one request, decided on its current record (which it edits,
  // adding events); committed under the idempotency key when one is given,
  // else guarded by the version alone. The answer is the request as it is then.
  using RequestChange = std::function<absl::Status(v1::RequestRecord&, std::vector<OutgoingEvent>&)>;
  absl::StatusOr<v1::MediationRequest> ChangeRequest(const char* scope, const google::protobuf::Message& request,
                                                     const std::string& idempotency_key, const std::string& request_id,
                                                     const RequestChange& change);

  // Mediators' bookings from `from` on, as the matching sees them: booked and proposed.
  absl::StatusOr<std::vector<Booking>> BookingsFrom(absl::Time from, const std::vector<LoadedRequest>& open);

  void set_on_demand(std::function<void()> fn) { on_demand_ = std::move(fn); }
  void set_on_change(std::function<void()> fn) { on_change_ = std::move(fn); }
  void Changed(bool match);
  void CountUnfilled(const std::string& language, const std::string& area, v1::UnfilledReason reason);
  // The event that `mediator_id` is no longer needed at `request`'s appointment.
  OutgoingEvent BookingCancelled(const v1::MediationRequest& request, const std::string& mediator_id,
                                 v1::CancelledBy by, bool matched_again, const std::string& correlation_id) const;

  MediatorsStore& store() { return store_; }
  const MediatorsSettings& settings() const { return settings_; }
  const Clock& clock() const { return clock_; }
  ankommen::common::v1::EventMeta Meta(const std::string& correlation_id) const;

 private:
  absl::StatusOr<LoadedMediator> LoadExistingMediator(const std::string& id);
  absl::StatusOr<std::string> SaveMediator(const google::protobuf::Message& request, const std::string& key,
                                           const v1::Mediator& mediator, const v1::MediatorContact* contact,
                                           const RequestContext& rc);
  // Cancels the bookings and proposals of `mediator_id` that `affected` picks
  // and opens them again for matching; returns their ids.
  absl::StatusOr<std::vector<std::string>> ReleaseBookings(const std::string& mediator_id, const std::string& cause,
                                                           const std::function<bool(const v1::MediationRequest&)>& affected);
  absl::StatusOr<v1::MediationRequest> Book(const char* scope, const google::protobuf::Message& request,
                                            const std::string& idempotency_key, const std::string& request_id,
                                            const std::string& mediator_id, const std::string& reason,
                                            const RequestContext& rc);
  absl::Status ApplyToPerson(const IncomingEvent& event, const std::string& person_id,
                             const std::function<absl::Status(v1::PersonRecord&, bool is_new)>& change);

  MediatorsStore& store_;
  const Clock& clock_;
  MediatorsSettings settings_;
  std::unique_ptr<MediatorsInstruments> instruments_;
  std::function<void()> on_demand_;
  std::function<void()> on_change_;
};

// The domain's view of a stored request and mediator (matching.h); an error for one that no longer reads.
absl::StatusOr<AppointmentRequest> AppointmentOf(const v1::RequestRecord& record);
absl::StatusOr<Mediator> MediatorOf(const v1::MediatorRecord& record);

}  // namespace ankommen::mediators
