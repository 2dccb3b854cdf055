// TLS on the gRPC port, with the binaries as they ship: a registry started
// with a certificate and a client CA speaks mutual TLS only — a plaintext
// caller and a TLS caller without a client certificate are turned away, one
// with a certificate from the CA is served. And TLS to NATS and to Redis: the
// registry reaches a nats-server and a redis-server that speak mutual TLS
// only. The certificates come from deploy/local/dev-certs.sh, the script
// development uses.
#include <cstdlib>
#include <fstream>

#include <gtest/gtest.h>
#include <grpcpp/grpcpp.h>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "ankommen/registry/v1/registry.grpc.pb.h"
#include "bus/bus.h"
#include "store/redis.h"
#include "grpc/grpc_credentials.h"
#include "support/sample_households.h"
#include "support/servers.h"

namespace ankommen {
namespace {

namespace rv1 = ankommen::registry::v1;

class TlsE2ETest : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::string script = absl::StrCat(ANKOMMEN_SOURCE_DIR, "/deploy/local/dev-certs.sh");
    ASSERT_EQ(std::system(absl::StrCat("bash ", script, " ", certs_.path(), " >/dev/null").c_str()), 0);
    registry_ = std::make_unique<testing::ServiceProcess>(
        ANKOMMEN_REGISTRY_BINARY, "ankommen.registry.v1.RegistryService", nats_, redis_,
        std::map<std::string, std::string>{{"ANKOMMEN_PROBE_ADDR", probe_addr_},
                                           {"ANKOMMEN_TLS_CERT_FILE", Cert("server.crt")},
                                           {"ANKOMMEN_TLS_KEY_FILE", Cert("server.key")},
                                           {"ANKOMMEN_TLS_CLIENT_CA_FILE", Cert("ca.crt")},
                                           // for the harness's own health check
                                           {"ANKOMMEN_TLS_CA_FILE", Cert("ca.crt")},
                                           {"ANKOMMEN_TLS_CLIENT_CERT_FILE", Cert("client.crt")},
                                           {"ANKOMMEN_TLS_CLIENT_KEY_FILE", Cert("client.key")}});
  }

  std::string Cert(const char* name) const { return absl::StrCat(certs_.path(), "/", name); }

  grpc::Status Register(const std::shared_ptr<grpc::ChannelCredentials>& credentials, const std::string& key) {
    auto stub = rv1::RegistryService::NewStub(grpc::CreateChannel(registry_->grpc_addr(), credentials));
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(3));
    rv1::RegisterHouseholdResponse resp;
    return stub->RegisterHousehold(&ctx, testing::SampleRegistration(key), &resp);
  }

  testing::TempDir certs_;
  testing::NatsServer nats_;
  testing::RedisServer redis_;
  const std::string probe_addr_ = absl::StrCat("127.0.0.1:", testing::FreePort());
  std::unique_ptr<testing::ServiceProcess> registry_;
};

// The kubelet's gRPC probes speak no TLS: the probe port answers the health
// service in plaintext, and nothing else — no API, no reflection — while the
// API port takes mutual TLS only.
TEST_F(TlsE2ETest, TheProbePortAnswersHealthInPlaintextAndNothingElse) {
  auto channel = grpc::CreateChannel(probe_addr_, grpc::InsecureChannelCredentials());
  auto health = grpc::health::v1::Health::NewStub(channel);
  for (const std::string service : {"", "ankommen.registry.v1.RegistryService"}) {
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
    grpc::health::v1::HealthCheckRequest req;
    req.set_service(service);
    grpc::health::v1::HealthCheckResponse resp;
    auto s = health->Check(&ctx, req, &resp);
    ASSERT_TRUE(s.ok()) << "'" << service << "': " << s.error_message();
    EXPECT_EQ(resp.status(), grpc::health::v1::HealthCheckResponse::SERVING) << service;
  }
  // The API is not there.
  auto api = rv1::RegistryService::NewStub(channel);
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
  rv1::RegisterHouseholdResponse resp;
  EXPECT_EQ(api->RegisterHousehold(&ctx, testing::SampleRegistration("probe"), &resp).error_code(),
            grpc::StatusCode::UNIMPLEMENTED);
  // And the API port does not answer plaintext health checks either.
  auto tls_only = grpc::health::v1::Health::NewStub(grpc::CreateChannel(registry_->grpc_addr(), grpc::InsecureChannelCredentials()));
  grpc::ClientContext plain;
  plain.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(3));
  grpc::health::v1::HealthCheckResponse refused;
  EXPECT_EQ(tls_only->Check(&plain, grpc::health::v1::HealthCheckRequest(), &refused).error_code(),
            grpc::StatusCode::UNAVAILABLE);
}

