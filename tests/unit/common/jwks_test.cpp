// The issuer's key set (grpc/jwks.h) and tokens as Keycloak shapes them
// (grpc/auth.h): keys chosen by kid, never across algorithms; roles read
// where the district says they are.
#include "grpc/jwks.h"

#include <gtest/gtest.h>

#include "absl/time/clock.h"
#include "grpc/auth.h"
#include "support/tokens.h"

namespace ankommen {
namespace {

class JwksTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    rsa_ = new testing::SigningKey(testing::NewSigningKey("rsa-1", "RS256"));
    ec_ = new testing::SigningKey(testing::NewSigningKey("ec-1", "ES256"));
  }
  static void TearDownTestSuite() {
    delete rsa_;
    delete ec_;
  }

  // What VerifyToken is given for this token with this key set (as JwtAuthorizer does).
  static absl::StatusOr<Caller> Verify(const std::vector<JsonWebKey>& keys, const std::string& token,
                                       std::vector<std::string> roles_claims = {"roles"}) {
    auto header = ReadTokenHeader(token);
    if (!header.ok()) return header.status();
    auto key = KeyFor(keys, *header);
    if (!key.ok()) return key.status();
    TokenSettings settings;
    settings.algorithm = key->algorithm;
    settings.key = key->pem;
    settings.issuer = testing::kTestIssuer;
    settings.audience = "ankommen-registry";
    settings.roles_claims = std::move(roles_claims);
    return VerifyToken(settings, token, absl::Now());
  }

  static testing::TokenSpec Spec() {
    testing::TokenSpec spec;
    spec.roles = {"foreigners_office"};
    return spec;
  }

  static inline testing::SigningKey* rsa_ = nullptr;
  static inline testing::SigningKey* ec_ = nullptr;
};

TEST_F(JwksTest, RsaAndEcSigningKeysAreReadAndEncryptionKeysLeftOut) {
  const std::string encryption =
      R"({"kid": "enc-1", "kty": "RSA", "use": "enc", "alg": "RSA-OAEP", "n": "AQAB", "e": "AQAB"})";
  const std::string jwks = R"({"keys": [)" + rsa_->jwk + "," + ec_->jwk + "," + encryption + "]}";
  auto keys = ParseJwks(jwks);
  ASSERT_TRUE(keys.ok()) << keys.status();
  ASSERT_EQ(keys->size(), 2u);
  EXPECT_EQ((*keys)[0].kid, "rsa-1");
  EXPECT_EQ((*keys)[0].algorithm, "RS256");
  EXPECT_EQ((*keys)[1].kid, "ec-1");
  EXPECT_EQ((*keys)[1].algorithm, "ES256");
  EXPECT_NE((*keys)[0].pem.find("BEGIN PUBLIC KEY"), std::string::npos);
}

TEST_F(JwksTest, ABadKeySetNamesTheKeyAndTheField) {
  EXPECT_EQ(ParseJwks("[]").status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseJwks(R"({"keys": []})").status().message(), "JWKS: no RS256 or ES256 signing key");
  auto no_n = ParseJwks(R"({"keys": [{"kid": "k1", "kty": "RSA", "e": "AQAB"}]})");
  EXPECT_EQ(no_n.status().message(), "JWKS key 1 (kid k1): no n");
  auto short_ec = ParseJwks(R"({"keys": [{"kid": "k2", "kty": "EC", "crv": "P-256", "x": "AQAB", "y": "AQAB"}]})");
  EXPECT_EQ(short_ec.status().message(), "JWKS key 1 (kid k2): x, y: 32 bytes each");
  auto curve = ParseJwks(R"({"keys": [{"kid": "k3", "kty": "EC", "crv": "P-521", "x": "AQAB", "y": "AQAB"}]})");
  EXPECT_EQ(curve.status().message(), "JWKS key 1 (kid k3): crv: only P-256");
}

TEST_F(JwksTest, ATokenIsCheckedWithTheKeyItNames) {
  auto keys = ParseJwks(testing::Jwks({*rsa_, *ec_}));
  ASSERT_TRUE(keys.ok()) << keys.status();
  auto by_rsa = Verify(*keys, testing::MintToken(Spec(), *rsa_));
  ASSERT_TRUE(by_rsa.ok()) << by_rsa.status();
  EXPECT_TRUE(by_rsa->Has("foreigners_office"));
  auto by_ec = Verify(*keys, testing::MintToken(Spec(), *ec_));
  EXPECT_TRUE(by_ec.ok()) << by_ec.status();

  // A key the set lacks; a token whose header names one key but is signed with another.
  const auto other = testing::NewSigningKey("rsa-2", "RS256");
  EXPECT_EQ(Verify(*keys, testing::MintToken(Spec(), other)).status().code(), absl::StatusCode::kUnauthenticated);
  testing::SigningKey forged = other;
  forged.kid = "rsa-1";
  EXPECT_EQ(Verify(*keys, testing::MintToken(Spec(), forged)).status().code(), absl::StatusCode::kUnauthenticated);
  // An HMAC token keyed with something, naming the RSA key: never across algorithms.
  EXPECT_EQ(KeyFor(*keys, {"rsa-1", "HS256"}).status().code(), absl::StatusCode::kUnauthenticated);
  // No kid: only a set of one key will do.
  EXPECT_EQ(KeyFor(*keys, {"", "RS256"}).status().code(), absl::StatusCode::kUnauthenticated);
  auto one = ParseJwks(testing::Jwks({*rsa_}));
  ASSERT_TRUE(one.ok());
  EXPECT_TRUE(KeyFor(*one, {"", "RS256"}).ok());
  EXPECT_EQ(ReadTokenHeader("not-a-token").status().code(), absl::StatusCode::kUnauthenticated);
}

TEST_F(JwksTest, RolesAreReadWhereKeycloakPutsThem) {
  auto keys = ParseJwks(testing::Jwks({*rsa_}));
  ASSERT_TRUE(keys.ok());
  testing::TokenSpec realm = Spec();
  realm.roles_claim = "realm_access.roles";
  realm.keycloak_shape = true;
  realm.audience = {"ankommen-registry", "account"};
  testing::TokenSpec client = realm;
  client.roles = {"caseworker"};
  client.roles_claim = "resource_access.ankommen.roles";
  const std::vector<std::string> keycloak = {"realm_access.roles", "resource_access.ankommen.roles"};

  auto by_realm = Verify(*keys, testing::MintToken(realm, *rsa_), keycloak);
  ASSERT_TRUE(by_realm.ok()) << by_realm.status();
  EXPECT_EQ(by_realm->roles, std::set<std::string>{"foreigners_office"});
  auto by_client = Verify(*keys, testing::MintToken(client, *rsa_), keycloak);
  ASSERT_TRUE(by_client.ok()) << by_client.status();
  EXPECT_EQ(by_client->roles, std::set<std::string>{"caseworker"});
  // Read where the district did not say: no roles at all.
  auto elsewhere = Verify(*keys, testing::MintToken(realm, *rsa_), {"roles"});
  ASSERT_TRUE(elsewhere.ok());
  EXPECT_TRUE(elsewhere->roles.empty());
}

}  // namespace
}  // namespace ankommen
