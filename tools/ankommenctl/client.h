// What every call of ankommenctl carries: the operator's token (ANKOMMEN_TOKEN
// or ANKOMMEN_TOKEN_FILE; services with ANKOMMEN_AUTH=jwt require it), the
// actor header local development goes by, and a deadline.
#pragma once

#include <chrono>

#include <grpcpp/grpcpp.h>

#include "runtime/config.h"

namespace ankommen::ctl {

inline void Prepare(grpc::ClientContext& ctx, std::chrono::seconds deadline = std::chrono::seconds(60)) {
  ctx.AddMetadata("x-ankommen-actor", "ankommenctl");
  if (const std::string token = CallerToken(); !token.empty()) ctx.AddMetadata("authorization", "Bearer " + token);
  ctx.set_deadline(std::chrono::system_clock::now() + deadline);
}

}  // namespace ankommen::ctl
