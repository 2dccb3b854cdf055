#include "runtime/config.h"
#include "observability/log.h"

#include <charconv>
#include <cstdlib>
#include <fstream>
#include <map>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "absl/strings/str_cat.h"
#include "rules/land.h"

namespace ankommen {
namespace {

struct DefaultPorts {
  int grpc;
  int metrics;
};

const std::map<std::string_view, DefaultPorts>& KnownServices() {
  static const std::map<std::string_view, DefaultPorts> ports = {
      {"registry", {50051, 9101}},      {"courses", {50052, 9102}}, {"schools", {50053, 9103}},
      {"housing", {50054, 9104}},       {"notifications", {50055, 9105}}, {"mediators", {50056, 9106}},
      {"indicators", {50057, 9107}},  // no API: the integration indicators as metrics only
      {"casework", {50058, 9108}},
  };
  return ports;
}

bool IsHostPort(std::string_view addr) {
  auto colon = addr.rfind(':');
  if (colon == std::string_view::npos || colon == 0) return false;
  int port = 0;
  auto digits = addr.substr(colon + 1);
  auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), port);
  return ec == std::errc() && ptr == digits.data() + digits.size() && port >= 0 && port <= 65535;
}

absl::Status ParseInt(const char* name, const char* value, int min, int max, int& out) {
  int parsed = 0;
  if (!absl::SimpleAtoi(value, &parsed) || parsed < min || parsed > max) {
    return absl::InvalidArgumentError(
        absl::StrCat(name, " must be a number from ", min, " to ", max, ", got '", value, "'"));
  }
  out = parsed;
  return absl::OkStatus();
}

absl::Status ParseOnOff(const char* name, const char* value, bool& out) {
  std::string_view v(value);
  if (v == "on" || v == "true" || v == "1") {
    out = true;
  } else if (v == "off" || v == "false" || v == "0") {
    out = false;
  } else {
    return absl::InvalidArgumentError(absl::StrCat(name, " must be on or off, got '", value, "'"));
  }
  return absl::OkStatus();
}

// 127.0.0.0/8, [::1] or localhost: reachable from this machine only.
bool IsLoopback(std::string_view addr) {
  const std::string_view host = addr.substr(0, addr.rfind(':'));
  return host.starts_with("127.") || host == "[::1]" || host == "localhost";
}

}  // namespace

ServiceConfig DefaultConfig(std::string_view service) {
  ServiceConfig config;
  config.service = std::string(service);
  DefaultPorts ports{50050, 9100};
  if (auto it = KnownServices().find(service); it != KnownServices().end()) ports = it->second;
  config.grpc_addr = absl::StrCat("127.0.0.1:", ports.grpc);
  config.metrics_addr = absl::StrCat("127.0.0.1:", ports.metrics);
  config.nats_url = "nats://127.0.0.1:4222";
  config.redis_url = "redis://127.0.0.1:6379/0";
  return config;
}

