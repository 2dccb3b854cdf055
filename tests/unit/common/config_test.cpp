#include "runtime/config.h"

#include <fstream>
#include <map>

#include <gtest/gtest.h>

namespace ankommen {
namespace {

GetEnv FakeEnv(std::map<std::string, std::string> vars) {
  return [vars = std::move(vars)](const char* name) -> const char* {
    auto it = vars.find(name);
    return it == vars.end() ? nullptr : it->second.c_str();
  };
}

// The defaults with the issuer's key: a configuration that starts.
ServiceConfig Configured(std::string_view service) {
  ServiceConfig config = DefaultConfig(service);
  config.jwt_key_file = "/etc/ankommen/jwt/key.pem";
  config.social_areas = {"Riesa", "Meißen"};
  return config;
}

TEST(ConfigTest, DefaultsAreLoopbackAndDistinctPerService) {
  auto registry = DefaultConfig("registry");
  auto courses = DefaultConfig("courses");
  EXPECT_EQ(registry.grpc_addr, "127.0.0.1:50051");
  EXPECT_EQ(registry.nats_url, "nats://127.0.0.1:4222");
  EXPECT_EQ(registry.redis_url, "redis://127.0.0.1:6379/0");
  EXPECT_NE(registry.grpc_addr, courses.grpc_addr);
  EXPECT_NE(registry.metrics_addr, courses.metrics_addr);
  // Tokens by default: without the issuer's key a service does not start.
  EXPECT_EQ(registry.auth, "jwt");
  registry.social_areas = {"Riesa"};
  EXPECT_NE(ValidateConfig(registry).message().find("ANKOMMEN_JWT_KEY_FILE"), std::string::npos);
  registry.jwt_key_file = "/etc/ankommen/jwt/key.pem";
  EXPECT_TRUE(ValidateConfig(registry).ok());
}

TEST(ConfigTest, TheDistrictsSocialAreasAreRequiredOutsideDevelopment) {
  auto config = Configured("registry");
  config.social_areas.clear();
  EXPECT_NE(ValidateConfig(config).message().find("ANKOMMEN_SOCIAL_AREAS"), std::string::npos);
  ASSERT_TRUE(ApplyEnvironment(config, FakeEnv({{"ANKOMMEN_SOCIAL_AREAS", "Riesa, Meißen,Großenhain"}})).ok());
  EXPECT_EQ(config.social_areas, (std::vector<std::string>{"Riesa", "Meißen", "Großenhain"}));
  EXPECT_TRUE(ValidateConfig(config).ok());
  ASSERT_TRUE(ApplyEnvironment(config, FakeEnv({{"ANKOMMEN_SOCIAL_AREAS", "Riesa,ankommen:*"}})).ok());
  EXPECT_FALSE(ValidateConfig(config).ok());
}

TEST(ConfigTest, AuthOffOnlyInDevelopmentOnLoopback) {
  auto config = DefaultConfig("registry");
  ASSERT_TRUE(ApplyEnvironment(config, FakeEnv({{"ANKOMMEN_AUTH", "off"}})).ok());
  auto refused = ValidateConfig(config);
  EXPECT_EQ(refused.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(refused.message().find("ANKOMMEN_DEVELOPMENT"), std::string::npos) << refused;

  ASSERT_TRUE(ApplyEnvironment(config, FakeEnv({{"ANKOMMEN_DEVELOPMENT", "on"}})).ok());
  EXPECT_TRUE(ValidateConfig(config).ok()) << "127.0.0.1 by default";
  for (const char* addr : {"localhost:50051", "[::1]:50051", "127.0.0.5:50051"}) {
    config.grpc_addr = addr;
    EXPECT_TRUE(ValidateConfig(config).ok()) << addr;
  }
  for (const char* addr : {"0.0.0.0:8080", "10.0.0.4:8080", "[::]:8080", "registry:8080"}) {
    config.grpc_addr = addr;
    auto s = ValidateConfig(config);
    EXPECT_NE(s.message().find("loopback"), std::string::npos) << addr << ": " << s;
  }

  // Reflection follows development unless set.
  EXPECT_TRUE(config.reflection);
  ASSERT_TRUE(ApplyEnvironment(config, FakeEnv({{"ANKOMMEN_GRPC_REFLECTION", "off"}})).ok());
  EXPECT_FALSE(config.reflection);
  EXPECT_FALSE(DefaultConfig("registry").reflection);

  // An empty value switches nothing: it is refused.
  auto emptied = DefaultConfig("registry");
  auto s = ApplyEnvironment(emptied, FakeEnv({{"ANKOMMEN_AUTH", ""}}));
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("ANKOMMEN_AUTH"), std::string::npos);
  EXPECT_FALSE(ApplyEnvironment(emptied, FakeEnv({{"ANKOMMEN_DEVELOPMENT", "sometimes"}})).ok());
}

TEST(ConfigTest, EnvironmentOverridesDefaults) {
  auto config = DefaultConfig("registry");
  ASSERT_TRUE(ApplyEnvironment(config, FakeEnv({{"ANKOMMEN_GRPC_ADDR", "0.0.0.0:7000"},
                                                {"ANKOMMEN_NATS_URL", "nats://nats:4222"},
                                                {"ANKOMMEN_REDIS_URL", "redis://redis:6379/2"},
                                                {"ANKOMMEN_METRICS_ADDR", "0.0.0.0:9000"},
                                                {"ANKOMMEN_OUTBOX_RELAY", "off"},
                                                {"ANKOMMEN_MAX_DELIVER", "7"}}))
                  .ok());
  EXPECT_EQ(config.grpc_addr, "0.0.0.0:7000");
  EXPECT_EQ(config.nats_url, "nats://nats:4222");
  EXPECT_EQ(config.redis_url, "redis://redis:6379/2");
  EXPECT_EQ(config.metrics_addr, "0.0.0.0:9000");
  EXPECT_FALSE(config.outbox_relay);
  EXPECT_EQ(config.max_deliver, 7);
}

// Each service's own NATS and Redis user, with passwords in files (mounted Secrets).
TEST(ConfigTest, LoginsComeWithPasswordFilesNamedNotShown) {
  auto config = DefaultConfig("courses");
  ASSERT_TRUE(ApplyEnvironment(config, FakeEnv({{"ANKOMMEN_NATS_USER", "courses"},
                                                {"ANKOMMEN_NATS_PASSWORD_FILE", "/etc/ankommen/nats/password"},
                                                {"ANKOMMEN_REDIS_USER", "courses"},
                                                {"ANKOMMEN_REDIS_PASSWORD_FILE", "/etc/ankommen/redis/password"}}))
                  .ok());
  EXPECT_EQ(config.nats_user, "courses");
  EXPECT_EQ(config.nats_password_file, "/etc/ankommen/nats/password");
  EXPECT_EQ(config.redis_user, "courses");
  EXPECT_EQ(config.redis_password_file, "/etc/ankommen/redis/password");

  const std::string file = ::testing::TempDir() + "/password";
  std::ofstream(file) << "s3cret\r\nsecond line\n";
  auto read = ReadSecretFile("ANKOMMEN_REDIS_PASSWORD_FILE", file);
  ASSERT_TRUE(read.ok());
  EXPECT_EQ(*read, "s3cret");
  auto missing = ReadSecretFile("ANKOMMEN_REDIS_PASSWORD_FILE", file + ".gone");
  EXPECT_EQ(missing.status().code(), absl::StatusCode::kNotFound);
  EXPECT_NE(missing.status().message().find("ANKOMMEN_REDIS_PASSWORD_FILE"), std::string::npos);
  std::ofstream(file) << "";
  EXPECT_FALSE(ReadSecretFile("ANKOMMEN_REDIS_PASSWORD_FILE", file).ok()) << "an empty password is no password";
}

TEST(ConfigTest, BadEnvironmentValuesAreRefusedWithTheirName) {
  auto config = DefaultConfig("registry");
  auto s = ApplyEnvironment(config, FakeEnv({{"ANKOMMEN_MAX_DELIVER", "lots"}}));
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("ANKOMMEN_MAX_DELIVER"), std::string::npos);
  s = ApplyEnvironment(config, FakeEnv({{"ANKOMMEN_OUTBOX_RELAY", "maybe"}}));
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
}

TEST(ConfigTest, ValidationNamesTheBadSetting) {
  auto config = Configured("registry");
  config.grpc_addr = "no-port";
  EXPECT_NE(ValidateConfig(config).message().find("gRPC address"), std::string::npos);
  config = Configured("registry");
  config.redis_url = "http://redis";
  EXPECT_NE(ValidateConfig(config).message().find("Redis URL"), std::string::npos);
  config = Configured("registry");
  config.log_level = "loud";
  EXPECT_FALSE(ValidateConfig(config).ok());
  config = Configured("registry");
  config.clock = "sundial";
  EXPECT_NE(ValidateConfig(config).message().find("clock"), std::string::npos);
}

TEST(ConfigTest, SimulatedClockOnlyWhenAskedFor) {
  auto config = Configured("courses");
  EXPECT_EQ(config.clock, "system");
  ASSERT_TRUE(ApplyEnvironment(config, FakeEnv({{"ANKOMMEN_CLOCK", "simulated"}})).ok());
  EXPECT_EQ(config.clock, "simulated");
  EXPECT_TRUE(ValidateConfig(config).ok());
}

TEST(ConfigTest, StreamReplicasForACluster) {
  auto config = DefaultConfig("registry");
  EXPECT_EQ(config.stream_replicas, 1);
  ASSERT_TRUE(ApplyEnvironment(config, FakeEnv({{"ANKOMMEN_STREAM_REPLICAS", "3"}})).ok());
  EXPECT_EQ(config.stream_replicas, 3);
  EXPECT_FALSE(ApplyEnvironment(config, FakeEnv({{"ANKOMMEN_STREAM_REPLICAS", "7"}})).ok());
}

TEST(ConfigTest, NamedNumbers) {
  std::map<std::string, double> out = {{"Riesa", 1}};
  ASSERT_TRUE(ParseNamedNumbers("Meißen=3,Großenhain=0.5", 0, 10, out));
  EXPECT_EQ(out, (std::map<std::string, double>{{"Riesa", 1}, {"Meißen", 3}, {"Großenhain", 0.5}}));
  EXPECT_TRUE(ParseNamedNumbers("", 0, 10, out));
  // A bad pair anywhere leaves the map as it was.
  for (const char* bad : {"Riesa", "=2", "Riesa=two", "Riesa=11", "Riesa=2,Meißen=-1"}) {
    EXPECT_FALSE(ParseNamedNumbers(bad, 0, 10, out)) << bad;
  }
  EXPECT_EQ(out.size(), 3u);
  EXPECT_EQ(out["Riesa"], 1);
}

}  // namespace
}  // namespace ankommen
