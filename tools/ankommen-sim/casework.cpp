// Social work in the simulated district: the district's social workers
// (social_areas.csv) join the casework service's staff list before the first
// arrival, each with the caseload the district staffs by today
// (persons_per_social_worker); the casework service then assigns every
// household registered, hands it over on protection and on moves, and the
// council's report counts the caseload from what it assigned.
#include "simulation_internal.h"

namespace ankommen::sim {

absl::Status Simulation::ImportSocialWorkers() {
  std::string csv = "program,social_area,capacity,display_name\n";
  int rows = 0;
  for (const auto& area : district_.social_areas) {
    for (const auto& [program, count] : {std::pair{"fsa", area.social_workers}, std::pair{"mbe", area.migration_counsellors},
                                         std::pair{"jmd", area.youth_migration_workers}}) {
      for (int i = 1; i <= count * scale_; ++i) {
        absl::StrAppend(&csv, program, ",\"", area.name, "\",", district_.persons_per_social_worker, ",", program, " ",
                        i, "\n");
        ++rows;
      }
    }
  }
  if (rows == 0) return absl::OkStatus();  // no staff list: the caseload stays housing's estimate
  wv1::ImportWorkersRequest request;
  request.set_idempotency_key(Key("social-workers", "all"));
  request.set_csv(csv);
  wv1::ImportWorkersResponse response;
  if (auto s = Call(*casework_, &wv1::CaseworkService::Stub::ImportWorkers, request, &response); !s.ok()) return s;
  if (response.rejected_size() > 0) {
    return absl::FailedPreconditionError(absl::StrCat("social_areas.csv: a social worker was refused: ",
                                                      response.rejected(0).reason()));
  }
  social_workers_imported_ = response.imported();
  return absl::OkStatus();
}

}  // namespace ankommen::sim
