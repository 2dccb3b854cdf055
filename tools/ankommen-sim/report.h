// What a simulated half-year shows: waiting times, placements, what was left
// unused, and checks that the numbers add up. Pure: filled by the simulation,
// rendered as a table for people, JSON for scripts and an SVG chart.
#pragma once

#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "planning_gaps.h"

namespace ankommen::sim {

struct WaitStats {
  int count = 0;
  double median = 0;
  double p90 = 0;
  double mean = 0;
};
WaitStats Summarize(std::vector<int> days);

// One row per course type and social area.
struct CourseRow {
  std::string course_type;  // short name, e.g. "general"
  std::string social_area;
  int requests = 0;
  int enrolled = 0;
  int waiting = 0;               // at the end
  WaitStats access_wait;         // access time (BAMF): request → course start, of those enrolled
  WaitStats waiting_time;        // waiting time (BAMF): registration with the provider → course start
  WaitStats still_waiting_days;  // of those waiting at the end
  double mean_km = 0;            // of the enrolled, home → course
};

struct ChildRow {
  std::string kind;  // GS, OS, BSZ, Kita (under 3), Kita (3+)
  std::string social_area;
  int placed = 0;
  int waiting = 0;  // at the end
  WaitStats wait;   // to the place, of those placed
};

struct HousingRow {
  std::string social_area;
  int beds = 0;
  int beds_used = 0;
  int persons_housed = 0;
  double share_in_flats = 0;
  int standard_violations = 0;
  int households_waiting = 0;
  double persons_per_social_worker = 0;
};

struct WeekPoint {
  int week = 0;
  int course_waiting = 0;
  double course_wait_median = 0;  // days waited so far by those waiting
  int school_waiting = 0;
  int kita_waiting = 0;
  int housing_waiting = 0;
  double housing_wait_median = 0;
  // Adults waiting for a course at the week's end, measured alike for this
  // run and for the hindsight bound (hindsight.h WaitingByWeek).
  int course_waiting_measured = 0;
  int course_waiting_bound = 0;
};

// A course that started with seats free: and who, within reach and of the
// course's type, waited that day without an offer (allocation could have
// filled those seats).
struct UnusedSeats {
  std::string course;  // its title
  std::string course_type;
  std::string social_area;
  std::string start_date;
  int free_seats = 0;
  int eligible_waiting = 0;
  int waiting_for_childcare = 0;  // eligible but for the course's childcare places, all taken
};

// The period as a whole: enrolled, person-days waited (enrolled: request to
// start; the rest: request to the period's end), km travelled.
struct PeriodFigures {
  int enrolled = 0;
  long long person_days_waited = 0;
  double km = 0;
  WaitStats access_wait;  // of those enrolled: days from request to course start (or late entry)
};

// Appointments that needed a language mediator, per language (the registry's
// preferred language of the person the office asked for).
struct MediationRow {
  std::string language;
  int requested = 0;  // appointments past by the period's end
  int booked = 0;     // a mediator was booked when the appointment began
  int unfilled = 0;   // none was
  int cancelled = 0;  // the request ended first (the person's case closed or a duplicate merged)
  WaitStats hours_to_fill;  // of the booked: hours from the office's request to the booking
  std::map<std::string, int> unfilled_reasons;  // the service's last reason: no_one_speaks_it, no_one_free, …
};

struct MediationFigures {
  int mediators = 0;  // in the pool
  int requested = 0, booked = 0, unfilled = 0, cancelled = 0;
  int delivered = 0, no_shows = 0;
  int cancelled_by_mediator = 0;  // bookings a mediator cancelled; the request was matched again
  int urgent = 0, urgent_booked = 0;
  std::vector<MediationRow> by_language;
  // Appointments left without a mediator although one of the pool spoke the
  // language both ways, worked then, was free of other bookings (with travel
  // time), in reach and within their month's hours: checked here, apart from
  // the service's matching. The target is 0.
  int unfilled_while_one_could_take_it = 0;
};

// Social work at the period's end (the casework service), and the hand-over
// tasks the simulated workers did: a worker does a task some days after it
// opens, later the fuller their caseload.
struct CaseloadRow {
  std::string program;  // fsa, mbe, jmd
  std::string social_area;
  int workers = 0, capacity = 0, persons = 0;
  double persons_per_worker = 0;
  int households_waiting = 0;  // no worker of the programme in the area had room
};

struct CaseworkFigures {
  int workers = 0;  // on the staff list
  std::vector<CaseloadRow> caseloads;
  int tasks_opened = 0, tasks_done = 0, tasks_done_in_time = 0;
  int tasks_overdue_at_end = 0;  // open and past due when the period ends
};

// An integration indicator as the council's report gives it for the run's
// period (services/monitoring; the PDF beside the JSON report).
struct CouncilRow {
  std::string indicator;
  std::string figure;  // as printed, e.g. "12,5 %" or "-"
  std::string target;  // "-" without one
  std::string status;  // green, amber, red, or "-"
  bool complete = true;
};

struct Check {
  std::string name;
  long long left = 0, right = 0;  // the two sides that must be equal
  std::string detail;
  bool ok() const { return left == right; }
};

struct Report {
  std::string district;
  int caseload_target = 80;  // refugee social work's persons per worker, as the services were told
  std::string policy;
  std::string scale;
  int weeks = 0;
  unsigned long long seed = 0;
  std::string start_date, end_date;
  int households_registered = 0;
  int persons_registered = 0;
  // Persons the registry held as likely duplicates; the simulated office
  // decides each the same day (its people are all distinct).
  int duplicates_suspected = 0;
  // Families registered a second time by another office (names respelled),
  // and their persons the office merged or that the registry did not flag.
  int households_registered_twice = 0;
  int duplicate_persons_merged = 0;
  int duplicate_persons_missed = 0;
  // The simulated schools office's decisions on school and Kita proposals.
  int school_proposals_confirmed = 0;
  int school_proposals_rejected = 0;
  int kita_declined = 0;  // children whose family wants no Kita place

