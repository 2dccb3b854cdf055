// The casework service as it ships, beside the registry, with real
// nats-server and redis-server: the social work imports its staff list, a
// household registered at the foreigners office is assigned to the refugee
// social worker in its area, protection hands it to migration counselling
// with a Jobcenter task, and the caseload reaches /metrics against the
// district's target — with no newcomer's name in the service's store,
// events or metrics.
#include <csignal>

#include <gmock/gmock.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "ankommen/casework/v1/casework.grpc.pb.h"
#include "ankommen/registry/v1/registry.grpc.pb.h"
#include "support/sample_households.h"
#include "support/servers.h"

namespace ankommen {
namespace {

namespace cv1 = ankommen::casework::v1;
namespace rv1 = ankommen::registry::v1;
using ::testing::HasSubstr;
using ::testing::Not;

class CaseworkE2ETest : public ::testing::Test {
 protected:
  void SetUp() override {
    registry_ = std::make_unique<testing::ServiceProcess>(ANKOMMEN_REGISTRY_BINARY,
                                                          "ankommen.registry.v1.RegistryService", nats_, redis_);
    casework_ = std::make_unique<testing::ServiceProcess>(
        ANKOMMEN_CASEWORK_BINARY, "ankommen.casework.v1.CaseworkService", nats_, redis_,
        std::map<std::string, std::string>{{"ANKOMMEN_CASEWORK_TARGET_PERSONS_PER_WORKER", "80"}});
    registry_stub_ = rv1::RegistryService::NewStub(
        grpc::CreateChannel(registry_->grpc_addr(), grpc::InsecureChannelCredentials()));
    stub_ = cv1::CaseworkService::NewStub(
        grpc::CreateChannel(casework_->grpc_addr(), grpc::InsecureChannelCredentials()));
  }

  void TearDown() override {
    stub_.reset();
    registry_stub_.reset();
    EXPECT_EQ(casework_->process().Stop(SIGTERM), 0) << casework_->process().Log();
    EXPECT_EQ(registry_->process().Stop(SIGTERM), 0) << registry_->process().Log();
  }

  static std::unique_ptr<grpc::ClientContext> Ctx() {
    auto ctx = std::make_unique<grpc::ClientContext>();
    ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(20));
    ctx->AddMetadata("x-ankommen-actor", "fsa-riesa");
    return ctx;
  }

  // The case once `done` holds for it (the registry's events are consumed asynchronously).
  cv1::Case CaseWhen(const std::string& household_id, const std::function<bool(const cv1::Case&)>& done) {
    cv1::GetCaseRequest req;
    req.set_household_id(household_id);
    cv1::GetCaseResponse resp;
    testing::WaitUntil([&] {
      resp.Clear();
      return stub_->GetCase(Ctx().get(), req, &resp).ok() && done(resp.case_());
    });
    return resp.case_();
  }

