// The course service's gRPC API: each method parses, authorises and hands
// over to Courses (or the Allocator) on the worker pool.
#pragma once

#include "allocator.h"
#include "ankommen/courses/v1/courses.grpc.pb.h"
#include "courses.h"
#include "grpc/grpc_edge.h"

namespace ankommen::courses {

// Every method raw, so that requests are parsed by the edge (see grpc_edge.h).
using RawCourseService = v1::CourseService::WithRawCallbackMethod_CreateProvider<
    v1::CourseService::WithRawCallbackMethod_CreateCourse<
    v1::CourseService::WithRawCallbackMethod_UpdateCourse<
    v1::CourseService::WithRawCallbackMethod_CancelCourse<
    v1::CourseService::WithRawCallbackMethod_CompleteCourse<
    v1::CourseService::WithRawCallbackMethod_GetCourse<
    v1::CourseService::WithRawCallbackMethod_ListCourses<
    v1::CourseService::WithRawCallbackMethod_RequestSeat<
    v1::CourseService::WithRawCallbackMethod_WithdrawRequest<
    v1::CourseService::WithRawCallbackMethod_GetLearner<
    v1::CourseService::WithRawCallbackMethod_ListWaitingList<
    v1::CourseService::WithRawCallbackMethod_AcceptOffer<
    v1::CourseService::WithRawCallbackMethod_DeclineOffer<
    v1::CourseService::WithRawCallbackMethod_RunAllocation<v1::CourseService::Service>>>>>>>>>>>>>>;

class CourseGrpcService final : public RawCourseService {
 public:
  CourseGrpcService(Courses& courses, Allocator& allocator, Edge& edge)
      : courses_(courses), allocator_(allocator), edge_(edge) {}

  using Reactor = grpc::ServerUnaryReactor;
  using Ctx = grpc::CallbackServerContext;
  using Buf = grpc::ByteBuffer;

  Reactor* CreateProvider(Ctx* c, const Buf* in, Buf* out) override;
  Reactor* CreateCourse(Ctx* c, const Buf* in, Buf* out) override;
  Reactor* UpdateCourse(Ctx* c, const Buf* in, Buf* out) override;
  Reactor* CancelCourse(Ctx* c, const Buf* in, Buf* out) override;
  Reactor* CompleteCourse(Ctx* c, const Buf* in, Buf* out) override;
  Reactor* GetCourse(Ctx* c, const Buf* in, Buf* out) override;
  Reactor* ListCourses(Ctx* c, const Buf* in, Buf* out) override;
  Reactor* RequestSeat(Ctx* c, const Buf* in, Buf* out) override;
  Reactor* WithdrawRequest(Ctx* c, const Buf* in, Buf* out) override;
  Reactor* GetLearner(Ctx* c, const Buf* in, Buf* out) override;
  Reactor* ListWaitingList(Ctx* c, const Buf* in, Buf* out) override;
  Reactor* AcceptOffer(Ctx* c, const Buf* in, Buf* out) override;
  Reactor* DeclineOffer(Ctx* c, const Buf* in, Buf* out) override;
  Reactor* RunAllocation(Ctx* c, const Buf* in, Buf* out) override;

 private:
  Courses& courses_;
  Allocator& allocator_;
  Edge& edge_;
};

}  // namespace ankommen::courses
