#include "hindsight.h"

#include <algorithm>
#include <cmath>

#include "min_cost_flow.h"

namespace ankommen::sim {

namespace {

// Enrolment first, then person-days, then km (in tenths): a placed request is
// worth more than any saving in days or km could be.
constexpr int64_t kEnrolled = 1'000'000'000;
constexpr int64_t kPerDay = 1'000;

int WaitDays(const HindsightRequest& r, const HindsightCourse& c) { return std::max(0, c.start_day - r.requested_day); }

}  // namespace

bool Eligible(const HindsightRequest& r, const HindsightCourse& c, int period_days) {
  return c.course_type == r.course_type && c.start_day < period_days && c.last_entry_day >= r.requested_day &&
         c.seats > 0 && (!r.evening_only || c.evening) && r.childcare <= c.childcare_places &&
         placement::HaversineKm(r.home, c.at) <= r.max_km;
}

HindsightResult SolveHindsight(const std::vector<HindsightRequest>& requests,
                               const std::vector<HindsightCourse>& courses, int period_days) {
  placement::FlowNetwork net;
  net.source = net.AddNode();
  net.sink = net.AddNode();
  net.supply = static_cast<int64_t>(requests.size());
  // Each course: a seat node to the sink (its seats), and in front of it a
  // childcare node (its childcare places) that parents pass through.
  std::vector<int32_t> seat_node(courses.size()), childcare_node(courses.size());
  for (size_t c = 0; c < courses.size(); ++c) {
    seat_node[c] = net.AddNode();
    childcare_node[c] = net.AddNode();
    net.AddArc(seat_node[c], net.sink, courses[c].seats, 0);
    net.AddArc(childcare_node[c], seat_node[c], courses[c].childcare_places, 0);
  }
  struct Choice {
    size_t request, course;
    int32_t arc;
  };
  std::vector<Choice> choices;
  for (size_t r = 0; r < requests.size(); ++r) {
    const HindsightRequest& q = requests[r];
    const int32_t node = net.AddNode();
    net.AddArc(net.source, node, 1, 0);
    // Not enrolled: waits until the period ends.
    net.AddArc(node, net.sink, 1, kPerDay * std::max(0, period_days - q.requested_day));
    for (size_t c = 0; c < courses.size(); ++c) {
      if (!Eligible(q, courses[c], period_days)) continue;
      const double km = placement::HaversineKm(q.home, courses[c].at);
      const int64_t cost = -kEnrolled + kPerDay * WaitDays(q, courses[c]) + static_cast<int64_t>(std::lround(km * 10));
      choices.push_back({r, c, net.AddArc(node, q.childcare > 0 ? childcare_node[c] : seat_node[c], 1, cost)});
    }
  }
  HindsightResult result;
  result.course_of.assign(requests.size(), -1);
  const std::vector<int64_t> flow = placement::SolveMinCostFlow(net, nullptr);
  for (const auto& ch : choices) {
    if (!flow.empty() && flow[static_cast<size_t>(ch.arc)] > 0) result.course_of[ch.request] = static_cast<int>(ch.course);
  }
  std::vector<int> day(requests.size(), 0);
  for (size_t r = 0; r < requests.size(); ++r) {
    if (result.course_of[r] >= 0) {
      day[r] = std::max(requests[r].requested_day, courses[static_cast<size_t>(result.course_of[r])].start_day);
    }
  }
  HindsightResult measured = MeasurePolicy(requests, courses, result.course_of, day, period_days);
  return measured;
}

HindsightResult MeasurePolicy(const std::vector<HindsightRequest>& requests,
                              const std::vector<HindsightCourse>& courses, const std::vector<int>& course_of,
                              const std::vector<int>& enrolled_day, int period_days) {
  HindsightResult result;
  result.course_of = course_of;
  result.waited_until.assign(requests.size(), -1);
  for (size_t r = 0; r < requests.size(); ++r) {
    const HindsightRequest& q = requests[r];
    if (course_of[r] < 0) {
      result.person_days_waited += std::max(0, period_days - q.requested_day);
      continue;
    }
    const HindsightCourse& c = courses[static_cast<size_t>(course_of[r])];
    ++result.enrolled;
    result.waited_until[r] = std::max(c.start_day, enrolled_day[r]);
    result.person_days_waited += std::max(0, result.waited_until[r] - q.requested_day);
    result.km += placement::HaversineKm(q.home, c.at);
  }
  return result;
}

std::vector<int> WaitingByWeek(const std::vector<HindsightRequest>& requests, const HindsightResult& result, int weeks) {
  std::vector<int> waiting(static_cast<size_t>(std::max(0, weeks)), 0);
  for (size_t r = 0; r < requests.size(); ++r) {
    for (int w = 0; w < weeks; ++w) {
      const int end = w * 7 + 6;
      if (requests[r].requested_day <= end && (result.waited_until[r] < 0 || result.waited_until[r] > end)) {
        ++waiting[static_cast<size_t>(w)];
      }
    }
  }
  return waiting;
}

}  // namespace ankommen::sim
