// Who may call what. Authority clients and services present a JWT
// (`authorization: Bearer …`) issued by the district's identity provider; each
// service verifies it (libjwt) and checks the method against the roles it
// carries. Pure: no gRPC here (grpc_auth.h applies it to calls).
#pragma once

#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace ankommen {

// The district's roles.
//   district_admin      everything (operators, the simulator)
//   foreigners_office   registers households, changes status, reads the register
//   registry_admin      erases persons (GDPR Art. 17), reads contact data
//   notifications       the notification service: reads contact data to send
//   integration_office  courses: providers, requests, allocation, answers
//   course_provider     its own courses (the token's provider_id)
//   schools_office      DaZ schools, Kitas, placement
//   housing_office      accommodation, placement, moves
//   caseworker          reads cases, records a person's answers, resends messages
//   mediation_office    the mediators' pool, proposals, contact data, hours
//   social_work         casework: its social workers, the cases' tasks, caseloads
//   planner             reads figures and waiting lists
struct Caller {
  std::string subject;           // "sub": who, for the audit log
  std::set<std::string> roles;   // "roles"
  std::string provider_id;       // "provider_id": the course provider a provider's staff act for
  bool Has(std::string_view role) const { return roles.contains(std::string(role)); }
};

struct TokenSettings {
  std::string algorithm = "RS256";  // RS256 / ES256 (the issuer's public key) or HS256 (a shared secret)
  std::string key;                  // the secret or the PEM public key
  std::string issuer;               // required "iss"
  std::string audience;             // required "aud": this service, e.g. "ankommen-registry"
  absl::Duration leeway = absl::Seconds(30);  // clock skew allowed on exp and nbf
  // The longest a token may live, from "iat" (or now, without one) to "exp":
  // a stolen token is of use for so long at most.
  absl::Duration max_lifetime = absl::Hours(12);
  // Where the roles are: claims, each a path of names through nested objects
  // ending in a list of strings. "roles" (the default); Keycloak's realm roles
  // "realm_access.roles", a client's "resource_access.<client>.roles". The
  // roles of every path count.
  std::vector<std::string> roles_claims = {"roles"};
};

// Verifies signature (with the configured algorithm only: never "none"),
// exp, nbf, iss and aud, and reads the caller. UNAUTHENTICATED with the reason.
absl::StatusOr<Caller> VerifyToken(const TokenSettings& settings, std::string_view token, absl::Time now);

// Which roles may call which methods of one service.
class AccessPolicy {
 public:
  AccessPolicy() = default;
  explicit AccessPolicy(std::map<std::string, std::set<std::string>> roles_by_method)
      : roles_by_method_(std::move(roles_by_method)) {}
  // district_admin may call everything; otherwise one of the method's roles.
  bool Allows(const Caller& caller, const std::string& method) const;

 private:
  std::map<std::string, std::set<std::string>> roles_by_method_;
};

// The district's policy for a service ("registry", "courses", ...).
AccessPolicy PolicyFor(std::string_view service);

}  // namespace ankommen
