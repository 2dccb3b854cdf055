#include "grpc/auth.h"

#include <jwt.h>

#include <memory>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "nlohmann/json.hpp"

namespace ankommen {

namespace {

jwt_alg_t Algorithm(const std::string& name) {
  if (name == "HS256") return JWT_ALG_HS256;
  if (name == "RS256") return JWT_ALG_RS256;
  if (name == "ES256") return JWT_ALG_ES256;
  return JWT_ALG_INVAL;
}

absl::Status Unauthenticated(absl::string_view why) { return absl::UnauthenticatedError(absl::StrCat("token: ", why)); }

}  // namespace

absl::StatusOr<Caller> VerifyToken(const TokenSettings& settings, std::string_view token, absl::Time now) {
  const jwt_alg_t expected = Algorithm(settings.algorithm);
  if (expected == JWT_ALG_INVAL || settings.key.empty()) {
    return absl::FailedPreconditionError("token verification is not configured (algorithm and key)");
  }
  if (token.empty()) return Unauthenticated("missing (authorization: Bearer …)");
  if (token.size() > 8192) return Unauthenticated("too long");
  jwt_t* raw = nullptr;
  const std::string text(token);
  if (jwt_decode(&raw, text.c_str(), reinterpret_cast<const unsigned char*>(settings.key.data()),
                 static_cast<int>(settings.key.size())) != 0 ||
      raw == nullptr) {
    return Unauthenticated("not valid or not signed by the district's issuer");
  }
  std::unique_ptr<jwt_t, void (*)(jwt_t*)> jwt(raw, jwt_free);
  // The header names the algorithm: accept only the configured one, so that
  // neither "none" nor an HMAC keyed with the public key passes.
  if (jwt_get_alg(jwt.get()) != expected) return Unauthenticated("signed with another algorithm");

  const long exp = jwt_get_grant_int(jwt.get(), "exp");
  if (exp <= 0) return Unauthenticated("no expiry (exp)");
  if (absl::FromUnixSeconds(exp) + settings.leeway < now) return Unauthenticated("expired");
  const long iat = jwt_get_grant_int(jwt.get(), "iat");
  const absl::Time issued = iat > 0 ? absl::FromUnixSeconds(iat) : now;
  if (absl::FromUnixSeconds(exp) - issued > settings.max_lifetime + settings.leeway) {
    return Unauthenticated(absl::StrCat("lives longer than ", absl::FormatDuration(settings.max_lifetime), " (exp)"));
  }
  const long nbf = jwt_get_grant_int(jwt.get(), "nbf");
  if (nbf > 0 && absl::FromUnixSeconds(nbf) - settings.leeway > now) return Unauthenticated("not valid yet (nbf)");
  const char* iss = jwt_get_grant(jwt.get(), "iss");
  if (!settings.issuer.empty() && (iss == nullptr || settings.issuer != iss)) return Unauthenticated("wrong issuer");
  // "aud" is a string or a list of strings.
  bool audience_ok = false;
  if (const char* aud = jwt_get_grant(jwt.get(), "aud"); aud != nullptr) {
    audience_ok = settings.audience == aud;
  } else if (char* auds = jwt_get_grants_json(jwt.get(), "aud"); auds != nullptr) {
    auto list = nlohmann::json::parse(auds, nullptr, false);
    free(auds);
    if (list.is_array()) {
      for (const auto& a : list) audience_ok = audience_ok || (a.is_string() && a.get<std::string>() == settings.audience);
    }
  }
  if (!audience_ok) return Unauthenticated("not for this audience (aud)");

  Caller caller;
  const char* sub = jwt_get_grant(jwt.get(), "sub");
  if (sub == nullptr || *sub == '\0') return Unauthenticated("no subject (sub)");
  caller.subject = sub;
  if (char* grants = jwt_get_grants_json(jwt.get(), nullptr); grants != nullptr) {
    auto claims = nlohmann::json::parse(grants, nullptr, false);
    free(grants);
    for (const auto& path : settings.roles_claims) {
      const nlohmann::json* at = &claims;
      for (absl::string_view name : absl::StrSplit(path, '.')) {
        if (!at->is_object()) break;
        auto it = at->find(std::string(name));
        at = it == at->end() ? nullptr : &*it;
        if (at == nullptr) break;
      }
      if (at == nullptr || !at->is_array()) continue;
      for (const auto& r : *at) {
        if (r.is_string()) caller.roles.insert(r.get<std::string>());
      }
    }
  }
  if (const char* provider = jwt_get_grant(jwt.get(), "provider_id"); provider != nullptr) caller.provider_id = provider;
  return caller;
}

bool AccessPolicy::Allows(const Caller& caller, const std::string& method) const {
  if (caller.Has("district_admin")) return true;
  auto it = roles_by_method_.find(method);
  if (it == roles_by_method_.end()) return false;
  for (const auto& role : it->second) {
    if (caller.Has(role)) return true;
  }
  return false;
}

AccessPolicy PolicyFor(std::string_view service) {
  using Roles = std::set<std::string>;
  std::map<std::string, Roles> m;
  auto allow = [&m](std::initializer_list<const char*> methods, const Roles& roles) {
    for (const char* method : methods) m[method].insert(roles.begin(), roles.end());
  };
  if (service == "registry") {
    allow({"RegisterHousehold", "ChangeResidenceStatus", "RelocateHousehold"}, {"foreigners_office"});
    allow({"RecordLanguageLevel"}, {"foreigners_office", "integration_office"});
    // § 44a (1): the offices that may oblige a person to attend.
    allow({"RecordCourseObligation"}, {"foreigners_office", "jobcenter", "benefits_office"});
    allow({"GetHousehold", "GetPerson", "ListHouseholds"}, {"foreigners_office", "caseworker"});
    allow({"ErasePerson"}, {"registry_admin"});
    allow({"GetContact"}, {"notifications", "registry_admin"});
    allow({"ListSuspectedDuplicates", "FindDuplicates"}, {"foreigners_office", "caseworker", "registry_admin"});
    // Merging records decides on a person's data: the registering office or the registry's admins.
    allow({"ResolveDuplicate"}, {"foreigners_office", "registry_admin"});
    allow({"CloseCase"}, {"foreigners_office"});
    allow({"RunRetention", "RunAgeChanges"}, {"registry_admin"});
    allow({"QueryAudit"}, {"data_protection_officer", "registry_admin"});
  } else if (service == "courses") {
    allow({"CreateProvider", "RequestSeat", "WithdrawRequest", "RunAllocation"}, {"integration_office"});
    allow({"CreateCourse", "UpdateCourse", "CancelCourse", "CompleteCourse"}, {"integration_office", "course_provider"});
    allow({"AcceptOffer", "DeclineOffer"}, {"integration_office", "caseworker"});
    allow({"GetCourse", "ListCourses"}, {"integration_office", "caseworker", "course_provider", "planner"});
    allow({"GetLearner", "ListWaitingList"}, {"integration_office", "caseworker", "planner"});
  } else if (service == "schools") {
    allow({"CreateSchool", "ImportSchools", "UpdateClass", "CreateKita", "AdvancePhase", "DeclineKita", "RequestKita",
           "RunPlacement"},
          {"schools_office"});
    allow({"GetSchool", "GetChild"}, {"schools_office", "caseworker"});
    allow({"GetCapacity"}, {"schools_office", "caseworker", "planner"});
    allow({"ConfirmPlacement", "RejectPlacement", "PlaceManually"}, {"schools_office"});
    allow({"ListProposals"}, {"schools_office", "caseworker", "planner"});
  } else if (service == "housing") {
    allow({"CreateAccommodation", "ImportAccommodations", "ReportVacancy", "WithdrawVacancy", "ConfirmPlacement",
           "DeclinePlacement", "PlaceManually", "MoveOut", "AcceptLeaseTransfer", "RunAllocation"},
          {"housing_office"});
    allow({"GetAccommodation", "GetHousehold"}, {"housing_office", "caseworker"});
    allow({"GetFigures"}, {"housing_office", "caseworker", "planner"});
  } else if (service == "mediators") {
    // The coordinating office (Meißen's Servicestelle Sprach- und
    // Kulturmittlerdienst) keeps the pool and decides on proposals; every
    // office that meets newcomers asks for a mediator.
    const Roles offices = {"foreigners_office", "jobcenter", "benefits_office", "integration_office", "schools_office",
                           "housing_office", "caseworker", "mediation_office"};
    allow({"UpsertMediator", "ImportMediators", "RecordAbsence", "RemoveMediator", "RunMatching", "ConfirmProposal",
           "ChooseMediator", "GetMediatorContact", "ExportHours"},
          {"mediation_office"});
    allow({"GetMediatorContact"}, {"notifications"});  // to tell a mediator of a booking
    allow({"GetMediator"}, {"mediation_office", "planner"});
    allow({"RequestMediator", "GetMediationRequest", "CancelBooking", "RecordOutcome"}, offices);
    allow({"ListOpenRequests", "GetFigures"}, {"mediation_office", "planner"});
  } else if (service == "casework") {
    // The district's social work keeps its staff list and does the tasks;
    // offices that meet a household may ask who looks after it.
    allow({"UpsertWorker", "ImportWorkers", "RemoveWorker", "CompleteTask"}, {"social_work"});
    allow({"GetWorker", "ListTasks"}, {"social_work", "planner"});
    allow({"GetCase"}, {"social_work", "caseworker", "foreigners_office", "jobcenter", "benefits_office"});
    allow({"GetCaseloads"}, {"social_work", "planner"});
  } else if (service == "notifications") {
    allow({"GetMessages", "Resend"}, {"caseworker"});
  }
  return AccessPolicy(std::move(m));
}

}  // namespace ankommen