absl::Status ApplyEnvironment(ServiceConfig& config, const GetEnv& getenv) {
  auto string_var = [&](const char* name, std::string& field) {
    if (const char* value = getenv(name); value != nullptr && *value != '\0') field = value;
  };
  // A number within [min, max], or an error naming the variable; unset keeps the default.
  auto int_var = [&](const char* name, int min, int max, int& field) -> absl::Status {
    if (const char* value = getenv(name); value != nullptr && *value != '\0') return ParseInt(name, value, min, max, field);
    return absl::OkStatus();
  };
  string_var("ANKOMMEN_GRPC_ADDR", config.grpc_addr);
  string_var("ANKOMMEN_PROBE_ADDR", config.probe_addr);
  string_var("ANKOMMEN_METRICS_ADDR", config.metrics_addr);
  string_var("ANKOMMEN_NATS_URL", config.nats_url);
  string_var("ANKOMMEN_NATS_USER", config.nats_user);
  string_var("ANKOMMEN_NATS_PASSWORD_FILE", config.nats_password_file);
  string_var("ANKOMMEN_NATS_TLS_CA_FILE", config.nats_tls_ca_file);
  string_var("ANKOMMEN_NATS_TLS_CERT_FILE", config.nats_tls_cert_file);
  string_var("ANKOMMEN_NATS_TLS_KEY_FILE", config.nats_tls_key_file);
  string_var("ANKOMMEN_REDIS_URL", config.redis_url);
  string_var("ANKOMMEN_REDIS_USER", config.redis_user);
  string_var("ANKOMMEN_REDIS_PASSWORD_FILE", config.redis_password_file);
  string_var("ANKOMMEN_REDIS_SENTINELS", config.redis_sentinels);
  string_var("ANKOMMEN_REDIS_SENTINEL_USER", config.redis_sentinel_user);
  string_var("ANKOMMEN_REDIS_SENTINEL_PASSWORD_FILE", config.redis_sentinel_password_file);
  string_var("ANKOMMEN_REDIS_PRIMARY_NAME", config.redis_primary_name);
  string_var("ANKOMMEN_REDIS_ADDRESS_MAP", config.redis_address_map);
  if (auto s = int_var("ANKOMMEN_REDIS_MIN_REPLICAS", 0, 8, config.redis_min_replicas); !s.ok()) return s;
  if (auto s = int_var("ANKOMMEN_REDIS_REPLICA_TIMEOUT_MS", 10, 60000, config.redis_replica_timeout_ms); !s.ok()) return s;
  string_var("ANKOMMEN_LOG_LEVEL", config.log_level);
  string_var("ANKOMMEN_CLOCK", config.clock);
  // Authentication is never switched by an empty value: a variable meant to
  // hold it that lost it is an error, not a default.
  if (const char* v = getenv("ANKOMMEN_AUTH"); v != nullptr) {
    if (*v == '\0') return absl::InvalidArgumentError("ANKOMMEN_AUTH is set but empty: jwt or off");
    config.auth = v;
  }
  if (const char* v = getenv("ANKOMMEN_DEVELOPMENT"); v != nullptr && *v != '\0') {
    if (auto s = ParseOnOff("ANKOMMEN_DEVELOPMENT", v, config.development); !s.ok()) return s;
  }
  config.reflection = config.development;
  if (const char* v = getenv("ANKOMMEN_GRPC_REFLECTION"); v != nullptr && *v != '\0') {
    if (auto s = ParseOnOff("ANKOMMEN_GRPC_REFLECTION", v, config.reflection); !s.ok()) return s;
  }
  string_var("ANKOMMEN_JWT_ALGORITHM", config.jwt_algorithm);
  string_var("ANKOMMEN_JWT_KEY_FILE", config.jwt_key_file);
  string_var("ANKOMMEN_JWT_ISSUER", config.jwt_issuer);
  string_var("ANKOMMEN_JWT_AUDIENCE", config.jwt_audience);
  string_var("ANKOMMEN_JWT_JWKS", config.jwt_jwks);
  string_var("ANKOMMEN_JWT_ROLES_CLAIM", config.jwt_roles_claims);
  if (auto s = int_var("ANKOMMEN_JWT_JWKS_REFRESH_SECONDS", 1, 86400, config.jwt_jwks_refresh_seconds); !s.ok()) return s;
  string_var("ANKOMMEN_LAND", config.land);
  string_var("ANKOMMEN_SCHOOL_CUTOFF", config.school_cutoff);
  if (const char* v = getenv("ANKOMMEN_SOCIAL_AREAS"); v != nullptr && *v != '\0') {
    config.social_areas.clear();
    for (absl::string_view area : absl::StrSplit(v, ',', absl::SkipWhitespace())) {
      config.social_areas.emplace_back(absl::StripAsciiWhitespace(area));
    }
  }
  if (auto s = int_var("ANKOMMEN_JWT_MAX_LIFETIME_SECONDS", 60, 7 * 86400, config.jwt_max_lifetime_seconds); !s.ok()) return s;
  string_var("ANKOMMEN_TLS_CERT_FILE", config.tls_cert_file);
  string_var("ANKOMMEN_TLS_KEY_FILE", config.tls_key_file);
  string_var("ANKOMMEN_TLS_CLIENT_CA_FILE", config.tls_client_ca_file);
  if (auto s = int_var("ANKOMMEN_REDIS_POOL_SIZE", 1, 256, config.redis_pool_size); !s.ok()) return s;
  if (auto s = int_var("ANKOMMEN_MAX_QUEUED", 1, 1000000, config.max_queued); !s.ok()) return s;
  if (auto s = int_var("ANKOMMEN_GRPC_MEMORY_MB", 16, 65536, config.grpc_memory_mb); !s.ok()) return s;
  if (auto s = int_var("ANKOMMEN_STREAM_REPLICAS", 1, 5, config.stream_replicas); !s.ok()) return s;
  if (auto s = int_var("ANKOMMEN_MAX_DELIVER", 1, 1000, config.max_deliver); !s.ok()) return s;
  if (auto s = int_var("ANKOMMEN_CONSUMER_WORKERS", 1, 64, config.consumer_workers); !s.ok()) return s;
  if (const char* v = getenv("ANKOMMEN_OUTBOX_RELAY"); v != nullptr && *v != '\0') {
    if (auto s = ParseOnOff("ANKOMMEN_OUTBOX_RELAY", v, config.outbox_relay); !s.ok()) return s;
  }
  return absl::OkStatus();
}

