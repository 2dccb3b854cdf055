// The district's identity provider as it is: a Keycloak realm that publishes
// its signing keys as a JWKS with key ids, rotates them, and puts the roles in
// realm_access.roles. The registry reads the key set from a file (as from the
// realm's certs URL), refreshed every second here: a token of the current key
// is served, one of a key the realm has dropped is refused after the next
// refresh, one of a key the realm has just added is served within seconds.
// And from the realm's certs URL, as a district's deployment reads them.
#include <csignal>
#include <filesystem>
#include <fstream>

#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include "ankommen/registry/v1/registry.grpc.pb.h"
#include "support/sample_households.h"
#include "support/sinks.h"
#include "support/servers.h"
#include "support/tokens.h"

namespace ankommen {
namespace {

namespace rv1 = ankommen::registry::v1;

class KeycloakE2ETest : public ::testing::Test {
 protected:
  void SetUp() override {
    jwks_file_ = dir_.path() + "/certs.json";
    Publish({first_});
    registry_ = std::make_unique<testing::ServiceProcess>(
        ANKOMMEN_REGISTRY_BINARY, "ankommen.registry.v1.RegistryService", nats_, redis_,
        std::map<std::string, std::string>{{"ANKOMMEN_AUTH", "jwt"},
                                           {"ANKOMMEN_JWT_JWKS", jwks_file_},
                                           {"ANKOMMEN_JWT_JWKS_REFRESH_SECONDS", "1"},
                                           {"ANKOMMEN_JWT_ROLES_CLAIM", "realm_access.roles,resource_access.ankommen.roles"},
                                           {"ANKOMMEN_JWT_ISSUER", kIssuer},
                                           {"ANKOMMEN_DEVELOPMENT", "off"},
                                           {"ANKOMMEN_SOCIAL_AREAS", "Riesa,Meißen,Großenhain,Radebeul"}});
    stub_ = rv1::RegistryService::NewStub(grpc::CreateChannel(registry_->grpc_addr(), grpc::InsecureChannelCredentials()));
  }

  // What the realm publishes, written whole (as a web server would serve it).
  void Publish(const std::vector<testing::SigningKey>& keys) {
    const std::string next = jwks_file_ + ".next";
    std::ofstream(next) << testing::Jwks(keys);
    std::filesystem::rename(next, jwks_file_);
  }

  // A token as Keycloak issues it for the foreigners' office's client.
  static std::string Token(const testing::SigningKey& key, const std::string& roles_claim = "realm_access.roles") {
    testing::TokenSpec spec;
    spec.subject = "5b1c7f0e-2a4d-4f8e-9c3b-6d7a8e9f0a1b";  // Keycloak's user id
    spec.issuer = kIssuer;
    spec.audience = {"ankommen-registry", "account"};
    spec.roles = {"foreigners_office", "offline_access", "uma_authorization"};
    spec.roles_claim = roles_claim;
    spec.keycloak_shape = true;
    return testing::MintToken(spec, key);
  }

  // A registry started by hand as shipped (no development), with this key set.
  std::map<std::string, std::string> StartedAsShipped(const std::string& jwks) const {
    return {{"ANKOMMEN_GRPC_ADDR", "127.0.0.1:" + std::to_string(testing::FreePort())},
            {"ANKOMMEN_METRICS_ADDR", "127.0.0.1:" + std::to_string(testing::FreePort())},
            {"ANKOMMEN_NATS_URL", nats_.url()},
            {"ANKOMMEN_REDIS_URL", redis_.url()},
            {"ANKOMMEN_AUTH", "jwt"},
            {"ANKOMMEN_JWT_JWKS", jwks},
            {"ANKOMMEN_SOCIAL_AREAS", "Riesa"}};
  }

  grpc::Status Register(const std::string& token) {
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
    ctx.AddMetadata("authorization", "Bearer " + token);
    rv1::RegisterHouseholdResponse response;
    return stub_->RegisterHousehold(&ctx, testing::SampleRegistration("kc-" + std::to_string(++calls_)), &response);
  }

