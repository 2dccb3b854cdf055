// The token check on every call (ANKOMMEN_AUTH=jwt): `authorization: Bearer
// <JWT>` is verified, the method checked against the caller's roles, and the
// caller recorded as the request's actor. No token or a bad one:
// UNAUTHENTICATED; a role that may not call the method: PERMISSION_DENIED.
#pragma once

#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "grpc/auth.h"
#include "grpc/jwks.h"
#include "runtime/config.h"
#include "grpc/grpc_edge.h"

namespace ankommen {

// The issuer's keys as it publishes them (ANKOMMEN_JWT_JWKS: a JWKS file, or
// an https:// URL such as Keycloak's .../protocol/openid-connect/certs),
// fetched at start and every `refresh` — and sooner, at most every 30 s, when
// a token names a key the set lacks. A key the issuer adds is accepted within
// seconds; one it removes is refused from the next refresh on. A failed
// refresh keeps the keys it has (and says so in the log).
class JwksKeys {
 public:
  static absl::StatusOr<std::unique_ptr<JwksKeys>> Start(std::string source, absl::Duration refresh);
  ~JwksKeys();
  std::shared_ptr<const std::vector<JsonWebKey>> Current() const;
  void RefreshSoon();

 private:
  JwksKeys(std::string source, absl::Duration refresh) : source_(std::move(source)), refresh_(refresh) {}
  absl::StatusOr<std::vector<JsonWebKey>> Fetch() const;
  void Run();

  std::string source_;
  absl::Duration refresh_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::shared_ptr<const std::vector<JsonWebKey>> keys_;
  absl::Time last_fetch_ = absl::InfinitePast();
  bool soon_ = false, stopping_ = false;
  std::thread thread_;
};

class JwtAuthorizer final : public Authorizer {
 public:
  // With `keys`, each token is checked with the key its header names; without,
  // with settings.key.
  JwtAuthorizer(TokenSettings settings, AccessPolicy policy, std::unique_ptr<JwksKeys> keys = nullptr)
      : settings_(std::move(settings)), policy_(std::move(policy)), keys_(std::move(keys)) {}
  absl::Status Authorize(const grpc::ServerContextBase& context, RequestContext& request) const override;

 private:
  absl::StatusOr<Caller> Verify(std::string_view token) const;

  TokenSettings settings_;
  AccessPolicy policy_;
  std::unique_ptr<JwksKeys> keys_;
};

// The authorizer the configuration asks for (the key read from its file, or
// the issuer's key set).
absl::StatusOr<std::unique_ptr<Authorizer>> MakeAuthorizer(const ServiceConfig& config);

}  // namespace ankommen
