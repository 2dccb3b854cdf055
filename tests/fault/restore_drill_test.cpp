// The restore drill (docs/operations.md, "Back up and restore"): while
// households register, the district is backed up as deploy/local/backup.sh
// does it (consumer positions, Redis by redis-cli --rdb, the streams by
// JetStream's snapshot); registrations go on after it. Then everything is
// thrown away, fresh servers get the backup (Redis started on its RDB, the
// streams restored and cut by `ankommenctl restore`, as deploy/local/restore.sh
// does it), the services start on them and settle. Checked:
//   every aggregate (households, persons, requests, placements, messages, ...)
//   the backup holds is there, none older than in the backup, and every
//   entry of the audit logs;
//   every household acknowledged before the backup began is there;
//   the housing service, stopped while the backup was taken, catches up
//   after the restore with what it had not handled;
//   the events around the recovery point are applied once: the housing
//   service knows exactly the registry's households (none the restored
//   registry lacks: an event whose commit came after the copy was cut; none
//   missing: events the copy still had in its outboxes were published again),
//   the course service no learner the registry lacks, and no adult has two
//   open requests of one type.
// The figures (acknowledged before, during and after the backup; what came
// back) are printed.
#include <signal.h>
#include <sys/wait.h>

#include <atomic>
#include <cstdio>
#include <iostream>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <grpcpp/grpcpp.h>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "ankommen/courses/v1/courses.grpc.pb.h"
#include "ankommen/registry/v1/registry.grpc.pb.h"
#include "bus/bus.h"
#include "store/redis.h"
#include "support/sample_courses.h"
#include "support/sample_households.h"
#include "support/servers.h"
#include "support/sinks.h"

