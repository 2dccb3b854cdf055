#include "pool_csv.h"

#include <map>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "grpc/status.h"

namespace ankommen::mediators {
namespace {

std::vector<std::string> List(const std::string& text) {
  std::vector<std::string> out;
  for (absl::string_view part : absl::StrSplit(text, ';', absl::SkipWhitespace())) {
    out.emplace_back(absl::StripAsciiWhitespace(part));
  }
  return out;
}

// "09:30" -> 570; -1 when it is not a time of day (24:00 is the day's end).
int MinuteOf(absl::string_view hhmm) {
  std::vector<absl::string_view> parts = absl::StrSplit(hhmm, ':');
  int h = 0, m = 0;
  if (parts.size() != 2 || parts[1].size() != 2 || !absl::SimpleAtoi(parts[0], &h) || !absl::SimpleAtoi(parts[1], &m)) {
    return -1;
  }
  if (h < 0 || m < 0 || m > 59 || h > 24 || (h == 24 && m != 0)) return -1;
  return h * 60 + m;
}

}  // namespace

absl::StatusOr<PoolRow> PoolRowOf(const CsvTable& table, const CsvRow& row) {
  Violations v;
  PoolRow out;
  auto get = [&](const char* column) { return table.Get(row, column); };
  out.contact.set_given_names(get("given_names"));
  out.contact.set_family_name(get("family_name"));
  out.contact.set_phone(get("phone"));
  out.contact.set_email(get("email"));
  v1::Mediator& m = out.mediator;
  for (const std::string& skill : List(get("languages"))) {
    std::vector<std::string> parts = absl::StrSplit(skill, ':');
    auto* s = m.add_skills();
    s->set_language(absl::AsciiStrToLower(parts[0]));
    if (parts.size() > 1) s->set_dialect(absl::AsciiStrToLower(parts[1]));
    if (parts.size() > 2) v.Add("languages", absl::StrCat("'", skill, "' is not language or language:dialect"));
  }
  static const std::map<std::string, v1::Direction> kDirections = {
      {"", v1::DIRECTION_BOTH}, {"both", v1::DIRECTION_BOTH}, {"into_german", v1::DIRECTION_INTO_GERMAN},
      {"from_german", v1::DIRECTION_FROM_GERMAN}};
  static const std::map<std::string, v1::Qualification> kQualifications = {
      {"volunteer", v1::QUALIFICATION_VOLUNTEER}, {"trained", v1::QUALIFICATION_TRAINED},
      {"certified", v1::QUALIFICATION_CERTIFIED}};
  static const std::map<std::string, v1::Gender> kGenders = {
      {"", v1::GENDER_UNSPECIFIED}, {"female", v1::GENDER_FEMALE}, {"male", v1::GENDER_MALE},
      {"diverse", v1::GENDER_DIVERSE}};
  static const std::map<std::string, absl::Weekday> kDays = {
      {"mon", absl::Weekday::monday}, {"tue", absl::Weekday::tuesday}, {"wed", absl::Weekday::wednesday},
      {"thu", absl::Weekday::thursday}, {"fri", absl::Weekday::friday}, {"sat", absl::Weekday::saturday},
      {"sun", absl::Weekday::sunday}};
  if (auto it = kDirections.find(absl::AsciiStrToLower(get("direction"))); it != kDirections.end()) {
    m.set_direction(it->second);
  } else {
    v.Add("direction", "must be both, into_german or from_german");
  }
  if (auto it = kQualifications.find(absl::AsciiStrToLower(get("qualification"))); it != kQualifications.end()) {
    m.set_qualification(it->second);
  } else {
    v.Add("qualification", "must be volunteer, trained or certified");
  }
  if (auto it = kGenders.find(absl::AsciiStrToLower(get("gender"))); it != kGenders.end()) {
    m.set_gender(it->second);
  } else {
    v.Add("gender", "must be female, male, diverse or empty");
  }
  for (const std::string& area : List(get("social_areas"))) m.add_social_areas(area);
  double lat = 0, lon = 0, max_km = 0;
  if (!absl::SimpleAtod(get("lat"), &lat) || !absl::SimpleAtod(get("lon"), &lon)) {
    v.Add("lat,lon", "must be decimal degrees");
  }
  m.mutable_home()->set_lat(lat);
  m.mutable_home()->set_lon(lon);
  if (!absl::SimpleAtod(get("max_km"), &max_km)) v.Add("max_km", "must be a number of kilometres");
  m.set_max_km(max_km);
  const std::string remote = absl::AsciiStrToLower(get("remote"));
  if (remote == "yes" || remote == "true" || remote == "1") m.set_remote(true);
  else if (!(remote == "no" || remote == "false" || remote == "0" || remote.empty())) v.Add("remote", "must be yes or no");
  for (const std::string& window : List(get("windows"))) {
    std::vector<std::string> parts = absl::StrSplit(window, absl::ByAnyChar(" -"), absl::SkipEmpty());
    const auto day = parts.size() == 3 ? kDays.find(absl::AsciiStrToLower(parts[0])) : kDays.end();
    const int from = parts.size() == 3 ? MinuteOf(parts[1]) : -1, to = parts.size() == 3 ? MinuteOf(parts[2]) : -1;
    if (day == kDays.end() || from < 0 || to < 0) {
      v.Add("windows", absl::StrCat("'", window, "' is not a window like 'mon 09:00-17:00'"));
      continue;
    }
    auto* w = m.add_windows();
    // The API numbers Monday 1 … Sunday 7; absl Monday 0 … Sunday 6.
    w->set_day(static_cast<v1::Weekday>(static_cast<int>(day->second) + 1));
    w->set_from_minute(from);
    w->set_to_minute(to);
  }
  int cap = 0;
  if (!absl::SimpleAtoi(get("monthly_hours_cap"), &cap)) v.Add("monthly_hours_cap", "must be a whole number of hours");
  m.set_monthly_hours_cap(cap);
  if (!v.empty()) return v.ToStatus();
  return out;
}

}  // namespace ankommen::mediators