TEST_F(TlsE2ETest, OnlyCallersWithACertificateFromTheDistrictsCaAreServed) {
  // Plaintext: no TLS handshake, no service.
  EXPECT_EQ(Register(grpc::InsecureChannelCredentials(), "plain").error_code(), grpc::StatusCode::UNAVAILABLE);

  // TLS, trusting the server, but without a client certificate.
  setenv("ANKOMMEN_TLS_CA_FILE", Cert("ca.crt").c_str(), 1);
  unsetenv("ANKOMMEN_TLS_CLIENT_CERT_FILE");
  auto anonymous = ClientCredentials();
  ASSERT_TRUE(anonymous.ok()) << anonymous.status();
  EXPECT_EQ(Register(*anonymous, "anonymous").error_code(), grpc::StatusCode::UNAVAILABLE);

  // With the client certificate, as the services and tools present it.
  setenv("ANKOMMEN_TLS_CLIENT_CERT_FILE", Cert("client.crt").c_str(), 1);
  setenv("ANKOMMEN_TLS_CLIENT_KEY_FILE", Cert("client.key").c_str(), 1);
  auto client = ClientCredentials();
  ASSERT_TRUE(client.ok()) << client.status();
  auto s = Register(*client, "with-certificate");
  EXPECT_TRUE(s.ok()) << s.error_message();

  // A file that is not a certificate is a clear error, not a silent plaintext.
  setenv("ANKOMMEN_TLS_CA_FILE", Cert("missing.crt").c_str(), 1);
  EXPECT_EQ(ClientCredentials().status().code(), absl::StatusCode::kInvalidArgument);
}

// What a service started by hand here needs besides `extra`: free loopback
// ports, the test's servers, development without tokens.
std::map<std::string, std::string> StartEnv(const testing::NatsServer& nats, const testing::RedisServer& redis,
                                            std::map<std::string, std::string> extra) {
  extra["ANKOMMEN_GRPC_ADDR"] = absl::StrCat("127.0.0.1:", testing::FreePort());
  extra["ANKOMMEN_METRICS_ADDR"] = absl::StrCat("127.0.0.1:", testing::FreePort());
  extra["ANKOMMEN_NATS_URL"] = nats.url();
  extra["ANKOMMEN_REDIS_URL"] = redis.url();
  extra["ANKOMMEN_AUTH"] = "off";
  extra["ANKOMMEN_DEVELOPMENT"] = "on";
  return extra;
}

TEST_F(TlsE2ETest, AClientWhoseCaCannotBeReadStopsInsteadOfSpeakingPlaintext) {
  testing::TempDir dir;
  auto env = StartEnv(nats_, redis_, {{"ANKOMMEN_TLS_CA_FILE", absl::StrCat(dir.path(), "/none.crt")},
                                      {"ANKOMMEN_REGISTRY_ADDR", registry_->grpc_addr()}});
  testing::Process process(ANKOMMEN_NOTIFICATIONS_BINARY, {}, env, absl::StrCat(dir.path(), "/notifications.log"));
  EXPECT_EQ(process.Wait(15000), 2) << process.Log();
  EXPECT_NE(process.Log().find("ANKOMMEN_TLS_CA_FILE"), std::string::npos) << process.Log();
}

TEST_F(TlsE2ETest, AServiceRefusesToStartWithAnUnreadableCertificate) {
  testing::TempDir dir;
  auto env = StartEnv(nats_, redis_, {{"ANKOMMEN_TLS_CERT_FILE", absl::StrCat(dir.path(), "/none.crt")},
                                      {"ANKOMMEN_TLS_KEY_FILE", Cert("server.key")}});
  testing::Process process(ANKOMMEN_REGISTRY_BINARY, {}, env, absl::StrCat(dir.path(), "/registry.log"));
  EXPECT_EQ(process.Wait(15000), 2) << process.Log();
  EXPECT_NE(process.Log().find("ANKOMMEN_TLS_CERT_FILE"), std::string::npos);
}

}  // namespace
}  // namespace ankommen

