#include "support/tokens.h"

#include <jwt.h>

#include <ctime>
#include <memory>
#include <stdexcept>

#include <nlohmann/json.hpp>

namespace ankommen::testing {

std::string MintToken(const TokenSpec& spec) {
  jwt_t* raw = nullptr;
  if (jwt_new(&raw) != 0) throw std::runtime_error("jwt_new");
  std::unique_ptr<jwt_t, void (*)(jwt_t*)> jwt(raw, jwt_free);
  const long now = static_cast<long>(std::time(nullptr));
  jwt_add_grant(jwt.get(), "sub", spec.subject.c_str());
  jwt_add_grant(jwt.get(), "iss", spec.issuer.c_str());
  if (spec.audience.size() == 1) {
    jwt_add_grant(jwt.get(), "aud", spec.audience[0].c_str());
  } else {
    jwt_add_grants_json(jwt.get(), nlohmann::json{{"aud", spec.audience}}.dump().c_str());
  }
  jwt_add_grant_int(jwt.get(), "iat", now);
  jwt_add_grant_int(jwt.get(), "exp", now + spec.expires_in_seconds);
  if (!spec.provider_id.empty()) jwt_add_grant(jwt.get(), "provider_id", spec.provider_id.c_str());
  jwt_add_grants_json(jwt.get(), nlohmann::json{{"roles", spec.roles}}.dump().c_str());
  if (spec.unsigned_none) {
    jwt_set_alg(jwt.get(), JWT_ALG_NONE, nullptr, 0);
  } else {
    jwt_set_alg(jwt.get(), JWT_ALG_HS256, reinterpret_cast<const unsigned char*>(spec.secret.data()),
                static_cast<int>(spec.secret.size()));
  }
  char* encoded = jwt_encode_str(jwt.get());
  if (encoded == nullptr) throw std::runtime_error("jwt_encode_str");
  std::string token(encoded);
  free(encoded);
  return token;
}

}  // namespace ankommen::testing
