// The token check on every call (ANKOMMEN_AUTH=jwt): `authorization: Bearer
// <JWT>` is verified, the method checked against the caller's roles, and the
// caller recorded as the request's actor. No token or a bad one:
// UNAUTHENTICATED; a role that may not call the method: PERMISSION_DENIED.
#pragma once

#include <memory>

#include "absl/status/statusor.h"
#include "grpc/auth.h"
#include "runtime/config.h"
#include "grpc/grpc_edge.h"

namespace ankommen {

class JwtAuthorizer final : public Authorizer {
 public:
  JwtAuthorizer(TokenSettings settings, AccessPolicy policy)
      : settings_(std::move(settings)), policy_(std::move(policy)) {}
  absl::Status Authorize(const grpc::ServerContextBase& context, RequestContext& request) const override;

 private:
  TokenSettings settings_;
  AccessPolicy policy_;
};

// The authorizer the configuration asks for (the key read from its file).
absl::StatusOr<std::unique_ptr<Authorizer>> MakeAuthorizer(const ServiceConfig& config);

}  // namespace ankommen
