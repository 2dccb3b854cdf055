// The event streams and their subjects: the contract between services. A
// service ensures the streams it publishes to and those it consumes from, so
// start-up order does not matter; the specs come from here, so they agree.
#pragma once

#include "bus/bus.h"

namespace ankommen::streams {

// The registry: households and persons (pseudonymous facts only).
inline constexpr char kRegistry[] = "REGISTRY";
inline constexpr char kHouseholdRegistered[] = "ankommen.registry.household.registered";
inline constexpr char kPersonStatusChanged[] = "ankommen.registry.person.status_changed";
inline constexpr char kPersonLevelRecorded[] = "ankommen.registry.person.level_recorded";
inline constexpr char kHouseholdRelocated[] = "ankommen.registry.household.relocated";
inline constexpr char kPersonErased[] = "ankommen.registry.person.erased";
inline constexpr char kPersonMerged[] = "ankommen.registry.person.merged";
inline constexpr char kHouseholdCaseClosed[] = "ankommen.registry.household.case_closed";
inline constexpr char kHouseholdAged[] = "ankommen.registry.household.aged";
inline constexpr char kPersonObligationChanged[] = "ankommen.registry.person.obligation_changed";

// The course service: requests, offers, enrolments, courses.
inline constexpr char kCourses[] = "COURSES";
inline constexpr char kSeatRequested[] = "ankommen.courses.request.created";
inline constexpr char kRequestWithdrawn[] = "ankommen.courses.request.withdrawn";
inline constexpr char kRequestChanged[] = "ankommen.courses.request.changed";
inline constexpr char kSeatOffered[] = "ankommen.courses.offer.made";
inline constexpr char kOfferAccepted[] = "ankommen.courses.offer.accepted";
inline constexpr char kOfferDeclined[] = "ankommen.courses.offer.declined";
inline constexpr char kOfferExpired[] = "ankommen.courses.offer.expired";
inline constexpr char kOfferWithdrawn[] = "ankommen.courses.offer.withdrawn";
inline constexpr char kEnrolmentStarted[] = "ankommen.courses.enrolment.started";
inline constexpr char kCourseCompleted[] = "ankommen.courses.course.completed";
inline constexpr char kCourseCancelled[] = "ankommen.courses.course.cancelled";

// The school service: school and Kita placements, phases, capacity gaps.
inline constexpr char kSchools[] = "SCHOOLS";
inline constexpr char kSchoolPlaced[] = "ankommen.schools.school.placed";
inline constexpr char kKitaPlaced[] = "ankommen.schools.kita.placed";
inline constexpr char kPhaseAdvanced[] = "ankommen.schools.phase.advanced";
inline constexpr char kCapacityGapDetected[] = "ankommen.schools.gap.detected";

// The housing service: offers, moves, vacancies, lease transfers.
inline constexpr char kHousing[] = "HOUSING";
inline constexpr char kHousingOffered[] = "ankommen.housing.placement.offered";
inline constexpr char kHouseholdMovedIn[] = "ankommen.housing.household.moved_in";
inline constexpr char kHouseholdMovedOut[] = "ankommen.housing.household.moved_out";
inline constexpr char kVacancyReported[] = "ankommen.housing.vacancy.reported";
inline constexpr char kLeaseOffered[] = "ankommen.housing.lease.offered";
inline constexpr char kLeaseAccepted[] = "ankommen.housing.lease.accepted";

// The mediators service: requests for a mediator, proposals, bookings, outcomes.
inline constexpr char kMediators[] = "MEDIATORS";
inline constexpr char kMediationRequested[] = "ankommen.mediators.request.created";
inline constexpr char kMediatorProposed[] = "ankommen.mediators.request.proposed";
inline constexpr char kMediationUnfilled[] = "ankommen.mediators.request.unfilled";
inline constexpr char kMediatorBooked[] = "ankommen.mediators.request.booked";
inline constexpr char kBookingCancelled[] = "ankommen.mediators.request.cancelled";
inline constexpr char kMediationCompleted[] = "ankommen.mediators.request.completed";
inline constexpr char kMediatorRemoved[] = "ankommen.mediators.mediator.removed";

// Casework: who looks after each household, hand-overs and their tasks.
inline constexpr char kCasework[] = "CASEWORK";
inline constexpr char kCaseAssigned[] = "ankommen.casework.case.assigned";
inline constexpr char kTaskOpened[] = "ankommen.casework.task.opened";
inline constexpr char kTaskDone[] = "ankommen.casework.task.done";
inline constexpr char kWorkerChanged[] = "ankommen.casework.worker.changed";

// Notifications: what became of each message (the district's figures).
inline constexpr char kNotifications[] = "NOTIFICATIONS";
inline constexpr char kMessageSettled[] = "ankommen.notifications.message.settled";

StreamSpec Registry();
StreamSpec Courses();
StreamSpec Schools();
StreamSpec Housing();
StreamSpec Mediators();
StreamSpec Notifications();
StreamSpec Casework();

}  // namespace ankommen::streams
