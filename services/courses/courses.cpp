// The course service's use cases (courses.h): construction, what they share, and the planners'
// gauges. The commands are by capability: catalogue.cpp (providers and courses), requests.cpp
// (requests and the waiting list), offers.cpp, registry_events.cpp.
#include "courses.h"

#include <algorithm>
#include <optional>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "ankommen/courses/v1/events.pb.h"
#include "ankommen/registry/v1/events.pb.h"
#include "store/command.h"
#include "domain/course_rules.h"
#include "domain/events.h"
#include "domain/learner_rules.h"
#include "domain/validation.h"
#include "domain/waitlist.h"
#include "text/field_checks.h"
#include "store/ids.h"
#include "observability/log.h"
#include "observability/metrics.h"
#include "bus/streams.h"
#include "courses_internal.h"

namespace ankommen::courses {

namespace rv1 = ::ankommen::registry::v1;

Courses::Courses(CourseStore& store, const Clock& clock, absl::TimeZone zone, CourseSettings settings, Metrics& metrics)
    : store_(store),
      clock_(clock),
      zone_(zone),
      settings_(std::move(settings)),
      instruments_(std::make_unique<CourseInstruments>(metrics.registry())) {
  instruments_->wait_target.Add({}).Set(settings_.wait_target_days);
}

Courses::~Courses() = default;

std::string Courses::NewEventId() const { return NewId("ev", 0); }

ankommen::common::v1::EventMeta Courses::Meta(const RequestContext& rc) const {
  return EventMeta(NewEventId(), clock_.Now(), rc.correlation_id);
}

absl::StatusOr<LoadedCourse> Courses::LoadExistingCourse(const std::string& course_id) {
  auto loaded = store_.LoadCourse(course_id);
  if (!loaded.ok()) return loaded.status();
  if (!loaded->has_value()) return absl::NotFoundError(absl::StrCat("course ", course_id, " not found"));
  return std::move(**loaded);
}

void Courses::Changed(bool allocate) {
  if (allocate && on_demand_) on_demand_();
  if (on_change_) on_change_();
}

double Courses::MaxKmFor(const std::string& social_area) const {
  auto it = settings_.area_max_km.find(social_area);
  return it != settings_.area_max_km.end() ? it->second : settings_.default_max_km;
}

void Courses::CountOfferOutcome(v1::CourseType type, const char* outcome) {
  instruments_->offers_vec.With({TypeLabel(type), outcome}).Increment();
}

// ---------------------------------------------------------------- gauges

absl::Status Courses::RefreshGauges() {
  auto courses = store_.LoadAllCourses();
  if (!courses.ok()) return courses.status();
  // From the line index: a count and a first entry per line, not a read of everyone waiting.
  auto lines = store_.SummariseLines();
  if (!lines.ok()) return lines.status();
  const absl::CivilDay today = Today();
  std::map<std::vector<std::string>, double> waitlist, oldest, seats, childcare;
  for (const auto& [line, summary] : *lines) {
    std::vector<std::string> labels = {TypeLabel(line.first), line.second};
    waitlist[labels] = summary.waiting;
    oldest[labels] = static_cast<double>(std::max<absl::civil_diff_t>(0, today - summary.oldest));
  }
  for (const auto& loaded : *courses) {
    const v1::Course c = View(loaded.record);
    if (!TakesParticipants(c.status())) continue;
    const std::string type = TypeLabel(c.course_type());
    const std::string& area = c.location().social_area();
    seats[{type, area, "free"}] += c.free_seats();
    seats[{type, area, "offered"}] += c.offered();
    seats[{type, area, "enrolled"}] += c.enrolled();
    childcare[{area, "free"}] += std::max(0, c.childcare_places() - c.childcare_in_use());
    childcare[{area, "in_use"}] += c.childcare_in_use();
  }
  instruments_->waitlist_table.Publish(waitlist);
  instruments_->oldest_table.Publish(oldest);
  instruments_->seats_table.Publish(seats);
  instruments_->childcare_table.Publish(childcare);
  return absl::OkStatus();
}

}  // namespace ankommen::courses
