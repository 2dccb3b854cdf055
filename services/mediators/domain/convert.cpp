#include "convert.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "grpc/status.h"
#include "text/field_checks.h"

namespace ankommen::mediators {
namespace {

// The statuses' violations, in order, as one.
absl::Status Together(const Violations& read, const absl::Status& validated) {
  if (read.empty()) return validated;
  std::vector<FieldViolation> all = read.list();
  for (auto& v : FieldViolationsOf(validated)) all.push_back(std::move(v));
  return InvalidFields(all);
}

Gender GenderOf(v1::Gender g) {
  switch (g) {
    case v1::GENDER_FEMALE: return Gender::kFemale;
    case v1::GENDER_MALE: return Gender::kMale;
    case v1::GENDER_DIVERSE: return Gender::kDiverse;
    default: return Gender::kUnspecified;
  }
}

}  // namespace

absl::StatusOr<Mediator> MediatorFromProto(const v1::Mediator& p) {
  Violations read;
  Mediator m;
  m.id = p.mediator_id();
  for (const auto& s : p.skills()) m.skills.push_back({s.language(), s.dialect()});
  CheckEnum(read, "mediator.direction", p.direction(), v1::Direction_IsValid, /*required=*/true);
  m.direction = p.direction() == v1::DIRECTION_INTO_GERMAN   ? Direction::kIntoGerman
                : p.direction() == v1::DIRECTION_FROM_GERMAN ? Direction::kFromGerman
                                                             : Direction::kBoth;
  CheckEnum(read, "mediator.qualification", p.qualification(), v1::Qualification_IsValid, /*required=*/true);
  m.qualification = p.qualification() == v1::QUALIFICATION_CERTIFIED ? Qualification::kCertified
                    : p.qualification() == v1::QUALIFICATION_TRAINED  ? Qualification::kTrained
                                                                      : Qualification::kVolunteer;
  CheckEnum(read, "mediator.gender", p.gender(), v1::Gender_IsValid, /*required=*/false);
  m.gender = GenderOf(p.gender());
  for (int i = 0; i < p.social_areas_size(); ++i) {
    CheckSocialArea(read, absl::StrCat("mediator.social_areas[", i, "]"), p.social_areas(i));
    m.areas.push_back(p.social_areas(i));
  }
  m.home = {p.home().lat(), p.home().lon()};
  m.max_km = p.max_km();
  m.remote = p.remote();
  for (int i = 0; i < p.windows_size(); ++i) {
    const auto& w = p.windows(i);
    if (w.day() < v1::WEEKDAY_MONDAY || w.day() > v1::WEEKDAY_SUNDAY) {
      read.Add(absl::StrCat("mediator.windows[", i, "].day"), "must be a day of the week");
    }
    // absl numbers Monday 0 … Sunday 6; the API Monday 1 … Sunday 7.
    const auto day = static_cast<absl::Weekday>(std::clamp(static_cast<int>(w.day()), 1, 7) - 1);
    m.windows.push_back({day, w.from_minute(), w.to_minute()});
  }
  for (int i = 0; i < p.absences_size(); ++i) {
    Absence a;
    if (!ParseIsoDate(p.absences(i).from(), a.from)) {
      read.Add(absl::StrCat("mediator.absences[", i, "].from"), "must be a date YYYY-MM-DD");
    }
    if (!ParseIsoDate(p.absences(i).to(), a.to)) {
      read.Add(absl::StrCat("mediator.absences[", i, "].to"), "must be a date YYYY-MM-DD");
    }
    m.absences.push_back(a);
  }
  m.monthly_hours_cap = p.monthly_hours_cap();
  m.related_household_ids.assign(p.related_household_ids().begin(), p.related_household_ids().end());
  if (auto s = Together(read, ValidateMediator(m)); !s.ok()) return s;
  return m;
}

absl::Status ValidateContact(const v1::MediatorContact& c) {
  constexpr size_t kMaxNameChars = 200;
  Violations v;
  CheckName(v, "contact.given_names", c.given_names(), /*required=*/true, kMaxNameChars);
  CheckName(v, "contact.family_name", c.family_name(), /*required=*/true, kMaxNameChars);
  if (c.phone().empty() && c.email().empty()) v.Add("contact", "needs a phone number or an e-mail address");
  if (!c.phone().empty() && !IsPhone(c.phone())) v.Add("contact.phone", "must be in international form, e.g. +4935211234567");
  if (!c.email().empty() && !IsEmail(c.email())) v.Add("contact.email", "is not an e-mail address");
  return v.ToStatus();
}

absl::StatusOr<AppointmentRequest> RequestFromProto(const v1::MediationRequest& p, const std::string& household_id,
                                                    absl::Time now) {
  Violations read;
  AppointmentRequest r;
  r.id = p.request_id();
  r.person_id = p.person_id();
  r.household_id = household_id;
  r.language = p.language();
  r.dialect = p.dialect();
  r.remote = p.remote();
  r.place = {p.location().lat(), p.location().lon()};
  r.area = p.social_area();
  if (!r.area.empty()) CheckSocialArea(read, "request.social_area", r.area);
  if (!p.has_start()) {
    read.Add("request.start", "is required");
  } else if (p.start().seconds() < 0 || p.start().seconds() > 253402300799 || p.start().nanos() < 0 ||
             p.start().nanos() > 999999999) {
    read.Add("request.start", "is not a time");
  } else {
    r.start = absl::FromUnixSeconds(p.start().seconds()) + absl::Nanoseconds(p.start().nanos());
  }
  r.duration = absl::Minutes(p.duration_minutes());
  CheckEnum(read, "request.topic", p.topic(), v1::Topic_IsValid, /*required=*/true);
  switch (p.topic()) {
    case v1::TOPIC_HEALTH: r.topic = Topic::kHealth; break;
    case v1::TOPIC_SCHOOL: r.topic = Topic::kSchool; break;
    case v1::TOPIC_SOCIAL_WORK: r.topic = Topic::kSocialWork; break;
    case v1::TOPIC_HOUSING: r.topic = Topic::kHousing; break;
    default: r.topic = Topic::kAuthority; break;
  }
  CheckEnum(read, "request.gender_wish", p.gender_wish(), v1::Gender_IsValid, /*required=*/false);
  r.gender_wish = GenderOf(p.gender_wish());
  r.urgent = p.urgent();
  r.requested_at = p.has_requested_at() ? absl::FromUnixSeconds(p.requested_at().seconds()) : now;
  if (auto s = Together(read, ValidateRequest(r, now)); !s.ok()) return s;
  return r;
}

}  // namespace ankommen::mediators
