#include "casework_grpc.h"

namespace ankommen::casework {

// Each method: request type, response type, and the use case that answers it;
// `changes`: the gauges are refreshed after it.
#define ANKOMMEN_CASEWORK_METHOD(Name, changes)                                                   \
  CaseworkGrpcService::Reactor* CaseworkGrpcService::Name(Ctx* c, const Buf* in, Buf* out) {     \
    return edge_.Unary<v1::Name##Request, v1::Name##Response>(                                    \
        c, in, out, #Name, [this](const auto& req, auto& resp, const RequestContext& rc) {       \
          absl::Status s = casework_.Name(req, resp, rc);                                         \
          if (changes && s.ok() && on_change_) on_change_();                                      \
          return s;                                                                               \
        });                                                                                       \
  }

ANKOMMEN_CASEWORK_METHOD(UpsertWorker, true)
ANKOMMEN_CASEWORK_METHOD(ImportWorkers, true)
ANKOMMEN_CASEWORK_METHOD(GetWorker, false)
ANKOMMEN_CASEWORK_METHOD(RemoveWorker, true)
ANKOMMEN_CASEWORK_METHOD(GetCase, false)
ANKOMMEN_CASEWORK_METHOD(ListTasks, false)
ANKOMMEN_CASEWORK_METHOD(CompleteTask, true)
ANKOMMEN_CASEWORK_METHOD(GetCaseloads, false)

#undef ANKOMMEN_CASEWORK_METHOD

}  // namespace ankommen::casework
