// TLS for gRPC, from files named in the configuration or the environment.
// A server with a certificate and key speaks TLS only; with a client CA as
// well, every caller must present a certificate that CA signed (mutual TLS,
// between the services). Clients trust the CA named by ANKOMMEN_TLS_CA_FILE
// and present ANKOMMEN_TLS_CLIENT_CERT_FILE / _KEY_FILE when set; without a
// CA file they speak plaintext (local development).
#pragma once

#include <memory>

#include <grpcpp/security/credentials.h>
#include <grpcpp/security/server_credentials.h>

#include "absl/status/statusor.h"
#include "runtime/config.h"

namespace ankommen {

absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> ServerCredentials(const ServiceConfig& config);
absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> ClientCredentials();
// ClientCredentials; when the files named cannot be read, the process says
// why (the variable's name) and exits with 2 — never a silent plaintext.
std::shared_ptr<grpc::ChannelCredentials> ChannelCredentialsOrExit();

}  // namespace ankommen
