// The school service's gRPC API: each method parses, authorises and hands
// over to Schools (or the Placer) on the worker pool.
#pragma once

#include "ankommen/schools/v1/schools.grpc.pb.h"
#include "grpc/grpc_edge.h"
#include "placer.h"
#include "schools.h"

namespace ankommen::schools {

// Every method raw, so that requests are parsed by the edge (see grpc_edge.h).
using RawSchoolService = v1::SchoolService::WithRawCallbackMethod_CreateSchool<
    v1::SchoolService::WithRawCallbackMethod_ImportSchools<
    v1::SchoolService::WithRawCallbackMethod_UpdateClass<
    v1::SchoolService::WithRawCallbackMethod_CreateKita<
    v1::SchoolService::WithRawCallbackMethod_GetSchool<
    v1::SchoolService::WithRawCallbackMethod_GetChild<
    v1::SchoolService::WithRawCallbackMethod_AdvancePhase<
    v1::SchoolService::WithRawCallbackMethod_DeclineKita<
    v1::SchoolService::WithRawCallbackMethod_RequestKita<
    v1::SchoolService::WithRawCallbackMethod_GetCapacity<
    v1::SchoolService::WithRawCallbackMethod_RunPlacement<
    v1::SchoolService::WithRawCallbackMethod_ListProposals<
    v1::SchoolService::WithRawCallbackMethod_ConfirmPlacement<
    v1::SchoolService::WithRawCallbackMethod_RejectPlacement<
    v1::SchoolService::WithRawCallbackMethod_PlaceManually<v1::SchoolService::Service>>>>>>>>>>>>>>>;

class SchoolGrpcService final : public RawSchoolService {
 public:
  SchoolGrpcService(Schools& schools, Placer& placer, Edge& edge) : schools_(schools), placer_(placer), edge_(edge) {}

  using Reactor = grpc::ServerUnaryReactor;
  using Ctx = grpc::CallbackServerContext;
  using Buf = grpc::ByteBuffer;

  Reactor* CreateSchool(Ctx* c, const Buf* in, Buf* out) override;
  Reactor* ImportSchools(Ctx* c, const Buf* in, Buf* out) override;
  Reactor* UpdateClass(Ctx* c, const Buf* in, Buf* out) override;
  Reactor* CreateKita(Ctx* c, const Buf* in, Buf* out) override;
  Reactor* GetSchool(Ctx* c, const Buf* in, Buf* out) override;
  Reactor* GetChild(Ctx* c, const Buf* in, Buf* out) override;
  Reactor* AdvancePhase(Ctx* c, const Buf* in, Buf* out) override;
  Reactor* DeclineKita(Ctx* c, const Buf* in, Buf* out) override;
  Reactor* RequestKita(Ctx* c, const Buf* in, Buf* out) override;
  Reactor* GetCapacity(Ctx* c, const Buf* in, Buf* out) override;
  Reactor* RunPlacement(Ctx* c, const Buf* in, Buf* out) override;
  Reactor* ListProposals(Ctx* c, const Buf* in, Buf* out) override;
  Reactor* ConfirmPlacement(Ctx* c, const Buf* in, Buf* out) override;
  Reactor* RejectPlacement(Ctx* c, const Buf* in, Buf* out) override;
  Reactor* PlaceManually(Ctx* c, const Buf* in, Buf* out) override;

 private:
  Schools& schools_;
  Placer& placer_;
  Edge& edge_;
};

}  // namespace ankommen::schools