  std::vector<CourseRow> courses;
  WaitStats course_access_wait;  // every enrolment: request to course start
  WaitStats course_waiting_time;  // every enrolment: acceptance (registration with the provider) to course start
  std::map<std::string, int> offers;  // made, accepted, declined, expired, withdrawn, open
  std::vector<ChildRow> children;
  std::vector<HousingRow> housing;
  WaitStats housing_wait;  // registration → moved in
  std::map<std::string, int> households_by_status;  // housed, offered, waiting, left, transferred
  std::map<std::string, std::map<std::string, int>> notifications;  // language → outcome → count
  std::map<std::string, int> unused;  // course seats at start, DaZ seats, Kita places, beds
  std::vector<UnusedSeats> unused_seats;
  // Seats free at a course's start while someone eligible and in reach waited
  // without an offer: the sum over courses of the smaller of the two.
  int seats_free_while_eligible_waited = 0;
  int course_seats_planned = 0;  // seats of the courses starting in the period
  // Child-days: each day, the school children the placement run left waiting
  // over 14 days while a DaZ seat of their type was free within their reach
  // (RunPlacementResponse.left_waiting_with_seat_in_reach, summed over days).
  long long child_days_left_waiting_with_seat_in_reach = 0;
  // Households the registry told of a birthday or a school year that changed
  // what a member's age calls for (RunAgeChanges, summed over days).
  int households_aged = 0;
  // Obligations to attend the foreigners' office recorded (§ 44a; the simulator
  // obliges adults with a title and no German, as the office must).
  int obligations_imposed = 0;
  // This run and the hindsight bound (hindsight.h), measured alike.
  PeriodFigures policy_period, hindsight;
  // No schedule enrolling as many as the bound has a lower p90 access wait (hindsight.h LeastP90AccessWait).
  int least_access_wait_p90 = 0;
  std::map<std::string, int> hindsight_gap;  // why requests the bound enrols were not enrolled here
  // Where this run's person-days differ from the bound's: per kind of
  // request (enrolled by both, later or sooner here, with or without an offer
  // declined or let lapse; by the bound only; here only), the days more here.
  std::map<std::string, long long> hindsight_days_gap;
  // What allocation cannot close, and the course series that would (planning_gaps.h).
  std::vector<PlanningGap> planning_gaps;
  std::string proposal_scenario;  // the proposals as a scenario file; empty: none
  MediationFigures mediation;  // empty when the district has no pool of mediators
  CaseworkFigures casework;    // empty when the district lists no social workers
  std::vector<WeekPoint> weekly;
  std::vector<CouncilRow> council;  // the integration indicators of the period
  std::string council_report_pdf;   // where the council's report was written, if it was
  std::vector<Check> checks;
  double seconds = 0;  // wall time of the run
  long long events = 0;  // published by courses, schools and housing during the run

  bool reconciled() const;
};

nlohmann::json ToJson(const Report& report);
// The part on language mediators (report_mediation.cpp); "" / an empty pool when the district has none.
nlohmann::json MediationJson(const MediationFigures& figures);
std::string RenderMediation(const MediationFigures& figures);
// The part on social work (report_casework.cpp); "" / no workers when the district lists none.
nlohmann::json CaseworkJson(const CaseworkFigures& figures);
std::string RenderCasework(const CaseworkFigures& figures, int target);
std::string RenderTable(const Report& report);
// Waiting over the simulated weeks: courses, school, Kita and housing.
std::string RenderSvg(const Report& report);
// Two runs' reports (JSON) side by side, e.g. --policy fcfs and optimal on one seed.
std::string RenderComparison(const nlohmann::json& a, const nlohmann::json& b);
// Their adults waiting for a course over the weeks, with the first one's hindsight bound.
std::string RenderComparisonSvg(const nlohmann::json& a, const nlohmann::json& b);

}  // namespace ankommen::sim
