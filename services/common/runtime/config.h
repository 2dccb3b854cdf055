// Service configuration: defaults, then ANKOMMEN_* environment variables, then
// command-line flags (config_flags.h). Every service runs with no flags at all
// against loopback NATS and Redis.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace ankommen {

struct ServiceConfig {
  std::string service;       // "registry", "courses", ...
  std::string grpc_addr;     // host:port the gRPC API listens on
  // host:port of a plaintext port that answers grpc.health.v1 and nothing
  // else, for the kubelet's gRPC probes (which speak no TLS) when the API
  // port takes mutual TLS only. Empty: none.
  std::string probe_addr;
  std::string metrics_addr;  // host:port of the Prometheus /metrics endpoint
  std::string nats_url;      // nats://host:port
  // The service's own NATS user and the file holding its password (a mounted
  // secret), in place of any in the URL.
  std::string nats_user;
  std::string nats_password_file;
  // TLS to NATS: the CA its certificate is checked against, and for mutual
  // TLS the service's certificate and key. Empty: plaintext.
  std::string nats_tls_ca_file;
  std::string nats_tls_cert_file;
  std::string nats_tls_key_file;
  std::string redis_url;     // redis://host:port[/db]
  // The service's own Redis ACL user and the file holding its password (a
  // mounted secret): they take the place of any in the URL, so the URL can
  // stay in a shared ConfigMap.
  std::string redis_user;
  std::string redis_password_file;
  // Redis behind Sentinel: the sentinels (host:port, comma-separated) asked
  // for the primary of redis_primary_name, which a failover then moves
  // without anyone touching the services; the URL's host is not dialled.
  std::string redis_sentinels;
  std::string redis_primary_name = "ankommen";
  // The sentinels' ACL user that may only look up the primary, and the file
  // with its password: without them the sentinels are asked unauthenticated.
  std::string redis_sentinel_user;
  std::string redis_sentinel_password_file;
  // "redis-0.redis-headless:6379=127.0.0.1:6380,…": where to dial a server
  // the sentinels name (each node's TLS tunnel in the pod).
  std::string redis_address_map;
  // Commands are acknowledged once this many replicas have their commit
  // (WAIT, within redis_replica_timeout_ms; else UNAVAILABLE and the caller
  // retries with its key). 0: once the primary has it.
  int redis_min_replicas = 0;
  int redis_replica_timeout_ms = 1000;
  std::string log_level = "info";
  int redis_pool_size = 8;
  // Calls waiting for a worker beyond which new ones get RESOURCE_EXHAUSTED at
  // once: under overload the service sheds load instead of queueing without end.
  int max_queued = 1024;
  // Memory gRPC may hold for calls in flight (its resource quota), in MiB:
  // beyond it new calls are refused rather than the process growing.
  int grpc_memory_mb = 128;
  // Deliveries of one event before it goes to the dead-letter stream.
  int max_deliver = 5;
  // Threads each consumer handles a fetched batch on: one partition's events
  // in order, different partitions side by side (ConsumerSpec::workers).
  int consumer_workers = 4;
  // Off only to inspect or repair the outbox by hand: events stay in Redis.
  bool outbox_relay = true;
  // Largest request accepted; larger fields get INVALID_ARGUMENT, not a transport error.
  // The transport's bound; each method's own is smaller (grpc_edge.h, MaxRequestBytes).
  int max_request_bytes = 8 * 1024 * 1024 + 64 * 1024;
  // "system", or "simulated": time is what the simulator last set in Redis
  // (simulated_clock.h), for simulated districts only.
  std::string clock = "system";
  // Copies JetStream keeps of each stream: 1 on one machine, 3 on a NATS cluster.
  int stream_replicas = 1;
  // "jwt" (the default): every call needs a token signed by the district's
  // issuer (auth.h). "off" (every caller may call everything, recorded as
  // unauthenticated) only with `development` and a loopback gRPC address.
  std::string auth = "jwt";
  // ANKOMMEN_DEVELOPMENT=on: development conveniences may be switched on
  // (auth off). Set by deploy/local and the tests; never by the manifests.
  bool development = false;
  // gRPC server reflection (grpcurl's way to find the methods): what callers
  // without a token could learn of the API. ANKOMMEN_GRPC_REFLECTION; unset,
  // on in development only.
  bool reflection = false;
  // The district's social areas (ANKOMMEN_SOCIAL_AREAS, comma-separated): the
  // only ones requests may name (they become keys and metric labels).
  // Required outside development.
  std::vector<std::string> social_areas;
  // The Land whose school law applies (rules/land.h): ANKOMMEN_LAND, and
  // ANKOMMEN_SCHOOL_CUTOFF (MM-DD) for a cut-off the table lacks.
  std::string land = "SN";
  std::string school_cutoff;
  std::string jwt_algorithm = "RS256";
  std::string jwt_audience;  // the "aud" tokens must name; empty: "ankommen-<service>"
  int jwt_max_lifetime_seconds = 12 * 3600;
  std::string jwt_key_file;  // the HMAC secret or the issuer's PEM public key
  std::string jwt_issuer;
  // The issuer's key set instead of one key: a JWKS file or https:// URL
  // (Keycloak: <realm>/protocol/openid-connect/certs), refreshed so often.
  std::string jwt_jwks;
  int jwt_jwks_refresh_seconds = 300;
  // Where tokens carry the roles: comma-separated claim paths
  // ("realm_access.roles,resource_access.ankommen.roles" for Keycloak).
  std::string jwt_roles_claims = "roles";
  // TLS on the gRPC port (grpc_credentials.h): certificate and key, and with
  // a client CA, mutual TLS. Empty: plaintext (local development).
  std::string tls_cert_file;
  std::string tls_key_file;
  std::string tls_client_ca_file;
};

