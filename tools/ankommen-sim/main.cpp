// ankommen-sim: simulates weeks of a district against the running services and
// prints what it changed.
//
//   ankommen-sim run --district DIR [--weeks 26] [--seed 1] [--scale district|state]
//                    [--policy optimal|fcfs] [--json report.json] [--svg waiting.svg]
//                    [--proposal proposal.csv]   the planning gaps' course series, as a scenario
//   ankommen-sim check --district DIR     the district's tables: every problem by file, line and field
//   ankommen-sim env --district DIR [--scale S]   the services' settings it implies, as KEY=VALUE lines
//   ankommen-sim scenario --district DIR --scenario FILE --out DIR2
//                                         the district changed by the scenario, written to DIR2
//   ankommen-sim compare fcfs.json optimal.json [--svg both.svg]
//
// A district is a directory of tables (docs/district-format.md); a district
// with a problem is not run (exit status 2).
// The services must run with ANKOMMEN_CLOCK=simulated against the same Redis
// (deploy/local/run.sh does all of this). Addresses come from
// ANKOMMEN_<SERVICE>_ADDR, ANKOMMEN_NATS_URL and ANKOMMEN_REDIS_URL.
// Exit status: 0 when the report's numbers add up, 3 when they do not, 2 for a
// bad district or arguments, 1 on other errors.
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <iostream>

#include <CLI/CLI.hpp>

#include "absl/time/civil_time.h"
#include "text/field_checks.h"
#include "report.h"
#include "scenario.h"
#include "text/csv.h"
#include "simulation.h"

namespace {

void FromEnv(const char* name, std::string& field) {
  if (const char* v = std::getenv(name); v != nullptr && *v != '\0') field = v;
}

bool WriteFile(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
  return static_cast<bool>(out);
}

}  // namespace

