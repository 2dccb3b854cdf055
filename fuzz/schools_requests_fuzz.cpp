// The school service's request validation on arbitrary requests, and the
// districts' school table (CSV) as ImportSchools reads it.
#include "domain/school_table.h"
#include "domain/validation.h"
#include "fuzz_input.h"

namespace v1 = ankommen::schools::v1;
using namespace ankommen::schools;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  ankommen::fuzz::Input in;
  if (!ankommen::fuzz::Split(data, size, in)) return 0;
  switch (in.selector % 11) {
    case 0: { v1::CreateSchoolRequest r; if (ParseAs(in, r)) (void)ValidateCreateSchool(r); break; }
    case 1: { v1::ImportSchoolsRequest r; if (ParseAs(in, r)) (void)ValidateImport(r); break; }
    case 2: { v1::UpdateClassRequest r; if (ParseAs(in, r)) (void)ValidateUpdateClass(r); break; }
    case 3: { v1::CreateKitaRequest r; if (ParseAs(in, r)) (void)ValidateCreateKita(r); break; }
    case 4: { v1::AdvancePhaseRequest r; if (ParseAs(in, r)) (void)ValidateAdvancePhase(r); break; }
    case 5: { v1::RequestKitaRequest r; if (ParseAs(in, r)) (void)ValidateRequestKita(r, AgeRules{}); break; }
    case 6: { v1::ConfirmPlacementRequest r; if (ParseAs(in, r)) (void)ValidateConfirmPlacement(r); break; }
    case 7: { v1::RejectPlacementRequest r; if (ParseAs(in, r)) (void)ValidateRejectPlacement(r); break; }
    case 8: { v1::PlaceManuallyRequest r; if (ParseAs(in, r)) (void)ValidatePlaceManually(r); break; }
    default: {
      // The bytes as a school table: every row imported or refused with a reason.
      std::map<std::string, ankommen::common::v1::ApproxLocation> areas;
      areas["Riesa"].set_lat(51.3);
      areas["Riesa"].set_lon(13.29);
      auto table = ParseSchoolTable(ankommen::fuzz::Rest(in), areas, "14627230");
      (void)Totals(table.rows);
      break;
    }
  }
  return 0;
}
