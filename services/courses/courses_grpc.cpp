#include "courses_grpc.h"

namespace ankommen::courses {

// Each method: request type, response type, and the use case that answers it.
#define ANKOMMEN_COURSES_METHOD(Name)                                                               \
  CourseGrpcService::Reactor* CourseGrpcService::Name(Ctx* c, const Buf* in, Buf* out) {           \
    return edge_.Unary<v1::Name##Request, v1::Name##Response>(                                      \
        c, in, out, #Name, [this](const auto& req, auto& resp, const RequestContext& rc) {         \
          return courses_.Name(req, resp, rc);                                                      \
        });                                                                                         \
  }

ANKOMMEN_COURSES_METHOD(CreateProvider)
ANKOMMEN_COURSES_METHOD(CreateCourse)
ANKOMMEN_COURSES_METHOD(UpdateCourse)
ANKOMMEN_COURSES_METHOD(CancelCourse)
ANKOMMEN_COURSES_METHOD(CompleteCourse)
ANKOMMEN_COURSES_METHOD(GetCourse)
ANKOMMEN_COURSES_METHOD(ListCourses)
ANKOMMEN_COURSES_METHOD(RequestSeat)
ANKOMMEN_COURSES_METHOD(WithdrawRequest)
ANKOMMEN_COURSES_METHOD(GetLearner)
ANKOMMEN_COURSES_METHOD(ListWaitingList)
ANKOMMEN_COURSES_METHOD(AcceptOffer)
ANKOMMEN_COURSES_METHOD(DeclineOffer)

#undef ANKOMMEN_COURSES_METHOD

CourseGrpcService::Reactor* CourseGrpcService::RunAllocation(Ctx* c, const Buf* in, Buf* out) {
  return edge_.Unary<v1::RunAllocationRequest, v1::RunAllocationResponse>(
      c, in, out, "RunAllocation", [this](const auto& req, auto& resp, const RequestContext&) -> absl::Status {
        auto report = allocator_.RunOnce(req.policy());
        if (!report.ok()) return report.status();
        resp = std::move(*report);
        return absl::OkStatus();
      });
}

}  // namespace ankommen::courses
