#pragma once

#include <string>

namespace ankommen {

// What a handler knows about a call besides the request.
struct RequestContext {
  std::string method;          // e.g. "RegisterHousehold"
  std::string correlation_id;  // x-correlation-id, or a new one
  std::string actor;           // who calls: x-ankommen-actor until tokens (security issue)
};

}  // namespace ankommen
