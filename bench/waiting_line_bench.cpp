// The course service's answer to "where am I in line?" for one waiting
// request: its place and estimated seat date from the line index
// (AnnotateFromLines: a ZLEXCOUNT per partition and the courses of its type
// in its area) beside the way it was answered before, from the whole waiting
// view (WaitingView::Load, every waiting learner and every course read), on
// the same store: a redis-server started here, filled with N waiting learners
// over 4 course types and 25 social areas, and 400 courses. Both answers are
// compared for every request the baseline times (exit 1 if they differ). One
// JSON line per case; the target (issue 24) is p99 < 5 ms at 100,000 waiting
// ("met" is null at other scales).
//
//   ankommen-waiting-bench [--waiting 100000] [--asks 2000] [--baseline-asks 5]
#include <algorithm>
#include <atomic>
#include <iostream>
#include <random>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "domain/course_rules.h"
#include "stats.h"
#include "storage/course_store.h"
#include "store/ids.h"
#include "store/outbox.h"
#include "store/redis.h"
#include "support/servers.h"
#include "text/field_checks.h"
#include "waiting_view.h"

namespace {

using namespace ankommen;
using namespace ankommen::courses;

constexpr v1::CourseType kTypes[] = {v1::COURSE_TYPE_INTEGRATION_GENERAL, v1::COURSE_TYPE_INTEGRATION_ALPHA,
                                     v1::COURSE_TYPE_INTEGRATION_YOUTH, v1::COURSE_TYPE_INTEGRATION_PARENTS};
constexpr int kAreas = 25;
const absl::CivilDay kToday(2026, 12, 5);

std::string Area(int i) { return absl::StrCat("Sozialraum ", i); }

struct Asked {
  std::string area;
  v1::SeatRequest request;
};

using bench::Percentile;

}  // namespace