std::string CallerToken() {
  if (const char* token = std::getenv("ANKOMMEN_TOKEN"); token != nullptr && *token != '\0') return token;
  const char* file = std::getenv("ANKOMMEN_TOKEN_FILE");
  if (file == nullptr || *file == '\0') return "";
  std::ifstream in(file);
  std::string token;
  std::getline(in, token);
  return token;
}

absl::StatusOr<std::string> ReadSecretFile(const char* setting, const std::string& path) {
  std::ifstream in(path);
  std::string line;
  if (!in || !std::getline(in, line) || line.empty()) {
    return absl::NotFoundError(absl::StrCat(setting, ": cannot read a secret from ", path));
  }
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return line;
}

bool ParseNamedValues(const std::string& text, std::map<std::string, std::string>& out) {
  std::map<std::string, std::string> parsed;
  if (!text.empty()) {
    for (absl::string_view item : absl::StrSplit(text, ',')) {
      std::vector<std::string> kv = absl::StrSplit(item, absl::MaxSplits('=', 1));
      if (kv.size() != 2 || kv[0].empty() || kv[1].empty()) return false;
      parsed[kv[0]] = kv[1];
    }
  }
  for (const auto& [name, value] : parsed) out[name] = value;
  return true;
}

bool ParseNamedNumbers(const std::string& text, double min, double max, std::map<std::string, double>& out) {
  std::map<std::string, std::string> values;
  if (!ParseNamedValues(text, values)) return false;
  std::map<std::string, double> parsed;
  for (const auto& [name, text_value] : values) {
    double value = 0;
    if (!absl::SimpleAtod(text_value, &value) || value < min || value > max) return false;
    parsed[name] = value;
  }
  for (const auto& [name, value] : parsed) out[name] = value;
  return true;
}

LandRules LandRulesOf(const ServiceConfig& config) {
  return *LandRulesFor(config.land, config.school_cutoff);
}

