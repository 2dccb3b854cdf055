#include "records.h"

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "grpc/status.h"

namespace ankommen::casework {

namespace rv1 = ::ankommen::registry::v1;

Program ProgramOf(v1::Program program) {
  switch (program) {
    case v1::PROGRAM_MIGRATION_COUNSELLING: return Program::kMigrationCounselling;
    case v1::PROGRAM_YOUTH_MIGRATION: return Program::kYouthMigration;
    default: return Program::kRefugeeSocialWork;
  }
}

v1::Program ToProto(Program program) {
  switch (program) {
    case Program::kRefugeeSocialWork: return v1::PROGRAM_REFUGEE_SOCIAL_WORK;
    case Program::kMigrationCounselling: return v1::PROGRAM_MIGRATION_COUNSELLING;
    case Program::kYouthMigration: return v1::PROGRAM_YOUTH_MIGRATION;
  }
  return v1::PROGRAM_UNSPECIFIED;
}

TaskKind TaskKindOf(v1::TaskKind kind) {
  return kind == v1::TASK_KIND_JOBCENTER_CONTACT ? TaskKind::kJobcenterContact : TaskKind::kIntroduceNewWorker;
}

v1::TaskKind ToProto(TaskKind kind) {
  return kind == TaskKind::kJobcenterContact ? v1::TASK_KIND_JOBCENTER_CONTACT : v1::TASK_KIND_INTRODUCE_NEW_WORKER;
}

namespace {

// Refugee social work looks after the tolerated as after those in the
// procedure: both live on the AsylbLG, neither is yet for MBE or JMD.
Stage StageOf(rv1::ResidenceStatus status) {
  switch (status) {
    case rv1::RESIDENCE_STATUS_ASYLUM_SEEKER:
    case rv1::RESIDENCE_STATUS_TOLERATED: return Stage::kAsylumProcedure;
    case rv1::RESIDENCE_STATUS_PROTECTION_GRANTED:
    case rv1::RESIDENCE_STATUS_RESIDENCE_PERMIT: return Stage::kProtected;
    default: return Stage::kOther;
  }
}

Benefits BenefitsOf(rv1::BenefitRegime regime) {
  switch (regime) {
    case rv1::BENEFIT_REGIME_NONE: return Benefits::kNone;
    case rv1::BENEFIT_REGIME_ASYLBLG: return Benefits::kAsylblg;
    case rv1::BENEFIT_REGIME_SGB_II: return Benefits::kSgbII;
    case rv1::BENEFIT_REGIME_UNSPECIFIED: return Benefits::kNone;
    default: return Benefits::kOther;
  }
}

}  // namespace

Household HouseholdOf(const v1::HouseholdRecord& r) {
  Household h;
  h.household_id = r.household_id();
  h.social_area = r.social_area();
  h.in_shared_accommodation = r.in_shared_accommodation();
  for (const auto& m : r.members()) {
    h.members.push_back({m.person_id(), m.age_years(), StageOf(m.residence_status()), BenefitsOf(m.benefit_regime())});
  }
  return h;
}

Assignment AssignmentOf(const v1::HouseholdRecord& r) {
  Assignment a;
  a.program = ProgramOf(r.program());
  a.social_area = r.social_area();
  if (!r.worker_id().empty()) a.worker_id = r.worker_id();
  a.why_none = r.why_none();
  return a;
}

Worker WorkerOf(const v1::Worker& w) { return {w.worker_id(), ProgramOf(w.program()), w.social_area(), w.capacity()}; }

absl::Status CheckWorker(const v1::Worker& w) {
  Violations v;
  if (w.program() == v1::PROGRAM_UNSPECIFIED || !v1::Program_IsValid(w.program())) {
    v.Add("worker.program", "must be refugee social work, migration counselling or youth migration");
  }
  if (w.social_area().empty()) v.Add("worker.social_area", "is required");
  if (w.social_area().size() > 100) v.Add("worker.social_area", "must be at most 100 characters");
  if (w.capacity() < 1 || w.capacity() > 1000) {
    v.Add("worker.capacity", "must be 1 to 1000 persons (the district's ratio times the share of a full post)");
  }
  if (w.display_name().size() > 200) v.Add("worker.display_name", "must be at most 200 characters");
  return v.ToStatus();
}

absl::StatusOr<v1::Worker> WorkerRowOf(const CsvTable& table, const CsvRow& row) {
  v1::Worker w;
  const std::string program = absl::AsciiStrToLower(table.Get(row, "program"));
  if (program == "fsa") {
    w.set_program(v1::PROGRAM_REFUGEE_SOCIAL_WORK);
  } else if (program == "mbe") {
    w.set_program(v1::PROGRAM_MIGRATION_COUNSELLING);
  } else if (program == "jmd") {
    w.set_program(v1::PROGRAM_YOUTH_MIGRATION);
  } else {
    return absl::InvalidArgumentError(absl::StrCat("program: '", program, "' is none of fsa, mbe, jmd"));
  }
  w.set_social_area(table.Get(row, "social_area"));
  int capacity = 0;
  if (!absl::SimpleAtoi(table.Get(row, "capacity"), &capacity)) {
    return absl::InvalidArgumentError(absl::StrCat("capacity: '", table.Get(row, "capacity"), "' is no number"));
  }
  w.set_capacity(capacity);
  w.set_display_name(table.Get(row, "display_name"));
  if (auto s = CheckWorker(w); !s.ok()) {
    std::string why;
    for (const auto& f : FieldViolationsOf(s)) {
      absl::StrAppend(&why, why.empty() ? "" : "; ", f.field.substr(f.field.find('.') + 1), ": ", f.description);
    }
    return absl::InvalidArgumentError(why);
  }
  return w;
}

}  // namespace ankommen::casework
