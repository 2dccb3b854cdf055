// Command-line flags over the configuration. Include only from main.cpp files:
// CLI11 is slow to compile.
#pragma once

#include <cstdlib>
#include <functional>
#include <iostream>

#include <CLI/CLI.hpp>

#include "observability/build_info.h"
#include "runtime/config.h"
#include "text/field_checks.h"

namespace ankommen {

// Defaults, then environment, then flags. Exits with a message on bad input.
// `more` adds the service's own options (with ->envname for their variables).
inline ServiceConfig LoadServiceConfig(std::string_view service, int argc, char** argv,
                                       const std::function<void(CLI::App&)>& more = {}) {
  ServiceConfig config = DefaultConfig(service);
  if (auto s = ApplyEnvironment(config, [](const char* name) { return std::getenv(name); }); !s.ok()) {
    std::cerr << "ankommen-" << service << ": " << s.message() << "\n";
    std::exit(2);
  }
  CLI::App app{"ankommen " + std::string(service) + " service"};
  app.set_version_flag("--version", std::string("ankommen-") + std::string(service) + " " + Version());
  app.add_option("--grpc-addr", config.grpc_addr, "gRPC listen address (ANKOMMEN_GRPC_ADDR)");
  app.add_option("--probe-addr", config.probe_addr,
                 "plaintext address answering grpc.health.v1 only, for probes (ANKOMMEN_PROBE_ADDR)");
  app.add_option("--metrics-addr", config.metrics_addr, "Prometheus /metrics address (ANKOMMEN_METRICS_ADDR)");
  app.add_option("--nats-url", config.nats_url, "NATS server URL (ANKOMMEN_NATS_URL)");
  app.add_option("--nats-user", config.nats_user, "NATS user (ANKOMMEN_NATS_USER)");
  app.add_option("--nats-password-file", config.nats_password_file,
                 "file holding the NATS user's password (ANKOMMEN_NATS_PASSWORD_FILE)");
  app.add_option("--redis-url", config.redis_url, "Redis URL (ANKOMMEN_REDIS_URL)");
  app.add_option("--redis-user", config.redis_user, "Redis ACL user (ANKOMMEN_REDIS_USER)");
  app.add_option("--redis-password-file", config.redis_password_file,
                 "file holding the Redis user's password (ANKOMMEN_REDIS_PASSWORD_FILE)");
  app.add_option("--log-level", config.log_level, "debug, info, warn or error (ANKOMMEN_LOG_LEVEL)");
  app.add_option("--redis-pool-size", config.redis_pool_size, "Redis connections (ANKOMMEN_REDIS_POOL_SIZE)")
      ->check(CLI::Range(1, 256));
  app.add_option("--max-deliver", config.max_deliver, "deliveries before dead-lettering (ANKOMMEN_MAX_DELIVER)")
      ->check(CLI::Range(1, 1000));
  app.add_option("--clock", config.clock, "system, or simulated for ankommen-sim (ANKOMMEN_CLOCK)");
  app.add_option("--auth", config.auth, "jwt, or off with --development on loopback (ANKOMMEN_AUTH)");
  app.add_flag("--development", config.development,
               "allow development conveniences such as auth off (ANKOMMEN_DEVELOPMENT=on)");
  app.add_option("--land", config.land, "the Land whose school law applies: SN, RP, … (ANKOMMEN_LAND)");
  app.add_option("--school-cutoff", config.school_cutoff,
                 "MM-DD: a child six on this day starts school that August; default the Land's (ANKOMMEN_SCHOOL_CUTOFF)");
  app.add_option("--jwt-algorithm", config.jwt_algorithm, "HS256, RS256 or ES256 (ANKOMMEN_JWT_ALGORITHM)");
  app.add_option("--jwt-key-file", config.jwt_key_file, "HMAC secret or PEM public key (ANKOMMEN_JWT_KEY_FILE)");
  app.add_option("--jwt-issuer", config.jwt_issuer, "required iss of tokens (ANKOMMEN_JWT_ISSUER)");
  app.add_flag("!--no-outbox-relay", config.outbox_relay, "keep events in the outbox (ANKOMMEN_OUTBOX_RELAY=off)");
  if (more) more(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    std::exit(app.exit(e));
  }
  if (auto s = ValidateConfig(config); !s.ok()) {
    std::cerr << "ankommen-" << service << ": " << s.message() << "\n";
    std::exit(2);
  }
  SetDistrictSocialAreas(config.social_areas);
  return config;
}

}  // namespace ankommen
