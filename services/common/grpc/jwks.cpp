#include "grpc/jwks.h"

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>

#include <memory>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "nlohmann/json.hpp"

namespace ankommen {
namespace {

template <typename T, void (*Free)(T*)>
using Owned = std::unique_ptr<T, decltype([](T* p) { Free(p); })>;

absl::StatusOr<std::string> Base64Url(const nlohmann::json& key, const char* field, const std::string& where) {
  if (!key.contains(field) || !key[field].is_string()) {
    return absl::InvalidArgumentError(absl::StrCat(where, ": no ", field));
  }
  std::string bytes;
  if (!absl::WebSafeBase64Unescape(key[field].get<std::string>(), &bytes) || bytes.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(where, ": ", field, " is not base64url"));
  }
  return bytes;
}

// A public key from its parameters, as PEM (SubjectPublicKeyInfo).
absl::StatusOr<std::string> PublicPem(const char* type, OSSL_PARAM_BLD* build, const std::string& where) {
  Owned<OSSL_PARAM, OSSL_PARAM_free> params(OSSL_PARAM_BLD_to_param(build));
  Owned<EVP_PKEY_CTX, EVP_PKEY_CTX_free> ctx(EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr));
  EVP_PKEY* raw = nullptr;
  if (params == nullptr || ctx == nullptr || EVP_PKEY_fromdata_init(ctx.get()) <= 0 ||
      EVP_PKEY_fromdata(ctx.get(), &raw, EVP_PKEY_PUBLIC_KEY, params.get()) <= 0) {
    return absl::InvalidArgumentError(absl::StrCat(where, ": not a valid ", type, " public key"));
  }
  Owned<EVP_PKEY, EVP_PKEY_free> key(raw);
  Owned<BIO, BIO_free_all> bio(BIO_new(BIO_s_mem()));
  if (bio == nullptr || PEM_write_bio_PUBKEY(bio.get(), key.get()) != 1) {
    return absl::InternalError(absl::StrCat(where, ": cannot write the key as PEM"));
  }
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<size_t>(size));
}

absl::StatusOr<std::string> RsaPem(const nlohmann::json& key, const std::string& where) {
  auto n = Base64Url(key, "n", where);
  if (!n.ok()) return n.status();
  auto e = Base64Url(key, "e", where);
  if (!e.ok()) return e.status();
  if (n->size() < 256) return absl::InvalidArgumentError(absl::StrCat(where, ": n: an RSA key below 2048 bits"));
  Owned<BIGNUM, BN_free> bn_n(BN_bin2bn(reinterpret_cast<const unsigned char*>(n->data()), static_cast<int>(n->size()), nullptr));
  Owned<BIGNUM, BN_free> bn_e(BN_bin2bn(reinterpret_cast<const unsigned char*>(e->data()), static_cast<int>(e->size()), nullptr));
  Owned<OSSL_PARAM_BLD, OSSL_PARAM_BLD_free> build(OSSL_PARAM_BLD_new());
  if (bn_n == nullptr || bn_e == nullptr || build == nullptr ||
      OSSL_PARAM_BLD_push_BN(build.get(), OSSL_PKEY_PARAM_RSA_N, bn_n.get()) != 1 ||
      OSSL_PARAM_BLD_push_BN(build.get(), OSSL_PKEY_PARAM_RSA_E, bn_e.get()) != 1) {
    return absl::InternalError(absl::StrCat(where, ": cannot build the RSA key"));
  }
  return PublicPem("RSA", build.get(), where);
}

