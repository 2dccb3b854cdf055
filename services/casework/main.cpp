// ankommen-casework: wiring only.
#include "bus/streams.h"
#include "casework.h"
#include "casework_grpc.h"
#include "grpc/grpc_host.h"
#include "observability/log.h"
#include "runtime/config_flags.h"
#include "runtime/platform.h"
#include "runtime/run_loop.h"
#include "runtime/service_main.h"
#include "storage/casework_store.h"

int main(int argc, char** argv) {
  using namespace ankommen;
  BlockTerminationSignals();
  casework::CaseworkSettings settings;
  int task_due_days = 14;
  ServiceConfig config = LoadServiceConfig("casework", argc, argv, [&](CLI::App& app) {
    app.add_option("--target-persons-per-worker", settings.target_persons_per_worker,
                   "the district's target caseload, persons per full-time social worker: the alert's threshold "
                   "(ANKOMMEN_CASEWORK_TARGET_PERSONS_PER_WORKER)")
        ->envname("ANKOMMEN_CASEWORK_TARGET_PERSONS_PER_WORKER")
        ->check(CLI::Range(1.0, 1000.0));
    app.add_option("--youth-until", settings.rules.youth_until,
                   "the youth migration services take households whose adults are all younger than this "
                   "(ANKOMMEN_CASEWORK_YOUTH_UNTIL)")
        ->envname("ANKOMMEN_CASEWORK_YOUTH_UNTIL")
        ->check(CLI::Range(18, 30));
    app.add_option("--refugee-social-work-while-shared", settings.rules.refugee_social_work_while_shared,
                   "refugee social work keeps a household in shared accommodation after protection "
                   "(ANKOMMEN_CASEWORK_FSA_WHILE_SHARED)")
        ->envname("ANKOMMEN_CASEWORK_FSA_WHILE_SHARED");
    app.add_option("--task-due-days", task_due_days,
                   "days within which a hand-over's tasks are due (ANKOMMEN_CASEWORK_TASK_DUE_DAYS)")
        ->envname("ANKOMMEN_CASEWORK_TASK_DUE_DAYS")
        ->check(CLI::Range(1, 90));
  });
  settings.task_due = absl::Hours(24 * task_due_days);

  auto platform = Platform::Start(config, {streams::Casework(), streams::Registry(), streams::Housing()});
  if (!platform.ok()) {
    log::Error("start_failed", {{"error", platform.status().message()}});
    return 1;
  }
  casework::CaseworkStore store((*platform)->outbox(), (*platform)->redis());
  casework::Casework use_cases(store, (*platform)->clock(), settings, (*platform)->metrics());
  // No job of its own: the gauges, every 15 s and soon after a change.
  RunLoop::Options loop_options;
  loop_options.runs_on_its_own = false;
  RunLoop gauges(loop_options, [] {}, [&use_cases] {
    if (auto s = use_cases.RefreshGauges(); !s.ok()) log::Warn("gauges_failed", {{"error", s.message()}});
  });

  Consumers consumers;
  auto changed = [&gauges](absl::Status s) {
    if (s.ok()) gauges.RefreshSoon();
    return s;
  };
  if (!consumers.Add((*platform)->Subscribe(streams::kRegistry, "casework-registry", "",
                                            [&](const IncomingEvent& e) { return changed(use_cases.ApplyRegistryEvent(e)); })) ||
      !consumers.Add((*platform)->Subscribe(streams::kHousing, "casework-housing", "",
                                            [&](const IncomingEvent& e) { return changed(use_cases.ApplyHousingEvent(e)); }))) {
    return 1;
  }
  gauges.Start();
  return ServeService(*platform, "ankommen.casework.v1.CaseworkService", consumers,
                      [&](Edge& edge) {
                        return std::make_unique<casework::CaseworkGrpcService>(use_cases, edge,
                                                                               [&gauges] { gauges.RefreshSoon(); });
                      },
                      [&] { gauges.Stop(); });
}
