#include "bus/streams.h"

namespace ankommen::streams {
namespace {

StreamSpec Spec(const char* name, const char* subjects) {
  StreamSpec spec;
  spec.name = name;
  spec.subjects = {subjects};
  return spec;
}

}  // namespace

StreamSpec Registry() { return Spec(kRegistry, "ankommen.registry.>"); }
StreamSpec Courses() { return Spec(kCourses, "ankommen.courses.>"); }
StreamSpec Schools() { return Spec(kSchools, "ankommen.schools.>"); }
StreamSpec Housing() { return Spec(kHousing, "ankommen.housing.>"); }
StreamSpec Mediators() { return Spec(kMediators, "ankommen.mediators.>"); }
StreamSpec Notifications() { return Spec(kNotifications, "ankommen.notifications.>"); }
StreamSpec Casework() { return Spec(kCasework, "ankommen.casework.>"); }

}  // namespace ankommen::streams