absl::StatusOr<std::string> EcPem(const nlohmann::json& key, const std::string& where) {
  if (key.value("crv", "") != "P-256") return absl::InvalidArgumentError(absl::StrCat(where, ": crv: only P-256"));
  auto x = Base64Url(key, "x", where);
  if (!x.ok()) return x.status();
  auto y = Base64Url(key, "y", where);
  if (!y.ok()) return y.status();
  if (x->size() != 32 || y->size() != 32) return absl::InvalidArgumentError(absl::StrCat(where, ": x, y: 32 bytes each"));
  const std::string point = "\x04" + *x + *y;  // uncompressed
  Owned<OSSL_PARAM_BLD, OSSL_PARAM_BLD_free> build(OSSL_PARAM_BLD_new());
  if (build == nullptr ||
      OSSL_PARAM_BLD_push_utf8_string(build.get(), OSSL_PKEY_PARAM_GROUP_NAME, "prime256v1", 0) != 1 ||
      OSSL_PARAM_BLD_push_octet_string(build.get(), OSSL_PKEY_PARAM_PUB_KEY, point.data(), point.size()) != 1) {
    return absl::InternalError(absl::StrCat(where, ": cannot build the EC key"));
  }
  return PublicPem("EC", build.get(), where);
}

}  // namespace

absl::StatusOr<std::vector<JsonWebKey>> ParseJwks(std::string_view json) {
  auto doc = nlohmann::json::parse(json, nullptr, false);
  if (doc.is_discarded() || !doc.is_object() || !doc.contains("keys") || !doc["keys"].is_array()) {
    return absl::InvalidArgumentError("JWKS: not a JSON object with \"keys\": [...]");
  }
  std::vector<JsonWebKey> keys;
  const auto& list = doc["keys"];
  for (size_t i = 0; i < list.size(); ++i) {
    const auto& key = list[i];
    if (!key.is_object()) return absl::InvalidArgumentError(absl::StrCat("JWKS key ", i + 1, ": not an object"));
    JsonWebKey out;
    out.kid = key.value("kid", "");
    const std::string where = absl::StrCat("JWKS key ", i + 1, out.kid.empty() ? "" : " (kid " + out.kid + ")");
    if (key.value("use", "sig") != "sig") continue;  // an encryption key
    const std::string kty = key.value("kty", "");
    if (kty == "RSA" && key.value("alg", "RS256") == "RS256") {
      auto pem = RsaPem(key, where);
      if (!pem.ok()) return pem.status();
      out.algorithm = "RS256";
      out.pem = *pem;
    } else if (kty == "EC" && key.value("alg", "ES256") == "ES256") {
      auto pem = EcPem(key, where);
      if (!pem.ok()) return pem.status();
      out.algorithm = "ES256";
      out.pem = *pem;
    } else {
      continue;  // a kind or algorithm tokens here are never signed with
    }
    keys.push_back(std::move(out));
  }
  if (keys.empty()) return absl::InvalidArgumentError("JWKS: no RS256 or ES256 signing key");
  for (const auto& k : keys) {
    if (k.kid.empty() && keys.size() > 1) return absl::InvalidArgumentError("JWKS: a key without kid among several");
  }
  return keys;
}

absl::StatusOr<TokenHeader> ReadTokenHeader(std::string_view token) {
  const size_t dot = token.find('.');
  std::string header;
  if (dot == std::string_view::npos || !absl::WebSafeBase64Unescape(absl::string_view(token.data(), dot), &header)) {
    return absl::UnauthenticatedError("token: not a JWT");
  }
  auto json = nlohmann::json::parse(header, nullptr, false);
  if (json.is_discarded() || !json.is_object()) return absl::UnauthenticatedError("token: a header that is not JSON");
  TokenHeader out;
  if (json.contains("kid") && json["kid"].is_string()) out.kid = json["kid"].get<std::string>();
  if (json.contains("alg") && json["alg"].is_string()) out.alg = json["alg"].get<std::string>();
  return out;
}

absl::StatusOr<JsonWebKey> KeyFor(const std::vector<JsonWebKey>& keys, const TokenHeader& header) {
  const JsonWebKey* chosen = nullptr;
  if (header.kid.empty()) {
    if (keys.size() == 1) chosen = &keys[0];
  } else {
    for (const auto& k : keys) {
      if (k.kid == header.kid) chosen = &k;
    }
  }
  if (chosen == nullptr) return absl::UnauthenticatedError("token: signed with a key the issuer does not publish (kid)");
  if (chosen->algorithm != header.alg) return absl::UnauthenticatedError("token: signed with another algorithm");
  return *chosen;
}

}  // namespace ankommen
