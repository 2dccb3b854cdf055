#include "registry_grpc.h"

namespace ankommen::registry {

// Each method: request type, response type, and the use case that answers it.
#define ANKOMMEN_REGISTRY_METHOD(Name)                                                              \
  RegistryGrpcService::Reactor* RegistryGrpcService::Name(Ctx* c, const Buf* in, Buf* out) {       \
    return edge_.Unary<v1::Name##Request, v1::Name##Response>(                                      \
        c, in, out, #Name, [this](const auto& req, auto& resp, const RequestContext& rc) {         \
          return registry_.Name(req, resp, rc);                                                     \
        });                                                                                         \
  }

ANKOMMEN_REGISTRY_METHOD(RegisterHousehold)
ANKOMMEN_REGISTRY_METHOD(GetHousehold)
ANKOMMEN_REGISTRY_METHOD(GetPerson)
ANKOMMEN_REGISTRY_METHOD(ListHouseholds)
ANKOMMEN_REGISTRY_METHOD(ChangeResidenceStatus)
ANKOMMEN_REGISTRY_METHOD(RecordLanguageLevel)
ANKOMMEN_REGISTRY_METHOD(RecordCourseObligation)
ANKOMMEN_REGISTRY_METHOD(RelocateHousehold)
ANKOMMEN_REGISTRY_METHOD(ErasePerson)
ANKOMMEN_REGISTRY_METHOD(GetContact)
ANKOMMEN_REGISTRY_METHOD(ListSuspectedDuplicates)
ANKOMMEN_REGISTRY_METHOD(FindDuplicates)
ANKOMMEN_REGISTRY_METHOD(ResolveDuplicate)
ANKOMMEN_REGISTRY_METHOD(CloseCase)
ANKOMMEN_REGISTRY_METHOD(RunRetention)
ANKOMMEN_REGISTRY_METHOD(RunAgeChanges)
ANKOMMEN_REGISTRY_METHOD(QueryAudit)

#undef ANKOMMEN_REGISTRY_METHOD

}  // namespace ankommen::registry
