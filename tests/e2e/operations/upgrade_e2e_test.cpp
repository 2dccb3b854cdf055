// A release starts on what the releases before it stored. Each directory in
// tests/data/releases holds the Redis state one release wrote after two
// simulated weeks of the bundled district (record.sh) and a manifest of it.
// This build's five services start on it: every stored household, person,
// course, learner, child and housed household reads back through the API,
// and the district goes on (a new family's mother gets a course request).
#include <algorithm>
#include <filesystem>
#include <functional>
#include <map>
#include <fstream>

#include <gmock/gmock.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "ankommen/courses/v1/courses.grpc.pb.h"
#include "ankommen/housing/v1/housing.grpc.pb.h"
#include "ankommen/notifications/v1/notifications.grpc.pb.h"
#include "ankommen/registry/v1/registry.grpc.pb.h"
#include "ankommen/schools/v1/schools.grpc.pb.h"
#include "support/sample_households.h"
#include "support/servers.h"

namespace ankommen {
namespace {

namespace cv1 = ankommen::courses::v1;
namespace hv1 = ankommen::housing::v1;
namespace nv1 = ankommen::notifications::v1;
namespace rv1 = ankommen::registry::v1;
namespace sv1 = ankommen::schools::v1;

std::vector<std::string> RecordedReleases() {
  std::vector<std::string> versions;
  for (const auto& entry : std::filesystem::directory_iterator(ANKOMMEN_RELEASES_DIR)) {
    if (std::filesystem::exists(entry.path() / "dump.rdb")) versions.push_back(entry.path().filename().string());
  }
  std::sort(versions.begin(), versions.end());
  return versions;
}

// The ids after the last ':' of the keys that match.
std::vector<std::string> Ids(const testing::RedisServer& redis, const std::string& pattern) {
  std::vector<std::string> ids;
  for (const auto& key : redis.Keys(pattern)) ids.push_back(key.substr(key.rfind(':') + 1));
  return ids;
}

std::unique_ptr<grpc::ClientContext> Ctx() {
  auto ctx = std::make_unique<grpc::ClientContext>();
  ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  return ctx;
}

template <typename Stub>
std::unique_ptr<Stub> Connect(const testing::ServiceProcess& service) {
  return std::make_unique<Stub>(grpc::CreateChannel(service.grpc_addr(), grpc::InsecureChannelCredentials()));
}

class UpgradeE2ETest : public ::testing::TestWithParam<std::string> {};

TEST_P(UpgradeE2ETest, TheServicesStartOnWhatTheReleaseStoredAndReadEveryRecord) {
  const std::string dir = std::string(ANKOMMEN_RELEASES_DIR) + "/" + GetParam();
  const nlohmann::json manifest = nlohmann::json::parse(std::ifstream(dir + "/manifest.json"));
  const auto& expected = manifest.at("keys");
  testing::NatsServer nats;
  auto redis = testing::RedisServer::FromSnapshot(dir + "/dump.rdb");

  // The snapshot is whole: as many records of each kind as the release stored.
  const auto households = Ids(redis, "ankommen:registry:*:household:*");
  const auto persons = Ids(redis, "ankommen:registry:*:person:*");
  const auto courses = Ids(redis, "ankommen:courses:*:course:*");
  const auto learners = Ids(redis, "ankommen:courses:*:learner:*");
  const auto children = Ids(redis, "ankommen:schools:*:child:*");
  const auto housed = Ids(redis, "ankommen:housing:*:household:*");
  ASSERT_EQ(households.size(), expected.at("registry_households").get<size_t>());
  ASSERT_EQ(persons.size(), expected.at("registry_persons").get<size_t>());
  ASSERT_EQ(courses.size(), expected.at("courses_courses").get<size_t>());
  ASSERT_EQ(learners.size(), expected.at("courses_learners").get<size_t>());
  ASSERT_EQ(children.size(), expected.at("schools_children").get<size_t>());
  ASSERT_EQ(housed.size(), expected.at("housing_households").get<size_t>());
  ASSERT_GT(households.size(), 0u);

  // Blocking sets stored in each person's partition (dupkey:, until 2026-12-05).
  const size_t unplaced = redis.Keys("ankommen:registry:*:dupkey:*").size();

  testing::ServiceProcess registry(ANKOMMEN_REGISTRY_BINARY, "ankommen.registry.v1.RegistryService", nats, redis);
  testing::ServiceProcess courses_service(ANKOMMEN_COURSES_BINARY, "ankommen.courses.v1.CourseService", nats, redis);
  testing::ServiceProcess schools(ANKOMMEN_SCHOOLS_BINARY, "ankommen.schools.v1.SchoolService", nats, redis);
  testing::ServiceProcess housing(ANKOMMEN_HOUSING_BINARY, "ankommen.housing.v1.HousingService", nats, redis);
  testing::ServiceProcess notifications(
      ANKOMMEN_NOTIFICATIONS_BINARY, "ankommen.notifications.v1.NotificationService", nats, redis,
      std::map<std::string, std::string>{{"ANKOMMEN_REGISTRY_ADDR", registry.grpc_addr()}});
  auto registry_stub = Connect<rv1::RegistryService::Stub>(registry);
  auto courses_stub = Connect<cv1::CourseService::Stub>(courses_service);
  auto schools_stub = Connect<sv1::SchoolService::Stub>(schools);
  auto housing_stub = Connect<hv1::HousingService::Stub>(housing);
  auto notifications_stub = Connect<nv1::NotificationService::Stub>(notifications);

  // Every record reads back. Only NOT_FOUND may answer instead, for what the
  // release kept of a person erased since (a marker, no data); a record the
  // new build cannot parse would answer INTERNAL.
  int erased = 0;
  auto readable = [&](const grpc::Status& s, const std::string& what) {
    if (s.error_code() == grpc::StatusCode::NOT_FOUND) {
      ++erased;
      return;
    }
    EXPECT_TRUE(s.ok()) << what << ": " << s.error_message();
  };
  auto read_each = [&](const std::vector<std::string>& ids, const std::string& what,
                       const std::function<grpc::Status(const std::string&)>& read) {
    for (const auto& id : ids) readable(read(id), what + " " + id);
  };
  read_each(households, "household", [&](const std::string& id) {
    rv1::GetHouseholdRequest q;
    q.set_household_id(id);
    q.set_purpose("upgrade check");
    rv1::GetHouseholdResponse a;
    return registry_stub->GetHousehold(Ctx().get(), q, &a);
  });
  read_each(persons, "person", [&](const std::string& id) {
    rv1::GetPersonRequest q;
    q.set_person_id(id);
    q.set_purpose("upgrade check");
    rv1::GetPersonResponse a;
    return registry_stub->GetPerson(Ctx().get(), q, &a);
  });
  for (const auto& id : courses) {
    cv1::GetCourseRequest q;
    q.set_course_id(id);
    cv1::GetCourseResponse a;
    const auto s = courses_stub->GetCourse(Ctx().get(), q, &a);
    EXPECT_TRUE(s.ok()) << "course " << id << ": " << s.error_message();
    EXPECT_GT(a.course().seats(), 0) << id;
  }
  // A waiting request's place in line (from the line index this build makes
  // of the stored learners at start) is its place in the whole waiting list.
  std::map<std::pair<int, std::string>, std::map<std::string, int>> told;  // (type, area) -> request -> place
  read_each(learners, "learner", [&](const std::string& id) {
    cv1::GetLearnerRequest q;
    q.set_person_id(id);
    cv1::GetLearnerResponse a;
    auto s = courses_stub->GetLearner(Ctx().get(), q, &a);
    for (const auto& r : a.requests()) {
      if (r.status() == cv1::REQUEST_STATUS_WAITING) told[{r.course_type(), a.social_area()}][r.request_id()] = r.place_in_line();
    }
    return s;
  });
  size_t places = 0;
  for (const auto& [line, requests] : told) {
    std::map<std::string, int> listed;
    cv1::ListWaitingListRequest q;
    q.set_course_type(static_cast<cv1::CourseType>(line.first));
    q.set_social_area(line.second);
    q.set_page_size(100);
    do {
      cv1::ListWaitingListResponse a;
      const auto s = courses_stub->ListWaitingList(Ctx().get(), q, &a);
      ASSERT_TRUE(s.ok()) << s.error_message();
      for (const auto& r : a.requests()) listed[r.request_id()] = static_cast<int>(listed.size()) + 1;
      q.set_page_token(a.next_page_token());
    } while (!q.page_token().empty());
    EXPECT_EQ(requests, listed) << cv1::CourseType_Name(static_cast<cv1::CourseType>(line.first)) << " in " << line.second;
    places += requests.size();
  }
  EXPECT_GT(places, 10u) << "the release stored people waiting for a course";
  read_each(children, "child", [&](const std::string& id) {
    sv1::GetChildRequest q;
    q.set_person_id(id);
    sv1::GetChildResponse a;
    return schools_stub->GetChild(Ctx().get(), q, &a);
  });
  read_each(housed, "housing household", [&](const std::string& id) {
    hv1::GetHouseholdRequest q;
    q.set_household_id(id);
    hv1::GetHouseholdResponse a;
    return housing_stub->GetHousehold(Ctx().get(), q, &a);
  });
  const size_t records = households.size() + persons.size() + learners.size() + children.size() + housed.size();
  EXPECT_LT(static_cast<size_t>(erased) * 10, records) << "nearly everything answered NOT_FOUND";

  // The registry moved them where it reads them, at start; a stored head of
  // household registered again is found through them.
  EXPECT_TRUE(redis.Keys("ankommen:registry:*:dupkey:*").empty());
  if (unplaced > 0) {
    EXPECT_FALSE(redis.Keys("ankommen:registry:*:blocking:*").empty());
  }
  rv1::Person stored_head;
  for (const auto& id : households) {
    rv1::GetHouseholdRequest q;
    q.set_household_id(id);
    q.set_purpose("upgrade check");
    rv1::GetHouseholdResponse a;
    if (!registry_stub->GetHousehold(Ctx().get(), q, &a).ok() || a.household().held_for_review()) continue;
    for (const auto& m : a.household().members()) {
      if (m.relation() == rv1::RELATION_HEAD && !m.given_names().empty()) stored_head = m;
    }
    if (!stored_head.person_id().empty()) break;
  }
  ASSERT_FALSE(stored_head.person_id().empty()) << "the release stored a household with a head";
  auto again = testing::SampleRegistration("upgrade-again");
  auto* head = again.mutable_household()->mutable_members(0);
  head->set_given_names(stored_head.given_names());
  head->set_family_name(stored_head.family_name());
  head->set_birth_date(stored_head.birth_date());
  head->set_nationality(stored_head.nationality());
  head->mutable_needs()->set_childcare(false);
  again.mutable_household()->mutable_members()->RemoveLast();
  rv1::RegisterHouseholdResponse found_again;
  ASSERT_TRUE(registry_stub->RegisterHousehold(Ctx().get(), again, &found_again).ok());
  ASSERT_EQ(found_again.household().members_size(), 1);
  const auto& suspicions = found_again.household().members(0).suspected_duplicates();
  EXPECT_TRUE(std::any_of(suspicions.begin(), suspicions.end(), [&](const rv1::DuplicateSuspicion& s) {
    return s.other_person_id() == stored_head.person_id();
  })) << "the stored head was not found again";

  // And the district goes on: a family registered now, its mother in line for a course.
  rv1::RegisterHouseholdResponse registered;
  auto s = registry_stub->RegisterHousehold(Ctx().get(), testing::SampleRegistration("after-upgrade"), &registered);
  ASSERT_TRUE(s.ok()) << s.error_message();
  std::string mother;
  for (const auto& m : registered.household().members()) {
    if (m.relation() == rv1::RELATION_HEAD) mother = m.person_id();
  }
  ASSERT_FALSE(mother.empty());
  EXPECT_TRUE(testing::WaitUntil([&] {
    cv1::GetLearnerRequest q;
    q.set_person_id(mother);
    cv1::GetLearnerResponse a;
    return courses_stub->GetLearner(Ctx().get(), q, &a).ok() && a.requests_size() > 0;
  }, 15000)) << "the course service heard of the new family";
  nv1::GetMessagesRequest q;
  q.set_person_id(mother);
  nv1::GetMessagesResponse a;
  EXPECT_TRUE(notifications_stub->GetMessages(Ctx().get(), q, &a).ok());
}

std::string ReleaseName(const ::testing::TestParamInfo<std::string>& release) {
  std::string name = "v" + release.param;
  std::replace(name.begin(), name.end(), '.', '_');
  return name;
}

INSTANTIATE_TEST_SUITE_P(Releases, UpgradeE2ETest, ::testing::ValuesIn(RecordedReleases()), ReleaseName);

}  // namespace
}  // namespace ankommen
