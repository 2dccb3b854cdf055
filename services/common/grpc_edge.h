// The edge between gRPC and the service's code: requests are parsed here (so
// that invalid UTF-8 in a field gets INVALID_ARGUMENT naming that field rather
// than a bare transport error), the caller is authorised, and absl::Status
// becomes grpc::Status with google.rpc.BadRequest details.
//
// Services register their methods as raw (WithRawMethod_*) and implement each
// as a one-line call to HandleUnary. Include only from handler .cpp files.
#pragma once

#include <string>

#include <google/protobuf/message.h>
#include <grpcpp/grpcpp.h>

#include "absl/status/status.h"

namespace ankommen {

// What handlers know about the call besides the request.
struct RequestContext {
  std::string method;          // e.g. "RegisterHousehold"
  std::string correlation_id;  // x-correlation-id, or a new one
  std::string actor;           // who calls: x-ankommen-actor until tokens (security issue)
};

// Decides whether a caller may call a method. The security issue puts token
// and certificate checks here; until then every caller is allowed.
class Authorizer {
 public:
  virtual ~Authorizer() = default;
  virtual absl::Status Authorize(const grpc::ServerContext& context, const RequestContext& request) const = 0;
};

class AllowAllAuthorizer final : public Authorizer {
 public:
  absl::Status Authorize(const grpc::ServerContext&, const RequestContext&) const override {
    return absl::OkStatus();
  }
};

grpc::Status ToGrpcStatus(const absl::Status& status);

// Parses a request; INVALID_ARGUMENT naming the field on invalid UTF-8 or a
// malformed message.
absl::Status ParseRequest(const grpc::ByteBuffer& buffer, google::protobuf::Message& message);

grpc::Status SerializeResponse(const google::protobuf::Message& message, grpc::ByteBuffer& out);

RequestContext MakeRequestContext(const grpc::ServerContext& context, std::string method);

// fn: absl::Status(const Req&, Resp&, const RequestContext&)
template <typename Req, typename Resp, typename Fn>
grpc::Status HandleUnary(grpc::ServerContext* context, const grpc::ByteBuffer* in, grpc::ByteBuffer* out,
                         const Authorizer& authorizer, const char* method, Fn&& fn) {
  RequestContext request_context = MakeRequestContext(*context, method);
  if (auto s = authorizer.Authorize(*context, request_context); !s.ok()) return ToGrpcStatus(s);
  Req request;
  if (auto s = ParseRequest(*in, request); !s.ok()) return ToGrpcStatus(s);
  Resp response;
  if (auto s = fn(request, response, request_context); !s.ok()) return ToGrpcStatus(s);
  return SerializeResponse(response, *out);
}

}  // namespace ankommen
