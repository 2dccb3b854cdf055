// The registry's gRPC API: each method parses, authorises and hands over to
// Registry on the worker pool.
#pragma once

#include "ankommen/registry/v1/registry.grpc.pb.h"
#include "grpc/grpc_edge.h"
#include "registry.h"

namespace ankommen::registry {

// Every method raw, so that requests are parsed by the edge (see grpc_edge.h).
using RawRegistryService = v1::RegistryService::WithRawCallbackMethod_RegisterHousehold<
    v1::RegistryService::WithRawCallbackMethod_GetHousehold<
    v1::RegistryService::WithRawCallbackMethod_GetPerson<
    v1::RegistryService::WithRawCallbackMethod_ListHouseholds<
    v1::RegistryService::WithRawCallbackMethod_ChangeResidenceStatus<
    v1::RegistryService::WithRawCallbackMethod_RecordLanguageLevel<
    v1::RegistryService::WithRawCallbackMethod_RecordCourseObligation<
    v1::RegistryService::WithRawCallbackMethod_RelocateHousehold<
    v1::RegistryService::WithRawCallbackMethod_ErasePerson<
    v1::RegistryService::WithRawCallbackMethod_GetContact<
    v1::RegistryService::WithRawCallbackMethod_ListSuspectedDuplicates<
    v1::RegistryService::WithRawCallbackMethod_FindDuplicates<
    v1::RegistryService::WithRawCallbackMethod_ResolveDuplicate<
    v1::RegistryService::WithRawCallbackMethod_CloseCase<
    v1::RegistryService::WithRawCallbackMethod_RunRetention<
    v1::RegistryService::WithRawCallbackMethod_RunAgeChanges<
    v1::RegistryService::WithRawCallbackMethod_QueryAudit<v1::RegistryService::Service>>>>>>>>>>>>>>>>>;

class RegistryGrpcService final : public RawRegistryService {
 public:
  RegistryGrpcService(Registry& registry, Edge& edge) : registry_(registry), edge_(edge) {}

  using Reactor = grpc::ServerUnaryReactor;
  using Ctx = grpc::CallbackServerContext;
  using Buf = grpc::ByteBuffer;

  Reactor* RegisterHousehold(Ctx* c, const Buf* in, Buf* out) override;
  Reactor* GetHousehold(Ctx* c, const Buf* in, Buf* out) override;
  Reactor* GetPerson(Ctx* c, const Buf* in, Buf* out) override;
  Reactor* ListHouseholds(Ctx* c, const Buf* in, Buf* out) override;
  Reactor* ChangeResidenceStatus(Ctx* c, const Buf* in, Buf* out) override;
  Reactor* RecordLanguageLevel(Ctx* c, const Buf* in, Buf* out) override;
  Reactor* RecordCourseObligation(Ctx* c, const Buf* in, Buf* out) override;
  Reactor* RelocateHousehold(Ctx* c, const Buf* in, Buf* out) override;
  Reactor* ErasePerson(Ctx* c, const Buf* in, Buf* out) override;
  Reactor* GetContact(Ctx* c, const Buf* in, Buf* out) override;
  Reactor* ListSuspectedDuplicates(Ctx* c, const Buf* in, Buf* out) override;
  Reactor* FindDuplicates(Ctx* c, const Buf* in, Buf* out) override;
  Reactor* ResolveDuplicate(Ctx* c, const Buf* in, Buf* out) override;
  Reactor* CloseCase(Ctx* c, const Buf* in, Buf* out) override;
  Reactor* RunRetention(Ctx* c, const Buf* in, Buf* out) override;
  Reactor* RunAgeChanges(Ctx* c, const Buf* in, Buf* out) override;
  Reactor* QueryAudit(Ctx* c, const Buf* in, Buf* out) override;

 private:
  Registry& registry_;
  Edge& edge_;
};

}  // namespace ankommen::registry
