#include "schools_grpc.h"

namespace ankommen::schools {

// Each method: request type, response type, and the use case that answers it.
#define ANKOMMEN_SCHOOLS_METHOD(Name)                                                               \
  SchoolGrpcService::Reactor* SchoolGrpcService::Name(Ctx* c, const Buf* in, Buf* out) {           \
    return edge_.Unary<v1::Name##Request, v1::Name##Response>(                                      \
        c, in, out, #Name, [this](const auto& req, auto& resp, const RequestContext& rc) {         \
          return schools_.Name(req, resp, rc);                                                      \
        });                                                                                         \
  }

ANKOMMEN_SCHOOLS_METHOD(CreateSchool)
ANKOMMEN_SCHOOLS_METHOD(ImportSchools)
ANKOMMEN_SCHOOLS_METHOD(UpdateClass)
ANKOMMEN_SCHOOLS_METHOD(CreateKita)
ANKOMMEN_SCHOOLS_METHOD(GetSchool)
ANKOMMEN_SCHOOLS_METHOD(GetChild)
ANKOMMEN_SCHOOLS_METHOD(AdvancePhase)
ANKOMMEN_SCHOOLS_METHOD(DeclineKita)
ANKOMMEN_SCHOOLS_METHOD(RequestKita)
ANKOMMEN_SCHOOLS_METHOD(GetCapacity)
ANKOMMEN_SCHOOLS_METHOD(ListProposals)
ANKOMMEN_SCHOOLS_METHOD(ConfirmPlacement)
ANKOMMEN_SCHOOLS_METHOD(RejectPlacement)
ANKOMMEN_SCHOOLS_METHOD(PlaceManually)

#undef ANKOMMEN_SCHOOLS_METHOD

SchoolGrpcService::Reactor* SchoolGrpcService::RunPlacement(Ctx* c, const Buf* in, Buf* out) {
  return edge_.Unary<v1::RunPlacementRequest, v1::RunPlacementResponse>(
      c, in, out, "RunPlacement", [this](const auto&, auto& resp, const RequestContext&) -> absl::Status {
        auto report = placer_.RunOnce();
        if (!report.ok()) return report.status();
        resp = std::move(*report);
        return absl::OkStatus();
      });
}

}  // namespace ankommen::schools