int main(int argc, char** argv) {
  using namespace ankommen::sim;
  SimOptions options;
  FromEnv("ANKOMMEN_REGISTRY_ADDR", options.registry_addr);
  FromEnv("ANKOMMEN_COURSES_ADDR", options.courses_addr);
  FromEnv("ANKOMMEN_SCHOOLS_ADDR", options.schools_addr);
  FromEnv("ANKOMMEN_HOUSING_ADDR", options.housing_addr);
  FromEnv("ANKOMMEN_NOTIFICATIONS_ADDR", options.notifications_addr);
  FromEnv("ANKOMMEN_MEDIATORS_ADDR", options.mediators_addr);
  FromEnv("ANKOMMEN_CASEWORK_ADDR", options.casework_addr);
  FromEnv("ANKOMMEN_NATS_URL", options.nats_url);
  FromEnv("ANKOMMEN_REDIS_URL", options.redis_url);

  CLI::App app{"ankommen-sim: a simulated half-year of a district, against the running services"};
  app.require_subcommand(1);
  std::string json_path, svg_path, proposal_path, start = "2027-01-04";
  bool quiet = false;
  std::string district_dir;
  CLI::App* run = app.add_subcommand("run", "simulate and print the report");
  run->add_option("--district", district_dir, "the district's directory (docs/district-format.md)")->required();
  run->add_option("--weeks", options.weeks, "simulated weeks")->check(CLI::Range(1, 104));
  run->add_option("--seed", options.seed, "the same seed gives the same arrivals and answers");
  run->add_option("--scale", options.scale, "district or state (eight times the arrivals, courses and flats)")
      ->check(CLI::IsMember({"district", "state"}));
  run->add_option("--policy", options.policy, "course allocation: optimal or fcfs")->check(CLI::IsMember({"optimal", "fcfs"}));
  run->add_option("--start", start, "the first simulated day, YYYY-MM-DD");
  run->add_option("--json", json_path, "write the report as JSON here");
  run->add_option("--svg", svg_path, "write the chart of waiting over the weeks here");
  run->add_option("--proposal", proposal_path,
                  "write the planning gaps' proposed course series here, as a scenario (only if there are any)");
  run->add_option("--council-report", options.council_report_dir,
                  "write the council's report on the period here (PDF, JSON, CSV)");
  run->add_option("--letters", options.letters_dir,
                  "the notification service's letter directory: count the messages there too, by their printed letters");
  run->add_flag("--quiet", quiet, "no line per simulated week");
  CLI::App* check = app.add_subcommand("check", "check a district's tables and say what is wrong");
  check->add_option("--district", district_dir, "the district's directory")->required();
  CLI::App* env = app.add_subcommand("env", "the services' settings a district implies, as KEY=VALUE lines");
  env->add_option("--district", district_dir, "the district's directory")->required();
  env->add_option("--scale", options.scale, "district or state")->check(CLI::IsMember({"district", "state"}));
  std::string scenario_file, out_dir;
  CLI::App* scenario = app.add_subcommand("scenario", "write the district as a scenario changes it (what if…)");
  scenario->add_option("--district", district_dir, "the district's directory")->required();
  scenario->add_option("--scenario", scenario_file, "the scenario (change,value rows; tools/ankommen-sim/scenario.h)")
      ->required();
  scenario->add_option("--out", out_dir, "where to write the changed district")->required();
  std::vector<std::string> compared;
  CLI::App* compare = app.add_subcommand("compare", "two reports (JSON) side by side");
  compare->add_option("reports", compared, "two report files")->expected(2)->required();
  std::string compare_svg;
  compare->add_option("--svg", compare_svg, "write the chart of both runs' adults waiting, and the bound, here");
  CLI11_PARSE(app, argc, argv);

  if (*compare) {
    nlohmann::json a, b;
    try {
      std::ifstream fa(compared[0]), fb(compared[1]);
      fa >> a;
      fb >> b;
      std::cout << RenderComparison(a, b);
      if (!compare_svg.empty() && !WriteFile(compare_svg, RenderComparisonSvg(a, b))) {
        std::cerr << "ankommen-sim compare: cannot write " << compare_svg << "\n";
        return 1;
      }
    } catch (const std::exception& e) {
      std::cerr << "ankommen-sim compare: " << e.what() << "\n";
      return 1;
    }
    return 0;
  }

  // Every other command reads the district first, and stops on a bad one.
  const LoadedDistrict loaded = ReadDistrict(district_dir);
  for (const auto& problem : loaded.problems) std::cerr << problem.ToString() << "\n";
  if (!loaded.ok()) {
    std::cerr << "ankommen-sim: " << loaded.problems.size() << " problem" << (loaded.problems.size() == 1 ? "" : "s")
              << " in the district " << district_dir << "; nothing was run\n";
    return 2;
  }
  if (*check) {
    const District& d = loaded.district;
    std::cout << d.name << ": " << d.social_areas.size() << " social areas, " << d.towns.size() << " municipalities, "
              << d.providers.size() << " course providers, " << d.course_plan.size() << " course series, "
              << d.arrivals.origins.size() << " origins, "
              << (d.mediators_csv.empty() ? size_t{0} : ankommen::ParseCsv(d.mediators_csv).rows.size()) << " language mediators; no problems\n";
    return 0;
  }
  if (*scenario) {
    std::ifstream in(scenario_file, std::ios::binary);
    if (!in) {
      std::cerr << "ankommen-sim: cannot read " << scenario_file << "\n";
      return 2;
    }
    std::stringstream text;
    text << in.rdbuf();
    const std::string stem = std::filesystem::path(scenario_file).stem().string();
    ScenarioResult result = ApplyScenario(ReadDistrictFiles(district_dir), stem, text.str());
    for (auto problem : result.problems) {
      if (problem.file == "scenario.csv") problem.file = scenario_file;
      std::cerr << problem.ToString() << "\n";
    }
    if (!result.ok()) {
      std::cerr << "ankommen-sim: the scenario " << scenario_file << " cannot be applied; nothing was run\n";
      return 2;
    }
    if (!WriteDistrictFiles(result.files, out_dir)) {
      std::cerr << "ankommen-sim: cannot write " << out_dir << "\n";
      return 1;
    }
    std::cout << result.name << "\n";
    return 0;
  }
  if (*env) {
    for (const auto& [key, value] : ServiceEnvironment(loaded.district, ScaleFactor(options.scale))) {
      std::cout << key << "=" << value << "\n";
    }
    return 0;
  }

  if (!ankommen::ParseIsoDate(start, options.start)) {
    std::cerr << "ankommen-sim: --start must be a date as YYYY-MM-DD\n";
    return 2;
  }
  options.progress = !quiet;
  auto report = Simulate(options, loaded.district);
  if (!report.ok()) {
    std::cerr << "ankommen-sim: " << report.status() << "\n";
    return 1;
  }
  std::cout << RenderTable(*report);
  if (!json_path.empty() && !WriteFile(json_path, ToJson(*report).dump(2) + "\n")) {
    std::cerr << "ankommen-sim: cannot write " << json_path << "\n";
    return 1;
  }
  if (!svg_path.empty() && !WriteFile(svg_path, RenderSvg(*report))) {
    std::cerr << "ankommen-sim: cannot write " << svg_path << "\n";
    return 1;
  }
  if (!proposal_path.empty() && !report->proposal_scenario.empty() &&
      !WriteFile(proposal_path, report->proposal_scenario)) {
    std::cerr << "ankommen-sim: cannot write " << proposal_path << "\n";
    return 1;
  }
  return report->reconciled() ? 0 : 3;
}
