#include "domain/validation.h"

#include <cmath>

#include "absl/strings/str_cat.h"
#include "domain/course_rules.h"
#include "domain/entitlement.h"
#include "text/field_checks.h"
#include "store/ids.h"
#include "grpc/status.h"
#include "storage/course_store.h"

namespace ankommen::courses {
namespace {

// Courses are planned a few years ahead at most, and none started before ankommen existed.
constexpr int kEarliestYear = 2015;
constexpr int kYearsAhead = 3;

void CheckId(Violations& v, const char* field, const std::string& id, const char* prefix) {
  if (id.empty()) v.Add(field, "is required");
  else if (!IsValidId(id, prefix)) v.Add(field, absl::StrCat("is not a ", prefix, "_… id of this service"));
}

void CheckStartDate(Violations& v, const char* field, const std::string& text, absl::CivilDay today) {
  absl::CivilDay day;
  if (!ParseIsoDate(text, day)) {
    v.Add(field, "must be a date as YYYY-MM-DD");
  } else if (day.year() < kEarliestYear) {
    v.Add(field, absl::StrCat("is before ", kEarliestYear));
  } else if (day.year() > today.year() + kYearsAhead) {
    v.Add(field, absl::StrCat("is more than ", kYearsAhead, " years ahead"));
  }
}

void CheckPaging(Violations& v, int page_size) {
  if (page_size < 0 || page_size > kMaxPageSize) v.Add("page_size", absl::StrCat("must be from 0 to ", kMaxPageSize));
}

}  // namespace

absl::Status CheckSeats(const char* field, v1::CourseType type, int seats, const CourseTypeTable& types) {
  Violations v;
  const int group_size = types.Of(type).group_size;
  if (seats < 1 || seats > group_size) {
    v.Add(field, absl::StrCat("must be from 1 to ", group_size, ", the group size of ", v1::CourseType_Name(type)));
  }
  return v.ToStatus();
}

absl::Status ValidateId(const char* field, const std::string& id, const char* prefix) {
  Violations v;
  CheckId(v, field, id, prefix);
  return v.ToStatus();
}

absl::Status ValidateCreateProvider(const v1::CreateProviderRequest& request) {
  Violations v;
  CheckIdempotencyKey(v, request.idempotency_key());
  if (!request.provider().provider_id().empty()) v.Add("provider.provider_id", "is set by the service; leave it empty");
  CheckText(v, "provider.name", request.provider().name(), /*required=*/true, 200);
  CheckText(v, "provider.bamf_number", request.provider().bamf_number(), /*required=*/false, 32);
  return v.ToStatus();
}

absl::Status ValidateCreateCourse(const v1::CreateCourseRequest& request, absl::CivilDay today,
                                  const CourseTypeTable& types) {
  Violations v;
  CheckIdempotencyKey(v, request.idempotency_key());
  const v1::Course& c = request.course();
  if (!request.has_course()) v.Add("course", "is required");
  if (!c.course_id().empty()) v.Add("course.course_id", "is set by the service; leave it empty");
  CheckId(v, "course.provider_id", c.provider_id(), kProviderIdPrefix);
  // The title goes into letters to people: a plain name, no wording of the provider's own.
  CheckName(v, "course.title", c.title(), /*required=*/false, kMaxTitleLength);
  CheckEnum(v, "course.course_type", c.course_type(), v1::CourseType_IsValid, /*required=*/true);
  if (!IsDigits(c.location().municipality_ags(), 8)) {
    v.Add("course.location.municipality_ags", "must be the 8-digit Amtlicher Gemeindeschlüssel");
  }
  CheckSocialArea(v, "course.location.social_area", c.location().social_area());
  if (!c.location().has_coordinates()) v.Add("course.location.coordinates", "is required: allocation is by distance");
  else CheckCoordinates(v, "course.location.coordinates.", c.location().coordinates().lat(), c.location().coordinates().lon());
  CheckStartDate(v, "course.start_date", c.start_date(), today);
  CheckEnum(v, "course.schedule", c.schedule(), v1::Schedule_IsValid, /*required=*/true);
  const bool type_known = v1::CourseType_IsValid(c.course_type()) && c.course_type() != v1::COURSE_TYPE_UNSPECIFIED;
  const int seats = !c.has_seats() && type_known ? types.Of(c.course_type()).default_seats : c.seats();
  if (type_known && (seats < 1 || seats > types.Of(c.course_type()).group_size)) {
    v.Add("course.seats", absl::StrCat("must be from 1 to ", types.Of(c.course_type()).group_size,
                                       ", the group size of ", v1::CourseType_Name(c.course_type())));
  }
  if (c.teaching_units() < 0 || c.teaching_units() > kMaxTeachingUnits) {
    v.Add("course.teaching_units", absl::StrCat("must be from 0 (the type's) to ", kMaxTeachingUnits));
  }
  if (c.childcare_places() < 0 || c.childcare_places() > seats) {
    v.Add("course.childcare_places", "must be from 0 to the number of seats");
  }
  if (!c.target_level().empty() && !ParseLevel(c.target_level()).has_value()) {
    v.Add("course.target_level", "must be a CEFR level A1..C2");
  }
  if (!v1::CourseStatus_IsValid(c.status())) {
    v.Add("course.status", absl::StrCat("has unknown value ", c.status()));
  } else if (c.status() != v1::COURSE_STATUS_UNSPECIFIED && c.status() != v1::COURSE_STATUS_PLANNED &&
             c.status() != v1::COURSE_STATUS_OPEN) {
    v.Add("course.status", "a new course is PLANNED or OPEN");
  }
  if (c.offered() != 0 || c.enrolled() != 0 || c.free_seats() != 0 || c.childcare_in_use() != 0 || c.version() != 0) {
    v.Add("course", "offered, enrolled, free_seats, childcare_in_use and version are read-only");
  }
  return v.ToStatus();
}

absl::Status ValidateUpdateCourse(const v1::UpdateCourseRequest& request, absl::CivilDay today) {
  Violations v;
  CheckIdempotencyKey(v, request.idempotency_key());
  CheckId(v, "course_id", request.course_id(), kCourseIdPrefix);
  // The upper bound depends on the course type: checked with the course.
  if (request.has_seats() && request.seats() < 1) v.Add("seats", "must be at least 1");
  if (request.has_childcare_places() && request.childcare_places() < 0) v.Add("childcare_places", "may not be negative");
  if (request.has_start_date()) CheckStartDate(v, "start_date", request.start_date(), today);
  CheckEnum(v, "schedule", request.schedule(), v1::Schedule_IsValid, /*required=*/false);
  if (!v1::CourseStatus_IsValid(request.status())) {
    v.Add("status", absl::StrCat("has unknown value ", request.status()));
  } else if (request.status() != v1::COURSE_STATUS_UNSPECIFIED && request.status() != v1::COURSE_STATUS_OPEN &&
             request.status() != v1::COURSE_STATUS_RUNNING) {
    v.Add("status", "can be set to OPEN or RUNNING here; use CancelCourse or CompleteCourse for the others");
  }
  return v.ToStatus();
}

absl::Status ValidateCancelCourse(const v1::CancelCourseRequest& request) {
  Violations v;
  CheckIdempotencyKey(v, request.idempotency_key());
  CheckId(v, "course_id", request.course_id(), kCourseIdPrefix);
  CheckText(v, "reason", request.reason(), /*required=*/false, 500);
  return v.ToStatus();
}

absl::Status ValidateCompleteCourse(const v1::CompleteCourseRequest& request) {
  Violations v;
  CheckIdempotencyKey(v, request.idempotency_key());
  CheckId(v, "course_id", request.course_id(), kCourseIdPrefix);
  if (request.results_size() > kMaxResults) v.Add("results", absl::StrCat("has more than ", kMaxResults, " entries"));
  for (int i = 0; i < request.results_size() && i < kMaxResults; ++i) {
    const auto& r = request.results(i);
    std::string p = absl::StrCat("results[", i, "].");
    CheckId(v, (p + "person_id").c_str(), r.person_id(), kPersonIdPrefix);
    if (r.reached_level().empty() || !ParseLevel(r.reached_level()).has_value()) {
      v.Add(p + "reached_level", "must be a CEFR level A0..C2");
    }
  }
  return v.ToStatus();
}

absl::Status ValidateListCourses(const v1::ListCoursesRequest& request) {
  Violations v;
  CheckEnum(v, "course_type", request.course_type(), v1::CourseType_IsValid, /*required=*/false);
  if (!request.social_area().empty()) CheckSocialArea(v, "social_area", request.social_area());
  CheckPaging(v, request.page_size());
  return v.ToStatus();
}

absl::Status ValidateRequestSeat(const v1::RequestSeatRequest& request) {
  Violations v;
  CheckIdempotencyKey(v, request.idempotency_key());
  CheckId(v, "person_id", request.person_id(), kPersonIdPrefix);
  CheckEnum(v, "course_type", request.course_type(), v1::CourseType_IsValid, /*required=*/true);
  if (request.childcare_children() < 0 || request.childcare_children() > kMaxChildcareChildren) {
    v.Add("childcare_children", absl::StrCat("must be from 0 to ", kMaxChildcareChildren));
  }
  if (!std::isfinite(request.max_km()) || request.max_km() < 0 || request.max_km() > kMaxTravelKm) {
    v.Add("max_km", absl::StrCat("must be from 0 (the district's default) to ", kMaxTravelKm));
  }
  return v.ToStatus();
}

absl::Status ValidateWithdrawRequest(const v1::WithdrawRequestRequest& request) {
  Violations v;
  CheckIdempotencyKey(v, request.idempotency_key());
  CheckId(v, "person_id", request.person_id(), kPersonIdPrefix);
  CheckId(v, "request_id", request.request_id(), kRequestIdPrefix);
  return v.ToStatus();
}

absl::Status ValidateListWaitingList(const v1::ListWaitingListRequest& request) {
  Violations v;
  CheckEnum(v, "course_type", request.course_type(), v1::CourseType_IsValid, /*required=*/true);
  if (!request.social_area().empty()) CheckSocialArea(v, "social_area", request.social_area());
  CheckPaging(v, request.page_size());
  return v.ToStatus();
}

absl::Status ValidateOfferAnswer(const std::string& idempotency_key, const std::string& offer_id) {
  Violations v;
  CheckIdempotencyKey(v, idempotency_key);
  CheckId(v, "offer_id", offer_id, kOfferIdPrefix);
  return v.ToStatus();
}

}  // namespace ankommen::courses