int main(int argc, char** argv) {
  int waiting = 100000, asks = 2000, baseline_asks = 5;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    const int value = std::stoi(argv[i + 1]);
    if (flag == "--waiting") waiting = value;
    else if (flag == "--asks") asks = value;
    else if (flag == "--baseline-asks") baseline_asks = value;
    else {
      std::cerr << "usage: ankommen-waiting-bench [--waiting N] [--asks N] [--baseline-asks N]\n";
      return 2;
    }
  }
  testing::RedisServer server;
  auto pool = RedisPool::Connect(server.url(), 8);
  if (!pool.ok()) {
    std::cerr << pool.status() << "\n";
    return 1;
  }
  Outbox outbox(**pool, KeySpace("courses"));
  CourseStore store(outbox, **pool);
  std::mt19937 draw(1);

  // 400 courses: for each type and area 4 starts over the next half year, 12–25 seats.
  for (int i = 0; i < 400; ++i) {
    v1::CourseRecord record;
    v1::Course& c = *record.mutable_course();
    c.set_course_id(NewId(kCourseIdPrefix, i % kPartitions));
    c.set_course_type(kTypes[i % 4]);
    c.mutable_location()->set_social_area(Area((i / 4) % kAreas));
    c.set_start_date(FormatIsoDate(kToday + static_cast<int>(draw() % 180)));
    c.set_seats(12 + static_cast<int>(draw() % 14));
    c.set_status(v1::COURSE_STATUS_OPEN);
    Commit commit;
    commit.aggregate_key = store.CourseKey(c.course_id());
    commit.state = record.SerializeAsString();
    commit.index_ops = store.CourseIndex(c);
    if (auto r = outbox.Apply(commit); !r.ok()) {
      std::cerr << r.status() << "\n";
      return 1;
    }
  }
  // The learners, each with one waiting request, written as the service commits them.
  std::vector<Asked> all(static_cast<size_t>(waiting));
  for (int i = 0; i < waiting; ++i) {
    Asked& a = all[static_cast<size_t>(i)];
    a.area = Area(static_cast<int>(draw() % kAreas));
    v1::SeatRequest& r = a.request;
    r.set_person_id(NewId(kPersonIdPrefix, i % kPartitions));
    r.set_request_id(NewId(kRequestIdPrefix, i % kPartitions));
    r.set_course_type(kTypes[draw() % 4]);
    r.set_status(v1::REQUEST_STATUS_WAITING);
    r.set_requested_on(FormatIsoDate(kToday - static_cast<int>(draw() % 365)));
    r.set_obliged(draw() % 20 == 0);
    r.set_admitted_if_free(!r.obliged() && draw() % 30 == 0);
  }
  std::atomic<int> next{0}, failed{0};
  const absl::Time fill_start = absl::Now();
  std::vector<std::thread> writers;
  for (int t = 0; t < 4; ++t) {
    writers.emplace_back([&] {
      for (int i = next++; i < waiting; i = next++) {
        const Asked& a = all[static_cast<size_t>(i)];
        v1::LearnerRecord learner;
        learner.set_person_id(a.request.person_id());
        learner.set_social_area(a.area);
        *learner.add_requests() = a.request;
        Commit commit;
        commit.aggregate_key = store.LearnerKey(learner.person_id());
        commit.state = learner.SerializeAsString();
        commit.index_ops = store.LearnerIndex(nullptr, learner);
        if (!outbox.Apply(commit).ok()) ++failed;
      }
    });
  }
  for (auto& w : writers) w.join();
  if (failed > 0) {
    std::cerr << failed << " learners could not be written\n";
    return 1;
  }
  std::cout << "waiting: " << waiting << " learners written in "
            << absl::StrFormat("%.1f", absl::ToDoubleSeconds(absl::Now() - fill_start)) << " s, redis-server on 127.0.0.1:"
            << server.port() << "\n";

  // The line index: one request asked at a time, as a caseworker's screen asks.
  std::vector<double> indexed_ms;
  for (int i = 0; i < asks; ++i) {
    const Asked& a = all[draw() % all.size()];
    v1::SeatRequest r = a.request;
    const absl::Time start = absl::Now();
    if (auto s = AnnotateFromLines(store, a.area, kToday, r); !s.ok()) {
      std::cerr << s << "\n";
      return 1;
    }
    indexed_ms.push_back(absl::ToDoubleMilliseconds(absl::Now() - start));
  }
  // The whole waiting view, as before: a few asks (each reads everyone), each
  // answer compared with the index's.
  std::vector<double> view_ms;
  int differ = 0;
  for (int i = 0; i < baseline_asks; ++i) {
    const Asked& a = all[draw() % all.size()];
    v1::SeatRequest whole = a.request, indexed = a.request;
    const absl::Time start = absl::Now();
    auto view = WaitingView::Load(store, kToday);
    if (!view.ok()) {
      std::cerr << view.status() << "\n";
      return 1;
    }
    view->Annotate(whole);
    view_ms.push_back(absl::ToDoubleMilliseconds(absl::Now() - start));
    if (!AnnotateFromLines(store, a.area, kToday, indexed).ok() || whole.place_in_line() != indexed.place_in_line() ||
        whole.estimated_seat_date() != indexed.estimated_seat_date()) {
      std::cerr << "differ for " << a.request.request_id() << ": place " << whole.place_in_line() << " / "
                << indexed.place_in_line() << ", estimate " << whole.estimated_seat_date() << " / "
                << indexed.estimated_seat_date() << "\n";
      ++differ;
    }
  }
  const double p50 = Percentile(indexed_ms, 0.5), p99 = Percentile(indexed_ms, 0.99);
  const double view_p50 = Percentile(view_ms, 0.5);
  std::cout << absl::StrFormat(
      "{\"case\":\"place_in_line\",\"waiting\":%d,\"line_index\":{\"asks\":%d,\"p50_ms\":%.3f,\"p99_ms\":%.3f},"
      "\"whole_view\":{\"asks\":%d,\"p50_ms\":%.1f},\"speedup_p50\":%.0f,\"answers_differ\":%d,"
      "\"target\":\"p99 < 5 ms at 100,000 waiting\",\"met\":%s}\n",
      waiting, asks, p50, p99, baseline_asks, view_p50, p50 > 0 ? view_p50 / p50 : 0, differ,
      waiting < 100000 ? "null" : p99 < 5 ? "true" : "false");
  return differ > 0 ? 1 : 0;
}