// Loopback defaults, with ports that do not clash between the five services.
ServiceConfig DefaultConfig(std::string_view service);

using GetEnv = std::function<const char*(const char*)>;

// Overlays ANKOMMEN_GRPC_ADDR, ANKOMMEN_PROBE_ADDR, ANKOMMEN_METRICS_ADDR, ANKOMMEN_NATS_URL, ANKOMMEN_NATS_USER,
// ANKOMMEN_NATS_PASSWORD_FILE, ANKOMMEN_NATS_TLS_{CA,CERT,KEY}_FILE,
// ANKOMMEN_REDIS_URL, ANKOMMEN_REDIS_USER, ANKOMMEN_REDIS_PASSWORD_FILE, ANKOMMEN_REDIS_SENTINELS,
// ANKOMMEN_REDIS_SENTINEL_USER, ANKOMMEN_REDIS_SENTINEL_PASSWORD_FILE, ANKOMMEN_REDIS_PRIMARY_NAME, ANKOMMEN_REDIS_ADDRESS_MAP, ANKOMMEN_REDIS_MIN_REPLICAS,
// ANKOMMEN_REDIS_REPLICA_TIMEOUT_MS, ANKOMMEN_LOG_LEVEL, ANKOMMEN_REDIS_POOL_SIZE, ANKOMMEN_MAX_QUEUED,
// ANKOMMEN_GRPC_MEMORY_MB, ANKOMMEN_MAX_DELIVER, ANKOMMEN_OUTBOX_RELAY (on/off), ANKOMMEN_CLOCK,
// ANKOMMEN_STREAM_REPLICAS, ANKOMMEN_AUTH (set, never empty), ANKOMMEN_DEVELOPMENT (on/off),
// ANKOMMEN_GRPC_REFLECTION (on/off; unset: as ANKOMMEN_DEVELOPMENT),
// ANKOMMEN_JWT_{ALGORITHM,KEY_FILE,ISSUER,AUDIENCE,MAX_LIFETIME_SECONDS,JWKS,JWKS_REFRESH_SECONDS,ROLES_CLAIM}, ANKOMMEN_LAND, ANKOMMEN_SCHOOL_CUTOFF
// and ANKOMMEN_TLS_{CERT_FILE,KEY_FILE,CLIENT_CA_FILE}.
absl::Status ApplyEnvironment(ServiceConfig& config, const GetEnv& getenv);

// "Riesa=team-riesa@example.org,Meißen=…": names with values, as the services'
// list-valued flags and variables take them ("" is an empty list). False on a
// malformed pair; `out` is then unchanged.
bool ParseNamedValues(const std::string& text, std::map<std::string, std::string>& out);

// "Riesa=2,Meißen=3": names with numbers, as the services' list-valued flags
// and variables take them ("" is an empty list). False on a malformed pair or
// a number outside [min, max]; `out` is then unchanged.
bool ParseNamedNumbers(const std::string& text, double min, double max, std::map<std::string, double>& out);

// The token this process presents when it calls a service (ANKOMMEN_TOKEN, or
// the file ANKOMMEN_TOKEN_FILE names, read on each call so that a rotated token
// is used at once); "" when there is none.
std::string CallerToken();

// The first line of a secret file (a mounted Kubernetes Secret); NOT_FOUND
// naming the setting, never the content, when it cannot be read.
absl::StatusOr<std::string> ReadSecretFile(const char* setting, const std::string& path);

// The district's time zone for dates and deadlines: Europe/Berlin (UTC, with
// a warning, where the system has no time zone data).
absl::TimeZone DistrictTimeZone();

// The Land's rules as configured (ValidateConfig has checked them).
struct LandRules;
LandRules LandRulesOf(const ServiceConfig& config);

// Checks that addresses are host:port and URLs have the right scheme, and
// that authentication is off only in development on a loopback address.
absl::Status ValidateConfig(const ServiceConfig& config);

}  // namespace ankommen
