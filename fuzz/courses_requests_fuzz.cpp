// The course service's request validation on arbitrary requests.
#include "absl/time/civil_time.h"
#include "domain/validation.h"
#include "fuzz_input.h"

namespace v1 = ankommen::courses::v1;
using namespace ankommen::courses;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  ankommen::fuzz::Input in;
  if (!ankommen::fuzz::Split(data, size, in)) return 0;
  const absl::CivilDay today(2026, 11, 23);
  switch (in.selector % 9) {
    case 0: { v1::CreateProviderRequest r; if (ParseAs(in, r)) (void)ValidateCreateProvider(r); break; }
    case 1: { v1::CreateCourseRequest r; if (ParseAs(in, r)) (void)ValidateCreateCourse(r, today); break; }
    case 2: { v1::UpdateCourseRequest r; if (ParseAs(in, r)) (void)ValidateUpdateCourse(r, today); break; }
    case 3: { v1::CancelCourseRequest r; if (ParseAs(in, r)) (void)ValidateCancelCourse(r); break; }
    case 4: { v1::CompleteCourseRequest r; if (ParseAs(in, r)) (void)ValidateCompleteCourse(r); break; }
    case 5: { v1::ListCoursesRequest r; if (ParseAs(in, r)) (void)ValidateListCourses(r); break; }
    case 6: { v1::RequestSeatRequest r; if (ParseAs(in, r)) (void)ValidateRequestSeat(r); break; }
    case 7: { v1::WithdrawRequestRequest r; if (ParseAs(in, r)) (void)ValidateWithdrawRequest(r); break; }
    default: { v1::ListWaitingListRequest r; if (ParseAs(in, r)) (void)ValidateListWaitingList(r); break; }
  }
  return 0;
}
