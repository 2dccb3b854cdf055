// The housing service's request validation on arbitrary requests, and the
// accommodation table (CSV) row by row as ImportAccommodations reads it.
#include "text/csv.h"
#include "domain/validation.h"
#include "fuzz_input.h"

namespace v1 = ankommen::housing::v1;
using namespace ankommen::housing;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  ankommen::fuzz::Input in;
  if (!ankommen::fuzz::Split(data, size, in)) return 0;
  switch (in.selector % 6) {
    case 0: { v1::CreateAccommodationRequest r; if (ParseAs(in, r)) (void)ValidateCreateAccommodation(r); break; }
    case 1: { v1::ImportAccommodationsRequest r; if (ParseAs(in, r)) (void)ValidateImport(r); break; }
    case 2: { v1::ReportVacancyRequest r; if (ParseAs(in, r)) (void)ValidateReportVacancy(r); break; }
    case 3: { v1::DeclinePlacementRequest r; if (ParseAs(in, r)) (void)ValidateDecline(r); break; }
    case 4: { v1::PlaceManuallyRequest r; if (ParseAs(in, r)) (void)ValidatePlaceManually(r); break; }
    default: {
      const auto table = ankommen::ParseCsv(ankommen::fuzz::Rest(in));
      for (const auto& row : table.rows) (void)AccommodationFromRow(table, row);
      break;
    }
  }
  return 0;
}
