// The casework service's gRPC API: each method parses, authorises and hands
// over to Casework on the worker pool.
#pragma once

#include "ankommen/casework/v1/casework.grpc.pb.h"
#include "casework.h"
#include "grpc/grpc_edge.h"

namespace ankommen::casework {

// Every method raw, so that requests are parsed by the edge (see grpc_edge.h).
using S = v1::CaseworkService;
using RawCaseworkService = S::WithRawCallbackMethod_UpsertWorker<
    S::WithRawCallbackMethod_ImportWorkers<
    S::WithRawCallbackMethod_GetWorker<
    S::WithRawCallbackMethod_RemoveWorker<
    S::WithRawCallbackMethod_GetCase<
    S::WithRawCallbackMethod_ListTasks<
    S::WithRawCallbackMethod_CompleteTask<
    S::WithRawCallbackMethod_GetCaseloads<S::Service>>>>>>>>;

class CaseworkGrpcService final : public RawCaseworkService {
 public:
  CaseworkGrpcService(Casework& casework, Edge& edge, std::function<void()> on_change)
      : casework_(casework), edge_(edge), on_change_(std::move(on_change)) {}

  using Reactor = grpc::ServerUnaryReactor;
  using Ctx = grpc::CallbackServerContext;
  using Buf = grpc::ByteBuffer;

  Reactor* UpsertWorker(Ctx* c, const Buf* in, Buf* out) override;
  Reactor* ImportWorkers(Ctx* c, const Buf* in, Buf* out) override;
  Reactor* GetWorker(Ctx* c, const Buf* in, Buf* out) override;
  Reactor* RemoveWorker(Ctx* c, const Buf* in, Buf* out) override;
  Reactor* GetCase(Ctx* c, const Buf* in, Buf* out) override;
  Reactor* ListTasks(Ctx* c, const Buf* in, Buf* out) override;
  Reactor* CompleteTask(Ctx* c, const Buf* in, Buf* out) override;
  Reactor* GetCaseloads(Ctx* c, const Buf* in, Buf* out) override;

 private:
  Casework& casework_;
  Edge& edge_;
  std::function<void()> on_change_;  // the gauges, after a change
};

}  // namespace ankommen::casework
