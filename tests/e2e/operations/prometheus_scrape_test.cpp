// A real Prometheus (Debian's) scrapes the running services with the
// project's rules: every service is up, a waiting-list figure and the
// recording rules come through.
#include <csignal>
#include <fstream>

#include <gmock/gmock.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "ankommen/registry/v1/registry.grpc.pb.h"
#include "support/sample_households.h"
#include "support/servers.h"

namespace ankommen {
namespace {

// Prometheus's HTTP API: the number of series a query returns ("" on failure).
int SeriesCount(int port, const std::string& query) {
  std::string escaped;
  for (char c : query) {
    if (std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == ':') escaped += c;
    else escaped += absl::StrCat("%", absl::Hex(static_cast<unsigned char>(c), absl::kZeroPad2));
  }
  std::string body = testing::HttpGet(port, "/api/v1/query?query=" + escaped);
  if (body.find("\"status\":\"success\"") == std::string::npos) return -1;
  int count = 0;
  for (size_t at = body.find("\"metric\""); at != std::string::npos; at = body.find("\"metric\"", at + 1)) ++count;
  return count;
}

TEST(PrometheusScrapeTest, EveryServiceIsUpAndTheRulesRecord) {
  testing::NatsServer nats;
  testing::RedisServer redis;
  std::map<std::string, std::unique_ptr<testing::ServiceProcess>> services;
  services["registry"] = std::make_unique<testing::ServiceProcess>(ANKOMMEN_REGISTRY_BINARY,
                                                                   "ankommen.registry.v1.RegistryService", nats, redis);
  services["courses"] = std::make_unique<testing::ServiceProcess>(ANKOMMEN_COURSES_BINARY,
                                                                  "ankommen.courses.v1.CourseService", nats, redis);
  services["schools"] = std::make_unique<testing::ServiceProcess>(ANKOMMEN_SCHOOLS_BINARY,
                                                                  "ankommen.schools.v1.SchoolService", nats, redis);
  services["housing"] = std::make_unique<testing::ServiceProcess>(ANKOMMEN_HOUSING_BINARY,
                                                                  "ankommen.housing.v1.HousingService", nats, redis);
  services["notifications"] = std::make_unique<testing::ServiceProcess>(
      ANKOMMEN_NOTIFICATIONS_BINARY, "ankommen.notifications.v1.NotificationService", nats, redis,
      std::map<std::string, std::string>{{"ANKOMMEN_REGISTRY_ADDR", services["registry"]->grpc_addr()}});

  // The project's rules, evaluated every second instead of every minute, and
  // a scrape configuration for these ports.
  testing::TempDir dir;
  for (const char* file : {"recording.yml", "alerts.yml"}) {
    std::ifstream in(absl::StrCat(ANKOMMEN_PROMETHEUS_DIR, "/rules/", file));
    std::ofstream out(absl::StrCat(dir.path(), "/", file));
    for (std::string line; std::getline(in, line);) {
      if (line.find("    interval: ") == 0) line = "    interval: 1s";
      out << line << "\n";
    }
  }
  std::ofstream config(dir.path() + "/prometheus.yml");
  config << "global: {scrape_interval: 1s, evaluation_interval: 1s}\n"
         << "rule_files: ['recording.yml', 'alerts.yml']\n"
         << "scrape_configs:\n  - job_name: ankommen\n    static_configs:\n";
  for (const auto& [name, process] : services) {
    config << "      - targets: ['127.0.0.1:" << process->metrics_port() << "']\n        labels: {service: " << name
           << "}\n";
  }
  config.close();
  const int port = testing::FreePort();
  testing::Process prometheus(testing::FindBinary("prometheus"),
                              {"--config.file=" + dir.path() + "/prometheus.yml",
                               "--storage.tsdb.path=" + dir.path() + "/data",
                               "--web.listen-address=127.0.0.1:" + std::to_string(port)},
                              {}, dir.path() + "/prometheus.log");

  // Something to count: a household whose mother waits for a course.
  auto registry = registry::v1::RegistryService::NewStub(
      grpc::CreateChannel(services["registry"]->grpc_addr(), grpc::InsecureChannelCredentials()));
  grpc::ClientContext ctx;
  registry::v1::RegisterHouseholdResponse registered;
  auto household = testing::SampleRegistration("scrape-1");
  household.mutable_household()->mutable_members(0)->set_residence_status(
      registry::v1::RESIDENCE_STATUS_PROTECTION_GRANTED);
  ASSERT_TRUE(registry->RegisterHousehold(&ctx, household, &registered).ok());

  EXPECT_TRUE(testing::WaitUntil([&] { return SeriesCount(port, "up{job=\"ankommen\"} == 1") == 5; }, 30000))
      << prometheus.Log();
  EXPECT_TRUE(testing::WaitUntil(
      [&] { return SeriesCount(port, "ankommen_course_waitlist_size{social_area=\"Riesa\"} > 0") >= 1; }, 30000))
      << "the waiting list reaches Prometheus";
  EXPECT_TRUE(testing::WaitUntil([&] { return SeriesCount(port, "ankommen_course_oldest_request_age_days") >= 1; }, 30000))
      << "a waiting time reaches Prometheus";
  EXPECT_TRUE(testing::WaitUntil([&] { return SeriesCount(port, "ankommen:course_waitlist_size:max") >= 1; }, 30000))
      << "the recording rule records";
  EXPECT_TRUE(testing::WaitUntil([&] { return SeriesCount(port, "ankommen:consumer_backlog_messages:max") >= 3; }, 30000))
      << "courses, schools and housing report their consumers' backlog";
  EXPECT_EQ(SeriesCount(port, "ankommen_log_lines_dropped_total == 0"), 5)
      << "every service counts the log lines it dropped, and none did";
  EXPECT_EQ(SeriesCount(port, "ALERTS{alertname=\"AnkommenServiceDown\"}"), 0);
  registry.reset();
  prometheus.Stop(SIGTERM);
}

}  // namespace
}  // namespace ankommen
