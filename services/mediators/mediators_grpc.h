// The mediators service's gRPC API: each method parses, authorises and hands
// over to Mediators (or the Matcher) on the worker pool.
#pragma once

#include "ankommen/mediators/v1/mediators.grpc.pb.h"
#include "grpc/grpc_edge.h"
#include "matcher.h"
#include "mediators.h"

namespace ankommen::mediators {

// Every method raw, so that requests are parsed by the edge (see grpc_edge.h).
using S = v1::MediatorService;
using RawMediatorService = S::WithRawCallbackMethod_UpsertMediator<
    S::WithRawCallbackMethod_ImportMediators<
    S::WithRawCallbackMethod_GetMediator<
    S::WithRawCallbackMethod_GetMediatorContact<
    S::WithRawCallbackMethod_RecordAbsence<
    S::WithRawCallbackMethod_RemoveMediator<
    S::WithRawCallbackMethod_RequestMediator<
    S::WithRawCallbackMethod_GetMediationRequest<
    S::WithRawCallbackMethod_ListOpenRequests<
    S::WithRawCallbackMethod_RunMatching<
    S::WithRawCallbackMethod_ConfirmProposal<
    S::WithRawCallbackMethod_ChooseMediator<
    S::WithRawCallbackMethod_CancelBooking<
    S::WithRawCallbackMethod_RecordOutcome<
    S::WithRawCallbackMethod_ExportHours<
    S::WithRawCallbackMethod_GetFigures<S::Service>>>>>>>>>>>>>>>>;

class MediatorsGrpcService final : public RawMediatorService {
 public:
  MediatorsGrpcService(Mediators& mediators, Matcher& matcher, Edge& edge)
      : mediators_(mediators), matcher_(matcher), edge_(edge) {}

  using Reactor = grpc::ServerUnaryReactor;
  using Ctx = grpc::CallbackServerContext;
  using Buf = grpc::ByteBuffer;

  Reactor* UpsertMediator(Ctx* c, const Buf* in, Buf* out) override;
  Reactor* ImportMediators(Ctx* c, const Buf* in, Buf* out) override;
  Reactor* GetMediator(Ctx* c, const Buf* in, Buf* out) override;
  Reactor* GetMediatorContact(Ctx* c, const Buf* in, Buf* out) override;
  Reactor* RecordAbsence(Ctx* c, const Buf* in, Buf* out) override;
  Reactor* RemoveMediator(Ctx* c, const Buf* in, Buf* out) override;
  Reactor* RequestMediator(Ctx* c, const Buf* in, Buf* out) override;
  Reactor* GetMediationRequest(Ctx* c, const Buf* in, Buf* out) override;
  Reactor* ListOpenRequests(Ctx* c, const Buf* in, Buf* out) override;
  Reactor* RunMatching(Ctx* c, const Buf* in, Buf* out) override;
  Reactor* ConfirmProposal(Ctx* c, const Buf* in, Buf* out) override;
  Reactor* ChooseMediator(Ctx* c, const Buf* in, Buf* out) override;
  Reactor* CancelBooking(Ctx* c, const Buf* in, Buf* out) override;
  Reactor* RecordOutcome(Ctx* c, const Buf* in, Buf* out) override;
  Reactor* ExportHours(Ctx* c, const Buf* in, Buf* out) override;
  Reactor* GetFigures(Ctx* c, const Buf* in, Buf* out) override;

 private:
  Mediators& mediators_;
  Matcher& matcher_;
  Edge& edge_;
};

}  // namespace ankommen::mediators
