// Tokens as the district's identity provider would issue them, for tests.
#pragma once

#include <string>
#include <vector>

namespace ankommen::testing {

inline constexpr char kTestSecret[] = "a-test-secret-of-the-district-idp";
inline constexpr char kTestIssuer[] = "https://idp.landkreis.example";

struct TokenSpec {
  std::string subject = "sachbearbeitung-1";
  std::vector<std::string> roles;
  std::string provider_id;
  long expires_in_seconds = 600;  // negative: expired
  std::string issuer = kTestIssuer;
  // Every service's audience, as the district's identity provider issues a
  // token for a client that calls them all (the simulator, ankommenctl).
  std::vector<std::string> audience = {"ankommen-registry", "ankommen-courses", "ankommen-schools",
                                       "ankommen-housing", "ankommen-notifications"};
  std::string secret = kTestSecret;
  bool unsigned_none = false;  // alg "none"
  // Where the roles go: a path of claim names ("realm_access.roles" as
  // Keycloak puts realm roles).
  std::string roles_claim = "roles";
  // Keycloak's other claims beside them (typ, azp, preferred_username, scope).
  bool keycloak_shape = false;
};

// An HS256 JWT (or an unsigned one).
std::string MintToken(const TokenSpec& spec);

// A signing key of the identity provider, as it would publish it in its JWKS.
struct SigningKey {
  std::string kid;
  std::string algorithm;    // RS256 or ES256
  std::string private_pem;  // to sign with
  std::string jwk;          // the public key as a JWK (JSON object)
};
SigningKey NewSigningKey(const std::string& kid, const std::string& algorithm);

// {"keys": [...]} of these keys.
std::string Jwks(const std::vector<SigningKey>& keys);

// A JWT signed with `key`, its kid in the header.
std::string MintToken(const TokenSpec& spec, const SigningKey& key);

}  // namespace ankommen::testing
