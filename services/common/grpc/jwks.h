// The district identity provider's signing keys as it publishes them: a JSON
// Web Key Set (RFC 7517), each key with its id ("kid"), rotated by the
// provider (Keycloak: /realms/<realm>/protocol/openid-connect/certs). Pure:
// parsing and choosing a key; grpc_auth.h fetches and refreshes the set.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace ankommen {

struct JsonWebKey {
  std::string kid;
  std::string algorithm;  // RS256 or ES256: what tokens signed with it must say
  std::string pem;        // the public key, as libjwt verifies with it
};

// The signing keys of a JWKS document: RSA keys (n, e) as RS256 and EC P-256
// keys (x, y) as ES256. Keys for encryption ("use": "enc") and of other kinds
// or algorithms are left out; a signing key without "kid" only when it is the
// set's one key. INVALID_ARGUMENT naming the key (its place and kid) and the
// field.
absl::StatusOr<std::vector<JsonWebKey>> ParseJwks(std::string_view json);

// The "kid" and "alg" of a token's header, read without verifying anything.
struct TokenHeader {
  std::string kid;
  std::string alg;
};
absl::StatusOr<TokenHeader> ReadTokenHeader(std::string_view token);

// The key a token names: its kid (or the set's one key when it names none),
// and only when the key's algorithm is the token's. UNAUTHENTICATED otherwise.
absl::StatusOr<JsonWebKey> KeyFor(const std::vector<JsonWebKey>& keys, const TokenHeader& header);

}  // namespace ankommen