namespace ankommen {
namespace {

// TLS to NATS: a nats-server that speaks mutual TLS only, and a registry that
// reaches it with the CA and its client certificate (ANKOMMEN_NATS_TLS_*): its
// events arrive; a client without TLS, or without a certificate, is refused.
class NatsTlsE2ETest : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::string script = absl::StrCat(ANKOMMEN_SOURCE_DIR, "/deploy/local/dev-certs.sh");
    ASSERT_EQ(std::system(absl::StrCat("bash ", script, " ", certs_.path(), " >/dev/null").c_str()), 0);
    nats_ = std::make_unique<testing::NatsServer>(std::vector<std::string>{
        "--tls", "--tlscert", Cert("server.crt"), "--tlskey", Cert("server.key"), "--tlsverify", "--tlscacert",
        Cert("ca.crt")});
  }

  std::string Cert(const char* name) const { return absl::StrCat(certs_.path(), "/", name); }

  testing::TempDir certs_;
  std::unique_ptr<testing::NatsServer> nats_;
  testing::RedisServer redis_;
};

TEST_F(NatsTlsE2ETest, TheRegistryPublishesOverMutualTlsAndPlaintextIsRefused) {
  testing::ServiceProcess registry(ANKOMMEN_REGISTRY_BINARY, "ankommen.registry.v1.RegistryService", *nats_, redis_,
                                   {{"ANKOMMEN_NATS_TLS_CA_FILE", Cert("ca.crt")},
                                    {"ANKOMMEN_NATS_TLS_CERT_FILE", Cert("client.crt")},
                                    {"ANKOMMEN_NATS_TLS_KEY_FILE", Cert("client.key")}});
  auto stub = rv1::RegistryService::NewStub(grpc::CreateChannel(registry.grpc_addr(), grpc::InsecureChannelCredentials()));
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  rv1::RegisterHouseholdResponse registered;
  ASSERT_TRUE(stub->RegisterHousehold(&ctx, testing::SampleRegistration("tls"), &registered).ok());

  Bus::Access tls{"", "", Cert("ca.crt"), Cert("client.crt"), Cert("client.key")};
  auto reader = Bus::Connect(nats_->url(), "tls-reader", nullptr, tls);
  ASSERT_TRUE(reader.ok()) << reader.status();
  ASSERT_TRUE(testing::WaitUntil([&] {
    auto events = (*reader)->ReadStream("REGISTRY", 1, 10);
    return events.ok() && events->size() == 1;
  }, 15000)) << "the registration's event over TLS";

  EXPECT_FALSE(Bus::Connect(nats_->url(), "plaintext", nullptr, absl::Seconds(1)).ok());
  Bus::Access no_certificate{"", "", Cert("ca.crt"), "", ""};
  EXPECT_FALSE(Bus::Connect(nats_->url(), "no-certificate", nullptr, no_certificate, absl::Seconds(1)).ok());
}

}  // namespace
}  // namespace ankommen

