// The housing service's gRPC API: each method parses, authorises and hands
// over to Housing (or the Allocator) on the worker pool.
#pragma once

#include "allocator.h"
#include "ankommen/housing/v1/housing.grpc.pb.h"
#include "grpc/grpc_edge.h"
#include "housing.h"

namespace ankommen::housing {

// Every method raw, so that requests are parsed by the edge (see grpc_edge.h).
using RawHousingService = v1::HousingService::WithRawCallbackMethod_CreateAccommodation<
    v1::HousingService::WithRawCallbackMethod_ImportAccommodations<
    v1::HousingService::WithRawCallbackMethod_ReportVacancy<
    v1::HousingService::WithRawCallbackMethod_WithdrawVacancy<
    v1::HousingService::WithRawCallbackMethod_GetAccommodation<
    v1::HousingService::WithRawCallbackMethod_GetHousehold<
    v1::HousingService::WithRawCallbackMethod_ConfirmPlacement<
    v1::HousingService::WithRawCallbackMethod_DeclinePlacement<
    v1::HousingService::WithRawCallbackMethod_MoveOut<
    v1::HousingService::WithRawCallbackMethod_AcceptLeaseTransfer<
    v1::HousingService::WithRawCallbackMethod_GetFigures<
    v1::HousingService::WithRawCallbackMethod_RunAllocation<
    v1::HousingService::WithRawCallbackMethod_PlaceManually<v1::HousingService::Service>>>>>>>>>>>>>;

class HousingGrpcService final : public RawHousingService {
 public:
  HousingGrpcService(Housing& housing, Allocator& allocator, Edge& edge)
      : housing_(housing), allocator_(allocator), edge_(edge) {}

  using Reactor = grpc::ServerUnaryReactor;
  using Ctx = grpc::CallbackServerContext;
  using Buf = grpc::ByteBuffer;

  Reactor* CreateAccommodation(Ctx* c, const Buf* in, Buf* out) override;
  Reactor* ImportAccommodations(Ctx* c, const Buf* in, Buf* out) override;
  Reactor* ReportVacancy(Ctx* c, const Buf* in, Buf* out) override;
  Reactor* WithdrawVacancy(Ctx* c, const Buf* in, Buf* out) override;
  Reactor* GetAccommodation(Ctx* c, const Buf* in, Buf* out) override;
  Reactor* GetHousehold(Ctx* c, const Buf* in, Buf* out) override;
  Reactor* ConfirmPlacement(Ctx* c, const Buf* in, Buf* out) override;
  Reactor* DeclinePlacement(Ctx* c, const Buf* in, Buf* out) override;
  Reactor* MoveOut(Ctx* c, const Buf* in, Buf* out) override;
  Reactor* AcceptLeaseTransfer(Ctx* c, const Buf* in, Buf* out) override;
  Reactor* GetFigures(Ctx* c, const Buf* in, Buf* out) override;
  Reactor* RunAllocation(Ctx* c, const Buf* in, Buf* out) override;
  Reactor* PlaceManually(Ctx* c, const Buf* in, Buf* out) override;

 private:
  Housing& housing_;
  Allocator& allocator_;
  Edge& edge_;
};

}  // namespace ankommen::housing
