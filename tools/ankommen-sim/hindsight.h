// The hindsight bound: the whole simulated period solved at once, with
// everything known — every request, every course that will start, every
// seat. No policy that decides day by day can enrol more people or make them
// wait fewer days in all; a policy is judged as a share of it (as Annie MOORE,
// the resettlement matching tool, is judged against its hindsight optimum).
//
// The bound follows the course service's rules (same course type, within the
// travel limit, evening courses for those who work in the daytime, a childcare
// place for each child of a parent in a parents' course while it needs one, a
// course still taking newcomers) and is
// optimistic where a policy cannot know in advance: it knows every answer, so
// nobody is offered a course they would turn down and no day is lost to an
// offer declined or left to lapse; it offers each person their course on the
// day they ask, so a seat begins when their answer comes, or at the start;
// and a parent's children take one childcare place in the flow (a course must
// have as many as they need to be a candidate).
// Pure: a minimum-cost flow on the placement engine's LEMON network simplex.
#pragma once

#include <limits>
#include <vector>

#include "geo.h"

namespace ankommen::sim {

// The days a child needs a childcare place while its parent is in a course,
// as the course service counts it: from the age it cares from to school entry
// or a Kita place (days from the simulation's start; `until` not included).
struct CareWindow {
  int from = 0;
  int until = std::numeric_limits<int>::max();
};

struct HindsightRequest {
  int requested_day = 0;   // days from the simulation's start
  int course_type = 0;     // courses::v1::CourseType
  placement::GeoPoint home;
  double max_km = 15;
  bool evening_only = false;
  // A parents' course: a childcare place for each child while it needs one
  // (windows of days; ChildcareOn counts them on a day).
  std::vector<CareWindow> care;
  // Courses (indices) whose offer this person would decline or let lapse. The
  // simulation's people answer each course the same way whenever it is
  // offered, so the bound knows every answer and seats nobody where they would
  // say no; sorted.
  std::vector<int> refused;
  // Per course (index): the days this person takes to answer its offer. The
  // simulation's people take as long whenever it is offered, so the bound
  // knows it too: no policy can seat them before their answer comes. Empty:
  // an answer on the day.
  std::vector<int> answer_days;
};

struct HindsightCourse {
  int start_day = 0;
  int last_entry_day = 0;  // a running course takes newcomers until this day
  int course_type = 0;
  placement::GeoPoint at;
  bool evening = false;
  int seats = 0;
  int childcare_places = 0;
  int series = -1;         // the course plan's series it is one of (not used by the bound)
};

struct HindsightResult {
  int enrolled = 0;
  // Days from request to course start (0 for a late entry), and for everyone
  // not enrolled the days from request to the period's end.
  long long person_days_waited = 0;
  double km = 0;                 // travelled by those enrolled, one way
  std::vector<int> course_of;    // per request: the course index, or -1
  std::vector<int> waited_until; // per request: the day its wait ended (in a course), or -1
};

// Enrols as many as can be, then makes the person-days waited as few as can
// be, then the km; `period_days` ends the period (courses starting later are
// left out).
HindsightResult SolveHindsight(const std::vector<HindsightRequest>& requests,
                               const std::vector<HindsightCourse>& courses, int period_days);

// The same measures of what a policy did: per request its course index or -1
// and the day its enrolment took effect.
HindsightResult MeasurePolicy(const std::vector<HindsightRequest>& requests,
                              const std::vector<HindsightCourse>& courses, const std::vector<int>& course_of,
                              const std::vector<int>& enrolled_day, int period_days);

// The least p90 of access waits (days from request to course start, 0 for a
// late entry; nearest rank) that any schedule enrolling `enrolled` people can
// have: the fewest days D such that 90 % of `enrolled` can start within D days
// of asking at once (each one's seat counted, the others' ignored — so it is a
// bound: no policy that enrols as many has a lower p90). Binary search over D,
// a maximum flow each.
int LeastP90AccessWait(const std::vector<HindsightRequest>& requests, const std::vector<HindsightCourse>& courses,
                       int period_days, int enrolled);

// Adults waiting for a course at the end of each of `weeks` weeks: asked by
// then, and not yet in a course.
std::vector<int> WaitingByWeek(const std::vector<HindsightRequest>& requests, const HindsightResult& result, int weeks);

// Childcare places the request needs on the day.
int ChildcareOn(const HindsightRequest& request, int day);

// The days the request's person takes to answer an offer of course `course`.
int AnswerDays(const HindsightRequest& request, size_t course);

// The earliest day a seat in the course can begin for the request, offered
// on the day of asking and answered `answer_days` later: the course's start,
// or the day of the answer for a late entry.
int SeatDay(const HindsightRequest& request, const HindsightCourse& course, int answer_days = 0);

// Whether the rules let `request` take a seat in `course` at all (a parent's
// childcare counted on the seat's first day).
bool Eligible(const HindsightRequest& request, const HindsightCourse& course, int period_days, int answer_days = 0);

}  // namespace ankommen::sim
