// Event decoding: a payload read as each event the services consume (a
// producer of another version, or a corrupted message, must not crash a
// consumer), and a learner's stored record through the course service's
// reconciliation of requests with entitlements.
#include "absl/time/civil_time.h"
#include "ankommen/courses/v1/events.pb.h"
#include "ankommen/courses/v1/state.pb.h"
#include "ankommen/housing/v1/events.pb.h"
#include "ankommen/registry/v1/events.pb.h"
#include "ankommen/schools/v1/events.pb.h"
#include "domain/learner_rules.h"
#include "fuzz_input.h"

namespace rv1 = ankommen::registry::v1;
namespace cv1 = ankommen::courses::v1;
namespace sv1 = ankommen::schools::v1;
namespace hv1 = ankommen::housing::v1;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  ankommen::fuzz::Input in;
  if (!ankommen::fuzz::Split(data, size, in)) return 0;
  switch (in.selector % 12) {
    case 0: { rv1::HouseholdRegistered e; (void)ParseAs(in, e); break; }
    case 1: { rv1::PersonStatusChanged e; (void)ParseAs(in, e); break; }
    case 2: { rv1::PersonLevelRecorded e; (void)ParseAs(in, e); break; }
    case 3: { rv1::HouseholdRelocated e; (void)ParseAs(in, e); break; }
    case 4: { rv1::PersonErased e; (void)ParseAs(in, e); break; }
    case 5: { rv1::PersonMerged e; (void)ParseAs(in, e); break; }
    case 6: { rv1::HouseholdCaseClosed e; (void)ParseAs(in, e); break; }
    case 7: { cv1::CourseCompleted e; (void)ParseAs(in, e); break; }
    case 8: { sv1::SchoolPlaced e; (void)ParseAs(in, e); break; }
    case 9: { hv1::HouseholdMovedIn e; (void)ParseAs(in, e); break; }
    default: {
      cv1::LearnerRecord learner;
      if (!ParseAs(in, learner)) return 0;
      int n = 0;
      (void)ankommen::courses::ReconcileRequests(learner, ankommen::courses::EntitlementRules{},
                                                 absl::CivilDay(2026, 11, 23), ankommen::courses::RequestDefaults{},
                                                 [&n] { return "req_" + std::to_string(++n); });
      break;
    }
  }
  return 0;
}
