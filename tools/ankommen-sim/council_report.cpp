// The simulated period ends as a district's would: with the report to the
// council (services/monitoring), computed from the services' events alone,
// and checked against what the simulation and the services count themselves.
#include <cmath>

#include "figures.h"
#include "report/report.h"
#include "simulation_internal.h"
#include "stream_history.h"

namespace ankommen::sim {

absl::Status Simulation::CouncilReport(Report& report) {
  monitoring::History history;
  auto read = monitoring::ReadHistory(*bus_, DistrictTimeZone(), history);
  if (!read.ok()) return read.status();
  for (const auto& area : district_.social_areas) {
    history.social_workers[area.name] = area.social_workers * ScaleFactor(options_.scale);
  }
  std::vector<monitoring::Target> targets;
  if (!district_.targets_csv.empty()) targets = monitoring::ParseTargets(district_.targets_csv).targets;
  auto land = LandRulesFor(district_.land.empty() ? "SN" : district_.land, district_.school_cutoff);
  if (!land.ok()) return land.status();
  const absl::CivilDay end = Date(options_.weeks * 7 - 1);
  const monitoring::Scope scope{options_.start, end, "", end};
  const auto rows = monitoring::BuildReport(history, scope, {1, 6, land->school_obliged_until}, targets);
  if (!options_.council_report_dir.empty()) {
    const monitoring::ReportHeader header{district_.name, scope, read->first_event, read->events};
    auto pdf = monitoring::WriteReportFiles(header, rows, options_.council_report_dir);
    if (!pdf.ok()) return pdf.status();
    report.council_report_pdf = *pdf;
  }
  std::map<std::string, const monitoring::ReportRow*> by_id;
  for (const auto& row : rows) {
    by_id[std::string(row.indicator->id)] = &row;
    report.council.push_back(
        {std::string(row.indicator->id),
         row.figure.value ? monitoring::FormatValue(*row.indicator, *row.figure.value) : "-",
         row.target ? monitoring::FormatValue(*row.indicator, row.target->target) : "-",
         row.light ? monitoring::LightName(*row.light) : row.target && row.figure.value ? "preliminary" : "-",
         row.figure.complete});
  }

  // The report's figures against the simulation's own counts and the services' state.
  // Enrolments that began in the period (the course's start, or a late entry), as the simulation saw them.
  std::vector<int> access_days, waiting_days;
  for (const auto& [id, r] : requests_) {
    if (r.status != RequestState::kEnrolled && r.status != RequestState::kCompleted) continue;
    if (r.course < 0 || r.access_wait_days < 0) continue;
    if (std::max(courses_state_[static_cast<size_t>(r.course)].plan->start_day, r.enrolled_day) >= options_.weeks * 7) {
      continue;
    }
    access_days.push_back(r.access_wait_days);
    waiting_days.push_back(r.waiting_time_days);
  }
  const WaitStats access_sim = Summarize(access_days), waiting_sim = Summarize(waiting_days);
  const monitoring::Figure& access = by_id.at("course_access_time_days")->figure;
  report.checks.push_back({"council report: enrolments begun in the period = the simulation's", access_sim.count,
                           access.denominator, "from the courses' events"});
  report.checks.push_back({"council report: median access time = the simulation's", std::llround(access_sim.median),
                           std::llround(access.value.value_or(0)), "request to course start (BAMF), nearest rank"});
  report.checks.push_back({"council report: median waiting time = the simulation's", std::llround(waiting_sim.median),
                           std::llround(by_id.at("course_waiting_time_days")->figure.value.value_or(0)),
                           "registration with the provider to course start (BAMF), nearest rank"});
  hv1::GetFiguresResponse housing;
  if (auto s = Call(*housing_, &hv1::HousingService::Stub::GetFigures, hv1::GetFiguresRequest(), &housing); !s.ok()) {
    return s;
  }
  long long below = 0, caseload = 0;
  for (const auto& a : housing.areas()) {
    below += a.standard_violations();
    caseload += a.caseload_persons();
  }
  report.checks.push_back({"council report: places below the standard = the housing service's", below,
                           by_id.at("places_below_standard")->figure.numerator, "at the period's end"});
  const monitoring::Figure& persons_per_worker = by_id.at("caseload_per_social_worker")->figure;
  if (social_workers_imported_ == 0) {
    report.checks.push_back({"council report: AsylbLG recipients in shared accommodation = the housing service's",
                             caseload, persons_per_worker.numerator, "refugee social work's caseload at the period's end"});
  } else {
    // With the staff list, the figure counts what the casework service assigned: its own tally must agree.
    wv1::GetCaseloadsResponse loads;
    if (auto s = Call(*casework_, &wv1::CaseworkService::Stub::GetCaseloads, wv1::GetCaseloadsRequest(), &loads);
        !s.ok()) {
      return s;
    }
    long long fsa_persons = 0, fsa_workers = 0;
    for (const auto& c : loads.caseloads()) {
      if (c.program() != wv1::PROGRAM_REFUGEE_SOCIAL_WORK) continue;
      fsa_persons += c.persons();
      fsa_workers += c.workers();
    }
    report.checks.push_back({"council report: persons with a refugee social worker = the casework service's",
                             fsa_persons, persons_per_worker.numerator, "refugee social work's caseload at the period's end"});
    report.checks.push_back({"council report: refugee social workers = the casework service's", fsa_workers,
                             persons_per_worker.denominator, "the staff list at the period's end"});
  }
  if (report.mediation.mediators > 0) {
    const monitoring::Figure& filled = by_id.at("mediator_requests_filled")->figure;
    report.checks.push_back({"council report: mediator appointments filled = booked when they began",
                             report.mediation.booked, filled.numerator, ""});
    report.checks.push_back({"council report: mediator appointments counted = booked + unfilled",
                             report.mediation.booked + report.mediation.unfilled, filled.denominator,
                             "appointments past, requests the office ended not counted"});
  }
  return absl::OkStatus();
}

}  // namespace ankommen::sim
