#include "grpc/grpc_credentials.h"

#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "observability/log.h"

namespace ankommen {
namespace {

absl::StatusOr<std::string> ReadPem(const std::string& path, const char* what) {
  std::ifstream in(path);
  if (!in) return absl::InvalidArgumentError(absl::StrCat(what, ": cannot read ", path));
  std::stringstream text;
  text << in.rdbuf();
  if (text.str().find("-----BEGIN") == std::string::npos) {
    return absl::InvalidArgumentError(absl::StrCat(what, ": ", path, " is not PEM"));
  }
  return text.str();
}

std::string Env(const char* name) {
  const char* v = std::getenv(name);
  return v == nullptr ? "" : v;
}

}  // namespace

absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> ServerCredentials(const ServiceConfig& config) {
  if (config.tls_cert_file.empty() && config.tls_key_file.empty()) {
    if (!config.tls_client_ca_file.empty()) {
      return absl::InvalidArgumentError("ANKOMMEN_TLS_CLIENT_CA_FILE needs ANKOMMEN_TLS_CERT_FILE and _KEY_FILE");
    }
    return grpc::InsecureServerCredentials();
  }
  auto cert = ReadPem(config.tls_cert_file, "ANKOMMEN_TLS_CERT_FILE");
  if (!cert.ok()) return cert.status();
  auto key = ReadPem(config.tls_key_file, "ANKOMMEN_TLS_KEY_FILE");
  if (!key.ok()) return key.status();
  grpc::SslServerCredentialsOptions options(GRPC_SSL_DONT_REQUEST_CLIENT_CERTIFICATE);
  options.pem_key_cert_pairs.push_back({*key, *cert});
  if (!config.tls_client_ca_file.empty()) {
    auto ca = ReadPem(config.tls_client_ca_file, "ANKOMMEN_TLS_CLIENT_CA_FILE");
    if (!ca.ok()) return ca.status();
    options.pem_root_certs = *ca;
    options.client_certificate_request = GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY;
  }
  return grpc::SslServerCredentials(options);
}

absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> ClientCredentials() {
  const std::string ca_file = Env("ANKOMMEN_TLS_CA_FILE");
  if (ca_file.empty()) return grpc::InsecureChannelCredentials();
  auto ca = ReadPem(ca_file, "ANKOMMEN_TLS_CA_FILE");
  if (!ca.ok()) return ca.status();
  grpc::SslCredentialsOptions options;
  options.pem_root_certs = *ca;
  if (const std::string cert_file = Env("ANKOMMEN_TLS_CLIENT_CERT_FILE"); !cert_file.empty()) {
    auto cert = ReadPem(cert_file, "ANKOMMEN_TLS_CLIENT_CERT_FILE");
    if (!cert.ok()) return cert.status();
    auto key = ReadPem(Env("ANKOMMEN_TLS_CLIENT_KEY_FILE"), "ANKOMMEN_TLS_CLIENT_KEY_FILE");
    if (!key.ok()) return key.status();
    options.pem_cert_chain = *cert;
    options.pem_private_key = *key;
  }
  return grpc::SslCredentials(options);
}

std::shared_ptr<grpc::ChannelCredentials> ChannelCredentialsOrExit() {
  auto credentials = ClientCredentials();
  if (credentials.ok()) return *credentials;
  log::Error("tls_client_failed", {{"error", credentials.status().message()}});
  std::cerr << "ankommen: " << credentials.status().message() << "\n";
  std::exit(2);
}

}  // namespace ankommen
