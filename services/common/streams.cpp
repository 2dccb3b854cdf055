#include "streams.h"

namespace ankommen::streams {

StreamSpec Registry() {
  StreamSpec spec;
  spec.name = kRegistry;
  spec.subjects = {"ankommen.registry.>"};
  return spec;
}

StreamSpec Courses() {
  StreamSpec spec;
  spec.name = kCourses;
  spec.subjects = {"ankommen.courses.>"};
  return spec;
}

}  // namespace ankommen::streams
