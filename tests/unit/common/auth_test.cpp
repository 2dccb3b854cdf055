// Tokens and roles: a token is accepted only when signed with the configured
// algorithm and key, unexpired, from the district's issuer, for ankommen;
// each role may call what the district's policy says and nothing else.
#include <google/protobuf/descriptor.h>
#include <gtest/gtest.h>

#include "absl/time/clock.h"
#include "ankommen/courses/v1/courses.pb.h"
#include "ankommen/housing/v1/housing.pb.h"
#include "ankommen/notifications/v1/notifications.pb.h"
#include "ankommen/registry/v1/registry.pb.h"
#include "ankommen/schools/v1/schools.pb.h"
#include "grpc/auth.h"
#include "support/tokens.h"

namespace ankommen {
namespace {

using testing::MintToken;
using testing::TokenSpec;

TokenSettings Settings() {
  TokenSettings s;
  s.algorithm = "HS256";
  s.key = testing::kTestSecret;
  s.issuer = testing::kTestIssuer;
  s.audience = "ankommen-registry";
  return s;
}

TEST(AuthTest, AValidTokenNamesTheCallerAndTheirRoles) {
  TokenSpec spec;
  spec.subject = "abh-meissen-7";
  spec.roles = {"foreigners_office", "caseworker"};
  auto caller = VerifyToken(Settings(), MintToken(spec), absl::Now());
  ASSERT_TRUE(caller.ok()) << caller.status();
  EXPECT_EQ(caller->subject, "abh-meissen-7");
  EXPECT_TRUE(caller->Has("foreigners_office"));
  EXPECT_TRUE(caller->Has("caseworker"));
  EXPECT_FALSE(caller->Has("registry_admin"));
}

TEST(AuthTest, BadTokensAreUnauthenticatedWithTheReason) {
  auto reason = [](const TokenSpec& spec) {
    auto caller = VerifyToken(Settings(), MintToken(spec), absl::Now());
    EXPECT_TRUE(absl::IsUnauthenticated(caller.status())) << caller.status();
    return std::string(caller.status().message());
  };
  TokenSpec expired;
  expired.expires_in_seconds = -120;
  EXPECT_NE(reason(expired).find("expired"), std::string::npos);
  TokenSpec forged;
  forged.secret = "somebody-elses-secret";
  EXPECT_NE(reason(forged).find("not valid"), std::string::npos);
  TokenSpec unsigned_token;
  unsigned_token.unsigned_none = true;
  reason(unsigned_token);
  TokenSpec other_issuer;
  other_issuer.issuer = "https://evil.example";
  EXPECT_NE(reason(other_issuer).find("issuer"), std::string::npos);
  TokenSpec other_audience;
  other_audience.audience = {"another-system"};
  EXPECT_NE(reason(other_audience).find("audience"), std::string::npos);
  TokenSpec for_courses;  // a token for one service is not one for another
  for_courses.audience = {"ankommen-courses"};
  EXPECT_NE(reason(for_courses).find("audience"), std::string::npos);
  TokenSpec for_a_week;  // the longest a token may live is 12 hours
  for_a_week.expires_in_seconds = 7 * 86400;
  EXPECT_NE(reason(for_a_week).find("lives longer"), std::string::npos);
  TokenSpec nobody;
  nobody.subject = "";
  EXPECT_NE(reason(nobody).find("subject"), std::string::npos);
  EXPECT_TRUE(absl::IsUnauthenticated(VerifyToken(Settings(), "", absl::Now()).status()));
  EXPECT_TRUE(absl::IsUnauthenticated(VerifyToken(Settings(), "not.a.token", absl::Now()).status()));
}

TEST(AuthTest, ATokenForThisServiceAmongOthersPassesAndTheDefaultAlgorithmIsRs256) {
  TokenSpec spec;
  spec.audience = {"ankommen-courses", "ankommen-registry"};
  spec.expires_in_seconds = 11 * 3600;
  EXPECT_TRUE(VerifyToken(Settings(), MintToken(spec), absl::Now()).ok());
  TokenSettings defaults;
  EXPECT_EQ(defaults.algorithm, "RS256") << "the issuer's public key, no shared secret";
  defaults.key = testing::kTestSecret;
  defaults.audience = "ankommen-registry";
  auto hmac = VerifyToken(defaults, MintToken(TokenSpec{}), absl::Now());
  EXPECT_TRUE(absl::IsUnauthenticated(hmac.status())) << "an HS256 token where RS256 is expected";
}

TEST(AuthTest, AnExpiredTokenPassesWithinTheClockSkewOnly) {
  TokenSpec spec;
  spec.expires_in_seconds = -10;  // within the 30 s leeway
  EXPECT_TRUE(VerifyToken(Settings(), MintToken(spec), absl::Now()).ok());
}

Caller With(std::initializer_list<const char*> roles) {
  Caller c;
  c.subject = "someone";
  for (const char* r : roles) c.roles.insert(r);
  return c;
}

TEST(AuthTest, EachRoleMayCallWhatThePolicySays) {
  const AccessPolicy registry = PolicyFor("registry");
  EXPECT_TRUE(registry.Allows(With({"foreigners_office"}), "RegisterHousehold"));
  EXPECT_FALSE(registry.Allows(With({"planner"}), "RegisterHousehold"));
  EXPECT_FALSE(registry.Allows(With({"foreigners_office"}), "GetContact")) << "contact data only for sending";
  EXPECT_TRUE(registry.Allows(With({"notifications"}), "GetContact"));
  EXPECT_FALSE(registry.Allows(With({"notifications"}), "GetHousehold"));
  EXPECT_TRUE(registry.Allows(With({"registry_admin"}), "ErasePerson"));
  EXPECT_FALSE(registry.Allows(With({"caseworker"}), "ErasePerson"));
  EXPECT_TRUE(registry.Allows(With({"district_admin"}), "ErasePerson"));
  EXPECT_FALSE(registry.Allows(With({}), "GetPerson"));
  EXPECT_FALSE(registry.Allows(With({"foreigners_office"}), "NoSuchMethod"));

  const AccessPolicy courses = PolicyFor("courses");
  EXPECT_TRUE(courses.Allows(With({"course_provider"}), "CompleteCourse"));
  EXPECT_FALSE(courses.Allows(With({"course_provider"}), "RunAllocation"));
  EXPECT_TRUE(courses.Allows(With({"planner"}), "ListWaitingList"));
  EXPECT_FALSE(courses.Allows(With({"planner"}), "AcceptOffer"));
  EXPECT_TRUE(PolicyFor("schools").Allows(With({"schools_office"}), "ImportSchools"));
  EXPECT_FALSE(PolicyFor("schools").Allows(With({"housing_office"}), "ImportSchools"));
  EXPECT_TRUE(PolicyFor("housing").Allows(With({"housing_office"}), "ConfirmPlacement"));
  EXPECT_TRUE(PolicyFor("notifications").Allows(With({"caseworker"}), "Resend"));
  EXPECT_FALSE(PolicyFor("notifications").Allows(With({"planner"}), "GetMessages"));
  // Social work keeps its staff list and does its tasks; offices may ask who looks after a household.
  const AccessPolicy casework = PolicyFor("casework");
  EXPECT_TRUE(casework.Allows(With({"social_work"}), "ImportWorkers"));
  EXPECT_FALSE(casework.Allows(With({"caseworker"}), "ImportWorkers"));
  EXPECT_FALSE(casework.Allows(With({"planner"}), "CompleteTask"));
  EXPECT_TRUE(casework.Allows(With({"jobcenter"}), "GetCase"));
  EXPECT_TRUE(casework.Allows(With({"planner"}), "GetCaseloads"));
  EXPECT_FALSE(casework.Allows(With({"planner"}), "GetCase")) << "figures, not cases";
}

TEST(AuthTest, ThePeopleWhoDecideAndTheDataProtectionOfficerHaveTheirOwnCalls) {
  const AccessPolicy registry = PolicyFor("registry");
  EXPECT_TRUE(registry.Allows(With({"foreigners_office"}), "ResolveDuplicate"));
  EXPECT_FALSE(registry.Allows(With({"caseworker"}), "ResolveDuplicate")) << "caseworkers see the list only";
  EXPECT_TRUE(registry.Allows(With({"caseworker"}), "ListSuspectedDuplicates"));
  EXPECT_TRUE(registry.Allows(With({"foreigners_office"}), "CloseCase"));
  EXPECT_FALSE(registry.Allows(With({"caseworker"}), "CloseCase"));
  EXPECT_TRUE(registry.Allows(With({"registry_admin"}), "RunRetention"));
  EXPECT_FALSE(registry.Allows(With({"foreigners_office"}), "RunRetention"));
  EXPECT_TRUE(registry.Allows(With({"registry_admin"}), "RunAgeChanges"));
  EXPECT_FALSE(registry.Allows(With({"caseworker"}), "RunAgeChanges"));
  EXPECT_TRUE(registry.Allows(With({"data_protection_officer"}), "QueryAudit"));
  EXPECT_FALSE(registry.Allows(With({"data_protection_officer"}), "GetPerson")) << "the log, not the data";
  EXPECT_FALSE(registry.Allows(With({"foreigners_office"}), "QueryAudit"));
  const AccessPolicy schools = PolicyFor("schools");
  for (const char* m : {"ConfirmPlacement", "RejectPlacement", "PlaceManually"}) {
    EXPECT_TRUE(schools.Allows(With({"schools_office"}), m)) << m;
    EXPECT_FALSE(schools.Allows(With({"caseworker"}), m)) << m;
    EXPECT_FALSE(schools.Allows(With({"housing_office"}), m)) << m;
  }
  EXPECT_TRUE(schools.Allows(With({"planner"}), "ListProposals"));
  EXPECT_TRUE(PolicyFor("housing").Allows(With({"housing_office"}), "PlaceManually"));
  EXPECT_FALSE(PolicyFor("housing").Allows(With({"schools_office"}), "PlaceManually"));
}

// A method added to a service and forgotten in the policy would be open to
// district admins only — or, worse, forgotten on purpose. Every method of
// every service names at least one role besides district_admin.
TEST(AuthTest, EveryMethodOfEveryServiceHasARole) {
  (void)ankommen::registry::v1::ResidenceStatus_descriptor();
  (void)ankommen::courses::v1::CourseType_descriptor();
  (void)ankommen::schools::v1::SchoolType_descriptor();
  (void)ankommen::housing::v1::Kind_descriptor();
  (void)ankommen::notifications::v1::MessageStatus_descriptor();
  const std::vector<std::string> roles = {"foreigners_office", "integration_office", "caseworker", "registry_admin",
                                          "notifications", "course_provider", "planner", "schools_office",
                                          "housing_office", "data_protection_officer"};
  for (const auto& [service, full_name] : std::vector<std::pair<std::string, std::string>>{
           {"registry", "ankommen.registry.v1.RegistryService"},
           {"courses", "ankommen.courses.v1.CourseService"},
           {"schools", "ankommen.schools.v1.SchoolService"},
           {"housing", "ankommen.housing.v1.HousingService"},
           {"notifications", "ankommen.notifications.v1.NotificationService"}}) {
    const auto* descriptor = google::protobuf::DescriptorPool::generated_pool()->FindServiceByName(full_name);
    ASSERT_NE(descriptor, nullptr) << full_name;
    const AccessPolicy policy = PolicyFor(service);
    for (int i = 0; i < descriptor->method_count(); ++i) {
      const std::string method = descriptor->method(i)->name();
      bool someone = false;
      for (const auto& role : roles) someone = someone || policy.Allows(With({role.c_str()}), method);
      EXPECT_TRUE(someone) << service << "." << method << " has no role";
    }
  }
}

}  // namespace
}  // namespace ankommen