namespace ankommen {
namespace {

namespace rv1 = ankommen::registry::v1;
namespace cv1 = ankommen::courses::v1;

std::unique_ptr<grpc::ClientContext> Ctx(int seconds = 5) {
  auto ctx = std::make_unique<grpc::ClientContext>();
  ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(seconds));
  ctx->AddMetadata("x-ankommen-actor", "restore-drill");
  return ctx;
}

// Every aggregate (a hash with a version) under ankommen:*, with its version.
std::map<std::string, int64_t> Aggregates(RedisPool& redis) {
  std::map<std::string, int64_t> out;
  auto keys = redis.Command({"KEYS", "ankommen:*"});
  if (!keys.ok()) return out;
  for (const auto& k : keys->elements) {
    auto type = redis.Command({"TYPE", k.str});
    if (!type.ok() || type->str != "hash") continue;
    auto v = redis.Command({"HGET", k.str, "v"});
    int64_t version = 0;
    if (v.ok() && !v->is_nil() && absl::SimpleAtoi(v->str, &version)) out[k.str] = version;
  }
  return out;
}

// Every entry of the audit logs, as "<key> <entry id>".
std::set<std::string> AuditEntries(RedisPool& redis) {
  std::set<std::string> out;
  auto keys = redis.Command({"KEYS", "ankommen:*:audit"});
  if (!keys.ok()) return out;
  for (const auto& k : keys->elements) {
    auto entries = redis.Command({"XRANGE", k.str, "-", "+"});
    if (!entries.ok()) continue;
    for (const auto& e : entries->elements) {
      if (!e.elements.empty()) out.insert(absl::StrCat(k.str, " ", e.elements[0].str));
    }
  }
  return out;
}

// The ids after "<kind>:" in the aggregate keys of one service.
std::set<std::string> IdsOf(const std::map<std::string, int64_t>& aggregates, const std::string& service,
                            const std::string& kind) {
  std::set<std::string> ids;
  const std::string prefix = absl::StrCat("ankommen:", service, ":");
  const std::string marker = absl::StrCat(":", kind, ":");
  for (const auto& [key, v] : aggregates) {
    if (!absl::StartsWith(key, prefix)) continue;
    const auto at = key.rfind(marker);
    if (at != std::string::npos && key.find(':', at + marker.size()) == std::string::npos) {
      ids.insert(key.substr(at + marker.size()));
    }
  }
  return ids;
}

// The ids of "<kind>:<id>" keys of one service, whatever their type (the
// registry files each person as a string naming the household).
std::set<std::string> KeyIds(RedisPool& redis, const std::string& service, const std::string& kind) {
  std::map<std::string, int64_t> keys;
  if (auto reply = redis.Command({"KEYS", absl::StrCat("ankommen:", service, ":*:", kind, ":*")}); reply.ok()) {
    for (const auto& k : reply->elements) keys[k.str] = 0;
  }
  return IdsOf(keys, service, kind);
}

std::string RunCommand(const std::string& command, int* status) {
  std::string out;
  FILE* pipe = popen((command + " 2>&1").c_str(), "r");
  if (pipe == nullptr) {
    *status = -1;
    return out;
  }
  char buf[4096];
  while (size_t n = fread(buf, 1, sizeof buf, pipe)) out.append(buf, n);
  *status = pclose(pipe);
  return out;
}

// The services of a district on the given servers.
struct District {
  District(const testing::NatsServer& nats, const testing::RedisServer& redis, testing::SmtpSink& smtp,
           testing::HttpSink& sms) {
    const std::map<std::string, std::string> env = {{"ANKOMMEN_SCHOOLS_PLACEMENT_PERIOD", "5"},
                                                    {"ANKOMMEN_HOUSING_ALLOCATION_PERIOD", "5"},
                                                    {"ANKOMMEN_COURSES_ALLOCATION_PERIOD", "3"}};
    registry = std::make_unique<testing::ServiceProcess>(ANKOMMEN_REGISTRY_BINARY, "ankommen.registry.v1.RegistryService",
                                                         nats, redis, env);
    courses = std::make_unique<testing::ServiceProcess>(ANKOMMEN_COURSES_BINARY, "ankommen.courses.v1.CourseService",
                                                        nats, redis, env);
    schools = std::make_unique<testing::ServiceProcess>(ANKOMMEN_SCHOOLS_BINARY, "ankommen.schools.v1.SchoolService",
                                                        nats, redis, env);
    housing = std::make_unique<testing::ServiceProcess>(ANKOMMEN_HOUSING_BINARY, "ankommen.housing.v1.HousingService",
                                                        nats, redis, env);
    auto notify_env = env;
    notify_env.insert({{"ANKOMMEN_REGISTRY_ADDR", registry->grpc_addr()},
                       {"ANKOMMEN_NOTIFICATIONS_SMTP_URL", smtp.url()},
                       {"ANKOMMEN_NOTIFICATIONS_SMS_URL", sms.url("/sms")}});
    notifications = std::make_unique<testing::ServiceProcess>(
        ANKOMMEN_NOTIFICATIONS_BINARY, "ankommen.notifications.v1.NotificationService", nats, redis, notify_env);
    casework = std::make_unique<testing::ServiceProcess>(ANKOMMEN_CASEWORK_BINARY,
                                                         "ankommen.casework.v1.CaseworkService", nats, redis, env);
  }
  std::unique_ptr<testing::ServiceProcess> registry, courses, schools, housing, notifications, casework;
};

// Settled: every outbox published and every consumer through its stream.
bool Settle(const testing::NatsServer& nats, const testing::RedisServer& redis) {
  auto bus = Bus::Connect(nats.url(), "drill-reader", nullptr);
  if (!bus.ok()) return false;
  return testing::WaitUntil([&] {
    if (testing::OutboxLength(redis, "*") != 0) return false;
    for (const char* stream : {"REGISTRY", "COURSES", "SCHOOLS", "HOUSING", "NOTIFICATIONS", "CASEWORK"}) {
      auto u = (*bus)->Unfinished(stream);
      if (!u.ok() || *u != 0) return false;
    }
    return true;
  }, 120000);
}

TEST(RestoreDrillTest, ABackupTakenUnderLoadComesBackWholeAndItsEventsApplyOnce) {
  testing::TempDir backup_dir;
  testing::SmtpSink smtp;
  testing::HttpSink sms;
  auto nats = std::make_unique<testing::NatsServer>();
  auto redis = std::make_unique<testing::RedisServer>();
  auto district = std::make_unique<District>(*nats, *redis, smtp, sms);

  // A course with seats, so that offers (and their messages) are made while the load runs.
  auto courses_stub = cv1::CourseService::NewStub(grpc::CreateChannel(district->courses->grpc_addr(),
                                                                      grpc::InsecureChannelCredentials()));
  cv1::CreateProviderRequest provider_req;
  provider_req.set_idempotency_key("provider");
  provider_req.mutable_provider()->set_name("VHS Riesa");
  cv1::CreateProviderResponse provider;
  ASSERT_TRUE(courses_stub->CreateProvider(Ctx().get(), provider_req, &provider).ok());
  auto course = testing::SampleCourse("course-1", provider.provider().provider_id(), "Integrationskurs Riesa");
  course.mutable_course()->set_seats(20);
  cv1::CreateCourseResponse created;
  ASSERT_TRUE(courses_stub->CreateCourse(Ctx().get(), course, &created).ok());

  // The load: two clients register households until told to stop.
  enum Phase { kBefore, kDuring, kAfter };
  std::atomic<int> phase{kBefore};
  std::mutex mu;
  std::map<std::string, int> acknowledged;  // household id → the phase it was acknowledged in
  std::atomic<int> next{0};
  std::atomic<bool> loading{true};
  std::vector<std::thread> clients;
  for (int c = 0; c < 2; ++c) {
    clients.emplace_back([&, stub = std::shared_ptr(rv1::RegistryService::NewStub(grpc::CreateChannel(
                                  district->registry->grpc_addr(), grpc::InsecureChannelCredentials())))] {
      while (loading) {
        const int i = next++;
        const int started_in = phase;
        rv1::RegisterHouseholdResponse resp;
        if (stub->RegisterHousehold(Ctx().get(), testing::LoadHousehold("drill-", i), &resp).ok()) {
          std::lock_guard lock(mu);
          // A call begun before the backup and answered during it counts as during.
          acknowledged[resp.household().household_id()] = std::max<int>(started_in, phase);
        }
        absl::SleepFor(absl::Milliseconds(20));
      }
    });
  }
  auto count = [&](int p) {
    std::lock_guard lock(mu);
    int n = 0;
    for (const auto& [id, ph] : acknowledged) n += ph == p;
    return n;
  };
  ASSERT_TRUE(testing::WaitUntil([&] { return count(kBefore) >= 40; }, 60000));

  // The backup, by the script an operator runs, while the load goes on. The
  // housing service stands still meanwhile (SIGSTOP), as a consumer behind
  // its stream does: the events it has not handled are in the backup's
  // streams and not their effects in its Redis; the restore must hand them
  // to it again.
  ASSERT_EQ(kill(district->housing->process().pid(), SIGSTOP), 0);
  phase = kDuring;
  int status = 0;
  const std::string backup_out = RunCommand(
      absl::StrCat("ANKOMMEN_NATS_URL=", nats->url(), " ANKOMMEN_REDIS_URL=", redis->url(),
                   " ANKOMMEN_CTL=", ANKOMMEN_CTL_BINARY, " ", ANKOMMEN_SOURCE_DIR, "/deploy/local/backup.sh ",
                   backup_dir.path()),
      &status);
  ASSERT_EQ(status, 0) << backup_out;
  ASSERT_EQ(kill(district->housing->process().pid(), SIGCONT), 0);
  phase = kAfter;
  ASSERT_TRUE(testing::WaitUntil([&] { return count(kAfter) >= 20; }, 60000));
  loading = false;
  for (auto& t : clients) t.join();
  std::cout << backup_out;

  // What the backup holds, read from its RDB.
  auto reference_redis = testing::RedisServer::FromSnapshot(backup_dir.path() + "/redis.rdb");
  auto reference = RedisPool::Connect(reference_redis.url(), 1);
  ASSERT_TRUE(reference.ok());
  const auto backed_up = Aggregates(**reference);
  const auto backed_up_audit = AuditEntries(**reference);
  ASSERT_FALSE(backed_up.empty());
  ASSERT_FALSE(backed_up_audit.empty()) << "the registry audits every registration";

  // Everything gone; fresh servers with the backup; the services on them.
  district.reset();
  nats.reset();
  redis.reset();
  auto restored_redis = testing::RedisServer::FromSnapshot(backup_dir.path() + "/redis.rdb");
  testing::NatsServer restored_nats;
  const std::string restore_out =
      RunCommand(absl::StrCat("ANKOMMEN_NATS_URL=", restored_nats.url(), " ANKOMMEN_REDIS_URL=", restored_redis.url(),
                              " ", ANKOMMEN_CTL_BINARY, " restore ", backup_dir.path()),
                 &status);
  ASSERT_EQ(status, 0) << restore_out;
  std::cout << restore_out;
  // Run again, it finds the streams there and changes nothing.
  const std::string again =
      RunCommand(absl::StrCat("ANKOMMEN_NATS_URL=", restored_nats.url(), " ANKOMMEN_REDIS_URL=", restored_redis.url(),
                              " ", ANKOMMEN_CTL_BINARY, " restore ", backup_dir.path()),
                 &status);
  EXPECT_EQ(WEXITSTATUS(status), 2) << again;
  EXPECT_THAT(again, ::testing::HasSubstr("nothing was changed"));
  district = std::make_unique<District>(restored_nats, restored_redis, smtp, sms);
  ASSERT_TRUE(Settle(restored_nats, restored_redis)) << "the restored district did not settle";

  auto pool = RedisPool::Connect(restored_redis.url(), 1);
  ASSERT_TRUE(pool.ok());
  const auto now = Aggregates(**pool);
  const auto now_audit = AuditEntries(**pool);

  // Nothing the backup holds is lost.
  int lost = 0, older = 0;
  for (const auto& [key, version] : backed_up) {
    auto it = now.find(key);
    if (it == now.end()) {
      ++lost;
      ADD_FAILURE() << "lost: " << key;
    } else if (it->second < version) {
      ++older;
      ADD_FAILURE() << "older than in the backup: " << key;
    }
  }
  int audit_lost = 0;
  for (const auto& entry : backed_up_audit) audit_lost += !now_audit.contains(entry);
  EXPECT_EQ(audit_lost, 0) << "audit entries of the backup missing";

  const auto registry_households = IdsOf(now, "registry", "household");
  const auto registry_persons = KeyIds(**pool, "registry", "person");
  int before_missing = 0, during_back = 0, after_back = 0;
  for (const auto& [id, ph] : acknowledged) {
    const bool back = registry_households.contains(id);
    if (ph == kBefore && !back) ++before_missing;
    if (ph == kDuring) during_back += back;
    if (ph == kAfter) after_back += back;
  }
  EXPECT_EQ(before_missing, 0) << "households acknowledged before the backup began are missing";

  // The events around the recovery point, applied once.
  const auto housing_households = IdsOf(now, "housing", "household");
  int housing_orphans = 0, housing_missing = 0;
  for (const auto& id : housing_households) housing_orphans += !registry_households.contains(id);
  for (const auto& id : registry_households) housing_missing += !housing_households.contains(id);
  EXPECT_EQ(housing_orphans, 0) << "households the housing service knows and the restored registry does not";
  EXPECT_EQ(housing_missing, 0) << "households of the restored registry the housing service never heard of";
  // Casework opens a case for every household (waiting for a worker here: no staff list).
  const auto cases = IdsOf(now, "casework", "household");
  EXPECT_EQ(cases, registry_households) << "casework's cases are not the registry's households";
  const auto learners = IdsOf(now, "courses", "learner");
  int learner_orphans = 0;
  for (const auto& id : learners) learner_orphans += !registry_persons.contains(id);
  EXPECT_EQ(learner_orphans, 0) << "learners the restored registry does not know";
  auto restored_courses = cv1::CourseService::NewStub(
      grpc::CreateChannel(district->courses->grpc_addr(), grpc::InsecureChannelCredentials()));
  int requests_twice = 0;
  for (const auto& person : learners) {
    cv1::GetLearnerRequest req;
    req.set_person_id(person);
    cv1::GetLearnerResponse learner;
    ASSERT_TRUE(restored_courses->GetLearner(Ctx().get(), req, &learner).ok());
    std::map<int, int> open_per_type;
    for (const auto& r : learner.requests()) {
      if (r.status() == cv1::REQUEST_STATUS_WAITING || r.status() == cv1::REQUEST_STATUS_OFFERED ||
          r.status() == cv1::REQUEST_STATUS_ENROLLED) {
        requests_twice += ++open_per_type[r.course_type()] > 1;
      }
    }
  }
  EXPECT_EQ(requests_twice, 0);

  std::cout << "restore drill: acknowledged " << count(kBefore) << " before the backup, " << count(kDuring)
            << " during it (" << during_back << " came back), " << count(kAfter) << " after it (" << after_back
            << " came back: after the recovery point)\n"
            << "  backup: " << backed_up.size() << " aggregates, " << backed_up_audit.size()
            << " audit entries; lost " << lost << ", older " << older << ", audit entries lost " << audit_lost << "\n"
            << "  restored: " << registry_households.size() << " households in the registry, "
            << housing_households.size() << " in housing (orphans " << housing_orphans << ", missing "
            << housing_missing << "), " << cases.size() << " cases in casework, " << learners.size()
            << " learners (orphans " << learner_orphans << ")\n";
}

}  // namespace
}  // namespace ankommen
