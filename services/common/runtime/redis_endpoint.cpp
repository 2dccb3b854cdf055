#include "runtime/redis_endpoint.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_split.h"

namespace ankommen {

absl::StatusOr<RedisEndpoint> RedisEndpointOf(const ServiceConfig& config) {
  auto endpoint = ParseRedisUrl(config.redis_url);
  if (!endpoint.ok()) return endpoint.status();
  if (!config.redis_user.empty()) endpoint->user = config.redis_user;
  if (!config.redis_password_file.empty()) {
    auto password = ReadSecretFile("ANKOMMEN_REDIS_PASSWORD_FILE", config.redis_password_file);
    if (!password.ok()) return password.status();
    endpoint->password = *password;
  }
  for (absl::string_view sentinel : absl::StrSplit(config.redis_sentinels, ',', absl::SkipWhitespace())) {
    endpoint->sentinels.emplace_back(absl::StripAsciiWhitespace(sentinel));
  }
  endpoint->primary_name = config.redis_primary_name;
  endpoint->sentinel_user = config.redis_sentinel_user;
  if (!config.redis_sentinel_password_file.empty()) {
    auto password = ReadSecretFile("ANKOMMEN_REDIS_SENTINEL_PASSWORD_FILE", config.redis_sentinel_password_file);
    if (!password.ok()) return password.status();
    endpoint->sentinel_password = *password;
  }
  if (!ParseNamedValues(config.redis_address_map, endpoint->address_map)) {
    return absl::InvalidArgumentError("ANKOMMEN_REDIS_ADDRESS_MAP: host:port=host:port, comma-separated");
  }
  endpoint->min_replicas = config.redis_min_replicas;
  endpoint->replica_timeout = absl::Milliseconds(config.redis_replica_timeout_ms);
  return endpoint;
}

}  // namespace ankommen