  static constexpr char kIssuer[] = "https://sso.landkreis.example/realms/landratsamt";
  testing::TempDir dir_;
  std::string jwks_file_;
  const testing::SigningKey first_ = testing::NewSigningKey("kc-rsa-2026-11", "RS256");
  const testing::SigningKey second_ = testing::NewSigningKey("kc-ec-2026-12", "ES256");
  testing::NatsServer nats_;
  testing::RedisServer redis_;
  std::unique_ptr<testing::ServiceProcess> registry_;
  std::unique_ptr<rv1::RegistryService::Stub> stub_;
  int calls_ = 0;
};

TEST_F(KeycloakE2ETest, KeycloakTokensAreServedAndItsKeyRotationIsFollowed) {
  // Realm roles and a client's roles, as Keycloak nests them.
  auto realm = Register(Token(first_));
  EXPECT_TRUE(realm.ok()) << realm.error_message();
  auto client = Register(Token(first_, "resource_access.ankommen.roles"));
  EXPECT_TRUE(client.ok()) << client.error_message();
  // A key the realm does not publish (yet) is refused.
  EXPECT_EQ(Register(Token(second_)).error_code(), grpc::StatusCode::UNAUTHENTICATED);

  // The realm rotates: the new key beside the old one, then the old one gone.
  Publish({first_, second_});
  EXPECT_TRUE(testing::WaitUntil([&] { return Register(Token(second_)).ok(); }, 10000))
      << "a key the realm has added is accepted within seconds";
  Publish({second_});
  EXPECT_TRUE(testing::WaitUntil([&] { return Register(Token(first_)).error_code() == grpc::StatusCode::UNAUTHENTICATED; },
                                 10000))
      << "a key the realm has dropped is refused after the next refresh";
  EXPECT_TRUE(Register(Token(second_)).ok());

  // A key set the realm breaks (a bad file) keeps the keys the service has.
  std::ofstream(jwks_file_) << "{\"keys\": [";
  absl::SleepFor(absl::Seconds(2));
  EXPECT_TRUE(Register(Token(second_)).ok());
  EXPECT_EQ(registry_->process().Stop(SIGTERM), 0) << registry_->process().Log();
  EXPECT_NE(registry_->process().Log().find("jwks_refresh_failed"), std::string::npos) << registry_->process().Log();
}

// From the realm's certs URL (plain http here, which only development allows:
// the test has no TLS web server); outside development an http:// URL stops
// the start.
TEST_F(KeycloakE2ETest, TheRealmsCertsAreReadFromItsUrl) {
  testing::HttpSink realm;
  realm.set_response_body(testing::Jwks({second_}));
  const std::string certs = realm.url("/realms/landratsamt/protocol/openid-connect/certs");
  testing::ServiceProcess registry(ANKOMMEN_REGISTRY_BINARY, "ankommen.registry.v1.RegistryService", nats_, redis_,
                                   {{"ANKOMMEN_AUTH", "jwt"},
                                    {"ANKOMMEN_JWT_JWKS", certs},
                                    {"ANKOMMEN_JWT_ROLES_CLAIM", "realm_access.roles"},
                                    {"ANKOMMEN_JWT_ISSUER", kIssuer},
                                    {"ANKOMMEN_DEVELOPMENT", "on"}});
  auto stub = rv1::RegistryService::NewStub(grpc::CreateChannel(registry.grpc_addr(), grpc::InsecureChannelCredentials()));
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
  ctx.AddMetadata("authorization", "Bearer " + Token(second_));
  rv1::RegisterHouseholdResponse response;
  auto s = stub->RegisterHousehold(&ctx, testing::SampleRegistration("kc-url"), &response);
  EXPECT_TRUE(s.ok()) << s.error_message();
  auto requests = realm.Requests();
  ASSERT_FALSE(requests.empty());
  EXPECT_EQ(requests[0].method, "GET");
  EXPECT_EQ(requests[0].path, "/realms/landratsamt/protocol/openid-connect/certs");

  testing::TempDir dir;
  testing::Process plain(ANKOMMEN_REGISTRY_BINARY, {}, StartedAsShipped(certs), dir.path() + "/registry.log");
  EXPECT_EQ(plain.Wait(15000), 2) << plain.Log();
  EXPECT_NE(plain.Log().find("https:// outside development"), std::string::npos) << plain.Log();
}

TEST_F(KeycloakE2ETest, AServiceWhoseKeySetCannotBeReadDoesNotStart) {
  testing::TempDir dir;
  std::ofstream(dir.path() + "/certs.json") << "{\"keys\": []}";
  testing::Process process(ANKOMMEN_REGISTRY_BINARY, {}, StartedAsShipped(dir.path() + "/certs.json"),
                           dir.path() + "/registry.log");
  EXPECT_EQ(process.Wait(15000), 2) << process.Log();
  EXPECT_NE(process.Log().find("ANKOMMEN_JWT_JWKS"), std::string::npos) << process.Log();
}

}  // namespace
}  // namespace ankommen
