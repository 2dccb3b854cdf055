#include "grpc/grpc_auth.h"

#include <fstream>
#include <sstream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "observability/log.h"

namespace ankommen {

absl::Status JwtAuthorizer::Authorize(const grpc::ServerContextBase& context, RequestContext& request) const {
  const auto& metadata = context.client_metadata();
  auto it = metadata.find("authorization");
  absl::string_view header = it == metadata.end() ? absl::string_view() : absl::string_view(it->second.data(), it->second.size());
  if (!absl::StartsWith(header, "Bearer ")) {
    return absl::UnauthenticatedError("a token is required: authorization: Bearer <JWT>");
  }
  auto caller = VerifyToken(settings_, std::string_view(header.substr(7).data(), header.size() - 7), absl::Now());
  if (!caller.ok()) return caller.status();
  request.actor = caller->subject;
  request.roles = caller->roles;
  request.provider_id = caller->provider_id;
  if (!policy_.Allows(*caller, request.method)) {
    log::Warn("permission_denied", {{"actor", caller->subject}, {"method", request.method},
                                    {"correlation_id", request.correlation_id}});
    return absl::PermissionDeniedError(absl::StrCat(caller->subject, " may not call ", request.method));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::unique_ptr<Authorizer>> MakeAuthorizer(const ServiceConfig& config) {
  if (config.auth != "jwt") {
    log::Warn("auth_off", {{"reason", "ANKOMMEN_AUTH=off: every caller may call everything (local development only)"}});
    return std::make_unique<AllowAllAuthorizer>();
  }
  std::ifstream in(config.jwt_key_file, std::ios::binary);
  if (!in) return absl::FailedPreconditionError(absl::StrCat("cannot read the JWT key file ", config.jwt_key_file));
  std::stringstream key;
  key << in.rdbuf();
  TokenSettings settings;
  settings.algorithm = config.jwt_algorithm;
  settings.key = key.str();
  // A secret written with a trailing newline is the same secret.
  while (settings.algorithm == "HS256" && !settings.key.empty() &&
         (settings.key.back() == '\n' || settings.key.back() == '\r')) {
    settings.key.pop_back();
  }
  if (settings.key.empty()) return absl::FailedPreconditionError("the JWT key file is empty");
  settings.issuer = config.jwt_issuer;
  // Each service is its own audience: a token for one is not one for another.
  settings.audience = config.jwt_audience.empty() ? "ankommen-" + config.service : config.jwt_audience;
  settings.max_lifetime = absl::Seconds(config.jwt_max_lifetime_seconds);
  return std::make_unique<JwtAuthorizer>(std::move(settings), PolicyFor(config.service));
}

}  // namespace ankommen
