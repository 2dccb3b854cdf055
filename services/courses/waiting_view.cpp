#include "waiting_view.h"

#include <algorithm>
#include <optional>

#include "domain/course_rules.h"
#include "domain/learner_rules.h"
#include "text/field_checks.h"

namespace ankommen::courses {

namespace {

// The seats a course will open for those waiting, from today on; nullopt if none.
std::optional<SeatsOpening> OpeningOf(const LoadedCourse& loaded, absl::CivilDay today) {
  const v1::Course course = View(loaded.record);
  if (course.free_seats() <= 0) return std::nullopt;
  absl::CivilDay starts = today;
  if (ParseIsoDate(course.start_date(), starts) && starts < today) starts = today;
  return SeatsOpening{starts, course.free_seats()};
}

}  // namespace

absl::Status AnnotateFromLines(CourseStore& store, const std::string& social_area, absl::CivilDay today,
                               v1::SeatRequest& request) {
  request.clear_place_in_line();
  request.clear_estimated_seat_date();
  if (request.status() != v1::REQUEST_STATUS_WAITING) return absl::OkStatus();
  auto ahead = store.CountAhead(request.course_type(), social_area, LineOrderKey(ToRequest(request)));
  if (!ahead.ok()) return ahead.status();
  const int place = *ahead + 1;
  request.set_place_in_line(place);
  auto courses = store.LoadCoursesOf(request.course_type(), social_area);
  if (!courses.ok()) return courses.status();
  std::vector<SeatsOpening> openings;
  for (const auto& c : *courses) {
    if (auto opening = OpeningOf(c, today); opening.has_value()) openings.push_back(*opening);
  }
  if (auto date = EstimateSeatDate(place, std::move(openings)); date.has_value()) {
    request.set_estimated_seat_date(FormatIsoDate(*date));
  }
  return absl::OkStatus();
}

absl::StatusOr<WaitingView> WaitingView::Load(CourseStore& store, absl::CivilDay today) {
  auto learners = store.LoadActiveLearners();
  if (!learners.ok()) return learners.status();
  auto courses = store.LoadAllCourses();
  if (!courses.ok()) return courses.status();
  WaitingView view;
  view.today_ = today;
  for (const auto& l : *learners) {
    for (const auto& r : l.record.requests()) {
      if (r.status() != v1::REQUEST_STATUS_WAITING) continue;
      view.lines_[{r.course_type(), l.record.social_area()}].push_back({r, ToRequest(r)});
    }
  }
  for (auto& [key, line] : view.lines_) {
    std::sort(line.begin(), line.end(), [](const Entry& a, const Entry& b) { return InLineBefore(a.in_line, b.in_line); });
    for (size_t i = 0; i < line.size(); ++i) {
      view.place_of_[line[i].request.request_id()] = {key, static_cast<int>(i + 1)};
    }
  }
  for (const auto& c : *courses) {
    if (auto opening = OpeningOf(c, today); opening.has_value()) {
      const v1::Course& course = c.record.course();
      view.openings_[{course.course_type(), course.location().social_area()}].push_back(*opening);
    }
  }
  return view;
}

void WaitingView::Annotate(v1::SeatRequest& request) const {
  request.clear_place_in_line();
  request.clear_estimated_seat_date();
  if (request.status() != v1::REQUEST_STATUS_WAITING) return;
  auto it = place_of_.find(request.request_id());
  if (it == place_of_.end()) return;
  const auto& [key, place] = it->second;
  request.set_place_in_line(place);
  auto openings = openings_.find(key);
  if (openings == openings_.end()) return;
  if (auto date = EstimateSeatDate(place, openings->second); date.has_value()) {
    request.set_estimated_seat_date(FormatIsoDate(*date));
  }
}

std::vector<v1::SeatRequest> WaitingView::Line(v1::CourseType type, const std::string& social_area) const {
  std::vector<Entry> merged;
  for (const auto& [key, line] : lines_) {
    if (key.first != type || (!social_area.empty() && key.second != social_area)) continue;
    merged.insert(merged.end(), line.begin(), line.end());
  }
  std::sort(merged.begin(), merged.end(), [](const Entry& a, const Entry& b) { return InLineBefore(a.in_line, b.in_line); });
  std::vector<v1::SeatRequest> out;
  out.reserve(merged.size());
  for (auto& e : merged) {
    Annotate(e.request);  // the place within the person's own area
    out.push_back(std::move(e.request));
  }
  return out;
}

std::map<WaitingView::Key, WaitingView::LineStats> WaitingView::Stats() const {
  std::map<Key, LineStats> out;
  for (const auto& [key, line] : lines_) {
    LineStats& s = out[key];
    s.waiting = static_cast<int>(line.size());
    for (const auto& e : line) {
      s.oldest_days = std::max(s.oldest_days, static_cast<int>(today_ - e.in_line.requested_on));
    }
  }
  return out;
}

}  // namespace ankommen::courses
