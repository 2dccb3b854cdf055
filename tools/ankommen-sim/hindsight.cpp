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

int WaitDays(const HindsightRequest& r, const HindsightCourse& c, int answer_days) {
  return SeatDay(r, c, answer_days) - r.requested_day;
}

// Who may take which seat: source → request → (a course's childcare places,
// for a parent →) its seats → sink, and past the seats, a request's arc
// straight to the sink (not enrolled). Arcs only where the rules allow, the
// person would say yes and the wait is at most `max_wait` days.
struct SeatNetwork {
  placement::FlowNetwork net;
  struct Choice {
    size_t request, course;
    int32_t arc;
  };
  std::vector<Choice> choices;
};

template <typename EnrolCost, typename NotEnrolledCost>
SeatNetwork BuildSeatNetwork(const std::vector<HindsightRequest>& requests, const std::vector<HindsightCourse>& courses,
                             int period_days, int max_wait, EnrolCost enrol_cost, NotEnrolledCost not_enrolled_cost) {
  SeatNetwork s;
  placement::FlowNetwork& net = s.net;
  net.source = net.AddNode();
  net.sink = net.AddNode();
  net.supply = static_cast<int64_t>(requests.size());
  std::vector<int32_t> seat_node(courses.size()), childcare_node(courses.size());
  for (size_t c = 0; c < courses.size(); ++c) {
    seat_node[c] = net.AddNode();
    childcare_node[c] = net.AddNode();
    net.AddArc(seat_node[c], net.sink, courses[c].seats, 0);
    net.AddArc(childcare_node[c], seat_node[c], courses[c].childcare_places, 0);
  }
  for (size_t r = 0; r < requests.size(); ++r) {
    const HindsightRequest& q = requests[r];
    const int32_t node = net.AddNode();
    net.AddArc(net.source, node, 1, 0);
    net.AddArc(node, net.sink, 1, not_enrolled_cost(q));
    for (size_t c = 0; c < courses.size(); ++c) {
      const int answer = AnswerDays(q, c);
      if (!Eligible(q, courses[c], period_days, answer) || WaitDays(q, courses[c], answer) > max_wait ||
          std::binary_search(q.refused.begin(), q.refused.end(), static_cast<int>(c))) {
        continue;
      }
      s.choices.push_back(
          {r, c,
           net.AddArc(node, ChildcareOn(q, SeatDay(q, courses[c], answer)) > 0 ? childcare_node[c] : seat_node[c], 1,
                      enrol_cost(q, courses[c], answer))});
    }
  }
  return s;
}

}  // namespace

int ChildcareOn(const HindsightRequest& r, int day) {
  return static_cast<int>(
      std::count_if(r.care.begin(), r.care.end(), [&](const CareWindow& w) { return w.from <= day && day < w.until; }));
}

int AnswerDays(const HindsightRequest& r, size_t course) {
  return course < r.answer_days.size() ? std::max(0, r.answer_days[course]) : 0;
}

int SeatDay(const HindsightRequest& r, const HindsightCourse& c, int answer_days) {
  return std::max(r.requested_day + answer_days, c.start_day);
}

// A course still taking newcomers on the day of asking stays a candidate when
// the answer comes later: the course service enrols an acceptance made by the
// offer's deadline.
bool Eligible(const HindsightRequest& r, const HindsightCourse& c, int period_days, int answer_days) {
  return c.course_type == r.course_type && c.start_day < period_days && c.last_entry_day >= r.requested_day &&
         c.seats > 0 && (!r.evening_only || c.evening) &&
         ChildcareOn(r, SeatDay(r, c, answer_days)) <= c.childcare_places &&
         placement::HaversineKm(r.home, c.at) <= r.max_km;
}

HindsightResult SolveHindsight(const std::vector<HindsightRequest>& requests,
                               const std::vector<HindsightCourse>& courses, int period_days) {
  const SeatNetwork s = BuildSeatNetwork(
      requests, courses, period_days, period_days,
      [](const HindsightRequest& q, const HindsightCourse& c, int answer_days) {
        return -kEnrolled + kPerDay * WaitDays(q, c, answer_days) +
               std::lround(placement::HaversineKm(q.home, c.at) * 10);
      },
      // Not enrolled: waits until the period ends.
      [&](const HindsightRequest& q) { return kPerDay * std::max(0, period_days - q.requested_day); });
  HindsightResult result;
  result.course_of.assign(requests.size(), -1);
  const std::vector<int64_t> flow = placement::SolveMinCostFlow(s.net, nullptr);
  for (const auto& ch : s.choices) {
    if (!flow.empty() && flow[static_cast<size_t>(ch.arc)] > 0) result.course_of[ch.request] = static_cast<int>(ch.course);
  }
  std::vector<int> day(requests.size(), 0);
  for (size_t r = 0; r < requests.size(); ++r) {
    if (const int c = result.course_of[r]; c >= 0) {
      day[r] = SeatDay(requests[r], courses[static_cast<size_t>(c)], AnswerDays(requests[r], static_cast<size_t>(c)));
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

int LeastP90AccessWait(const std::vector<HindsightRequest>& requests, const std::vector<HindsightCourse>& courses,
                       int period_days, int enrolled) {
  if (enrolled <= 0) return 0;
  const int64_t need = (9 * static_cast<int64_t>(enrolled) + 9) / 10;  // ceil(0.9 × enrolled): the nearest rank
  // How many can start within `max_wait` days of asking, all at once.
  auto within = [&](int max_wait) {
    const SeatNetwork s = BuildSeatNetwork(
        requests, courses, period_days, max_wait, [](const HindsightRequest&, const HindsightCourse&, int) { return -1; },
        [](const HindsightRequest&) { return 0; });
    const std::vector<int64_t> flow = placement::SolveMinCostFlow(s.net, nullptr);
    int64_t n = 0;
    for (const auto& ch : s.choices) n += flow.empty() ? 0 : flow[static_cast<size_t>(ch.arc)];
    return n;
  };
  int lo = 0, hi = period_days;  // the answer is in [lo, hi]; hi may be unreachable (then period_days)
  if (within(hi) < need) return period_days;
  while (lo < hi) {
    const int mid = lo + (hi - lo) / 2;
    if (within(mid) >= need) {
      hi = mid;
    } else {
      lo = mid + 1;
    }
  }
  return lo;
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
