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
};

// An HS256 JWT (or an unsigned one).
std::string MintToken(const TokenSpec& spec);

}  // namespace ankommen::testing
