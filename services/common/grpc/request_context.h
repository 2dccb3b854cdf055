#pragma once

#include <set>
#include <string>

namespace ankommen {

// What a handler knows about a call besides the request.
struct RequestContext {
  std::string method;          // e.g. "RegisterHousehold"
  std::string correlation_id;  // x-correlation-id, or a new one
  // Who calls: the token's subject (ANKOMMEN_AUTH=jwt), else
  // "unauthenticated:" and the name given in x-ankommen-actor.
  std::string actor;
  std::set<std::string> roles;  // from the token; empty without one
  std::string provider_id;      // a course provider's staff: the provider they act for
};

}  // namespace ankommen
