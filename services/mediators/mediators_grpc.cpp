#include "mediators_grpc.h"

#include "grpc/status.h"

namespace ankommen::mediators {

// Each method: request type, response type, and the use case that answers it.
#define ANKOMMEN_MEDIATORS_METHOD(Name)                                                             \
  MediatorsGrpcService::Reactor* MediatorsGrpcService::Name(Ctx* c, const Buf* in, Buf* out) {     \
    return edge_.Unary<v1::Name##Request, v1::Name##Response>(                                      \
        c, in, out, #Name, [this](const auto& req, auto& resp, const RequestContext& rc) {         \
          return mediators_.Name(req, resp, rc);                                                    \
        });                                                                                         \
  }

ANKOMMEN_MEDIATORS_METHOD(UpsertMediator)
ANKOMMEN_MEDIATORS_METHOD(ImportMediators)
ANKOMMEN_MEDIATORS_METHOD(GetMediator)
ANKOMMEN_MEDIATORS_METHOD(GetMediatorContact)
ANKOMMEN_MEDIATORS_METHOD(RecordAbsence)
ANKOMMEN_MEDIATORS_METHOD(RemoveMediator)
ANKOMMEN_MEDIATORS_METHOD(RequestMediator)
ANKOMMEN_MEDIATORS_METHOD(GetMediationRequest)
ANKOMMEN_MEDIATORS_METHOD(ListOpenRequests)
ANKOMMEN_MEDIATORS_METHOD(ConfirmProposal)
ANKOMMEN_MEDIATORS_METHOD(ChooseMediator)
ANKOMMEN_MEDIATORS_METHOD(CancelBooking)
ANKOMMEN_MEDIATORS_METHOD(RecordOutcome)
ANKOMMEN_MEDIATORS_METHOD(ExportHours)
ANKOMMEN_MEDIATORS_METHOD(GetFigures)

#undef ANKOMMEN_MEDIATORS_METHOD

MediatorsGrpcService::Reactor* MediatorsGrpcService::RunMatching(Ctx* c, const Buf* in, Buf* out) {
  return edge_.Unary<v1::RunMatchingRequest, v1::RunMatchingResponse>(
      c, in, out, "RunMatching", [this](const auto& req, auto& resp, const RequestContext&) -> absl::Status {
        if (!req.policy().empty() && req.policy() != "optimal" && req.policy() != "fcfs") {
          return InvalidFields({{"policy", "must be optimal or fcfs (empty: the service's)"}});
        }
        auto report = matcher_.RunOnce(req.policy());
        if (!report.ok()) return report.status();
        resp = std::move(*report);
        return absl::OkStatus();
      });
}

}  // namespace ankommen::mediators
