// The edge between gRPC and the service's code: requests are parsed here (so
// that invalid UTF-8 in a field gets INVALID_ARGUMENT naming that field rather
// than a bare transport error), the caller is authorised, and absl::Status
// becomes grpc::Status with google.rpc.BadRequest details.
//
// Services register their methods as raw callback methods
// (WithRawCallbackMethod_*) and implement each as a call to Edge::Unary,
// which runs the work on a worker pool, off gRPC's threads. Include only from handler .cpp files.
#pragma once

#include <string>
#include <string_view>

#include <google/protobuf/message.h>
#include <grpcpp/grpcpp.h>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "store/command.h"
#include "store/ids.h"
#include "grpc/request_context.h"
#include "runtime/worker_pool.h"

namespace ankommen {

// Decides whether a caller may call a method, and says who the caller is
// (RequestContext::actor, roles). grpc_auth.h has the token check.
class Authorizer {
 public:
  virtual ~Authorizer() = default;
  virtual absl::Status Authorize(const grpc::ServerContextBase& context, RequestContext& request) const = 0;
};

// Local development (ANKOMMEN_AUTH=off): every caller may call everything,
// and is recorded as unauthenticated, with the name it gave in
// x-ankommen-actor after it: a claim, not an identity.
class AllowAllAuthorizer final : public Authorizer {
 public:
  absl::Status Authorize(const grpc::ServerContextBase&, RequestContext& request) const override {
    request.actor = "unauthenticated:" + request.actor;
    return absl::OkStatus();
  }
};

// The most a status message (and each field violation) sent to a caller
// holds, and the most its google.rpc.BadRequest details hold: a client keeps
// trailers small, and one bad value must not stall a shared channel.
inline constexpr size_t kMaxStatusMessageBytes = 512;
inline constexpr size_t kMaxStatusDetailsBytes = 4096;

grpc::Status ToGrpcStatus(const absl::Status& status);

// Parses a request; INVALID_ARGUMENT naming the field on invalid UTF-8 or a
// malformed message.
absl::Status ParseRequest(const grpc::ByteBuffer& buffer, google::protobuf::Message& message);

// The most a request to `method` may hold: the imports (a district's schools
// or accommodations in one table) kMaxImportBytes, every other call
// kMaxCallBytes — checked before the token and the body are looked at.
inline constexpr size_t kMaxImportBytes = 8 * 1024 * 1024;
inline constexpr size_t kMaxCallBytes = 256 * 1024;
size_t MaxRequestBytes(std::string_view method);

grpc::Status SerializeResponse(const google::protobuf::Message& message, grpc::ByteBuffer& out);

RequestContext MakeRequestContext(const grpc::ServerContextBase& context, std::string method);

// Authorisation and the worker pool shared by a service's handlers.
class Edge {
 public:
  Edge(const Authorizer& authorizer, WorkerPool& workers) : authorizer_(authorizer), workers_(workers) {}

  // Runs one unary call on the worker pool:
  // fn is absl::Status(const Req&, Resp&, const RequestContext&).
  // The size and the token are checked on gRPC's thread, before the body is
  // parsed and before the call takes a place in the queue: a caller without a
  // token never waits for a worker, and the queue is fair between the callers
  // who have one (worker_pool.h).
  template <typename Req, typename Resp, typename Fn>
  grpc::ServerUnaryReactor* Unary(grpc::CallbackServerContext* context, const grpc::ByteBuffer* in,
                                  grpc::ByteBuffer* out, const char* method, Fn fn) {
    grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
    if (const size_t limit = MaxRequestBytes(method); in->Length() > limit) {
      reactor->Finish(grpc::Status(grpc::INVALID_ARGUMENT, absl::StrCat("the request has ", in->Length(),
                                                                        " bytes; ", method, " takes ", limit,
                                                                        " at most")));
      return reactor;
    }
    RequestContext request_context = MakeRequestContext(*context, method);
    if (auto s = authorizer_.Authorize(*context, request_context); !s.ok()) {
      reactor->Finish(ToGrpcStatus(s));
      return reactor;
    }
    const std::string caller = request_context.actor;
    bool queued = workers_.Submit(
        [context, in, out, method, reactor, request_context = std::move(request_context), fn = std::move(fn)]() mutable {
          if (context->IsCancelled()) {
            reactor->Finish(grpc::Status(grpc::CANCELLED, "cancelled or past its deadline before it was handled"));
            return;
          }
          Req request;
          if (auto s = ParseRequest(*in, request); !s.ok()) {
            reactor->Finish(ToGrpcStatus(s));
            return;
          }
          Resp response;
          const IdCause cause(ChildCause(method));  // the ids it mints, where they derive (ids.h)
          const CommandCaller command_caller(request_context.actor);  // its idempotency keys are its own (command.h)
          absl::Status status = fn(request, response, request_context);
          reactor->Finish(status.ok() ? SerializeResponse(response, *out) : ToGrpcStatus(status));
        },
        caller);
    if (!queued) reactor->Finish(grpc::Status(grpc::RESOURCE_EXHAUSTED, "server is busy; retry with backoff"));
    return reactor;
  }

 private:
  const Authorizer& authorizer_;
  WorkerPool& workers_;
};

}  // namespace ankommen
