#include "pool.h"

#include <algorithm>
#include <set>
#include <utility>

#include "absl/strings/str_cat.h"
#include "grpc/status.h"

namespace ankommen::mediators {
namespace {

// What newcomers to German districts speak (the seeds' countries of origin,
// BAMF's asylum statistics), with the varieties ISO 639-3 codes apart.
constexpr std::pair<std::string_view, std::string_view> kLanguages[] = {
    {"ar", ""}, {"apc", "ar"}, {"arz", "ar"}, {"acm", "ar"}, {"ary", "ar"}, {"ajp", "ar"}, {"afb", "ar"},
    {"fa", ""}, {"prs", ""},   {"tg", ""},    {"ps", ""},    {"pbu", "ps"}, {"pst", "ps"}, {"ku", ""},
    {"kmr", ""}, {"ckb", ""},  {"sdh", ""},   {"ti", ""},    {"am", ""},    {"om", ""},    {"so", ""},
    {"uk", ""}, {"ru", ""},    {"tr", ""},    {"ur", ""},    {"hi", ""},    {"bn", ""},    {"ta", ""},
    {"sq", ""}, {"sr", ""},    {"hr", ""},    {"bs", ""},    {"mk", ""},    {"ro", ""},    {"rom", ""},
    {"ka", ""}, {"hy", ""},    {"az", ""},    {"uz", ""},    {"fr", ""},    {"en", ""},    {"es", ""},
    {"pt", ""}, {"vi", ""},    {"zh", ""},    {"ha", ""},    {"yo", ""},    {"ig", ""},    {"wo", ""},
    {"ln", ""}, {"sw", ""},    {"rw", ""},    {"bg", ""},    {"pl", ""},    {"de", ""},
};

std::string_view Find(std::string_view code, bool& known) {
  for (const auto& [c, of] : kLanguages) {
    if (c == code) {
      known = true;
      return of;
    }
  }
  known = false;
  return {};
}

std::string WeekdayName(absl::Weekday d) {
  switch (d) {
    case absl::Weekday::monday: return "Monday";
    case absl::Weekday::tuesday: return "Tuesday";
    case absl::Weekday::wednesday: return "Wednesday";
    case absl::Weekday::thursday: return "Thursday";
    case absl::Weekday::friday: return "Friday";
    case absl::Weekday::saturday: return "Saturday";
    case absl::Weekday::sunday: return "Sunday";
  }
  return "?";
}

void CheckLanguage(Violations& v, const std::string& field, const std::string& language, const std::string& dialect) {
  bool known = false;
  std::string_view of = Find(language, known);
  if (!known) {
    v.Add(field + ".language", absl::StrCat("\"", language, "\" is not an ISO 639 code of a language we know"));
  } else if (!of.empty()) {
    v.Add(field + ".language", absl::StrCat("\"", language, "\" is a dialect of \"", std::string(of), "\": name the language, the dialect beside it"));
  }
  if (dialect.empty()) return;
  std::string_view dialect_of = Find(dialect, known);
  if (!known || dialect_of.empty()) {
    v.Add(field + ".dialect", absl::StrCat("\"", dialect, "\" is not an ISO 639-3 code of a dialect we know"));
  } else if (dialect_of != language) {
    v.Add(field + ".dialect", absl::StrCat("\"", dialect, "\" is a dialect of \"", std::string(dialect_of), "\", not of \"", language, "\""));
  }
}

bool ValidPoint(const placement::GeoPoint& p) {
  // Germany and its neighbours' border areas; (0, 0) is a point never set.
  return p.lat >= 47.0 && p.lat <= 55.2 && p.lon >= 5.5 && p.lon <= 15.2;
}

}  // namespace

bool IsKnownLanguage(std::string_view code) {
  bool known = false;
  Find(code, known);
  return known;
}

std::string_view LanguageOfDialect(std::string_view code) {
  bool known = false;
  return Find(code, known);
}

absl::Status ValidateMediator(const Mediator& m) {
  Violations v;
  if (m.id.empty()) v.Add("mediator.id", "is required");
  if (m.skills.empty()) v.Add("mediator.skills", "name at least one language");
  for (size_t i = 0; i < m.skills.size(); ++i) {
    CheckLanguage(v, absl::StrCat("mediator.skills[", i, "]"), m.skills[i].language, m.skills[i].dialect);
  }
  if (m.skills.size() == 1 && !m.skills[0].language.empty() && m.skills[0].language == "de") {
    v.Add("mediator.skills[0].language", "German alone mediates nothing: name the other language");
  }
  if (!ValidPoint(m.home)) v.Add("mediator.home", "must be a point in or near Germany (lat 47–55.2, lon 5.5–15.2)");
  if (!(m.max_km > 0 && m.max_km <= kMaxTravelKm)) v.Add("mediator.max_km", "must be more than 0 and at most 200");
  if (m.areas.empty() && !m.remote) v.Add("mediator.social_areas", "name the social areas covered in person, or work remotely");
  if (m.windows.empty()) v.Add("mediator.windows", "name at least one weekly time");
  for (size_t i = 0; i < m.windows.size(); ++i) {
    const auto& w = m.windows[i];
    const std::string f = absl::StrCat("mediator.windows[", i, "]");
    if (w.from_minute < 0 || w.from_minute >= 24 * 60) v.Add(f + ".from_minute", "must be within the day (0 to 1439)");
    if (w.to_minute <= w.from_minute || w.to_minute > 24 * 60) {
      v.Add(f + ".to_minute", "must be after from_minute and at most 1440");
    }
    for (size_t j = 0; j < i; ++j) {
      const auto& o = m.windows[j];
      if (o.day == w.day && o.from_minute < w.to_minute && w.from_minute < o.to_minute) {
        v.Add(f, absl::StrCat("overlaps windows[", j, "] on ", WeekdayName(w.day)));
      }
    }
  }
  for (size_t i = 0; i < m.absences.size(); ++i) {
    const auto& a = m.absences[i];
    const std::string f = absl::StrCat("mediator.absences[", i, "]");
    if (a.to < a.from) v.Add(f + ".to", "must not be before from");
    for (size_t j = 0; j < i; ++j) {
      const auto& o = m.absences[j];
      if (o.from <= a.to && a.from <= o.to) v.Add(f, absl::StrCat("overlaps absences[", j, "]"));
    }
  }
  if (m.monthly_hours_cap <= 0 || m.monthly_hours_cap > 200) {
    v.Add("mediator.monthly_hours_cap", "must be 1 to 200 hours");
  }
  return v.ToStatus();
}

absl::Status ValidateRequest(const AppointmentRequest& r, absl::Time now) {
  Violations v;
  if (r.id.empty()) v.Add("request.request_id", "is required");
  if (r.language.empty()) {
    v.Add("request.language", "is required (the registry's preferred language of the person, or given)");
  } else {
    CheckLanguage(v, "request", r.language, r.dialect);
    if (r.language == "de") v.Add("request.language", "German needs no mediator");
  }
  if (!r.remote && !ValidPoint(r.place)) v.Add("request.location", "an appointment in person needs a point in or near Germany");
  if (!r.remote && r.area.empty()) v.Add("request.social_area", "an appointment in person needs its social area");
  if (r.start <= now) v.Add("request.start", "is in the past");
  if (r.duration <= absl::ZeroDuration()) v.Add("request.duration_minutes", "must be more than zero");
  if (r.duration > absl::Hours(24)) v.Add("request.duration_minutes", "must be at most a day");
  if (r.duration > absl::ZeroDuration() && r.duration % absl::Minutes(1) != absl::ZeroDuration()) {
    v.Add("request.duration_minutes", "must be whole minutes");
  }
  return v.ToStatus();
}

bool Available(const Mediator& m, absl::Time start, absl::Duration duration, absl::TimeZone zone) {
  const absl::CivilSecond from = absl::ToCivilSecond(start, zone);
  const absl::CivilSecond to = absl::ToCivilSecond(start + duration, zone);
  const absl::CivilDay day(from);
  // One window holds it whole: an appointment past midnight fits none.
  if (absl::CivilDay(to) != day && to != absl::CivilSecond(day + 1)) return false;
  for (const auto& a : m.absences) {
    if (a.from <= day && day <= a.to) return false;
  }
  const int from_minute = static_cast<int>((from - absl::CivilSecond(day)) / 60);
  const int to_minute = static_cast<int>((to - absl::CivilSecond(day)) / 60 + ((to - absl::CivilSecond(day)) % 60 ? 1 : 0));
  const absl::Weekday weekday = absl::GetWeekday(day);
  return std::any_of(m.windows.begin(), m.windows.end(), [&](const WeeklyWindow& w) {
    return w.day == weekday && w.from_minute <= from_minute && to_minute <= w.to_minute;
  });
}

}  // namespace ankommen::mediators
