// The NATS users the Kubernetes deployment defines (k8s/base/nats/
// authorization.conf) on a real nats-server, with the six services each
// logged in as its own user, its password read from a file as from the
// mounted Secret: a household registered and a person erased go through
// every service without one permissions violation; and a service's user
// cannot forge another service's events, nor change another's stream, and
// nobody gets in without a password.
#include <stdlib.h>

#include <fstream>
#include <random>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "bus/bus.h"
#include "e2e/security/district_services.h"
#include "bus/backup.h"
#include "bus/streams.h"
#include "stream_history.h"
#include "support/servers.h"

namespace ankommen {
namespace {

// The passwords of this run, in the environment nats-server reads them from
// (it inherits the test's), and in one file per service.
std::map<std::string, std::string> MakePasswords(const testing::TempDir& dir) {
  std::mt19937_64 rng{std::random_device{}()};
  std::map<std::string, std::string> passwords;
  for (const auto& user : {"registry", "courses", "schools", "housing", "notifications", "mediators", "casework", "monitoring", "backup", "operator"}) {
    passwords[user] = absl::StrCat("pw", rng(), rng());
    setenv(absl::StrCat("NATS_", absl::AsciiStrToUpper(user), "_PASSWORD").c_str(), passwords[user].c_str(), 1);
    std::ofstream(dir.path() + "/" + user) << passwords[user] << "\n";
  }
  // nats-server's configuration: the deployment's users, included as they ship
  // (nats-server includes files relative to the including one: a copy beside it).
  std::ifstream users(std::string(ANKOMMEN_SOURCE_DIR) + "/k8s/base/nats/authorization.conf");
  std::ofstream(dir.path() + "/authorization.conf") << users.rdbuf();
  std::ofstream(dir.path() + "/nats.conf") << "include \"authorization.conf\"\n";
  return passwords;
}

// A login as a NATS user, without TLS.
Bus::Access Login(const std::string& user, const std::string& password) {
  Bus::Access access;
  access.user = user;
  access.password = password;
  return access;
}

class NatsPermissionsE2ETest : public ::testing::Test {
 protected:
  std::map<std::string, std::string> Env(const std::string& service) {
    return {{"ANKOMMEN_NATS_USER", service}, {"ANKOMMEN_NATS_PASSWORD_FILE", dir_.path() + "/" + service}};
  }

