// ankommen-schools: wiring only.
#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "runtime/config_flags.h"
#include "grpc/grpc_host.h"
#include "observability/log.h"
#include "placer.h"
#include "runtime/platform.h"
#include "schools.h"
#include "schools_grpc.h"
#include "runtime/service_main.h"
#include "storage/school_store.h"
#include "bus/streams.h"

namespace {

// "GS=10,OS=20,BSZ=30,KITA=8": travel limits in km per school type and for Kitas.
bool ParseLimits(const std::string& text, ankommen::schools::SchoolSettings& settings) {
  namespace v1 = ankommen::schools::v1;
  std::map<std::string, double> limits;
  if (!ankommen::ParseNamedNumbers(text, 0.1, 200, limits)) return false;
  for (const auto& [name, km] : limits) {
    if (name == "KITA") settings.kita_max_km = km;
    else if (name == "GS") settings.max_km[v1::SCHOOL_TYPE_GS] = km;
    else if (name == "OS") settings.max_km[v1::SCHOOL_TYPE_OS] = km;
    else if (name == "GYMNASIUM") settings.max_km[v1::SCHOOL_TYPE_GYMNASIUM] = km;
    else if (name == "BSZ") settings.max_km[v1::SCHOOL_TYPE_BSZ] = km;
    else return false;
  }
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace ankommen;
  BlockTerminationSignals();
  schools::SchoolSettings settings;
  std::string limits;
  int period_seconds = 300;
  std::string confirm = "on";
  ServiceConfig config = LoadServiceConfig("schools", argc, argv, [&](CLI::App& app) {
    app.add_option("--confirm-placements", confirm,
                   "on: placement runs propose and the schools office confirms, rejects or places by hand; "
                   "off: a run's placements stand at once (ANKOMMEN_SCHOOLS_CONFIRM)")
        ->envname("ANKOMMEN_SCHOOLS_CONFIRM")
        ->check(CLI::IsMember({"on", "off"}));
    app.add_option("--policy", settings.policy, "allocation: optimal or fcfs (ANKOMMEN_SCHOOLS_POLICY)")
        ->envname("ANKOMMEN_SCHOOLS_POLICY")
        ->check(CLI::IsMember({"optimal", "fcfs"}));
    app.add_option("--max-km", limits, "travel limits, e.g. \"GS=10,OS=20,BSZ=30,KITA=8\" (ANKOMMEN_SCHOOLS_MAX_KM)")
        ->envname("ANKOMMEN_SCHOOLS_MAX_KM");
    app.add_option("--daz-weeks", settings.daz.daz_weeks,
                   "the usual time in DaZ phases 1 and 2; pupils imported with a school leave their seats evenly "
                   "over it, 0: they stay (ANKOMMEN_SCHOOLS_DAZ_WEEKS)")
        ->envname("ANKOMMEN_SCHOOLS_DAZ_WEEKS")
        ->check(CLI::Range(0, 260));
    app.add_option("--kita-ahead-days", settings.kita_ahead_days,
                   "a Kita place is sought this many days before the family's wished start "
                   "(ANKOMMEN_SCHOOLS_KITA_AHEAD_DAYS)")
        ->envname("ANKOMMEN_SCHOOLS_KITA_AHEAD_DAYS")
        ->check(CLI::Range(0, 365));
    app.add_option("--placement-period", period_seconds,
                   "seconds between scheduled placement runs (ANKOMMEN_SCHOOLS_PLACEMENT_PERIOD)")
        ->envname("ANKOMMEN_SCHOOLS_PLACEMENT_PERIOD")
        ->check(CLI::Range(1, 86400));
  });
  settings.confirm_placements = confirm == "on";
  settings.ages.land = LandRulesOf(config);
  if (!ParseLimits(limits, settings)) {
    std::cerr << "ankommen-schools: --max-km: expected TYPE=km pairs (GS, OS, GYMNASIUM, BSZ, KITA)\n";
    return 2;
  }

  auto platform = Platform::Start(config, {streams::Schools(), streams::Registry(), streams::Housing()});
  if (!platform.ok()) {
    log::Error("start_failed", {{"error", platform.status().message()}});
    return 1;
  }
  const Clock& clock = (*platform)->clock();
  schools::SchoolStore store((*platform)->outbox(), (*platform)->redis());
  schools::Schools use_cases(store, clock, DistrictTimeZone(), settings, (*platform)->metrics());
  schools::PlacerOptions placer_options;
  placer_options.loop.period = absl::Seconds(period_seconds);
  placer_options.loop.runs_on_its_own = !(*platform)->simulated();
  placer_options.metrics = &(*platform)->metrics();
  schools::Placer placer(use_cases, ReplicaName(), placer_options);
  use_cases.set_on_demand([&placer] { placer.Wake(); });
  use_cases.set_on_change([&placer] { placer.RefreshGaugesSoon(); });

  Consumers consumers;
  if (!consumers.Add((*platform)->Subscribe(streams::kRegistry, "schools-registry", "", [&use_cases](const IncomingEvent& e) {
        return use_cases.ApplyRegistryEvent(e);
      }))) {
    return 1;
  }
  // Where a household moves in decides its children's schools.
  if (!consumers.Add((*platform)->Subscribe(streams::kHousing, "schools-housing", streams::kHouseholdMovedIn,
                                            [&use_cases](const IncomingEvent& e) { return use_cases.ApplyHousingEvent(e); }))) {
    return 1;
  }
  placer.Start();
  return ServeService(*platform, "ankommen.schools.v1.SchoolService", consumers,
                      [&](Edge& edge) { return std::make_unique<schools::SchoolGrpcService>(use_cases, placer, edge); },
                      [&] { placer.Stop(); });
}

