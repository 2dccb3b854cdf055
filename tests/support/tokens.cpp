#include "support/tokens.h"

#include <jwt.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <ctime>
#include <memory>
#include <stdexcept>

#include <nlohmann/json.hpp>

namespace ankommen::testing {
namespace {

using Jwt = std::unique_ptr<jwt_t, void (*)(jwt_t*)>;

std::string Base64Url(const unsigned char* data, size_t size) {
  static const char* kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  size_t i = 0;
  for (; i + 2 < size; i += 3) {
    const unsigned v = (data[i] << 16) | (data[i + 1] << 8) | data[i + 2];
    out += {kAlphabet[v >> 18], kAlphabet[(v >> 12) & 63], kAlphabet[(v >> 6) & 63], kAlphabet[v & 63]};
  }
  if (size - i == 1) {
    const unsigned v = data[i] << 16;
    out += {kAlphabet[v >> 18], kAlphabet[(v >> 12) & 63]};
  } else if (size - i == 2) {
    const unsigned v = (data[i] << 16) | (data[i + 1] << 8);
    out += {kAlphabet[v >> 18], kAlphabet[(v >> 12) & 63], kAlphabet[(v >> 6) & 63]};
  }
  return out;
}

std::string BigNumber(EVP_PKEY* key, const char* name, int pad = 0) {
  BIGNUM* bn = nullptr;
  if (EVP_PKEY_get_bn_param(key, name, &bn) != 1) throw std::runtime_error(std::string("key parameter ") + name);
  std::string bytes(pad > 0 ? pad : BN_num_bytes(bn), '\0');
  BN_bn2binpad(bn, reinterpret_cast<unsigned char*>(bytes.data()), static_cast<int>(bytes.size()));
  BN_free(bn);
  return Base64Url(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size());
}

// The claims every token carries, as TokenSpec says.
Jwt Claims(const TokenSpec& spec) {
  jwt_t* raw = nullptr;
  if (jwt_new(&raw) != 0) throw std::runtime_error("jwt_new");
  std::unique_ptr<jwt_t, void (*)(jwt_t*)> jwt(raw, jwt_free);
  const long now = static_cast<long>(std::time(nullptr));
  jwt_add_grant(jwt.get(), "sub", spec.subject.c_str());
  jwt_add_grant(jwt.get(), "iss", spec.issuer.c_str());
  if (spec.audience.size() == 1) {
    jwt_add_grant(jwt.get(), "aud", spec.audience[0].c_str());
  } else {
    jwt_add_grants_json(jwt.get(), nlohmann::json{{"aud", spec.audience}}.dump().c_str());
  }
  jwt_add_grant_int(jwt.get(), "iat", now);
  jwt_add_grant_int(jwt.get(), "exp", now + spec.expires_in_seconds);
  if (!spec.provider_id.empty()) jwt_add_grant(jwt.get(), "provider_id", spec.provider_id.c_str());
  // The roles where the spec says, nested as Keycloak nests them.
  nlohmann::json roles = spec.roles;
  std::vector<std::string> path;
  for (size_t start = 0, dot; start <= spec.roles_claim.size(); start = dot + 1) {
    dot = spec.roles_claim.find('.', start);
    if (dot == std::string::npos) dot = spec.roles_claim.size();
    path.push_back(spec.roles_claim.substr(start, dot - start));
  }
  for (auto it = path.rbegin(); it != path.rend(); ++it) roles = nlohmann::json{{*it, roles}};
  jwt_add_grants_json(jwt.get(), roles.dump().c_str());
  if (spec.keycloak_shape) {
    jwt_add_grants_json(jwt.get(), nlohmann::json{{"typ", "Bearer"}, {"azp", "ankommen-fachverfahren"},
                                                  {"preferred_username", "m.schulze"},
                                                  {"scope", "openid profile email"},
                                                  {"jti", "0f6c2a8e-5d1b-4c3e-9a7f-2b8d4e6f1a3c"}}
                                      .dump()
                                      .c_str());
  }
  return jwt;
}

}  // namespace

std::string MintToken(const TokenSpec& spec) {
  Jwt jwt = Claims(spec);
  if (spec.unsigned_none) {
    jwt_set_alg(jwt.get(), JWT_ALG_NONE, nullptr, 0);
  } else {
    jwt_set_alg(jwt.get(), JWT_ALG_HS256, reinterpret_cast<const unsigned char*>(spec.secret.data()),
                static_cast<int>(spec.secret.size()));
  }
  char* encoded = jwt_encode_str(jwt.get());
  if (encoded == nullptr) throw std::runtime_error("jwt_encode_str");
  std::string token(encoded);
  free(encoded);
  return token;
}

SigningKey NewSigningKey(const std::string& kid, const std::string& algorithm) {
  EVP_PKEY* raw = algorithm == "ES256" ? EVP_EC_gen("P-256") : EVP_RSA_gen(2048);
  if (raw == nullptr) throw std::runtime_error("cannot make a key");
  std::unique_ptr<EVP_PKEY, void (*)(EVP_PKEY*)> key(raw, EVP_PKEY_free);
  std::unique_ptr<BIO, void (*)(BIO*)> bio(BIO_new(BIO_s_mem()), BIO_free_all);
  PEM_write_bio_PrivateKey(bio.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr);
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio.get(), &data);
  SigningKey out{kid, algorithm, std::string(data, static_cast<size_t>(size)), ""};
  nlohmann::json jwk = {{"kid", kid}, {"use", "sig"}, {"alg", algorithm}};
  if (algorithm == "ES256") {
    jwk["kty"] = "EC";
    jwk["crv"] = "P-256";
    jwk["x"] = BigNumber(key.get(), OSSL_PKEY_PARAM_EC_PUB_X, 32);
    jwk["y"] = BigNumber(key.get(), OSSL_PKEY_PARAM_EC_PUB_Y, 32);
  } else {
    jwk["kty"] = "RSA";
    jwk["n"] = BigNumber(key.get(), OSSL_PKEY_PARAM_RSA_N);
    jwk["e"] = BigNumber(key.get(), OSSL_PKEY_PARAM_RSA_E);
  }
  out.jwk = jwk.dump();
  return out;
}

std::string Jwks(const std::vector<SigningKey>& keys) {
  nlohmann::json list = nlohmann::json::array();
  for (const auto& k : keys) list.push_back(nlohmann::json::parse(k.jwk));
  return nlohmann::json{{"keys", list}}.dump();
}

std::string MintToken(const TokenSpec& spec, const SigningKey& key) {
  Jwt jwt = Claims(spec);
  jwt_add_header(jwt.get(), "kid", key.kid.c_str());
  jwt_set_alg(jwt.get(), key.algorithm == "ES256" ? JWT_ALG_ES256 : JWT_ALG_RS256,
              reinterpret_cast<const unsigned char*>(key.private_pem.data()), static_cast<int>(key.private_pem.size()));
  char* encoded = jwt_encode_str(jwt.get());
  if (encoded == nullptr) throw std::runtime_error("jwt_encode_str");
  std::string token(encoded);
  free(encoded);
  return token;
}

}  // namespace ankommen::testing
