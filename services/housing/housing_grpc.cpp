#include "housing_grpc.h"

namespace ankommen::housing {

// Each method: request type, response type, and the use case that answers it.
#define ANKOMMEN_HOUSING_METHOD(Name)                                                               \
  HousingGrpcService::Reactor* HousingGrpcService::Name(Ctx* c, const Buf* in, Buf* out) {         \
    return edge_.Unary<v1::Name##Request, v1::Name##Response>(                                      \
        c, in, out, #Name, [this](const auto& req, auto& resp, const RequestContext& rc) {         \
          return housing_.Name(req, resp, rc);                                                      \
        });                                                                                         \
  }

ANKOMMEN_HOUSING_METHOD(CreateAccommodation)
ANKOMMEN_HOUSING_METHOD(ImportAccommodations)
ANKOMMEN_HOUSING_METHOD(ReportVacancy)
ANKOMMEN_HOUSING_METHOD(WithdrawVacancy)
ANKOMMEN_HOUSING_METHOD(GetAccommodation)
ANKOMMEN_HOUSING_METHOD(GetHousehold)
ANKOMMEN_HOUSING_METHOD(ConfirmPlacement)
ANKOMMEN_HOUSING_METHOD(DeclinePlacement)
ANKOMMEN_HOUSING_METHOD(MoveOut)
ANKOMMEN_HOUSING_METHOD(AcceptLeaseTransfer)
ANKOMMEN_HOUSING_METHOD(GetFigures)
ANKOMMEN_HOUSING_METHOD(PlaceManually)

#undef ANKOMMEN_HOUSING_METHOD

HousingGrpcService::Reactor* HousingGrpcService::RunAllocation(Ctx* c, const Buf* in, Buf* out) {
  return edge_.Unary<v1::RunAllocationRequest, v1::RunAllocationResponse>(
      c, in, out, "RunAllocation", [this](const auto&, auto& resp, const RequestContext&) -> absl::Status {
        auto report = allocator_.RunOnce();
        if (!report.ok()) return report.status();
        resp = std::move(*report);
        return absl::OkStatus();
      });
}

}  // namespace ankommen::housing
