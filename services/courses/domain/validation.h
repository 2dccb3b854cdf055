// What the course service accepts. Pure functions over the request messages;
// each returns INVALID_ARGUMENT naming every bad field, or OK.
#pragma once

#include "absl/status/status.h"
#include "absl/time/civil_time.h"
#include "ankommen/courses/v1/courses.pb.h"
#include "domain/course_types.h"

namespace ankommen::courses {

inline constexpr int kMaxPageSize = 500;
// A course's title goes into letters: a plain name (field_checks.h, CheckName).
inline constexpr size_t kMaxTitleLength = 80;
inline constexpr int kDefaultPageSize = 50;
inline constexpr int kMaxChildcareChildren = 6;
inline constexpr double kMaxTravelKm = 200;
inline constexpr int kMaxResults = 100;

absl::Status ValidateCreateProvider(const v1::CreateProviderRequest& request);
absl::Status ValidateCreateCourse(const v1::CreateCourseRequest& request, absl::CivilDay today,
                                  const CourseTypeTable& types = {});
absl::Status ValidateUpdateCourse(const v1::UpdateCourseRequest& request, absl::CivilDay today);
absl::Status ValidateCancelCourse(const v1::CancelCourseRequest& request);
absl::Status ValidateCompleteCourse(const v1::CompleteCourseRequest& request);
absl::Status ValidateListCourses(const v1::ListCoursesRequest& request);
absl::Status ValidateRequestSeat(const v1::RequestSeatRequest& request);
absl::Status ValidateWithdrawRequest(const v1::WithdrawRequestRequest& request);
absl::Status ValidateListWaitingList(const v1::ListWaitingListRequest& request);
// Accept and decline: an idempotency key and an offer id.
absl::Status ValidateOfferAnswer(const std::string& idempotency_key, const std::string& offer_id);
absl::Status ValidateId(const char* field, const std::string& id, const char* prefix);

// Seats for a course of this type: 1 to the type's group size.
absl::Status CheckSeats(const char* field, v1::CourseType type, int seats, const CourseTypeTable& types);

}  // namespace ankommen::courses
