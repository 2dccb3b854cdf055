#include "grpc/grpc_auth.h"

#include <curl/curl.h>

#include <algorithm>
#include <fstream>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "observability/log.h"

namespace ankommen {
namespace {

size_t Append(char* data, size_t size, size_t count, void* out) {
  static_cast<std::string*>(out)->append(data, size * count);
  return size * count;
}

// The JWKS document from its URL (libcurl) or file.
absl::StatusOr<std::string> ReadSource(const std::string& source) {
  if (absl::StartsWith(source, "https://") || absl::StartsWith(source, "http://")) {
    std::unique_ptr<CURL, void (*)(CURL*)> curl(curl_easy_init(), curl_easy_cleanup);
    if (curl == nullptr) return absl::InternalError("JWKS: cannot start libcurl");
    std::string body;
    curl_easy_setopt(curl.get(), CURLOPT_URL, source.c_str());
    curl_easy_setopt(curl.get(), CURLOPT_PROTOCOLS_STR, "https,http");
    curl_easy_setopt(curl.get(), CURLOPT_TIMEOUT, 10L);
    curl_easy_setopt(curl.get(), CURLOPT_MAXFILESIZE, 1L << 20);
    curl_easy_setopt(curl.get(), CURLOPT_WRITEFUNCTION, Append);
    curl_easy_setopt(curl.get(), CURLOPT_WRITEDATA, &body);
    CURLcode code = curl_easy_perform(curl.get());
    long status = 0;
    curl_easy_getinfo(curl.get(), CURLINFO_RESPONSE_CODE, &status);
    if (code != CURLE_OK) return absl::UnavailableError(absl::StrCat("JWKS ", source, ": ", curl_easy_strerror(code)));
    if (status != 200) return absl::UnavailableError(absl::StrCat("JWKS ", source, ": http ", status));
    return body;
  }
  std::ifstream in(source, std::ios::binary);
  if (!in) return absl::FailedPreconditionError(absl::StrCat("JWKS: cannot read ", source));
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

absl::StatusOr<std::unique_ptr<JwksKeys>> JwksKeys::Start(std::string source, absl::Duration refresh) {
  std::unique_ptr<JwksKeys> keys(new JwksKeys(std::move(source), refresh));
  auto first = keys->Fetch();
  if (!first.ok()) return first.status();
  keys->keys_ = std::make_shared<const std::vector<JsonWebKey>>(std::move(*first));
  keys->last_fetch_ = absl::Now();
  log::Info("jwks_loaded", {{"keys", static_cast<int64_t>(keys->keys_->size())}});
  keys->thread_ = std::thread([k = keys.get()] { k->Run(); });
  return keys;
}

JwksKeys::~JwksKeys() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

std::shared_ptr<const std::vector<JsonWebKey>> JwksKeys::Current() const {
  std::lock_guard lock(mutex_);
  return keys_;
}

void JwksKeys::RefreshSoon() {
  {
    std::lock_guard lock(mutex_);
    soon_ = true;
  }
  wake_.notify_all();
}

absl::StatusOr<std::vector<JsonWebKey>> JwksKeys::Fetch() const {
  auto text = ReadSource(source_);
  if (!text.ok()) return text.status();
  return ParseJwks(*text);
}

void JwksKeys::Run() {
  const absl::Duration kSoonest = absl::Seconds(30);  // an unknown kid asks no more often
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    const absl::Time due = last_fetch_ + (soon_ ? std::min(refresh_, kSoonest) : refresh_);
    if (absl::Now() < due) {
      wake_.wait_for(lock, absl::ToChronoMilliseconds(due - absl::Now()));
      continue;  // woken early (asked for sooner, or stopping), or due: look again
    }
    soon_ = false;
    last_fetch_ = absl::Now();
    lock.unlock();
    auto fetched = Fetch();
    lock.lock();
    if (!fetched.ok()) {
      log::Warn("jwks_refresh_failed", {{"error", fetched.status().message()}, {"keeping", static_cast<int64_t>(keys_->size())}});
      continue;
    }
    if (fetched->size() != keys_->size()) log::Info("jwks_loaded", {{"keys", static_cast<int64_t>(fetched->size())}});
    keys_ = std::make_shared<const std::vector<JsonWebKey>>(std::move(*fetched));
  }
}

absl::StatusOr<Caller> JwtAuthorizer::Verify(std::string_view token) const {
  if (keys_ == nullptr) return VerifyToken(settings_, token, absl::Now());
  auto header = ReadTokenHeader(token);
  if (!header.ok()) return header.status();
  auto key = KeyFor(*keys_->Current(), *header);
  if (!key.ok()) {
    if (!header->kid.empty()) keys_->RefreshSoon();  // perhaps a key the issuer has just added
    return key.status();
  }
  TokenSettings settings = settings_;
  settings.algorithm = key->algorithm;
  settings.key = key->pem;
  return VerifyToken(settings, token, absl::Now());
}

absl::Status JwtAuthorizer::Authorize(const grpc::ServerContextBase& context, RequestContext& request) const {
  const auto& metadata = context.client_metadata();
  auto it = metadata.find("authorization");
  absl::string_view header = it == metadata.end() ? absl::string_view() : absl::string_view(it->second.data(), it->second.size());
  if (!absl::StartsWith(header, "Bearer ")) {
    return absl::UnauthenticatedError("a token is required: authorization: Bearer <JWT>");
  }
  auto caller = Verify(std::string_view(header.substr(7).data(), header.size() - 7));
  if (!caller.ok()) return caller.status();
  request.actor = caller->subject;
  request.roles = caller->roles;
  request.provider_id = caller->provider_id;
  if (!policy_.Allows(*caller, request.method)) {
    log::Warn("permission_denied", {{"actor", caller->subject}, {"method", request.method},
                                    {"correlation_id", request.correlation_id}});
    return absl::PermissionDeniedError(absl::StrCat(caller->subject, " may not call ", request.method));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::unique_ptr<Authorizer>> MakeAuthorizer(const ServiceConfig& config) {
  if (config.auth != "jwt") {
    log::Warn("auth_off", {{"reason", "ANKOMMEN_AUTH=off: every caller may call everything (local development only)"}});
    return std::make_unique<AllowAllAuthorizer>();
  }
  TokenSettings settings;
  settings.issuer = config.jwt_issuer;
  // Each service is its own audience: a token for one is not one for another.
  settings.audience = config.jwt_audience.empty() ? "ankommen-" + config.service : config.jwt_audience;
  settings.max_lifetime = absl::Seconds(config.jwt_max_lifetime_seconds);
  settings.roles_claims.clear();
  for (absl::string_view path : absl::StrSplit(config.jwt_roles_claims, ',', absl::SkipWhitespace())) {
    settings.roles_claims.emplace_back(absl::StripAsciiWhitespace(path));
  }
  if (!config.jwt_jwks.empty()) {
    if (absl::StartsWith(config.jwt_jwks, "http://") && !config.development) {
      return absl::FailedPreconditionError("ANKOMMEN_JWT_JWKS: https:// outside development");
    }
    auto keys = JwksKeys::Start(config.jwt_jwks, absl::Seconds(config.jwt_jwks_refresh_seconds));
    if (!keys.ok()) return absl::FailedPreconditionError(absl::StrCat("ANKOMMEN_JWT_JWKS: ", keys.status().message()));
    return std::make_unique<JwtAuthorizer>(std::move(settings), PolicyFor(config.service), std::move(*keys));
  }
  std::ifstream in(config.jwt_key_file, std::ios::binary);
  if (!in) return absl::FailedPreconditionError(absl::StrCat("cannot read the JWT key file ", config.jwt_key_file));
  std::stringstream key;
  key << in.rdbuf();
  settings.algorithm = config.jwt_algorithm;
  settings.key = key.str();
  // A secret written with a trailing newline is the same secret.
  while (settings.algorithm == "HS256" && !settings.key.empty() &&
         (settings.key.back() == '\n' || settings.key.back() == '\r')) {
    settings.key.pop_back();
  }
  if (settings.key.empty()) return absl::FailedPreconditionError("the JWT key file is empty");
  return std::make_unique<JwtAuthorizer>(std::move(settings), PolicyFor(config.service));
}

}  // namespace ankommen