  testing::TempDir dir_;
  std::map<std::string, std::string> passwords_ = MakePasswords(dir_);
  testing::NatsServer nats_{{"-c", dir_.path() + "/nats.conf"}};
  testing::RedisServer redis_;
};

TEST_F(NatsPermissionsE2ETest, EachServiceWorksAsItsOwnUserAndCannotSpeakForAnother) {
  // A household goes through every service; then the son is erased, which
  // the notification service hears of too.
  testing::DistrictServices services(nats_, redis_, [&](const std::string& service) { return Env(service); });
  services.RegisterAndErase("nats", nats_.Log());

  // Not one refusal on the way (nats-server logs each as "Publish Violation" or "Subscription Violation").
  EXPECT_THAT(nats_.Log(), ::testing::Not(::testing::HasSubstr("Violation"))) << nats_.Log();

  // The course service's user cannot speak for the registry, nor change its stream.
  auto as_courses = Bus::Connect(nats_.url(), "forger", nullptr, Login("courses", passwords_["courses"]));
  ASSERT_TRUE(as_courses.ok()) << as_courses.status();
  OutgoingEvent forged;
  forged.subject = streams::kPersonErased;
  forged.event_id = "ev_forged";
  forged.event_type = "ankommen.registry.v1.PersonErased";
  forged.payload = "x";
  EXPECT_FALSE((*as_courses)->Publish(forged).ok()) << "courses published a registry event";
  OutgoingEvent own;
  own.subject = "ankommen.courses.test.allowed";
  own.event_id = "ev_own";
  own.event_type = "test";
  own.payload = "x";
  EXPECT_TRUE((*as_courses)->Publish(own).ok()) << "its own subjects stay open";
  StreamSpec changed = streams::Registry();
  changed.max_age = absl::Hours(1);  // would drop the registry's history
  EXPECT_FALSE((*as_courses)->EnsureStream(changed).ok()) << "courses changed the registry's stream";
  EXPECT_THAT(nats_.Log(), ::testing::HasSubstr("Publish Violation")) << "the refusals are logged";

  // Nor take another service's events: its own durable consumers are all it may
  // create and pull from (the notification service's erasures stay its own).
  auto noop = [](const IncomingEvent&) { return absl::OkStatus(); };
  ConsumerSpec theirs;
  theirs.stream = streams::kRegistry;
  theirs.durable = "notifications-erasures";
  theirs.filter_subject = "ankommen.registry.person.>";
  EXPECT_FALSE((*as_courses)->Consume(theirs, noop).ok()) << "courses pulled the notification service's consumer";
  ConsumerSpec its_own;
  its_own.stream = streams::kRegistry;
  its_own.durable = "courses-registry";
  auto own_consumer = (*as_courses)->Consume(its_own, noop);
  EXPECT_TRUE(own_consumer.ok()) << own_consumer.status();
  if (own_consumer.ok()) (*own_consumer)->Stop();
  EXPECT_THAT(nats_.Log(), ::testing::HasSubstr("REGISTRY.notifications-erasures")) << "the refusal is logged";

  // The council's report reads every stream, as its own user, and can write nothing.
  auto as_monitoring = Bus::Connect(nats_.url(), "report", nullptr, Login("monitoring", passwords_["monitoring"]));
  ASSERT_TRUE(as_monitoring.ok()) << as_monitoring.status();
  monitoring::History history;
  auto read = monitoring::ReadHistory(**as_monitoring, absl::UTCTimeZone(), history);
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_GT(read->events, 0);
  EXPECT_FALSE(history.persons.empty()) << "the registration was read";
  EXPECT_THAT(nats_.Log(), ::testing::Not(::testing::HasSubstr("User \"monitoring\""))) << "the reading was refused";
  own.subject = "ankommen.monitoring.anything";
  EXPECT_FALSE((*as_monitoring)->Publish(own).ok()) << "the report's user published";
  EXPECT_THAT(nats_.Log(), ::testing::HasSubstr("User \"monitoring\"")) << "refusals name the user";
  EXPECT_FALSE((*as_monitoring)->EnsureStream(changed).ok()) << "the report's user changed a stream";

  // The backup user takes where the consumers stand and the streams' snapshots, and changes nothing.
  auto as_backup = Bus::Connect(nats_.url(), "backup", nullptr, Login("backup", passwords_["backup"]));
  ASSERT_TRUE(as_backup.ok()) << as_backup.status();
  JetStreamBackup backup(**as_backup, absl::Seconds(3));
  auto names = backup.StreamNames();
  ASSERT_TRUE(names.ok()) << names.status();
  auto positions = backup.ConsumerPositions(*names);
  ASSERT_TRUE(positions.ok()) << positions.status();
  EXPECT_FALSE(positions->empty());
  auto snapshot = backup.Snapshot(streams::kRegistry, dir_.path());
  ASSERT_TRUE(snapshot.ok()) << snapshot.status();
  EXPECT_GT(snapshot->bytes_written, 0u);
  EXPECT_THAT(nats_.Log(), ::testing::Not(::testing::HasSubstr("User \"backup\""))) << "the backup was refused";
  EXPECT_FALSE((*as_backup)->Publish(own).ok()) << "the backup user published";
  EXPECT_FALSE(backup.Restore(streams::kRegistry, dir_.path()).ok()) << "the backup user restored a stream";
  EXPECT_THAT(nats_.Log(), ::testing::HasSubstr("User \"backup\"")) << "refusals name the user";

  // Nobody gets in without a password, or with another's.
  EXPECT_FALSE(Bus::Connect(nats_.url(), "anonymous", nullptr, absl::Seconds(1)).ok());
  EXPECT_FALSE(Bus::Connect(nats_.url(), "guess", nullptr, Login("registry", passwords_["courses"]),
                            absl::Seconds(1))
                   .ok());
}

}  // namespace
}  // namespace ankommen