  testing::NatsServer nats_;
  testing::RedisServer redis_;
  std::unique_ptr<testing::ServiceProcess> registry_, casework_;
  std::unique_ptr<rv1::RegistryService::Stub> registry_stub_;
  std::unique_ptr<cv1::CaseworkService::Stub> stub_;
};

TEST_F(CaseworkE2ETest, AHouseholdIsAssignedAndHandedOverOnProtection) {
  cv1::ImportWorkersRequest staff;
  staff.set_idempotency_key("staff-2027");
  staff.set_csv(
      "program,social_area,capacity,display_name\n"
      "fsa,Riesa,80,Frau Lehmann\n"
      "mbe,Riesa,80,Herr Schulz\n"
      "jmd,Riesa,0,Frau Koch\n");
  cv1::ImportWorkersResponse imported;
  ASSERT_TRUE(stub_->ImportWorkers(Ctx().get(), staff, &imported).ok());
  ASSERT_EQ(imported.imported(), 2);
  ASSERT_EQ(imported.rejected_size(), 1);
  EXPECT_EQ(imported.rejected(0).line(), 4);
  const std::string fsa = imported.worker_ids(0), mbe = imported.worker_ids(1);

  // Asylum seekers on the AsylbLG, as the foreigners office registers them.
  auto registration = testing::SampleRegistration("reg-1");
  for (auto& m : *registration.mutable_household()->mutable_members()) m.set_benefit_regime(rv1::BENEFIT_REGIME_ASYLBLG);
  rv1::RegisterHouseholdResponse registered;
  ASSERT_TRUE(registry_stub_->RegisterHousehold(Ctx().get(), registration, &registered).ok());
  const rv1::Household& h = registered.household();
  cv1::Case c = CaseWhen(h.household_id(), [](const cv1::Case& x) { return !x.worker_id().empty(); });
  EXPECT_EQ(c.worker_id(), fsa);
  EXPECT_EQ(c.program(), cv1::PROGRAM_REFUGEE_SOCIAL_WORK);
  EXPECT_EQ(c.persons(), 2);

  // Both are granted protection: the Jobcenter pays now, migration counselling takes over.
  for (const auto& m : h.members()) {
    rv1::ChangeResidenceStatusRequest change;
    change.set_idempotency_key("status-" + m.person_id());
    change.set_person_id(m.person_id());
    change.set_residence_status(rv1::RESIDENCE_STATUS_PROTECTION_GRANTED);
    rv1::ChangeResidenceStatusResponse changed;
    ASSERT_TRUE(registry_stub_->ChangeResidenceStatus(Ctx().get(), change, &changed).ok());
  }
  c = CaseWhen(h.household_id(), [&](const cv1::Case& x) { return x.worker_id() == mbe; });
  EXPECT_EQ(c.program(), cv1::PROGRAM_MIGRATION_COUNSELLING);
  int jobcenter = 0;
  for (const auto& t : c.tasks()) jobcenter += t.kind() == cv1::TASK_KIND_JOBCENTER_CONTACT;
  EXPECT_EQ(jobcenter, 2);

  cv1::GetCaseloadsRequest all;
  cv1::GetCaseloadsResponse loads;
  ASSERT_TRUE(stub_->GetCaseloads(Ctx().get(), all, &loads).ok());
  EXPECT_EQ(loads.target_persons_per_worker(), 80);

  // The caseload and its target on /metrics, by programme and area only.
  std::string metrics;
  ASSERT_TRUE(testing::WaitUntil([&] {
    metrics = testing::HttpGet(casework_->metrics_port(), "/metrics");
    return metrics.find("ankommen_casework_persons_per_worker{program=\"mbe\",social_area=\"Riesa\"} 2") !=
           std::string::npos;
  })) << metrics;
  EXPECT_THAT(metrics, HasSubstr("ankommen_casework_persons_per_worker{program=\"fsa\",social_area=\"Riesa\"} 0"));
  EXPECT_THAT(metrics, HasSubstr("ankommen_casework_target_persons_per_worker 80"));
  EXPECT_THAT(metrics, HasSubstr("ankommen_casework_tasks_open{kind=\"jobcenter_contact\",overdue=\"no\"} 2"));
  EXPECT_THAT(metrics, Not(HasSubstr(h.household_id())));

  // Personal data stays in the registry: no name or birth date in casework's records.
  for (const auto& key : redis_.Keys("ankommen:casework:*")) {
    if (redis_.Command({"TYPE", key}) != "hash") continue;  // indexes and streams hold ids
    const std::string dump = redis_.Command({"HGET", key, "data"});
    EXPECT_THAT(dump, Not(HasSubstr("Haddad"))) << key;
    EXPECT_THAT(dump, Not(HasSubstr("1991-04-12"))) << key;
  }
}

TEST_F(CaseworkE2ETest, CallsWithoutTheRightFieldsAreRefused) {
  cv1::UpsertWorkerRequest bad;
  bad.set_idempotency_key("w1");
  bad.mutable_worker()->set_social_area("Riesa");
  cv1::UpsertWorkerResponse out;
  const grpc::Status s = stub_->UpsertWorker(Ctx().get(), bad, &out);
  EXPECT_EQ(s.error_code(), grpc::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("worker.program"));
  cv1::GetCaseloadsResponse loads;
  ASSERT_TRUE(stub_->GetCaseloads(Ctx().get(), cv1::GetCaseloadsRequest(), &loads).ok());
  EXPECT_EQ(loads.caseloads_size(), 0) << "nothing was written";
}

}  // namespace
}  // namespace ankommen