namespace ankommen {
namespace {

// TLS to Redis. Debian 12's hiredis (0.14) speaks no TLS, so the services
// reach a TLS-only redis-server through a TLS tunnel beside them (stunnel,
// as the deployment's sidecar does): it checks the server against the
// district's CA and shows the service's client certificate. A client that
// talks plain Redis to the TLS port gets nowhere.
class RedisTlsE2ETest : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::string script = absl::StrCat(ANKOMMEN_SOURCE_DIR, "/deploy/local/dev-certs.sh");
    ASSERT_EQ(std::system(absl::StrCat("bash ", script, " ", certs_.path(), " >/dev/null").c_str()), 0);
    redis_ = std::make_unique<testing::Process>(
        testing::FindBinary("redis-server"),
        std::vector<std::string>{"--bind", "127.0.0.1", "--port", "0", "--tls-port", std::to_string(tls_port_),
                                 "--tls-cert-file", Cert("server.crt"), "--tls-key-file", Cert("server.key"),
                                 "--tls-ca-cert-file", Cert("ca.crt"), "--tls-auth-clients", "yes", "--save", "",
                                 "--appendonly", "no", "--dir", dir_.path()},
        std::map<std::string, std::string>{}, dir_.path() + "/redis.log");
    // The tunnel's configuration as the deployment ships it (the tls
    // component), with this machine's files, ports and the dev certificate's name.
    // Its global options and the first node's section (the others name
    // nodes this machine does not have).
    std::ifstream shipped(absl::StrCat(ANKOMMEN_SOURCE_DIR, "/k8s/components/tls/redis-tunnel.conf"));
    std::string text((std::istreambuf_iterator<char>(shipped)), std::istreambuf_iterator<char>());
    ASSERT_NE(text.find("verifyChain = yes"), std::string::npos);
    const size_t second = text.find("\n[redis-1]");
    ASSERT_NE(second, std::string::npos);
    text.resize(second + 1);
    const std::string conf = dir_.path() + "/stunnel.conf";
    std::ofstream(conf) << absl::StrReplaceAll(
        text, {{"/etc/ankommen/tls/tls.crt", Cert("client.crt")},
               {"/etc/ankommen/tls/tls.key", Cert("client.key")},
               {"/etc/ankommen/tls/ca.crt", Cert("ca.crt")},
               {"accept = 127.0.0.1:6380", absl::StrCat("accept = 127.0.0.1:", tunnel_port_)},
               {"connect = redis-0.redis-headless:6379", absl::StrCat("connect = 127.0.0.1:", tls_port_)},
               {"checkHost = redis-0.redis-headless", "checkHost = localhost"}});
    tunnel_ = std::make_unique<testing::Process>(testing::FindBinary("stunnel4"), std::vector<std::string>{conf},
                                                 std::map<std::string, std::string>{}, dir_.path() + "/stunnel.log");
    ASSERT_TRUE(testing::WaitUntil([&] {
      auto pool = RedisPool::Connect(TunnelUrl(), 1, absl::Seconds(1));
      return pool.ok() && (*pool)->Command({"PING"}).ok();
    }, 10000)) << redis_->Log() << tunnel_->Log();
  }

  std::string Cert(const char* name) const { return absl::StrCat(certs_.path(), "/", name); }
  std::string TunnelUrl() const { return absl::StrCat("redis://127.0.0.1:", tunnel_port_, "/0"); }

  testing::TempDir certs_, dir_;
  const int tls_port_ = testing::FreePort(), tunnel_port_ = testing::FreePort();
  std::unique_ptr<testing::Process> redis_, tunnel_;
  testing::NatsServer nats_;
};

TEST_F(RedisTlsE2ETest, TheRegistryKeepsItsStateOverTlsAndPlainRedisIsRefused) {
  testing::ServiceProcess registry(ANKOMMEN_REGISTRY_BINARY, "ankommen.registry.v1.RegistryService", nats_,
                                   TunnelUrl());
  auto stub = rv1::RegistryService::NewStub(grpc::CreateChannel(registry.grpc_addr(), grpc::InsecureChannelCredentials()));
  rv1::RegisterHouseholdResponse registered;
  {
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    ASSERT_TRUE(stub->RegisterHousehold(&ctx, testing::SampleRegistration("redis-tls"), &registered).ok());
  }
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  rv1::GetHouseholdRequest get;
  get.set_household_id(registered.household().household_id());
  get.set_purpose("tls e2e");
  rv1::GetHouseholdResponse household;
  ASSERT_TRUE(stub->GetHousehold(&ctx, get, &household).ok());
  EXPECT_EQ(household.household().members_size(), registered.household().members_size());

  // Plain Redis on the TLS port: the connection opens, no command is answered.
  auto plain = RedisPool::Connect(absl::StrCat("redis://127.0.0.1:", tls_port_, "/0"), 1, absl::Seconds(1));
  if (plain.ok()) {
    EXPECT_FALSE((*plain)->Command({"PING"}).ok());
  }
}

}  // namespace
}  // namespace ankommen
