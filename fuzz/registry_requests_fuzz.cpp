// The registry's request validation on arbitrary requests.
#include "absl/time/civil_time.h"
#include "domain/duplicates.h"
#include "domain/validation.h"
#include "fuzz_input.h"

namespace v1 = ankommen::registry::v1;
using namespace ankommen::registry;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  ankommen::fuzz::Input in;
  if (!ankommen::fuzz::Split(data, size, in)) return 0;
  const absl::CivilDay today(2026, 11, 23);
  switch (in.selector % 11) {
    case 0: {
      v1::RegisterHouseholdRequest r;
      if (!ParseAs(in, r)) return 0;
      // Only what validation accepts reaches duplicate detection: names of any script.
      if (ValidateRegistration(r, today).ok()) {
        for (const auto& p : r.household().members()) {
          PersonProfile profile{"p_1", "hh_1", p.given_names(), p.family_name(), p.birth_date(), p.nationality()};
          (void)BlockingKeys(profile);
          (void)ScorePair(profile, profile);
        }
      }
      break;
    }
    case 1: { v1::ChangeResidenceStatusRequest r; if (ParseAs(in, r)) (void)ValidateStatusChange(r, today); break; }
    case 2: { v1::RecordLanguageLevelRequest r; if (ParseAs(in, r)) (void)ValidateLevel(r); break; }
    case 3: { v1::RelocateHouseholdRequest r; if (ParseAs(in, r)) (void)ValidateRelocation(r); break; }
    case 4: { v1::ErasePersonRequest r; if (ParseAs(in, r)) (void)ValidateErasure(r); break; }
    case 5: { v1::GetContactRequest r; if (ParseAs(in, r)) (void)ValidateContactRead(r); break; }
    case 6: { v1::ListHouseholdsRequest r; if (ParseAs(in, r)) (void)ValidateList(r); break; }
    case 7: { v1::ResolveDuplicateRequest r; if (ParseAs(in, r)) (void)ValidateResolution(r); break; }
    case 8: { v1::CloseCaseRequest r; if (ParseAs(in, r)) (void)ValidateCloseCase(r); break; }
    case 9: { v1::RecordCourseObligationRequest r; if (ParseAs(in, r)) (void)ValidateObligation(r, today); break; }
    default: {
      // Raw bytes as names: folding and matching must take any UTF-8, or none.
      const std::string text = ankommen::fuzz::Rest(in);
      const std::string folded = FoldName(text);
      (void)NameSkeletons(folded);
      (void)NameSimilarity(folded, "mohammed");
      break;
    }
  }
  return 0;
}