absl::Status ValidateConfig(const ServiceConfig& config) {
  if (config.service.empty()) return absl::InvalidArgumentError("service name is empty");
  if (!IsHostPort(config.grpc_addr)) {
    return absl::InvalidArgumentError(absl::StrCat("gRPC address must be host:port, got '", config.grpc_addr, "'"));
  }
  if (!config.probe_addr.empty() && !IsHostPort(config.probe_addr)) {
    return absl::InvalidArgumentError(absl::StrCat("ANKOMMEN_PROBE_ADDR must be host:port, got '", config.probe_addr, "'"));
  }
  if (!IsHostPort(config.metrics_addr)) {
    return absl::InvalidArgumentError(
        absl::StrCat("metrics address must be host:port, got '", config.metrics_addr, "'"));
  }
  if (!absl::StartsWith(config.nats_url, "nats://") && !absl::StartsWith(config.nats_url, "tls://")) {
    return absl::InvalidArgumentError(absl::StrCat("NATS URL must start with nats:// or tls://, got '", config.nats_url, "'"));
  }
  if (config.nats_tls_cert_file.empty() != config.nats_tls_key_file.empty() ||
      (!config.nats_tls_cert_file.empty() && config.nats_tls_ca_file.empty())) {
    return absl::InvalidArgumentError(
        "NATS mutual TLS needs the CA, the certificate and the key (ANKOMMEN_NATS_TLS_CA_FILE, _CERT_FILE, _KEY_FILE)");
  }
  if (!absl::StartsWith(config.redis_url, "redis://")) {
    return absl::InvalidArgumentError(absl::StrCat("Redis URL must start with redis://, got '", config.redis_url, "'"));
  }
  if (config.auth != "off" && config.auth != "jwt") {
    return absl::InvalidArgumentError(absl::StrCat("auth must be off or jwt, got '", config.auth, "'"));
  }
  if (config.auth == "off" && !config.development) {
    return absl::InvalidArgumentError(
        "auth off lets every caller call everything: only for development, with ANKOMMEN_DEVELOPMENT=on");
  }
  if (config.auth == "off" && !IsLoopback(config.grpc_addr)) {
    return absl::InvalidArgumentError(absl::StrCat("auth off only on a loopback address (127.0.0.1:…), not on '",
                                                   config.grpc_addr, "'"));
  }
  if (config.social_areas.empty() && !config.development) {
    return absl::InvalidArgumentError(
        "the district's social areas are required outside development (ANKOMMEN_SOCIAL_AREAS=Riesa,Meißen,…)");
  }
  for (const auto& area : config.social_areas) {
    if (area.empty() || area.size() > 64 || area.find_first_of(":{}*?[]") != std::string::npos) {
      return absl::InvalidArgumentError(absl::StrCat("ANKOMMEN_SOCIAL_AREAS: '", area, "' is not a social area name"));
    }
  }
  if (auto land = LandRulesFor(config.land, config.school_cutoff); !land.ok()) return land.status();
  if (config.auth == "jwt" && config.jwt_key_file.empty() && config.jwt_jwks.empty()) {
    return absl::InvalidArgumentError("auth jwt needs the key file (ANKOMMEN_JWT_KEY_FILE) or the issuer's key set (ANKOMMEN_JWT_JWKS)");
  }
  if (config.jwt_algorithm != "HS256" && config.jwt_algorithm != "RS256" && config.jwt_algorithm != "ES256") {
    return absl::InvalidArgumentError(absl::StrCat("JWT algorithm must be HS256, RS256 or ES256, got '", config.jwt_algorithm, "'"));
  }
  if (config.clock != "system" && config.clock != "simulated") {
    return absl::InvalidArgumentError(absl::StrCat("clock must be system or simulated, got '", config.clock, "'"));
  }
  static const char* kLevels[] = {"debug", "info", "warn", "error"};
  bool level_ok = false;
  for (const char* level : kLevels) level_ok = level_ok || config.log_level == level;
  if (!level_ok) {
    return absl::InvalidArgumentError(absl::StrCat("log level must be debug, info, warn or error, got '", config.log_level, "'"));
  }
  return absl::OkStatus();
}

absl::TimeZone DistrictTimeZone() {
  absl::TimeZone zone;
  if (!absl::LoadTimeZone("Europe/Berlin", &zone)) log::Warn("time_zone_missing", {{"using", "UTC"}});
  return zone;
}

}  // namespace ankommen
